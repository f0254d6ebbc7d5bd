import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ScalingBehavior, ScalingMetric, requireReplicaRange, startupAwareBehavior, startupEstimate } from '../core/autoscaling';
import { requireWholeNumber, requireWholeSeconds } from '../core/durations';
import { check } from '../core/errors';
import { ModelArtifact, ModelProps, modelArtifact } from '../core/model';
import { requireWorkloadModelFitsMemory } from '../core/model-memory';
import { requireDns1035Label } from '../core/names';
import { Platform } from '../core/platform';
import { MlWorkloadProps, PodShape, PodTemplate, requirePort } from '../core/pod';
import { ProbeHandler, probe, requireDistinctProbes, startupProbe } from '../core/probes';
import { formatAmount, requireQuantity } from '../core/quantity';
import { WorkloadIdentity, claimDerivedName, workloadIdentity } from '../core/workload-identity';
import { OnlineInferenceProps, RolloutProps } from './online-inference-props';
import { RuntimePlan, requireShmBelowMemory, workloadRuntimeContext } from './runtime';
import { requireRuntimeMetrics, runtimeArgs } from './runtime-overrides';

/*
 * OnlineInference's props parsed and checked into a plan, one named step each, before any object is
 * rendered (online-inference.ts renders the plan). Steps run in this order, so the first mistake a user
 * made is the one reported.
 */

/** Where the server listens and where its metrics are. */
export interface ServingPorts {
  /** The serving port. */
  readonly port: number;
  /** Its name (container and Service). */
  readonly portName: string;
  /** Where `/metrics` is served, when the runtime or the props say. */
  readonly metricsPort?: number;
  /** Metrics on a port of their own (`metrics`), not the serving port. */
  readonly separateMetrics: boolean;
  /** Further ports of the runtime (Triton's gRPC), on the container and the Service. */
  readonly extraPorts: { readonly name: string; readonly containerPort: number }[];
  /** Every container port, with the prop it comes from. */
  readonly container: { readonly name: string; readonly containerPort: number; readonly field: string }[];
}

/** Replica bounds: a fixed count, or the autoscaler's range. */
export interface ReplicaPlan {
  readonly min: number;
  readonly max: number;
  /** The fixed count (`replicas`); undefined when autoscaled. */
  readonly fixed?: number;
}

/** How long a pod takes to become ready, and what waits for it. */
export interface StartupPlan {
  /** Model load budget (`modelLoadTimeout`, else the runtime's, else 2 minutes). */
  readonly loadBudget: Duration;
  /** The autoscaler's metrics and behavior, its scale-down window no shorter than a startup. */
  readonly autoscaling: { readonly metrics?: ScalingMetric[]; readonly behavior?: ScalingBehavior };
  /** Startup, readiness and liveness probes of the server container. */
  readonly probes: ReturnType<typeof probePlan>;
  readonly progressDeadline: Duration;
}

/** The rolling-update strategy, and the accelerators a surge pod takes. */
export interface RolloutPlan {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  readonly revisionHistoryLimit: number;
  readonly acceleratorsPerPod: number;
}

/** Everything an OnlineInference renders, parsed from its props. */
export interface ServingPlan {
  readonly identity: WorkloadIdentity;
  readonly model?: ModelArtifact;
  readonly runtime?: RuntimePlan;
  /** The pod props with the runtime's command and arguments. */
  readonly podProps: MlWorkloadProps;
  readonly ports: ServingPorts;
  readonly replicas: ReplicaPlan;
  readonly startup: StartupPlan;
  /** The pod shape of one track (`stable` or `canary`), with that track's model. */
  readonly trackShape: (model: ModelArtifact | undefined, track: 'stable' | 'canary') => PodShape;
  /** The stable track's pod. */
  readonly pod: PodTemplate;
  readonly rollout: RolloutPlan;
}

/** Parses and checks `props` of the OnlineInference `scope` (id `id`) into its plan. */
export function planOnlineInference(scope: Construct, id: string, props: OnlineInferenceProps): ServingPlan {
  const identity = servingIdentity(scope, id, props);
  const model = props.model ? modelArtifact(scope, props.model) : undefined;
  const runtime = runtimePlan(scope, props, model);
  const podProps: MlWorkloadProps = runtime ? { ...props, ...runtimeArgs(scope, runtime, props) } : props;
  const ports = servingPorts(scope, props, runtime);
  const replicas = replicaPlan(scope, props);
  const startup = startupPlan(scope, props, model, runtime, ports.port, replicas);
  const trackShape = trackShapes(scope, props, identity, model, runtime, ports, startup);
  const pod = new PodTemplate(scope, podProps, trackShape(model, 'stable'));
  requireServingPod(scope, props, pod);
  const rollout = rolloutPlan(scope, props.rollout, pod);
  return { identity, model, runtime, podProps, ports, replicas, startup, trackShape, pod, rollout };
}

