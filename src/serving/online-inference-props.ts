import { Duration } from 'cdk8s';
import { ScalingBehavior, ScalingMetric } from '../core/autoscaling';
import { DisruptionBudgetProps } from '../core/disruption-budget';
import { ModelProps } from '../core/model';
import { EgressRule } from '../core/network';
import { NetworkPeer } from '../core/network-peer';
import { MlWorkloadProps } from '../core/pod';
import { MlProbeOptions, ProbeHandler } from '../core/probes';
import { MonitoringOptions } from '../observability/options';
import { Availability } from './availability';
import { CanaryProps } from './canary';
import { GatewayRouteProps } from './gateway-route';
import { InferencePoolProps } from './inference-pool';
import { QueueScalingProps } from './queue-scaling';
import { IServingRuntime } from './runtime';

/** Replica bounds and what to scale on. */
export interface AutoscalingProps {
  /** At least 1: model pods are slow to start, keep one warm. */
  readonly minReplicas: number;
  /** Replica ceiling; the quota and capacity checks count this many pods plus the rollout surge. */
  readonly maxReplicas: number;
  /**
   * What the HPA scales on; with several, it follows the one asking for the most replicas.
   * @default [ScalingMetric.cpuUtilization(70)]
   */
  readonly metrics?: ScalingMetric[];
  /**
   * How fast the HPA adds and removes pods.
   * @default - fast scale-up; scale-down after a stabilization window of 5 minutes, or of the workload's
   * startup (model download + load) when longer
   */
  readonly behavior?: ScalingBehavior;
  /**
   * Declares that CPU or memory is what saturates this service although it has accelerators: without it, an
   * accelerator service scaled on `cpuUtilization`/`memoryUtilization` only is an error (CPU stays low while
   * the GPU saturates, so replicas come too late or never).
   * @default false
   */
  readonly resourceBound?: boolean;
  /**
   * Scale on the runtime's queue depth (requests waiting, summed over the pods) with a KEDA
   * ScaledObject instead of an HPA on `metrics`. Needs an LLM `runtime` and monitoring (the series
   * come from the workload's ServiceMonitor).
   * @default - an HPA on `metrics`
   */
  readonly queue?: QueueScalingProps;
}

/** Rolling-update policy. */
export interface RolloutProps {
  /**
   * Extra pods during a rollout.
   * @default 1, or 0 for accelerator services without room for a surge pod in `spareAccelerators`
   */
  readonly maxSurge?: number;
  /**
   * Pods that may be unavailable during a rollout.
   * @default 0, or 1 for accelerator services without room for a surge pod in `spareAccelerators`
   */
  readonly maxUnavailable?: number;
  /**
   * Accelerators free in the node pool beyond what the stable replicas use. A rollout surge pod and
   * every canary pod must fit in them.
   * @default 0
   */
  readonly spareAccelerators?: number;
  /** Old ReplicaSets kept for `kubectl rollout undo`. @default 10 */
  readonly revisionHistoryLimit?: number;
  /**
   * How long a rollout may make no progress before it is marked failed; must exceed the startup budget.
   * @default - the larger of 10 minutes and the startup budget (model fetch + load) plus 2 minutes
   */
  readonly progressDeadline?: Duration;
}

/** Probe settings; all three are derived from `modelLoadTimeout` and the serving port. */
export interface InferenceProbesProps {
  /** "Model loaded and can predict". @default HTTP GET /ready every 5s, 3 failures */
  readonly readiness?: MlProbeOptions;
  /** "Process is alive"; starts only after the startup probe succeeded. @default HTTP GET /live every 10s, 3 failures */
  readonly liveness?: MlProbeOptions;
  /**
   * "Model still loading": holds off readiness and liveness until it passes, failing the pod only once
   * `modelLoadTimeout` (plus the model fetch) has passed.
   * @default - the readiness handler, every 10s, for the model-load budget
   */
  readonly startup?: {
    /** How the container is checked. @default - the readiness handler */
    readonly handler?: ProbeHandler;
    /** Time between checks; the failure threshold is the load budget divided by it. @default Duration.seconds(10) */
    readonly period?: Duration;
  };
}

/** Graceful shutdown. */
export interface ShutdownProps {
  /**
   * preStop pause (`sleep` in the container) so endpoints are removed before the server stops taking requests.
   * @default Duration.seconds(10)
   */
  readonly preStopDelay?: Duration;
  /** Time in-flight requests get after the pause. @default Duration.seconds(30) */
  readonly drainTimeout?: Duration;
}

