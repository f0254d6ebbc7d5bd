import { ApiObject, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { WorkloadKind } from '../core/platform-conventions';
import { Matcher } from './promql';

/** The controller that owns a workload's pods; it is named after the workload. */
export type ControllerKind = 'Deployment' | 'Job' | 'CronJob' | 'ScaledJob' | 'JobSet' | 'LeaderWorkerSet';

/** What scales a workload. */
export interface MonitoredAutoscaler {
  /** `HorizontalPodAutoscaler` (named after the workload), a KEDA `ScaledObject` or a KEDA `ScaledJob`. */
  readonly kind: 'HorizontalPodAutoscaler' | 'ScaledObject' | 'ScaledJob';
  /** Name of the autoscaler object. @default - the workload name */
  readonly name?: string;
  /**
   * The HorizontalPodAutoscaler kube-state-metrics reports on.
   * @default - the workload name for an HPA, `keda-hpa-<name>` for a ScaledObject, none for a ScaledJob
   */
  readonly hpaName?: string;
  /** Replica floor: the endpoint alerts expect at least this many ready pods. */
  readonly minReplicas: number;
  /** Replica ceiling: the autoscaler-at-maximum alert watches it. */
  readonly maxReplicas: number;
}

/** How a model gets into the serving container. */
export interface MonitoredModelLoad {
  /** Longest the server may take from start to ready (loading the model). */
  readonly budget: Duration;
  /**
   * Init containers that download, verify or wait for the model (`fetch-model`, `verify-model`, `wait-model`).
   * @default - none (model in the image or on a volume)
   */
  readonly initContainers?: string[];
}

/** Timing of a Job or CronJob. */
export interface MonitoredJobTiming {
  /** The Job's activeDeadlineSeconds. @default - none */
  readonly activeDeadline?: Duration;
  /** How long a run normally takes at most; alerts past it when there is no deadline. @default - none */
  readonly expectedDuration?: Duration;
  /** The CronJob schedule, for the runbook. @default - none */
  readonly schedule?: string;
  /** The CronJob's startingDeadlineSeconds: how late a run may start. @default - none */
  readonly startingDeadline?: Duration;
}

/**
 * Everything the observability module needs to know about one workload. Workload constructs build
 * one (see `onlineInferenceWorkload`); alert families and the runbook read only this, so they work
 * for any workload, with or without its construct.
 */
export interface MonitoredWorkload {
  /** The construct class, shown in the runbook (`OnlineInference`, `BatchScoringJob`, ...). */
  readonly type: string;
  /** One sentence: what the workload does, for the runbook. */
  readonly description: string;
  /** Its kind; selects the alert families (serving, jobs, queue, ...). */
  readonly kind: WorkloadKind;
  /** Name of the workload and of every object it creates. */
  readonly name: string;
  /** Namespace of the workload and its monitoring objects. */
  readonly namespace: string;
  /** The stable labels its pods (and Service) carry. */
  readonly selector: Record<string, string>;
  /** Labels for the monitoring objects. @default - the selector */
  readonly labels?: Record<string, string>;
  /** The object that owns the pods, which the rollout and pod alerts query kube-state-metrics for. */
  readonly controller: ControllerKind;
  /** The main container. */
  readonly container: string;
  /** Named container port Prometheus scrapes. @default - no scrape target */
  readonly metricsPort?: string;
  /** Path Prometheus scrapes on `metricsPort`. @default '/metrics' */
  readonly metricsPath?: string;
  /** The Service in front of the pods (named after the workload): its port for `port-forward`. @default - none */
  readonly servicePort?: number;
  /** The autoscaler of its replicas, watched by the scaling alerts. @default - fixed replicas */
  readonly autoscaler?: MonitoredAutoscaler;
  /** How long model loading may take, for the model-load alert. @default - none */
  readonly modelLoad?: MonitoredModelLoad;
  /** Deadlines of a Job or CronJob, for the job alerts. @default - none */
  readonly job?: MonitoredJobTiming;
  /** The objects it creates, as `Kind/name`, for the runbook. @default - none listed */
  readonly objects?: string[];
  /** A canary Deployment beside the workload's, told apart by the `cdk8s-ml.io/track` pod label. @default - none */
  readonly canary?: {
    /** Name of the canary Deployment. */
    readonly name: string;
  };
  /** Scaled to zero on purpose (`replicas: 0`): no endpoint is expected. @default false */
  readonly parked?: boolean;
}

/*
 * kube-state-metrics pod series carry no workload label (pod labels only appear with
 * --metric-labels-allowlist, which clusters rarely set for our labels), and tying pods to a Deployment
 * through kube_pod_owner takes two joins (Pod -> ReplicaSet -> Deployment). Controllers name their
 * pods predictably, and names are DNS labels (no regex metacharacters), so the pod name pattern
 * selects exactly this workload's pods:
 *   Deployment  <name>-<pod-template-hash>-<5 random>
 *   Job         <name>-<5 random>, or <name>-<index>-<5 random> for Indexed Jobs
 *   CronJob     Jobs <name>-<scheduled minute>, pods as for Jobs
 *   ScaledJob   Jobs <name>-<5 random> (KEDA generateName), pods as for Jobs
 *   JobSet      Jobs <name>-workers-<job index>, pods as for Indexed Jobs
 *   LeaderWorkerSet  leaders <name>-<group index>, workers <name>-<group index>-<worker index>
 */
const POD_SUFFIX = '([0-9]+-)?[a-z0-9]{5}';

/** Regex (anchored by Prometheus) for the names of the Jobs the workload runs. */
export function jobNamePattern(w: MonitoredWorkload): string {
  switch (w.controller) {
    case 'CronJob':
      return `${w.name}-[0-9]+`;
    case 'ScaledJob':
      return `${w.name}-[a-z0-9]{5}`;
    case 'JobSet':
      return `${w.name}-workers-[0-9]+`;
    default:
      return w.name;
  }
}

/** Regex (anchored by Prometheus) for the names of the workload's pods. */
export function podNamePattern(w: MonitoredWorkload): string {
  switch (w.controller) {
    case 'Deployment':
      return `${w.name}-[a-z0-9]+-[a-z0-9]{5}`;
    case 'Job':
      return `${w.name}-${POD_SUFFIX}`;
    case 'LeaderWorkerSet':
      return `${w.name}-[0-9]+(-[0-9]+)?`;
    default:
      return `${jobNamePattern(w)}-${POD_SUFFIX}`;
  }
}

/** Matchers for kube-state-metrics pod and container series of the workload. */
export function podMatchers(w: MonitoredWorkload): Matcher[] {
  return [
    ['namespace', '=', w.namespace],
    ['pod', '=~', podNamePattern(w)],
  ];
}

/** Matchers for kube_job_* series of the workload's Jobs. */
export function jobMatchers(w: MonitoredWorkload): Matcher[] {
  return [
    ['namespace', '=', w.namespace],
    ['job_name', w.controller === 'Job' ? '=' : '=~', jobNamePattern(w)],
  ];
}

/**
 * Matchers for the workload's own metrics. Targets of a ServiceMonitor carry the `service` label;
 * targets of a PodMonitor only `namespace` and `pod`.
 */
export function appMetricMatchers(w: MonitoredWorkload): Matcher[] {
  return w.servicePort !== undefined
    ? [
        ['namespace', '=', w.namespace],
        ['service', '=', w.name],
      ]
    : podMatchers(w);
}

/** The HPA kube-state-metrics reports for the workload, if any. */
export function hpaNameOf(w: MonitoredWorkload): string | undefined {
  const a = w.autoscaler;
  if (!a) return undefined;
  if (a.hpaName) return a.hpaName;
  if (a.kind === 'HorizontalPodAutoscaler') return a.name ?? w.name;
  if (a.kind === 'ScaledObject') return `keda-hpa-${a.name ?? w.name}`;
  return undefined;
}

/** The objects a workload construct created so far, as `Kind/name`, for `MonitoredWorkload.objects`. */
export function apiObjectsOf(scope: IConstruct): string[] {
  return scope.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => `${o.kind}/${o.name}`);
}