/** Claims the workload's name (a Service name: DNS-1035) and, with a route and a canary, `<name>-stable`. */
function servingIdentity(scope: Construct, id: string, props: OnlineInferenceProps): WorkloadIdentity {
  const identity = workloadIdentity(scope, id, props, 'inference', props.model?.version);
  requireDns1035Label(scope, 'name', identity.name, 'Service');
  if (props.route && props.canary) claimDerivedName(scope, identity.namespace, `${identity.name}-stable`, 'route');
  return identity;
}

/** The runtime preset's plan for this workload, checked against the pod's memory and `port`. */
function runtimePlan(scope: Construct, props: OnlineInferenceProps, model: ModelArtifact | undefined): RuntimePlan | undefined {
  if (!props.runtime) return undefined;
  const plan = props.runtime.plan(scope, workloadRuntimeContext(props.model, model, props.accelerator, 'runtime'));
  requireShmBelowMemory(scope, plan.sharedMemory, props.resources, props.accelerator?.options.sharedMemory);
  check(props.port === undefined || props.port === plan.port, scope, {
    field: 'port',
    value: props.port,
    problem: `differs from the port the ${plan.runtime} runtime is started on (${plan.port})`,
    fix: 'leave port unset (the runtime sets it), or pass the port in args yourself and leave runtime unset',
  });
  return plan;
}

/** The serving port, the metrics port and the runtime's further ports, each checked. */
function servingPorts(scope: Construct, props: OnlineInferenceProps, plan: RuntimePlan | undefined): ServingPorts {
  const port = props.port ?? plan?.port ?? 8000;
  if (plan?.facts) requireRuntimeMetrics(scope, plan, props);
  const metricsPort = props.metricsPort ?? plan?.metricsPort;
  const portName = props.portName ?? 'http';
  requirePort(scope, portName, port, props.port !== undefined ? 'port' : `port (the ${plan?.runtime ?? 'generic'} runtime's)`, 'portName');
  // Metrics on the serving port (vLLM, TGI, most Python servers) need no second port.
  const separateMetrics = metricsPort !== undefined && metricsPort !== port;
  if (separateMetrics) requirePort(scope, 'metrics', metricsPort!, 'metricsPort');
  const extraPorts = plan?.extraPorts ?? [];
  const container = [
    { name: portName, containerPort: port, field: props.port !== undefined || !plan ? 'port' : `the ${plan.runtime} runtime's port` },
    ...extraPorts.map((p) => ({ ...p, field: `the ${plan?.runtime} runtime's ${p.name} port` })),
    ...(separateMetrics ? [{ name: 'metrics', containerPort: metricsPort!, field: 'metricsPort' }] : []),
  ];
  return { port, portName, metricsPort, separateMetrics, extraPorts, container };
}

/** A fixed replica count (`replicas`, 0 parks the service) or the autoscaler's range (default 2-10). */
function replicaPlan(scope: Construct, props: OnlineInferenceProps): ReplicaPlan {
  check(!(props.replicas !== undefined && props.autoscaling !== undefined), scope, {
    field: 'replicas',
    value: props.replicas,
    problem: 'is set together with autoscaling',
    fix: 'keep replicas (a fixed count) or autoscaling, and remove the other',
  });
  if (props.replicas !== undefined) {
    requireWholeNumber(scope, 'replicas', props.replicas, 2);
    check(props.replicas >= 0, scope, {
      field: 'replicas',
      value: props.replicas,
      problem: 'is negative',
      fix: 'run 0 (parked) or more replicas',
    });
    return { min: props.replicas, max: props.replicas, fixed: props.replicas };
  }
  const a = props.autoscaling ?? { minReplicas: 2, maxReplicas: 10 };
  requireReplicaRange(scope, 'autoscaling', a.minReplicas, a.maxReplicas);
  return { min: a.minReplicas, max: a.maxReplicas };
}

