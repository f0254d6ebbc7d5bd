/** The default rule set. */
import { RULE_DOCS } from '../docs';
import { Rule } from '../types';
import { acceleratorLimits, acceleratorNodeSelection, acceleratorToleration, cpuPodOnGpuNodes } from './accelerators';
import { removedApiVersion } from './apiversions';
import { acceleratorAutoscaling, autoscalerConsistency } from './autoscaling';
import { cronConcurrency, jobLimits, trainingLiveness } from './batch';
import { disruptionBudget } from './disruption';
import { disallowedRegistry, mutableImage } from './images';
import {
  cooldownShorterThanColdStart,
  httpScaleToZeroSlowModel,
  perPodPrometheusQuery,
  scaleToZeroSlowModel,
  scaledObjectTarget,
} from './keda';
import { loadBudget } from './load-budget';
import { processesPerGpu } from './parallelism';
import { missingShm } from './shm';
import { probeOtherContainerPort } from './probe-ports';
import { pinnedReplicasWithAutoscaler, replicatedServerWithoutBudget } from './replicas';
import { allGpusVisible, unboundedShm } from './runtime';
import { missingNetworkPolicy } from './network';
import { livenessWithoutStartup, missingLiveness, readinessProbe } from './probes';
import { limitBelowRequest, missingRequests } from './resources';
import { hostAccess, restrictedSecurity, serviceAccountToken } from './security';
import { serviceNumericTargetPort, serviceSelector, serviceTargetPort } from './services';

/** Every built-in rule, ordered by id. */
const RULES: readonly Rule[] = [
  missingRequests,
  readinessProbe,
  livenessWithoutStartup,
  acceleratorToleration,
  cpuPodOnGpuNodes,
  mutableImage,
  serviceSelector,
  disruptionBudget,
  autoscalerConsistency,
  jobLimits,
  cronConcurrency,
  trainingLiveness,
  removedApiVersion,
  missingNetworkPolicy,
  serviceAccountToken,
  restrictedSecurity,
  limitBelowRequest,
  missingLiveness,
  acceleratorLimits,
  acceleratorAutoscaling,
  serviceTargetPort,
  acceleratorNodeSelection,
  scaleToZeroSlowModel,
  perPodPrometheusQuery,
  cooldownShorterThanColdStart,
  scaledObjectTarget,
  pinnedReplicasWithAutoscaler,
  replicatedServerWithoutBudget,
  unboundedShm,
  allGpusVisible,
  probeOtherContainerPort,
  disallowedRegistry,
  missingShm,
  serviceNumericTargetPort,
  processesPerGpu,
  loadBudget,
  httpScaleToZeroSlowModel,
  hostAccess,
];

/** Every built-in rule, ordered by id, with its documentation. */
export const defaultRules: readonly Rule[] = RULES.map((r) => (RULE_DOCS[r.id] ? { ...r, docs: RULE_DOCS[r.id] } : r));

export {
  hostAccess,
  httpScaleToZeroSlowModel,
  loadBudget,
  missingShm,
  processesPerGpu,
  serviceNumericTargetPort,
  allGpusVisible,
  cooldownShorterThanColdStart,
  disallowedRegistry,
  perPodPrometheusQuery,
  pinnedReplicasWithAutoscaler,
  probeOtherContainerPort,
  replicatedServerWithoutBudget,
  scaleToZeroSlowModel,
  scaledObjectTarget,
  unboundedShm,
  acceleratorAutoscaling,
  acceleratorLimits,
  acceleratorNodeSelection,
  acceleratorToleration,
  autoscalerConsistency,
  cpuPodOnGpuNodes,
  cronConcurrency,
  disruptionBudget,
  jobLimits,
  limitBelowRequest,
  livenessWithoutStartup,
  missingLiveness,
  missingNetworkPolicy,
  missingRequests,
  mutableImage,
  readinessProbe,
  removedApiVersion,
  restrictedSecurity,
  serviceAccountToken,
  serviceSelector,
  serviceTargetPort,
  trainingLiveness,
};
