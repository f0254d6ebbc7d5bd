/*
 * The public API of cdk8s-ml: the constructs, their props, the small classes and enums users pass
 * to them, and the few helpers an app needs (reports, review). Everything else in src/ is internal
 * and may change in any release. `api/cdk8s-ml.api.md` records this surface; `npm test` fails when
 * it changes without the report (`npm run api`).
 */

// The gate's rules for KEDA and monitoring objects judge every app, also objects a user writes by hand: they
// register when the library loads. The rest loads on first use (scripts/lazy-index.js rewrites the compiled file).
import './keda/keda-gate';
import './observability/promql-gate';

// App and output layout
export { MlApp } from './app/ml-app';
export type { MlAppProps, ManifestFile } from './app/ml-app';

// Platform conventions, namespaces, capacity
export { Platform } from './core/platform';
export type {
  AcceleratorTaint,
  DnsPods,
  DnsServers,
  ModelCacheStorage,
  ModelFetcherDefaults,
  MonitoringDefaults,
  PlatformConfigureOptions,
  PlatformConventions,
  ResolvedPlatform,
  TrainingEngine,
  WorkloadKind,
} from './core/platform-conventions';
export { MlNamespace } from './platform/ml-namespace';
export type { ContainerDefaultsProps, MlNamespaceProps, NamespaceQuotaProps } from './platform/ml-namespace';
export { PlatformPriorityClasses } from './platform/priority-classes';
export type { PriorityClassSpec } from './platform/priority-classes';
export { capacityReport, formatCapacityReport } from './platform/capacity-report';
export type { CapacityReportExtras, CapacityRow } from './platform/capacity-report';
export { formatPrerequisites, prerequisites } from './platform/prerequisites';
export type { Prerequisite } from './platform/prerequisites';
export { poolUsage } from './core/cluster-capacity';
export type { PoolUsage } from './core/cluster-capacity';
export type { QuotaUsage } from './platform/quota-check';
export type { ICapacityClaimant, PodAmounts, PodKindCapacity, WorkloadCapacity } from './core/capacity';
export { supports } from './core/kube-version';
export {
  SUPPORTED_KUBERNETES_VERSIONS,
  OLDEST_KUBERNETES_VERSION,
  NEWEST_KUBERNETES_VERSION,
  KUBE_FEATURES,
} from './core/facts/kubernetes';
export type { KubernetesVersion, KubeFeature, KubeFeatureInfo } from './core/facts/kubernetes';
export { ADDON_FEATURES, ADDON_VERSIONS } from './core/facts/addons';
export type { AddonFeature, AddonFeatureInfo, AddonVersions } from './core/facts/addons';
export { addonSupports } from './core/addon-support';
export { MlValidationError } from './core/errors';
export { poolNodes } from './core/node-pools';
export type { PoolNode } from './core/node-pools';
export type { NodePool, NodeTaint } from './core/platform-conventions';

// Building blocks shared by the workloads
export { Accelerator } from './core/accelerator';
export type { AcceleratorOptions } from './core/accelerator';
export { ScalingMetric } from './core/autoscaling';
export type { ScalingBehavior, ScalingRateProps } from './core/autoscaling';
export { MlEnvValue, MlEnvFrom, EnvValue, EnvFrom } from './core/env';
export type { EnvMap } from './core/env';
export { ProbeHandler } from './core/probes';
export type { MlProbeOptions, ProbeOptions, ProbeTiming } from './core/probes';
export { SpotCapacity } from './core/spot';
export type { SpotNodeConvention, SpotOptions } from './core/spot';
export { ExitCodes } from './core/job';
export type { CronJobOptions, FiniteJobProps } from './core/job';
export { LabelKeys } from './core/names';
export type { WorkloadIdentityProps, WorkloadLabels } from './core/names';
export type { IModelCache, ModelProps } from './core/model';
export type { HuggingFaceRepo, ModelFetcherProps, ModelFetchProps } from './core/model-fetch';
export { ModelCache } from './core/model-cache';
export type { ModelCacheProps } from './core/model-cache';
export type { SecretKeyRef } from './core/secrets';
export type { ModelLayout } from './core/model-source';
export type { EgressPolicyProps, EgressRule } from './core/network';
export type { NetworkPeer } from './core/network-peer';
export type { MlPodProps, MlWorkloadProps, PodProps, WorkloadProps } from './core/pod';
export type { PodMount } from './core/pod-mount';
export type { ExtraContainerProps, SidecarProps } from './core/extra-containers';
export type { MlResourceProps, ResourceProps } from './core/resources';
export type { RunAsProps } from './core/security';
export type { Toleration } from './core/tolerations';