/** The load budget, the startup it implies (download + load), the probes timed from it and the progress deadline. */
function startupPlan(
  scope: Construct,
  props: OnlineInferenceProps,
  model: ModelArtifact | undefined,
  plan: RuntimePlan | undefined,
  port: number,
  replicas: ReplicaPlan,
): StartupPlan {
  const loadBudget = props.modelLoadTimeout ?? plan?.loadBudget ?? Duration.minutes(2);
  requireWholeSeconds(scope, 'modelLoadTimeout', loadBudget, 1);
  const download = perPodDownload(scope, props, model, replicas);
  // A replica removed in a dip shorter than a startup takes a whole startup to come back.
  const startup = startupEstimate(loadBudget, download, Platform.of(scope).downloadBandwidthMiBps);
  const autoscaling = {
    metrics: props.autoscaling?.metrics,
    behavior: startupAwareBehavior(scope, 'autoscaling.behavior', props.autoscaling?.behavior, startup),
  };
  const probes = probePlan(scope, props, port, loadBudget, plan);
  const startupBudget = loadBudget.toSeconds() + (model?.fetchTimeout.toSeconds() ?? 0);
  const progressDeadline = props.rollout?.progressDeadline ?? Duration.seconds(Math.max(600, startupBudget + 120));
  requireWholeSeconds(scope, 'rollout.progressDeadline', progressDeadline, 1);
  check(progressDeadline.toSeconds() > startupBudget, scope, {
    field: 'rollout.progressDeadline',
    value: `${progressDeadline.toSeconds()}s`,
    problem: `is not longer than the startup budget (${startupBudget}s: model fetch + modelLoadTimeout)`,
    fix: `set progressDeadline above ${startupBudget}s or shorten modelLoadTimeout, or every slow start fails the rollout`,
  });
  return { loadBudget, autoscaling, probes, progressDeadline };
}

/**
 * Bytes each new pod fetches before its server starts (an LLM runtime's own download is in its load budget),
 * after checking that an autoscaler adding pods would not make each of them pull a large model at once (a
 * stampede on the store).
 */
function perPodDownload(scope: Construct, props: OnlineInferenceProps, model: ModelArtifact | undefined, replicas: ReplicaPlan): number {
  const fetched = model?.fetchesOverNetwork ? (model.source.sizeBytes ?? 0) : 0;
  const limit = requireQuantity(scope, 'platform maxPerPodDownload', Platform.of(scope).maxPerPodDownload, '10Gi');
  const added = replicas.max - replicas.min;
  check(fetched === 0 || added === 0 || fetched <= limit, scope, {
    field: props.model?.huggingFace ? 'model.huggingFace' : 'model.uri',
    value: `${formatAmount('memory', fetched)} (model.size)`,
    problem: `is downloaded by every new pod: scaling from ${replicas.min} to ${replicas.max} replicas pulls it up to ${added} times at once (${formatAmount('memory', fetched * added)}) from the store, above the platform's maxPerPodDownload (${Platform.of(scope).maxPerPodDownload})`,
    fix: 'fill a ModelCache once and mount it with model: { cache } (no download per pod or rollout), or raise the platform maxPerPodDownload if the store serves that',
  });
  return fetched;
}

/** Readiness, liveness and startup probes: the runtime's endpoints (or the props'), timed from the load budget. */
function probePlan(scope: Construct, props: OnlineInferenceProps, port: number, loadBudget: Duration, plan?: RuntimePlan) {
  const p = props.probes ?? {};
  const readinessHandler = p.readiness?.handler ?? plan?.readiness ?? ProbeHandler.httpGet('/ready');
  const livenessHandler = p.liveness?.handler ?? plan?.liveness ?? ProbeHandler.httpGet('/live');
  check(readinessHandler.type !== 'tcpSocket', scope, {
    field: p.readiness?.handler ? 'probes.readiness.handler' : 'runtime (readiness)',
    value: readinessHandler.description,
    problem:
      'is a bare TCP check: it passes once the server listens, which many servers do before the model is loaded, so requests reach a pod that cannot predict yet',
    fix: "probe what answers only once the model is loaded and can predict: ProbeHandler.httpGet('/ready'), a gRPC health service or an exec check",
  });
  requireDistinctProbes(scope, readinessHandler, livenessHandler);
  // Readiness and liveness first: a mistake in the readiness handler is reported as its own prop, not the startup probe's.
  const readinessProbe = probe(scope, 'probes.readiness', readinessHandler, port, p.readiness ?? {}, {
    period: Duration.seconds(5),
    timeout: Duration.seconds(2),
    failureThreshold: 3,
  });
  const livenessProbe = probe(scope, 'probes.liveness', livenessHandler, port, p.liveness ?? {}, {
    period: Duration.seconds(10),
    timeout: Duration.seconds(2),
    failureThreshold: 3,
  });
  const startup = startupProbe(
    scope,
    'modelLoadTimeout',
    p.startup?.handler ?? readinessHandler,
    port,
    loadBudget,
    p.startup?.period ?? Duration.seconds(10),
  );
  return { startupProbe: startup, readinessProbe, livenessProbe };
}