/** NetworkPolicy allowances; everything else is denied. */
export interface InferenceNetworkProps {
  /** Who may call the serving port. @default - pods in the same namespace */
  readonly ingressFrom?: NetworkPeer[];
  /** Who may scrape the metrics (on the metrics port, or the serving port). @default - the platform's `monitoring.scrapeFrom` (the `monitoring` namespace) */
  readonly metricsFrom?: NetworkPeer[];
  /** Destinations beyond DNS (feature stores, the model store). @default - none */
  readonly egressTo?: EgressRule[];
}

/** Props of {@link OnlineInference}. */
export interface OnlineInferenceProps extends MlWorkloadProps {
  /**
   * The model server: its ports, health endpoints, metrics, arguments and queue signal
   * (`ServingRuntime.vllm({ ... })`, `.tgi`, `.triton`). With a preset, `args` are appended to the runtime's
   * arguments and checked against the flags of its pinned version; `command` may not replace its start.
   * @default - ServingRuntime.generic(): your image, `/ready` and `/live` on `port`
   */
  readonly runtime?: IServingRuntime;
  /** Container port the server listens on. @default - the runtime's (8000 for the generic server) */
  readonly port?: number;
  /** Name of the serving port (container and Service), e.g. for a ServiceMonitor or a route. @default 'http' */
  readonly portName?: string;
  /** Port of the Service. @default 80 */
  readonly servicePort?: number;
  /**
   * Port the server exposes `/metrics` on (`monitoring.metricsPath` changes the path). A port other than
   * `port` is exposed as `metrics`; unset or equal to `port`, Prometheus scrapes the serving port.
   * @default - the serving port
   */
  readonly metricsPort?: number;
  /** The model served. @default - none (model baked into the image, no version shown) */
  readonly model?: ModelProps;
  /** Longest the server takes to load the model; sizes the startup probe and the progress deadline. @default Duration.minutes(2) */
  readonly modelLoadTimeout?: Duration;
  /**
   * Readiness, liveness and startup probes.
   * @default - the runtime's health endpoints (`/ready` and `/live` on `port` for the generic server), timed from `modelLoadTimeout`
   */
  readonly probes?: InferenceProbesProps;
  /**
   * A fixed replica count instead of autoscaling. `0` parks the service: its objects stay in place with
   * no pods (no disruption budget, no availability promise; the capacity report says "parked").
   * @default - autoscaling
   */
  readonly replicas?: number;
  /**
   * Replica bounds and what the HorizontalPodAutoscaler scales on (not together with `replicas`).
   * @default { minReplicas: 2, maxReplicas: 10, metrics: [cpuUtilization(70)] } (required with accelerators)
   */
  readonly autoscaling?: AutoscalingProps;
  /**
   * How a new version rolls out.
   * @default - one surge pod, none unavailable; accelerator services without `spareAccelerators`: no surge, one unavailable
   */
  readonly rollout?: RolloutProps;
  /** `false` for none. @default - maxUnavailable derived from the replica floor */
  readonly disruptionBudget?: DisruptionBudgetProps | false;
  /**
   * `continuous`: a rollout or a node drain never leaves the service without a ready replica (a replica
   * floor of 1, a budget or rollout that may stop every pod, are errors that name the fix).
   * `best-effort`: accept that releases and drains can be full outages.
   * @default 'continuous'
   */
  readonly availability?: Availability;
  /** `false` opts out of the NetworkPolicy. @default - default deny with the allowances below */
  readonly networkPolicy?: InferenceNetworkProps | false;
  /** How a pod stops without dropping requests. @default - a 10 s preStop pause, then 30 s to drain */
  readonly shutdown?: ShutdownProps;
  /** Spread replicas across nodes and zones. @default true */
  readonly topologySpread?: boolean;
  /** A canary release of a second model version or image. @default - no canary */
  readonly canary?: CanaryProps;
  /** A Gateway API HTTPRoute in front of the service (needed for `canary.strategy: 'gateway'` and `inferencePool`). @default - no route */
  readonly route?: GatewayRouteProps;
  /**
   * LLM-aware routing: an InferencePool over the workload's pods, asking an endpoint picker (EPP) which
   * pod serves each request (by queue and KV-cache load); the HTTPRoute's backend is the pool. Needs `route`.
   * @default - no pool (the route's backend is the Service)
   */
  readonly inferencePool?: InferencePoolProps;
  /**
   * ServiceMonitor, alert rules (SLO burn rates, endpoints, crash loops, ...) and runbook entries; `false` for none.
   * @default - the platform's `monitoring.enabled` (off unless the platform turns it on)
   */
  readonly monitoring?: MonitoringOptions | false;
}