// Serving
export { OnlineInference } from './serving/online-inference';
export type {
  AutoscalingProps,
  InferenceNetworkProps,
  InferenceProbesProps,
  OnlineInferenceProps,
  RolloutProps,
  ShutdownProps,
} from './serving/online-inference-props';
export type { CanaryRelease } from './serving/canary-release';
export type { CanaryProps, CanaryStrategy } from './serving/canary';
export type { GatewayRouteProps } from './serving/gateway-route';
export type { EndpointPickerProps, InferencePoolProps } from './serving/inference-pool';
export type { EndpointPicker } from './serving/endpoint-picker';
export type { PickerEngine } from './core/facts/inference-extension';
export type { DisruptionBudgetProps } from './core/disruption-budget';
export type { Availability } from './serving/availability';
export { releaseReport, formatReleaseReport } from './serving/release-report';
export type { ReleaseRow } from './serving/release-report';
export type { IServingRuntime } from './serving/runtime';
export { ServingRuntime } from './llm/serving-runtime';
export type {
  GenericRuntimeOptions,
  HuggingFaceToken,
  LlmRuntimeOptions,
  TgiOptions,
  TritonOptions,
  VllmOptions,
} from './llm/runtime-options';
export type { QueueScalingProps } from './serving/queue-scaling';
export { MultiHostInference } from './llm/multi-host-inference';
export type { MultiHostInferenceProps, MultiHostRolloutProps } from './llm/multi-host-inference-props';

// Batch and training
export { BatchScoringJob } from './batch/batch-scoring-job';
export type { BatchScoringJobProps } from './batch/batch-scoring-job';
export { GpuTrainingJob } from './training/gpu-training-job';
export type { GpuTrainingJobProps } from './training/gpu-training-job';
export type { CheckpointProps } from './training/checkpoint';
export type { ElasticOptions } from './training/jobset-engine';

// Queue workers
export { QueueWorker } from './queue/queue-worker';
export type { QueueFallbackProps, QueueWorkerProps } from './queue/queue-worker';
export type { WorkerProbe, WorkerProbesProps } from './queue/worker-probes';
export { QueueTrigger } from './keda/triggers';
export type {
  GenericTriggerOptions,
  KafkaTriggerProps,
  PrometheusTriggerProps,
  RabbitMqTriggerProps,
  RedisConnectionProps,
  RedisListTriggerProps,
  RedisStreamTriggerProps,
  SqsTriggerProps,
  TriggerOptions,
} from './keda/triggers';
export { TriggerAuth } from './keda/trigger-auth';
export type { ExistingAuthRef, PodIdentityProps, SecretParameter } from './keda/trigger-auth';
export type { WorkerExecution } from './queue/drain-plan';
export type { ScaledJobOptions } from './keda/keda-objects';

// Observability
export { WorkloadMonitoring, ALERT_FAMILIES } from './observability/workload-monitoring';
export type { WorkloadMonitoringProps } from './observability/workload-monitoring';
export type {
  AlertThresholds,
  MonitoringOptions,
  PodMonitoringProps,
  QueueAgeObjective,
  QueueBacklogObjective,
  QueueObjectives,
} from './observability/options';
export type { AvailabilityObjective, LatencyObjective, ServiceLevelObjectives, SloSummary } from './observability/slo';
export type { AlertFamily, AlertSpec, TriageStep } from './observability/alert';
export type { AlertSeverity, BurnRatePlan, BurnRateThreshold, BurnRateWindow } from './observability/burn-rate';
export type {
  ControllerKind,
  MonitoredAutoscaler,
  MonitoredJobTiming,
  MonitoredModelLoad,
  MonitoredWorkload,
} from './observability/workload';
export { renderRunbook, writeRunbook } from './observability/runbook';

// Review engine: at synth, as a cdk8s validation plugin, on any manifests
export { review, loadManifests } from './review/entry';
export { reviewApp, reviewOnSynth } from './review/synth';
export { formatTable, formatJson, formatSummary } from './review/format';
export { MlReviewValidation } from './review/plugin';
export { DISABLE_ANNOTATION, SEVERITY_ANNOTATION } from './review/annotations';
export type {
  Finding,
  KubeObject,
  LoadResult,
  ManifestDocument,
  MlReviewValidationProperties,
  PodTemplateInfo,
  ReviewContext,
  ReviewCounts,
  ReviewOnSynthOptions,
  ReviewOptions,
  ReviewReport,
  Rule,
  RuleFinding,
  Severity,
  SuppressedFinding,
  TableOptions,
} from './review';
export type { PluginContext as MlReviewValidationContext } from './review/plugin';
export type { CollectOptions } from './review/load';
export type { PlatformAssumptions, ReviewPlatform } from './review/platform';
export type { RuleDocs, SeverityCondition, WorkloadRole } from './review/types';

// The generated custom-resource classes the constructs expose as escape hatches (types only; their
// props and spec types come from `cdk8s import` of the same CRDs, see cdk8s.yaml)
export type { ScaledObject } from '../imports/keda-scaledobject-keda.sh';
export type { ScaledJob } from '../imports/keda-scaledjob-keda.sh';
export type { TriggerAuthentication } from '../imports/keda-triggerauthentication-keda.sh';
export type { ServiceMonitor } from '../imports/monitoring-servicemonitor-monitoring.coreos.com';
export type { PodMonitor } from '../imports/monitoring-podmonitor-monitoring.coreos.com';
export type { PrometheusRule } from '../imports/monitoring-prometheusrule-monitoring.coreos.com';
export type { HttpRoute } from '../imports/gateway-httproute-gateway.networking.k8s.io';
export type { InferencePool } from '../imports/inference-inferencepool-inference.networking.k8s.io';