/** The pod shape of a track: ports, probes, the preStop pause and drain, the model's and runtime's env and mounts. */
function trackShapes(
  scope: Construct,
  props: OnlineInferenceProps,
  identity: WorkloadIdentity,
  model: ModelArtifact | undefined,
  plan: RuntimePlan | undefined,
  ports: ServingPorts,
  startup: StartupPlan,
): ServingPlan['trackShape'] {
  const preStop = props.shutdown?.preStopDelay ?? Duration.seconds(10);
  const drain = props.shutdown?.drainTimeout ?? Duration.seconds(30);
  requireWholeSeconds(scope, 'shutdown.preStopDelay', preStop);
  requireWholeSeconds(scope, 'shutdown.drainTimeout', drain);
  return (m, track) => ({
    kind: 'serving',
    containerName: 'server',
    ports: ports.container,
    probes: startup.probes,
    lifecycle: { preStop: { exec: { command: ['sleep', String(preStop.toSeconds())] } } },
    env: { ...m?.env, ...plan?.env },
    mounts: [...(m?.mounts ?? []), ...(plan?.mounts ?? [])],
    initContainers: m?.initContainers,
    terminationGracePeriod: Duration.seconds(preStop.toSeconds() + drain.toSeconds()),
    spreadSelector: props.topologySpread === false ? undefined : identity.labels.trackSelector(track),
    defaultSharedMemory: plan?.sharedMemory ?? '1Gi',
  });
}

/** The stable pod fits its model in memory, and an accelerator service says how it scales. */
function requireServingPod(scope: Construct, props: OnlineInferenceProps, pod: PodTemplate): void {
  requireModelFitsMemory(scope, props, pod, props.model, 'model');
  check(!(pod.accelerator && props.autoscaling === undefined && props.replicas === undefined), scope, {
    field: 'autoscaling',
    value: undefined,
    problem: 'is required for an accelerator service',
    fix: "set replicas, or autoscaling with a metric that matches the bottleneck (e.g. ScalingMetric.podsAverage('inflight_requests', 4)); CPU rarely is",
  });
}

/** The model (the stable one, or the canary's as `canary.model`) fits the server's memory while it loads. */
export function requireModelFitsMemory(
  scope: Construct,
  props: OnlineInferenceProps,
  pod: PodTemplate,
  model: ModelProps | undefined,
  modelField: string,
): void {
  requireWorkloadModelFitsMemory(scope, {
    model,
    modelField,
    runtime: props.runtime,
    resources: props.resources,
    accelerator: !!pod.accelerator,
  });
}

/** Surge and unavailability of a rollout: an accelerator service surges only into declared spare accelerators. */
function rolloutPlan(scope: Construct, r: RolloutProps = {}, pod: PodTemplate): RolloutPlan {
  const spare = r.spareAccelerators ?? 0;
  check(Number.isInteger(spare) && spare >= 0, scope, {
    field: 'rollout.spareAccelerators',
    value: spare,
    problem: 'is not a non-negative integer',
    fix: 'declare how many accelerators are free, e.g. 0',
  });
  const perPod = pod.accelerator ? Number(Object.values(pod.accelerator.limits)[0]) : 0;
  const gpuWithoutSpare = perPod > 0 && spare < perPod;
  const maxSurge = r.maxSurge ?? (gpuWithoutSpare ? 0 : 1);
  const maxUnavailable = r.maxUnavailable ?? (gpuWithoutSpare ? 1 : 0);
  const revisionHistoryLimit = r.revisionHistoryLimit ?? 10;
  for (const [field, v] of [
    ['maxSurge', maxSurge],
    ['maxUnavailable', maxUnavailable],
    ['revisionHistoryLimit', revisionHistoryLimit],
  ] as const) {
    check(Number.isInteger(v) && v >= 0, scope, {
      field: `rollout.${field}`,
      value: v,
      problem: 'is not a non-negative integer',
      fix: 'use 0 or more',
    });
  }
  check(maxSurge + maxUnavailable > 0, scope, {
    field: 'rollout.maxUnavailable',
    value: maxUnavailable,
    problem: 'is 0 together with maxSurge 0, so no rollout can progress',
    fix: 'set rollout.maxUnavailable: 1, or rollout.maxSurge: 1 with rollout.spareAccelerators for the surge pod',
  });
  check(perPod === 0 || maxSurge * perPod <= spare, scope, {
    field: 'rollout.maxSurge',
    value: maxSurge,
    problem: `needs ${maxSurge * perPod} spare accelerator(s) but rollout.spareAccelerators is ${spare}`,
    fix: `declare rollout.spareAccelerators >= ${maxSurge * perPod} if the GPU node pool has room for the surge pods, or use maxSurge 0`,
  });
  check(revisionHistoryLimit >= 1, scope, {
    field: 'rollout.revisionHistoryLimit',
    value: revisionHistoryLimit,
    problem: 'is 0, so rollback is impossible',
    fix: 'set rollout.revisionHistoryLimit: 1 or more (kubectl rollout undo needs an old ReplicaSet)',
  });
  return { maxSurge, maxUnavailable, revisionHistoryLimit, acceleratorsPerPod: perPod };
}
