import { ApiObject, Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  ScalingBehavior,
  ScalingMetric,
  requireReachableTargets,
  requireReplicaRange,
  startupAwareBehavior,
  startupEstimate,
} from '../core/autoscaling';
import { Platform } from '../core/platform';
import { formatAmount, requireQuantity } from '../core/quantity';
import { autoscalerConflict, claimAutoscaling } from '../core/autoscaler-conflicts';
import { ICapacityClaimant, WorkloadCapacity, capacityOfKinds } from '../core/capacity';
import { requireWholeNumber, requireWholeSeconds } from '../core/durations';
import { check } from '../core/errors';
import { ModelArtifact, ModelProps, modelArtifact, requireCacheAttachable } from '../core/model';
import { requireWorkloadModelFitsMemory } from '../core/model-memory';
import { LabelKeys, WorkloadLabels, claimDerivedName, requireDns1035Label, workloadIdentity } from '../core/names';
import { EgressRule, NetworkPeer } from '../core/network';
import { podTemplatePolicies } from '../core/pod-policies';
import { PodShape, PodTemplate, MlWorkloadProps, requirePort, workloadServiceAccount } from '../core/pod';
import { ProbeHandler, MlProbeOptions, probe, requireDistinctProbes, startupProbe } from '../core/probes';
import type { HttpRoute } from '../../imports/gateway-httproute-gateway.networking.k8s.io';
import { ScaledObject } from '../../imports/keda-scaledobject-keda.sh';
import { QueueScalingProps, queueScaledObject } from '../llm/queue-scaling';
import { RuntimePlan, ServingRuntime, workloadRuntimeContext } from '../llm/serving-runtime';
import { requireRuntimeMetrics, runtimeArgs } from '../llm/runtime-overrides';
import { requireShmBelowMemory } from '../llm/runtimes/common';
import { CanaryProps } from './canary';
import { CanaryRelease } from './canary-release';
import { MonitoringOptions, monitoringEnabled } from '../observability/options';
import { onlineInferenceWorkload } from '../observability/online-inference-workload';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { Availability, requireAvailability } from './availability';
import { DisruptionBudgetProps, workloadDisruptionBudget } from './disruption-budget';
import { GatewayRouteProps, weightedRoute } from './gateway-route';
import { InferencePool } from '../../imports/inference-inferencepool-inference.networking.k8s.io';
import { EndpointPicker } from './endpoint-picker';
import { InferencePoolProps, ResolvedEndpointPicker, endpointPicker, inferencePool, modelServerCallers } from './inference-pool';
import { trackAutoscaler, trackDeployment } from './serving-deployment';

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
  readonly runtime?: ServingRuntime;
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

/**
 * Stateless model serving: a Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget,
 * NetworkPolicy and ServiceAccount (with monitoring: a ServiceMonitor and PrometheusRule), all named
 * after the workload.
 */
