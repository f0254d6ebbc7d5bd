/** The default rule set. */
import { Rule } from '../types';
import { acceleratorLimits, acceleratorNodeSelection, acceleratorToleration, cpuPodOnGpuNodes } from './accelerators';
import { removedApiVersion } from './apiversions';
import { acceleratorAutoscaling, autoscalerConsistency } from './autoscaling';
import { cronConcurrency, jobLimits, trainingLiveness } from './batch';
import { disruptionBudget } from './disruption';
import { mutableImage } from './images';
import { missingNetworkPolicy } from './network';
import { livenessWithoutStartup, missingLiveness, readinessProbe } from './probes';
import { limitBelowRequest, missingRequests } from './resources';
import { restrictedSecurity, serviceAccountToken } from './security';
import { serviceSelector, serviceTargetPort } from './services';

/** Every built-in rule, ordered by id. */
export const defaultRules: readonly Rule[] = [
  missingRequests, readinessProbe, livenessWithoutStartup, acceleratorToleration, cpuPodOnGpuNodes, mutableImage,
  serviceSelector, disruptionBudget, autoscalerConsistency, jobLimits, cronConcurrency, trainingLiveness,
  removedApiVersion, missingNetworkPolicy, serviceAccountToken, restrictedSecurity, limitBelowRequest,
  missingLiveness, acceleratorLimits, acceleratorAutoscaling, serviceTargetPort, acceleratorNodeSelection,
];

export {
  acceleratorAutoscaling, acceleratorLimits, acceleratorNodeSelection, acceleratorToleration, autoscalerConsistency, cpuPodOnGpuNodes,
  cronConcurrency, disruptionBudget, jobLimits, limitBelowRequest, livenessWithoutStartup, missingLiveness,
  missingNetworkPolicy, missingRequests, mutableImage, readinessProbe, removedApiVersion, restrictedSecurity,
  serviceAccountToken, serviceSelector, serviceTargetPort, trainingLiveness,
};