export class OnlineInference extends Construct implements ICapacityClaimant {
  /**
   * The workload's name (`name`, else the construct id): the Deployment, Service, autoscaler, budget, ServiceAccount
   * and policies are named after it.
   */
  public readonly name: string;
  /** Namespace of every object: `namespace`, else the chart's, else the platform's `defaultNamespace`. */
  public readonly namespace: string;
  /** The workload's labels: the stable selector, the labels of every object and those of its pods. */
  public readonly labels: WorkloadLabels;
  /** @internal */
  public readonly pod: PodTemplate;
  /**
   * The workload's ServiceAccount, named after it, with no API token mounted unless `automountServiceAccountToken`.
   * Escape hatch (README "Extending a construct"): annotations (e.g. a cloud IAM role) and other changes through
   * cdk8s-plus or `metadata` reach the YAML.
   */
  public readonly serviceAccount: plus.ServiceAccount;
  /**
   * The stable track's Deployment (cdk8s-plus). Escape hatch (README "Extending a construct"): the env, mounts, ports,
   * containers, volumes, tolerations and pod metadata you add through cdk8s-plus are merged with the construct's own at
   * synth; changing what it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly deployment: plus.Deployment;
  /**
   * The ClusterIP Service (cdk8s-plus) in front of every ready pod of both tracks, on `servicePort`. Escape hatch
   * (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly service: plus.Service;
  /**
   * The HorizontalPodAutoscaler (cdk8s-plus); undefined with a fixed replica count or `autoscaling.queue`. Escape hatch
   * (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly autoscaler?: plus.HorizontalPodAutoscaler;
  /**
   * The PodDisruptionBudget (generated `k8s` class); undefined with `disruptionBudget: false` or `replicas: 0`. Escape
   * hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /**
   * The default-deny NetworkPolicy (cdk8s-plus) with the declared allowances; undefined with `networkPolicy: false`.
   * Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /** The replica floor (minReplicas or the fixed count). */
  public readonly minReplicas: number;
  /** The replica ceiling. */
  public readonly maxReplicas: number;
  /** Extra pods during a rollout. */
  public readonly maxSurge: number;
  /** Whether the service is parked (`replicas: 0`): no pods, no disruption budget. */
  public readonly parked: boolean;
  /** The stable image. */
  public readonly image: string;
  /** The stable model version, if a model is declared. */
  public readonly modelVersion?: string;
  /** The canary track, when `canary` is set. */
  public readonly canary?: CanaryRelease;
  /**
   * The Gateway API HTTPRoute, when `route` is set: its backends are the per-track Services or the InferencePool.
   * Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly route?: HttpRoute;
  /**
   * The Service of the stable track alone (`<name>-stable`), which the HTTPRoute weights against the canary's; only
   * with `route` and no InferencePool. Escape hatch (README "Extending a construct"): changes through its cdk8s-plus
   * methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly stableService?: plus.Service;
  /**
   * Monitors, alert rules and runbook entries (`monitoring.serviceMonitor`/`podMonitor`, `monitoring.prometheusRule`
   * are escape hatches); undefined unless monitoring is on (prop or platform default).
   */
  public readonly monitoring?: WorkloadMonitoring;
  /** The runtime's ports, probes, arguments and signals, when `runtime` is set. @internal */
  public readonly runtime?: RuntimePlan;
  /**
   * The InferencePool, when `inferencePool` is set. Escape hatch (README "Extending a construct"): `metadata` and
   * `addJsonPatch` changes reach the YAML.
   */
  public readonly inferencePool?: InferencePool;
  /** The endpoint picker created with the InferencePool (undefined when you run your own). */
  public readonly endpointPicker?: EndpointPicker;
  /**
   * The KEDA ScaledObject, when `autoscaling.queue` is set (then there is no `autoscaler`). Escape hatch (README
   * "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly scaledObject?: ScaledObject;

  /** Creates the Deployment and its objects; throws `MlValidationError` for props a cluster would refuse. */
  constructor(scope: Construct, id: string, props: OnlineInferenceProps) {
    super(scope, id);
    const { name, namespace, labels, meta } = workloadIdentity(this, id, props, 'inference', props.model?.version);
    requireDns1035Label(this, 'name', name, 'Service');
    if (props.route && props.canary) claimDerivedName(this, namespace, `${name}-stable`, 'route');
    this.name = name;
    this.namespace = namespace;
    this.labels = labels;

    const model = props.model ? modelArtifact(this, props.model) : undefined;
    const plan = this.runtimePlan(props, model);
    this.runtime = plan;
    const pod: MlWorkloadProps = plan ? { ...props, ...runtimeArgs(this, plan, props) } : props;

    const port = props.port ?? plan?.port ?? 8000;
    if (plan?.facts) requireRuntimeMetrics(this, plan, props);
    const metricsPort = props.metricsPort ?? plan?.metricsPort;
    const portName = props.portName ?? 'http';
    requirePort(this, portName, port, props.port !== undefined ? 'port' : `port (the ${plan?.runtime ?? 'generic'} runtime's)`, 'portName');
    // Metrics on the serving port (vLLM, TGI, most Python servers) need no second port.
    const separateMetrics = metricsPort !== undefined && metricsPort !== port;
    if (separateMetrics) requirePort(this, 'metrics', metricsPort!, 'metricsPort');
    this.image = props.image;
    this.modelVersion = props.model?.version;

    const scaling = this.scalingPlan(props);
    this.minReplicas = scaling.min;
    this.maxReplicas = scaling.max;

    const loadBudget = props.modelLoadTimeout ?? plan?.loadBudget ?? Duration.minutes(2);
    requireWholeSeconds(this, 'modelLoadTimeout', loadBudget, 1);
    const download = this.perPodDownload(props, model, scaling);
    // A replica removed in a dip shorter than a startup takes a whole startup to come back.
    const startup = startupEstimate(loadBudget, download, Platform.of(this).downloadBandwidthMiBps);
    const autoscaling = {
      metrics: props.autoscaling?.metrics,
      behavior: startupAwareBehavior(this, 'autoscaling.behavior', props.autoscaling?.behavior, startup),
    };
    const probes = this.probePlan(props, port, loadBudget, plan);
    const startupBudget = loadBudget.toSeconds() + (model?.fetchTimeout.toSeconds() ?? 0);
    const progressDeadline = props.rollout?.progressDeadline ?? Duration.seconds(Math.max(600, startupBudget + 120));
    requireWholeSeconds(this, 'rollout.progressDeadline', progressDeadline, 1);
    check(progressDeadline.toSeconds() > startupBudget, this, {
      field: 'rollout.progressDeadline',
      value: `${progressDeadline.toSeconds()}s`,
      problem: `is not longer than the startup budget (${startupBudget}s: model fetch + modelLoadTimeout)`,
      fix: `set progressDeadline above ${startupBudget}s or shorten modelLoadTimeout, or every slow start fails the rollout`,
    });

    const preStop = props.shutdown?.preStopDelay ?? Duration.seconds(10);
    const drain = props.shutdown?.drainTimeout ?? Duration.seconds(30);
    requireWholeSeconds(this, 'shutdown.preStopDelay', preStop);
    requireWholeSeconds(this, 'shutdown.drainTimeout', drain);
    const extraPorts = plan?.extraPorts ?? [];
    const ports = [
      { name: portName, containerPort: port, field: props.port !== undefined || !plan ? 'port' : `the ${plan.runtime} runtime's port` },
      ...extraPorts.map((p) => ({ ...p, field: `the ${plan?.runtime} runtime's ${p.name} port` })),
      ...(separateMetrics ? [{ name: 'metrics', containerPort: metricsPort!, field: 'metricsPort' }] : []),
    ];
    const trackShape = (m: ModelArtifact | undefined, track: 'stable' | 'canary'): PodShape => ({
      kind: 'serving',
      containerName: 'server',
      ports,
      probes,
      lifecycle: { preStop: { exec: { command: ['sleep', String(preStop.toSeconds())] } } },
      env: { ...m?.env, ...plan?.env },
      mounts: [...(m?.mounts ?? []), ...(plan?.mounts ?? [])],
      initContainers: m?.initContainers,
      terminationGracePeriod: Duration.seconds(preStop.toSeconds() + drain.toSeconds()),
      spreadSelector: props.topologySpread === false ? undefined : this.labels.trackSelector(track),
      defaultSharedMemory: plan?.sharedMemory ?? '1Gi',
    });
    const shape = trackShape(model, 'stable');
    this.pod = new PodTemplate(this, pod, shape);
    const fitsMemory = (m: ModelProps | undefined, modelField: string) =>
      requireWorkloadModelFitsMemory(this, {
        model: m,
        modelField,
        runtime: props.runtime,
        resources: props.resources,
        accelerator: !!this.pod.accelerator,
      });
    fitsMemory(props.model, 'model');
    check(!(this.pod.accelerator && props.autoscaling === undefined && props.replicas === undefined), this, {
      field: 'autoscaling',
      value: undefined,
      problem: 'is required for an accelerator service',
      fix: "set replicas, or autoscaling with a metric that matches the bottleneck (e.g. ScalingMetric.podsAverage('inflight_requests', 4)); CPU rarely is",
    });

    this.serviceAccount = workloadServiceAccount(
      this,
      name,
      this.namespace,
      this.labels.common,
      props.automountServiceAccountToken ?? false,
    );
    const strategy = this.rolloutStrategy(props.rollout);
    this.maxSurge = strategy.maxSurge;
    const track = {
      name,
      namespace: this.namespace,
      labels: this.labels,
      serviceAccount: this.serviceAccount,
      progressDeadline,
      revisionHistoryLimit: strategy.revisionHistoryLimit,
    };
    this.deployment = trackDeployment(this, {
      ...track,
      track: 'stable',
      podProps: pod,
      shape,
      pod: this.pod,
      model,
      version: props.model?.version,
      replicas: scaling.fixed,
      maxSurge: strategy.maxSurge,
      maxUnavailable: strategy.maxUnavailable,
    });

    this.service = new plus.Service(this, 'Service', {
      metadata: meta,
      type: plus.ServiceType.CLUSTER_IP,
      ports: [
        { name: portName, port: props.servicePort ?? 80, targetPort: port },
        ...extraPorts.map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.containerPort })),
        ...(separateMetrics ? [{ name: 'metrics', port: metricsPort!, targetPort: metricsPort! }] : []),
      ],
    });
    requirePort(this, 'service', props.servicePort ?? 80, 'servicePort');
    for (const [k, v] of Object.entries(this.labels.selector)) this.service.selectLabel(k, v);

    const queue = props.autoscaling?.queue;
    if (queue) {
      // KEDA's HPA owns the replica count: leave spec.replicas out so an apply never resets it.
      this.deployment.markHasAutoscaler();
      this.scaledObject = this.queueScaling(props, meta, queue, plan, scaling, autoscaling.behavior);
    } else if (scaling.fixed === undefined) {
      const metrics = props.autoscaling?.metrics ?? [ScalingMetric.cpuUtilization(70)];
      requireReachableTargets(this, 'autoscaling.metrics', metrics, props.resources);
      const resourceOnly = this.requireAcceleratorMetrics(metrics, props.autoscaling?.resourceBound);
      this.autoscaler = trackAutoscaler(this, meta, this.deployment, scaling.min, scaling.max, autoscaling);
      if (resourceOnly) {
        // Declared resource-bound: the review engine's ML020 (accelerator scaled on CPU/memory) is answered.
        ApiObject.of(this.autoscaler).metadata.addAnnotation(
          'cdk8s-ml.io/review-disable',
          'ML020=declared resource-bound (autoscaling.resourceBound)',
        );
      }
    }

    // A parked service (replicas: 0) has no pods to protect and promises nothing.
    const parked = scaling.fixed === 0;
    this.parked = parked;
    const budget =
      props.disruptionBudget === false || parked
        ? undefined
        : workloadDisruptionBudget(this, meta, this.labels.trackSelector('stable'), props.disruptionBudget ?? {}, scaling.min);
    this.disruptionBudget = budget?.budget;
    if (!parked)
      requireAvailability(this, props.availability, {
        floor: scaling.min,
        fixedReplicas: scaling.fixed !== undefined,
        maxSurge: strategy.maxSurge,
        maxUnavailable: strategy.maxUnavailable,
        drainMayStop: budget?.mayStop,
        surgeAccelerators: strategy.acceleratorsPerPod,
      });

    if (props.canary) {
      check(!parked, this, {
        field: 'canary',
        value: props.canary.weight,
        problem: 'is set on a parked service (replicas: 0): there is no stable track to compare with',
        fix: 'run the service (replicas ≥ 1 or autoscaling) before a canary, or remove canary',
      });
      check(props.canary.strategy !== 'gateway' || props.route !== undefined, this, {
        field: 'canary.strategy',
        value: 'gateway',
        problem: 'needs a route to split traffic with',
        fix: "set route: { gateway: { name: '...' } }, or use strategy 'replica-weighted'",
      });
      check(!queue, this, {
        field: 'canary',
        value: props.canary.weight,
        problem: 'is not supported with autoscaling.queue (the queue total would mix both tracks)',
        fix: 'scale on autoscaling.metrics during the canary, or route by model through an InferencePool',
      });
      this.canary = new CanaryRelease(this, 'Canary', {
        canary: props.canary,
        stableProps: { ...pod, model: props.model },
        trackShape,
        track,
        stable: { min: scaling.min, max: scaling.max, fixed: scaling.fixed },
        spareAccelerators: props.rollout?.spareAccelerators ?? 0,
        autoscaling: this.autoscaler ? autoscaling : undefined,
      });
      if (props.canary.model) fitsMemory(this.canary.model, 'canary.model');
    }

    this.claimReplicaCount(name, namespace, scaling.fixed !== undefined);

    let picker: ResolvedEndpointPicker | undefined;
    if (props.inferencePool) {
      check(props.route !== undefined, this, {
        field: 'inferencePool',
        value: props.inferencePool,
        problem: 'has no route: nothing sends traffic to an InferencePool but a Gateway route',
        fix: "set route: { gateway: { name: 'inference-gateway' } } (a Gateway whose implementation supports InferencePool backends)",
      });
      check(this.canary?.plan.strategy !== 'gateway', this, {
        field: 'canary.strategy',
        value: 'gateway',
        problem:
          'splits the route between two Services, but with inferencePool the route has one backend (the pool, which picks among all pods)',
        fix: "use strategy 'replica-weighted' (the pool selects stable and canary pods), or remove inferencePool during the canary",
      });
      picker = endpointPicker(this, name, props.inferencePool, {
        namespace,
        labels: props.labels ?? {},
        runtime: plan?.runtime,
        servers: { podLabels: this.labels.selector, port },
        gatewayNamespace: props.route!.gateway.namespace ?? namespace,
        networkPolicy: props.networkPolicy !== false,
        // A parked service promises nothing: one picker.
        availability: parked ? 'best-effort' : props.availability,
      });
      this.endpointPicker = picker.created;
      this.inferencePool = inferencePool(this, meta, props.inferencePool, picker, this.labels.selector, port, plan?.runtime);
    }

    if (props.route && this.inferencePool) {
      this.route = weightedRoute(
        this,
        meta,
        props.route,
        [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', service: this.inferencePool.name }],
        plan?.facts && { runtime: plan.runtime },
      );
    } else if (props.route) {
      const servicePort = props.servicePort ?? 80;
      this.stableService = this.trackService('StableService', `${name}-stable`, 'stable', portName, servicePort, port);
      const canaryService =
        this.canary?.plan.strategy === 'gateway'
          ? this.trackService('CanaryService', `${name}-canary`, 'canary', portName, servicePort, port)
          : undefined;
      const weight = this.canary?.plan.strategy === 'gateway' ? this.canary.plan.weight : 0;
      this.route = weightedRoute(
        this,
        meta,
        props.route,
        [
          { service: this.stableService.name, port: servicePort, weight: 100 - weight },
          ...(canaryService ? [{ service: canaryService.name, port: servicePort, weight }] : []),
        ],
        plan?.facts && { runtime: plan.runtime },
      );
    }

    const net = props.networkPolicy === false ? {} : (props.networkPolicy ?? {});
    check(!(props.networkPolicy !== false && plan?.downloadsModel && !net.egressTo?.length), this, {
      field: 'networkPolicy.egressTo',
      value: net.egressTo,
      problem: `allows no destination, so the ${plan?.runtime} server could not download its model from the Hugging Face Hub`,
      fix: "allow HTTPS to the Hub (or your mirror), e.g. egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }], or mount a shared model cache",
    });
    // Scraped where the metrics are: the metrics port, else the serving port when monitored (or asked for with metricsPort = port).
    const metrics = separateMetrics
      ? { port: metricsPort!, portName: 'metrics', from: net.metricsFrom }
      : metricsPort === port || monitoringEnabled(this, props.monitoring)
        ? { port, portName, from: net.metricsFrom }
        : undefined;
    const policies = podTemplatePolicies(this, {
      name,
      namespace: this.namespace,
      labels: this.labels.common,
      selector: this.labels.selector,
      networkPolicy: props.networkPolicy,
      serves: modelServerCallers({
        ingressFrom: net.ingressFrom,
        gatewayNamespace: props.route && (props.route.gateway.namespace ?? namespace),
        port,
        picker,
        pickerPort: separateMetrics ? metricsPort! : port,
      }),
      needsEgressFor: model?.fetchesOverNetwork ? 'the model fetch from model.uri' : undefined,
      metrics,
      monitor: (endpoint) =>
        monitorWorkload(this, props.monitoring, () =>
          onlineInferenceWorkload(this, {
            metricsPort: endpoint?.portName ?? portName,
            servicePort: props.servicePort ?? 80,
            modelLoadBudget: loadBudget,
            modelInitContainers: model?.initContainers.map((c) => String(c.name)),
          }),
        ),
    });
    this.networkPolicy = policies.networkPolicy;
    this.monitoring = policies.monitoring;
    requireCacheAttachable(this, props.model?.cache, this.maxPods(), 'the replicas, rollout surge and canary');
    if (props.canary?.model?.cache && props.canary.model.cache !== props.model?.cache) {
      requireCacheAttachable(this, props.canary.model.cache, this.canary!.plan.canaryMaxReplicas + this.canary!.maxSurge, 'the canary');
    }
    check(!(queue && !this.monitoring), this, {
      field: 'autoscaling.queue',
      value: queue,
      problem: 'needs the queue metric in Prometheus, but monitoring is off',
      fix: 'turn monitoring on (monitoring: {} or the platform default), so the ServiceMonitor scrapes the server; or scale on autoscaling.metrics',
    });
  }

  /**
   * Throws when an accelerator service scales on CPU/memory only without saying it is resource-bound; returns
   * whether it scales on them only.
   */
  private requireAcceleratorMetrics(metrics: ScalingMetric[], resourceBound: boolean | undefined): boolean {
    const resourceOnly = metrics.every((m) => m.type === 'cpu' || m.type === 'memory');
    if (!this.pod.accelerator || !resourceOnly) return false;
    check(resourceBound === true, this, {
      field: 'autoscaling.metrics',
      value: metrics.map((m) => m.type).join(', '),
      problem: 'scale an accelerator service on CPU/memory only: CPU stays low while the GPU saturates, so replicas come too late or never',
      fix: "scale on what saturates the accelerator (ScalingMetric.podsAverage('inflight_requests', 4), autoscaling.queue with an LLM runtime), or set autoscaling.resourceBound: true if CPU or memory is the measured bottleneck",
    });
    return true;
  }

  /**
   * Bytes each new pod fetches before its server starts (an LLM runtime's own download is in its load budget),
   * after checking that an autoscaler adding pods would not make each of them pull a large model at once (a
   * stampede on the store).
   */
  private perPodDownload(props: OnlineInferenceProps, model: ModelArtifact | undefined, scaling: { min: number; max: number }): number {
    const fetched = model?.fetchesOverNetwork ? (model.source.sizeBytes ?? 0) : 0;
    const limit = requireQuantity(this, 'platform maxPerPodDownload', Platform.of(this).maxPerPodDownload, '10Gi');
    const added = scaling.max - scaling.min;
    check(fetched === 0 || added === 0 || fetched <= limit, this, {
      field: props.model?.huggingFace ? 'model.huggingFace' : 'model.uri',
      value: `${formatAmount('memory', fetched)} (model.size)`,
      problem: `is downloaded by every new pod: scaling from ${scaling.min} to ${scaling.max} replicas pulls it up to ${added} times at once (${formatAmount('memory', fetched * added)}) from the store, above the platform's maxPerPodDownload (${Platform.of(this).maxPerPodDownload})`,
      fix: 'fill a ModelCache once and mount it with model: { cache } (no download per pod or rollout), or raise the platform maxPerPodDownload if the store serves that',
    });
    return fetched;
  }

  /** Registers the app-wide check that no other HPA, ScaledObject or resizing VPA targets the stable or canary Deployment. */
  private claimReplicaCount(name: string, namespace: string, fixed: boolean): void {
    const owner = this.scaledObject ? 'ScaledObject' : this.autoscaler ? 'HorizontalPodAutoscaler' : undefined;
    const claim = (deployment: string, own: (ApiObject | undefined)[]) =>
      claimAutoscaling(this, {
        namespace,
        name: deployment,
        own: own.filter((o): o is ApiObject => o !== undefined),
        fixedReplicas: fixed,
        report: (other, vertical) => autoscalerConflict(this, deployment, other, vertical, owner),
      });
    claim(name, [this.scaledObject, this.autoscaler && ApiObject.of(this.autoscaler)]);
    if (this.canary) claim(`${name}-canary`, [this.canary.autoscaler && ApiObject.of(this.canary.autoscaler)]);
  }

  /** At worst: maxReplicas plus the rollout surge, and the canary's, each track's pods as rendered (hatch edits included). */
  public capacity(): WorkloadCapacity {
    const base = { name: this.name, namespace: this.namespace, kind: 'serving' as const, claims: { count: 0, storage: 0 } };
    const pods = this.trackPods();
    return capacityOfKinds(this.parked ? { ...base, parked: true } : base, [
      { role: 'stable', maxPods: pods.stable, perPod: this.pod.renderedAmounts() },
      ...(this.canary ? [{ role: 'canary', maxPods: pods.canary, perPod: this.canary.pod.renderedAmounts() }] : []),
    ]);
  }

  /** At worst: every replica, the surge and the canary's; none for a parked service. */
  private maxPods(): number {
    const pods = this.trackPods();
    return pods.stable + pods.canary;
  }

  /** Pods of each track at worst: its replicas and its rollout surge; none for a parked service. */
  private trackPods(): { stable: number; canary: number } {
    if (this.parked) return { stable: 0, canary: 0 };
    return {
      stable: this.maxReplicas + this.maxSurge,
      canary: this.canary ? this.canary.plan.canaryMaxReplicas + this.canary.maxSurge : 0,
    };
  }

  private scalingPlan(props: OnlineInferenceProps): { min: number; max: number; fixed?: number } {
    check(!(props.replicas !== undefined && props.autoscaling !== undefined), this, {
      field: 'replicas',
      value: props.replicas,
      problem: 'is set together with autoscaling',
      fix: 'keep replicas (a fixed count) or autoscaling, and remove the other',
    });
    if (props.replicas !== undefined) {
      requireWholeNumber(this, 'replicas', props.replicas, 2);
      check(props.replicas >= 0, this, {
        field: 'replicas',
        value: props.replicas,
        problem: 'is negative',
        fix: 'run 0 (parked) or more replicas',
      });
      return { min: props.replicas, max: props.replicas, fixed: props.replicas };
    }
    const a = props.autoscaling ?? { minReplicas: 2, maxReplicas: 10 };
    requireReplicaRange(this, 'autoscaling', a.minReplicas, a.maxReplicas);
    return { min: a.minReplicas, max: a.maxReplicas };
  }

  private probePlan(props: OnlineInferenceProps, port: number, loadBudget: Duration, plan?: RuntimePlan) {
    const p = props.probes ?? {};
    const readinessHandler = p.readiness?.handler ?? plan?.readiness ?? ProbeHandler.httpGet('/ready');
    const livenessHandler = p.liveness?.handler ?? plan?.liveness ?? ProbeHandler.httpGet('/live');
    check(readinessHandler.type !== 'tcpSocket', this, {
      field: p.readiness?.handler ? 'probes.readiness.handler' : 'runtime (readiness)',
      value: readinessHandler.description,
      problem:
        'is a bare TCP check: it passes once the server listens, which many servers do before the model is loaded, so requests reach a pod that cannot predict yet',
      fix: "probe what answers only once the model is loaded and can predict: ProbeHandler.httpGet('/ready'), a gRPC health service or an exec check",
    });
    requireDistinctProbes(this, readinessHandler, livenessHandler);
    // Readiness and liveness first: a mistake in the readiness handler is reported as its own prop, not the startup probe's.
    const readinessProbe = probe(this, 'probes.readiness', readinessHandler, port, p.readiness ?? {}, {
      period: Duration.seconds(5),
      timeout: Duration.seconds(2),
      failureThreshold: 3,
    });
    const livenessProbe = probe(this, 'probes.liveness', livenessHandler, port, p.liveness ?? {}, {
      period: Duration.seconds(10),
      timeout: Duration.seconds(2),
      failureThreshold: 3,
    });
    const startup = startupProbe(
      this,
      'modelLoadTimeout',
      p.startup?.handler ?? readinessHandler,
      port,
      loadBudget,
      p.startup?.period ?? Duration.seconds(10),
    );
    return { startupProbe: startup, readinessProbe, livenessProbe };
  }

  private runtimePlan(props: OnlineInferenceProps, model: ModelArtifact | undefined): RuntimePlan | undefined {
    if (!props.runtime) return undefined;
    const plan = props.runtime.plan(this, workloadRuntimeContext(props.model, model, props.accelerator, 'runtime'));
    requireShmBelowMemory(this, plan.sharedMemory, props.resources, props.accelerator?.options.sharedMemory);
    check(props.port === undefined || props.port === plan.port, this, {
      field: 'port',
      value: props.port,
      problem: `differs from the port the ${plan.runtime} runtime is started on (${plan.port})`,
      fix: 'leave port unset (the runtime sets it), or pass the port in args yourself and leave runtime unset',
    });
    return plan;
  }

  private queueScaling(
    props: OnlineInferenceProps,
    meta: { name: string; namespace: string; labels: Record<string, string> },
    queue: QueueScalingProps,
    plan: RuntimePlan | undefined,
    scaling: { min: number; max: number },
    behavior: ScalingBehavior | undefined,
  ): ScaledObject {
    check(plan?.queue !== undefined, this, {
      field: 'autoscaling.queue',
      value: queue,
      problem: `needs a runtime that exposes a queue metric (${plan ? `the ${plan.runtime} runtime has none` : 'no runtime is set'})`,
      fix: 'set runtime: ServingRuntime.vllm(...) (or tgi, triton), or scale on autoscaling.metrics',
    });
    check(props.autoscaling?.metrics === undefined, this, {
      field: 'autoscaling.metrics',
      value: props.autoscaling?.metrics?.length,
      problem: 'is set together with autoscaling.queue',
      fix: 'keep autoscaling.queue or autoscaling.metrics, and remove the other',
    });
    return queueScaledObject(this, {
      meta,
      target: this.name,
      min: scaling.min,
      max: scaling.max,
      signal: plan!.queue!,
      scaling: queue,
      behavior,
      field: 'autoscaling',
    });
  }

  private trackService(id: string, serviceName: string, track: string, portName: string, servicePort: number, port: number): plus.Service {
    const service = new plus.Service(this, id, {
      metadata: { name: serviceName, namespace: this.namespace, labels: { ...this.labels.common, [LabelKeys.TRACK]: track } },
      type: plus.ServiceType.CLUSTER_IP,
      ports: [{ name: portName, port: servicePort, targetPort: port }],
    });
    for (const [k, v] of Object.entries(this.labels.trackSelector(track))) service.selectLabel(k, v);
    return service;
  }

  private rolloutStrategy(r: RolloutProps = {}) {
    const spare = r.spareAccelerators ?? 0;
    check(Number.isInteger(spare) && spare >= 0, this, {
      field: 'rollout.spareAccelerators',
      value: spare,
      problem: 'is not a non-negative integer',
      fix: 'declare how many accelerators are free, e.g. 0',
    });
    const perPod = this.pod.accelerator ? Number(Object.values(this.pod.accelerator.limits)[0]) : 0;
    const gpuWithoutSpare = perPod > 0 && spare < perPod;
    const maxSurge = r.maxSurge ?? (gpuWithoutSpare ? 0 : 1);
    const maxUnavailable = r.maxUnavailable ?? (gpuWithoutSpare ? 1 : 0);
    const revisionHistoryLimit = r.revisionHistoryLimit ?? 10;
    for (const [field, v] of [
      ['maxSurge', maxSurge],
      ['maxUnavailable', maxUnavailable],
      ['revisionHistoryLimit', revisionHistoryLimit],
    ] as const) {
      check(Number.isInteger(v) && v >= 0, this, {
        field: `rollout.${field}`,
        value: v,
        problem: 'is not a non-negative integer',
        fix: 'use 0 or more',
      });
    }
    check(maxSurge + maxUnavailable > 0, this, {
      field: 'rollout.maxUnavailable',
      value: maxUnavailable,
      problem: 'is 0 together with maxSurge 0, so no rollout can progress',
      fix: 'set rollout.maxUnavailable: 1, or rollout.maxSurge: 1 with rollout.spareAccelerators for the surge pod',
    });
    check(perPod === 0 || maxSurge * perPod <= spare, this, {
      field: 'rollout.maxSurge',
      value: maxSurge,
      problem: `needs ${maxSurge * perPod} spare accelerator(s) but rollout.spareAccelerators is ${spare}`,
      fix: `declare rollout.spareAccelerators >= ${maxSurge * perPod} if the GPU node pool has room for the surge pods, or use maxSurge 0`,
    });
    check(revisionHistoryLimit >= 1, this, {
      field: 'rollout.revisionHistoryLimit',
      value: revisionHistoryLimit,
      problem: 'is 0, so rollback is impossible',
      fix: 'set rollout.revisionHistoryLimit: 1 or more (kubectl rollout undo needs an old ReplicaSet)',
    });
    return { maxSurge, maxUnavailable, revisionHistoryLimit, acceleratorsPerPod: perPod };
  }
}
