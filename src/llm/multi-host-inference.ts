import { ApiObject, Duration, Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InferencePool } from '../../imports/inference-inferencepool-inference.networking.k8s.io';
import { HttpRoute } from '../../imports/gateway-httproute-gateway.networking.k8s.io';
import { ICapacityClaimant, WorkloadCapacity, capacityOfKinds } from '../core/capacity';
import { requireWholeNumber } from '../core/durations';
import { requireAddonFeature } from '../core/addon-support';
import { check } from '../core/errors';
import { requireFeature } from '../core/kube-version';
import { ModelArtifact, ModelProps, modelArtifact, requireCacheAttachable } from '../core/model';
import { requireWorkloadModelFitsMemory } from '../core/model-memory';
import { WorkloadLabels, workloadIdentity } from '../core/names';
import { PodShape, PodTemplate, MlWorkloadProps, workloadServiceAccount } from '../core/pod';
import { podTemplatePolicies } from '../core/pod-policies';
import { ProbeHandler, probe, startupProbe } from '../core/probes';
import { MonitoringOptions, monitoringEnabled } from '../observability/options';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { GatewayRouteProps, weightedRoute } from '../serving/gateway-route';
import { EndpointPicker } from '../serving/endpoint-picker';
import { InferencePoolProps, endpointPicker, inferencePool, modelServerCallers } from '../serving/inference-pool';
import { Availability, requireAvailability } from '../serving/availability';
import { workloadDisruptionBudget } from '../serving/disruption-budget';
import { InferenceNetworkProps } from '../serving/online-inference';
import { LWS_FACTS } from '../core/facts/lws';
import { VLLM_FACTS } from '../core/facts/vllm';
import { requireUserArgs } from './runtimes/args';
import { loadBudget, modelSource, requireShmBelowMemory, serverIdentity, tensorParallelSize } from './runtimes/common';
import { VLLM_PORT, vllmOwnedFlags, vllmServeArgs } from './runtimes/vllm';
import { VllmOptions, workloadRuntimeContext } from './serving-runtime';
import { leaderStartScript, workerStartScript } from './multi-host-start';
import { multiHostWorkload } from './multi-host-monitoring';

/** Labels LeaderWorkerSet puts on every pod of a group. */
export const LWS_LABELS = {
  NAME: LWS_FACTS.labels.name,
  /** `0` on the leader, 1..size-1 on the workers. */
  WORKER_INDEX: LWS_FACTS.labels.workerIndex,
} as const;

/** `leader` or `worker` on the pods of a group. */
export const ROLE_LABEL = 'cdk8s-ml.io/role';

/** Rolling updates of whole groups. */
export interface MultiHostRolloutProps {
  /**
   * Accelerators free beyond the serving groups; a surge group needs `groupSize` × GPUs per pod.
   * @default 0
   */
  readonly spareAccelerators?: number;
  /** Groups down at once during an update. @default 1 (0 when a surge group fits in spareAccelerators) */
  readonly maxUnavailable?: number;
}

/** Props of {@link MultiHostInference}. */
export interface MultiHostInferenceProps extends MlWorkloadProps {
  /**
   * vLLM settings. `tensorParallelSize` is the GPUs of one pod; the pipeline spans the group
   * (`--pipeline-parallel-size` = `groupSize`).
   * @default {}
   */
  readonly vllm?: Omit<VllmOptions, 'pipelineParallelSize'>;
  /** Pods (nodes) one model replica spans: a leader and `groupSize - 1` workers; at least 2. */
  readonly groupSize: number;
  /** Model replicas (groups). @default 1 */
  readonly replicas?: number;
  /** The model served (mounted on every pod of the group). @default - none (a repo id in `vllm.model`) */
  readonly model?: ModelProps;
  /** Longest the group takes to form and load. @default - from the model size (see ServingRuntime.vllm), else 20 minutes */
  readonly modelLoadTimeout?: Duration;
  /**
   * When workers start. The Ray head on the leader is ready only once the workers joined, so
   * `LeaderReady` would never start them.
   * @default 'LeaderCreated'
   */
  readonly startupPolicy?: 'LeaderCreated';
  /** How an update replaces groups. @default - one group at a time, none surging (no `spareAccelerators`) */
  readonly rollout?: MultiHostRolloutProps;
  /** `false` for none. @default - one pod (so one group) disrupted at a time */
  readonly disruptionBudget?: false;
  /**
   * `continuous`: a rollout or a node drain never takes the last serving group down (one group, or a
   * rollout that may stop every group, is an error that names the fix). `best-effort`: accept outages.
   * @default 'continuous'
   */
  readonly availability?: Availability;
  /** `false` opts out. @default - default deny; group members reach each other on every port (Ray, NCCL) */
  readonly networkPolicy?: InferenceNetworkProps | false;
  /** An HTTPRoute to the leaders. @default - none */
  readonly route?: GatewayRouteProps;
  /** An InferencePool over the leaders (needs `route`). @default - none */
  readonly inferencePool?: InferencePoolProps;
  /** ServiceMonitor on the leaders' serving port and alert rules. @default - the platform's `monitoring.enabled` */
  readonly monitoring?: MonitoringOptions | false;
  /**
   * Removed: the library starts the Ray head and the workers itself (vLLM's helper script gave up
   * after 300 s). Setting it is an error.
   * @default - none
   */
  readonly rayScript?: string;
  /**
   * Longest the leader waits for every pod of the group to join its Ray head (scheduling, image pull,
   * Ray start) before it exits and LeaderWorkerSet recreates the group; the startup probe allows it on
   * top of the model load.
   * @default Duration.minutes(15)
   */
  readonly groupFormationTimeout?: Duration;
}

/**
 * A model too large for one node, served by vLLM across a group of pods on a LeaderWorkerSet
 * (leaderworkerset.x-k8s.io/v1): the leader starts the Ray head, waits for the whole group
 * (`groupFormationTimeout`), then runs `vllm serve` with tensor parallelism inside each pod, pipeline
 * parallelism across the group and the user's `args`; workers join the head. A lost pod recreates its
 * whole group (RecreateGroupOnPodRestart). Creates the LeaderWorkerSet, a Service on the leaders, a
 * PodDisruptionBudget, a NetworkPolicy and a ServiceAccount, named after the workload (with
 * `inferencePool`, also the pool and its endpoint picker).
 */
export class MultiHostInference extends Construct implements ICapacityClaimant {
  /**
   * The workload's name (`name`, else the construct id): the LeaderWorkerSet, its Service, budget, ServiceAccount and
   * policies are named after it.
   */
  public readonly name: string;
  /** Namespace of every object: `namespace`, else the chart's, else the platform's `defaultNamespace`. */
  public readonly namespace: string;
  /** The workload's labels: the stable selector, the labels of every object and those of its pods. */
  public readonly labels: WorkloadLabels;
  /** @internal */
  public readonly leaderPod: PodTemplate;
  /** @internal */
  public readonly workerPod: PodTemplate;
  /**
   * The workload's ServiceAccount, named after it, with no API token mounted unless `automountServiceAccountToken`.
   * Escape hatch (README "Extending a construct"): annotations (e.g. a cloud IAM role) and other changes through
   * cdk8s-plus or `metadata` reach the YAML.
   */
  public readonly serviceAccount: plus.ServiceAccount;
  /**
   * The LeaderWorkerSet: `replicas` groups of a leader and `groupSize - 1` workers. Escape hatch (README "Extending a
   * construct"): `metadata` and `addJsonPatch` changes reach the YAML; a patch that changes what the construct owns in
   * its pod templates (probes, security context, env) fails synth.
   */
  public readonly leaderWorkerSet: ApiObject;
  /**
   * The Service in front of the leaders (worker index 0), the only pods that serve HTTP. Escape hatch (README
   * "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch`
   * reach the YAML.
   */
  public readonly service: plus.Service;
  /**
   * The PodDisruptionBudget (generated `k8s` class) letting one pod, so one group, be evicted at a time; undefined with
   * `disruptionBudget: false`. Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes
   * reach the YAML.
   */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /**
   * The default-deny NetworkPolicy (cdk8s-plus) with the declared allowances; undefined with `networkPolicy: false`.
   * Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /**
   * The InferencePool over the leaders, when `inferencePool` is set. Escape hatch (README "Extending a construct"):
   * `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly inferencePool?: InferencePool;
  /** The endpoint picker created with the InferencePool (undefined when you run your own). */
  public readonly endpointPicker?: EndpointPicker;
  /**
   * The Gateway API HTTPRoute, when `route` is set. Escape hatch (README "Extending a construct"): `metadata` and
   * `addJsonPatch` changes reach the YAML.
   */
  public readonly route?: HttpRoute;
  /**
   * Monitors, alert rules and runbook entries (`monitoring.serviceMonitor`/`podMonitor`, `monitoring.prometheusRule`
   * are escape hatches); undefined unless monitoring is on (prop or platform default).
   */
  public readonly monitoring?: WorkloadMonitoring;
  /** Model replicas (groups) (`replicas`). */
  public readonly replicas: number;
  /** Pods (nodes) one model replica spans (`groupSize`): the leader and its workers. */
  public readonly groupSize: number;
  /** Extra groups during a rollout. */
  public readonly maxSurge: number;

  /** Creates the LeaderWorkerSet and its objects; throws `MlValidationError` for props a cluster would refuse. */
  constructor(scope: Construct, id: string, props: MultiHostInferenceProps) {
    super(scope, id);
    // LeaderWorkerSet numbers each group's workers from 1 with a StatefulSet start ordinal.
    requireFeature(this, 'statefulset.startOrdinal', 'MultiHostInference (a LeaderWorkerSet)', props.groupSize);
    const { name, namespace, labels, meta } = workloadIdentity(this, id, props, 'inference', props.model?.version);
    this.name = name;
    this.namespace = namespace;
    this.labels = labels;
    this.groupSize = props.groupSize;
    requireWholeNumber(this, 'groupSize', props.groupSize, 2);
    if (props.replicas !== undefined) requireWholeNumber(this, 'replicas', props.replicas, 1);
    check(Number.isInteger(props.groupSize) && props.groupSize >= 2, this, {
      field: 'groupSize',
      value: props.groupSize,
      problem: 'is below 2, so nothing spans nodes',
      fix: 'use OnlineInference with tensor parallelism for a model that fits one node',
    });
    this.replicas = props.replicas ?? 1;
    check(Number.isInteger(this.replicas) && this.replicas >= 1, this, {
      field: 'replicas',
      value: props.replicas,
      problem: 'is below 1',
      fix: 'set replicas: 1 or more (each replica is one group of groupSize pods)',
    });
    check((props.startupPolicy ?? 'LeaderCreated') === 'LeaderCreated', this, {
      field: 'startupPolicy',
      value: props.startupPolicy,
      problem: 'would never start the workers: the leader is ready only once they joined its Ray head',
      fix: "use 'LeaderCreated'",
    });
    check(props.accelerator !== undefined, this, {
      field: 'accelerator',
      value: undefined,
      problem: 'is required: every pod of the group holds a pipeline stage on its GPUs',
      fix: 'set accelerator: Accelerator.nvidiaGpu(8) (the GPUs of one node)',
    });
    const gpus = props.accelerator!.count;

    const leaderModel = props.model ? modelArtifact(this, props.model) : undefined;
    const worker = new Construct(this, 'Worker');
    const workerModel = props.model ? modelArtifact(worker, props.model) : undefined;
    const ctx = workloadRuntimeContext(props.model, leaderModel, props.accelerator, 'vllm');
    const vllm = props.vllm ?? {};
    const tp = vllm.tensorParallelSize ?? gpus;
    check(tp === gpus, this, {
      field: 'vllm.tensorParallelSize',
      value: tp,
      problem: `differs from the GPUs of one pod (${gpus}): each tensor-parallel rank needs its own GPU`,
      fix: `set accelerator: Accelerator.nvidiaGpu(${tp}), or leave tensorParallelSize unset`,
    });
    tensorParallelSize(this, ctx, tp, vllm.attentionHeads);
    requireShmBelowMemory(this, '16Gi', props.resources, props.accelerator!.options.sharedMemory);
    // Each rank streams its share of the weights to its GPUs (vLLM's safetensors loader): host memory holds the server.
    requireWorkloadModelFitsMemory(this, {
      model: props.model,
      modelField: 'model',
      runtime: { name: 'vllm', modelSize: vllm.modelSize },
      runtimeField: 'vllm',
      resources: props.resources,
      accelerator: true,
    });
    const source = modelSource(this, ctx, vllm);
    const workerSource = modelSource(worker, ctx, vllm);
    const serve = vllmServeArgs(this, ctx, { ...vllm, pipelineParallelSize: props.groupSize }, source, tp, 'groupSize');
    check(props.rayScript === undefined, this, {
      field: 'rayScript',
      value: props.rayScript,
      problem: "is no longer used: vLLM's multi-node-serving.sh gives up after 300 s, so the library starts Ray itself",
      fix: 'remove rayScript; set groupFormationTimeout for slow image pulls',
    });
    check(props.command === undefined, this, {
      field: 'command',
      value: props.command,
      problem: 'would replace the start of the Ray head, the workers and vllm serve',
      fix: 'leave command unset; pass vllm serve flags in args or vllm.extraArgs',
    });
    requireUserArgs(this, VLLM_FACTS, 'args', props.args ?? [], vllmOwnedFlags('vllm', 'groupSize'));
    const serveArgs = [...serve, ...(props.args ?? [])];
    const formation = props.groupFormationTimeout ?? Duration.minutes(15);
    check(formation.toSeconds() >= 60, this, {
      field: 'groupFormationTimeout',
      value: `${formation.toSeconds()}s`,
      problem: 'is under a minute, less than scheduling a group and pulling a vLLM image take',
      fix: 'allow the time the slowest node takes to pull the image, e.g. Duration.minutes(15)',
    });
    // Forming the group (workers scheduled, pulling the image, joining Ray) comes on top of loading the weights.
    const budget =
      props.modelLoadTimeout ??
      Duration.seconds(
        (loadBudget(this, ctx, vllm.modelSize, vllm.loadThroughputMiBps, Duration.minutes(3), source.downloads)?.toSeconds() ?? 1200) +
          formation.toSeconds(),
      );
    check(budget.toSeconds() > formation.toSeconds(), this, {
      field: 'modelLoadTimeout',
      value: `${budget.toSeconds()}s`,
      problem: `is not longer than groupFormationTimeout (${formation.toSeconds()}s): the startup probe would restart the leader before the weights load`,
      fix: 'allow the group formation plus the load, or leave modelLoadTimeout unset (derived from the model size)',
    });

    // Ray keeps its session (logs, sockets) under /tmp/ray: a volume of its own, so the small /tmp never fills.
    const rayVolume = (owner: Construct) => ({
      volume: plus.Volume.fromEmptyDir(owner, 'RayVolume', 'ray', { sizeLimit: Size.gibibytes(10) }),
      mountPath: '/tmp/ray',
    });
    const identities = new Map<Construct, ReturnType<typeof serverIdentity>>();
    const identity = (owner: Construct) => identities.get(owner) ?? identities.set(owner, serverIdentity(owner)).get(owner)!;
    const shape = (owner: Construct, m: ModelArtifact | undefined, role: 'leader' | 'worker', mounts: PodShape['mounts']): PodShape => ({
      kind: 'serving',
      containerName: role === 'leader' ? 'server' : 'worker',
      ports: role === 'leader' ? [{ name: 'http', containerPort: VLLM_PORT }] : undefined,
      probes:
        role === 'leader'
          ? {
              startupProbe: startupProbe(
                this,
                'modelLoadTimeout',
                ProbeHandler.httpGet('/health'),
                VLLM_PORT,
                budget,
                Duration.seconds(10),
              ),
              readinessProbe: probe(
                this,
                'readiness',
                ProbeHandler.httpGet('/health'),
                VLLM_PORT,
                {},
                { period: Duration.seconds(5), timeout: Duration.seconds(2), failureThreshold: 3 },
              ),
              livenessProbe: probe(
                this,
                'liveness',
                ProbeHandler.tcpSocket(),
                VLLM_PORT,
                {},
                { period: Duration.seconds(10), timeout: Duration.seconds(2), failureThreshold: 3 },
              ),
            }
          : undefined,
      env: { ...m?.env, ...identity(owner).env, ...source.env },
      mounts: [...(m?.mounts ?? []), ...(mounts ?? []), ...identity(owner).mounts, rayVolume(owner)],
      initContainers: m?.initContainers,
      terminationGracePeriod: Duration.seconds(30),
      defaultSharedMemory: '16Gi',
    });
    // The leader counts the group's pods against LWS_GROUP_SIZE.
    requireAddonFeature(this, 'lws.groupSizeEnv', 'groupSize', props.groupSize);
    const leaderCommand = ['sh', '-c', leaderStartScript(serveArgs, formation.toSeconds())];
    const workerCommand = ['sh', '-c', workerStartScript(formation.toSeconds())];
    this.leaderPod = new PodTemplate(
      this,
      { ...props, command: leaderCommand, args: undefined },
      shape(this, leaderModel, 'leader', source.mounts),
    );
    this.workerPod = new PodTemplate(
      worker,
      { ...props, command: workerCommand, args: undefined },
      shape(worker, workerModel, 'worker', workerSource.mounts),
    );

    this.serviceAccount = workloadServiceAccount(this, name, namespace, labels.common, props.automountServiceAccountToken ?? false);
    const rollout = this.rolloutPlan(props.rollout, gpus);
    this.maxSurge = rollout.maxSurge;
    const template = (pod: PodTemplate, role: string, m: ModelArtifact | undefined) => ({
      metadata: {
        labels: { ...labels.pod, ...m?.podLabels, [ROLE_LABEL]: role },
        annotations: { ...m?.podAnnotations, 'cdk8s-ml.io/image': props.image },
      },
      spec: pod.toPodSpec({ serviceAccountName: name, restartPolicy: 'Always' }),
    });
    this.leaderWorkerSet = new ApiObject(this, 'LeaderWorkerSet', {
      apiVersion: 'leaderworkerset.x-k8s.io/v1',
      kind: 'LeaderWorkerSet',
      metadata: meta,
      spec: {
        replicas: this.replicas,
        startupPolicy: 'LeaderCreated',
        // The Service named after the workload serves clients (ClusterIP), so LWS's shared headless Service of that
        // name is never made and LWS_LEADER_ADDRESS would not resolve: one headless Service per group instead.
        networkConfig: { subdomainPolicy: 'UniquePerReplica' },
        rolloutStrategy: {
          type: 'RollingUpdate',
          rollingUpdateConfiguration: { maxSurge: rollout.maxSurge, maxUnavailable: rollout.maxUnavailable },
        },
        leaderWorkerTemplate: {
          size: props.groupSize,
          // A lost pod breaks the Ray cluster and the NCCL rings: restart the whole group together.
          restartPolicy: 'RecreateGroupOnPodRestart',
          leaderTemplate: template(this.leaderPod, 'leader', leaderModel),
          workerTemplate: template(this.workerPod, 'worker', workerModel),
        },
      },
    });

    this.leaderPod.bindTo(this.leaderWorkerSet, (json) => json.spec?.leaderWorkerTemplate?.leaderTemplate?.spec);
    this.workerPod.bindTo(this.leaderWorkerSet, (json) => json.spec?.leaderWorkerTemplate?.workerTemplate?.spec);
    // The worker index is LWS's own mark of the leader; the role label is ours, in the template, for readers of the manifests.
    const leaders = { ...labels.selector, [ROLE_LABEL]: 'leader', [LWS_LABELS.WORKER_INDEX]: '0' };
    this.service = new plus.Service(this, 'Service', {
      metadata: meta,
      type: plus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: 80, targetPort: VLLM_PORT }],
    });
    for (const [k, v] of Object.entries(leaders)) this.service.selectLabel(k, v);

    // One evicted pod takes its group down (the group restarts); no second eviction until it is back.
    const pdb =
      props.disruptionBudget === false
        ? undefined
        : workloadDisruptionBudget(this, meta, labels.selector, { maxUnavailable: 1 }, this.replicas * this.groupSize);
    this.disruptionBudget = pdb?.budget;
    requireAvailability(this, props.availability, {
      floor: this.replicas,
      fixedReplicas: true,
      maxSurge: rollout.maxSurge,
      maxUnavailable: rollout.maxUnavailable,
      // Each evicted pod may sit in another group, and takes that whole group down.
      drainMayStop: pdb && Math.min(pdb.mayStop, this.replicas),
      surgeAccelerators: gpus * this.groupSize,
    });

    check(!(props.inferencePool && props.route === undefined), this, {
      field: 'inferencePool',
      value: props.inferencePool,
      problem: 'has no route: nothing sends traffic to an InferencePool but a Gateway route',
      fix: "set route: { gateway: { name: 'inference-gateway' } }",
    });
    const picker = props.inferencePool
      ? endpointPicker(this, name, props.inferencePool, {
          namespace,
          labels: props.labels ?? {},
          runtime: 'vllm',
          servers: { podLabels: leaders, port: VLLM_PORT },
          gatewayNamespace: props.route!.gateway.namespace ?? namespace,
          networkPolicy: props.networkPolicy !== false,
          availability: props.availability,
        })
      : undefined;
    this.endpointPicker = picker?.created;
    if (props.inferencePool) {
      this.inferencePool = inferencePool(this, meta, props.inferencePool, picker!, leaders, VLLM_PORT, 'vllm');
    }
    if (props.route) {
      this.route = weightedRoute(
        this,
        meta,
        props.route,
        this.inferencePool
          ? [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', service: this.inferencePool.name }]
          : [{ service: this.service.name, port: 80, weight: 100 }],
        { runtime: 'vllm' },
      );
    }

    const net = props.networkPolicy === false ? {} : (props.networkPolicy ?? {});
    check(!(props.networkPolicy !== false && source.downloads && !net.egressTo?.length), this, {
      field: 'networkPolicy.egressTo',
      value: net.egressTo,
      problem: 'allows no destination, so the group could not download its model from the Hugging Face Hub',
      fix: "allow HTTPS to the Hub, e.g. egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }], or mount a shared model cache",
    });
    const policies = podTemplatePolicies(this, {
      name,
      namespace,
      labels: labels.common,
      selector: labels.selector,
      networkPolicy: props.networkPolicy,
      serves: modelServerCallers({
        ingressFrom: net.ingressFrom,
        gatewayNamespace: props.route && (props.route.gateway.namespace ?? namespace),
        port: VLLM_PORT,
        picker,
        pickerPort: VLLM_PORT,
      }),
      // Ray (GCS, object manager, workers) and NCCL pick their ports at run time: members reach each other on all.
      peers: labels.selector,
      needsEgressFor: leaderModel?.fetchesOverNetwork ? 'the model fetch from model.uri' : undefined,
      metrics: monitoringEnabled(this, props.monitoring) ? { port: VLLM_PORT, portName: 'http', from: net.metricsFrom } : undefined,
      monitor: () => monitorWorkload(this, props.monitoring, () => multiHostWorkload(this, budget)),
    });
    this.networkPolicy = policies.networkPolicy;
    this.monitoring = policies.monitoring;
    requireCacheAttachable(this, props.model?.cache, this.maxPods(), 'the pods of every group (each on its own node)');
  }

  /** At worst: every group plus the surge groups, each with its leader pod and its worker pods (as rendered). */
  public capacity(): WorkloadCapacity {
    const groups = this.replicas + this.maxSurge;
    return capacityOfKinds({ name: this.name, namespace: this.namespace, kind: 'serving', claims: { count: 0, storage: 0 } }, [
      { role: 'leader', maxPods: groups, perPod: this.leaderPod.renderedAmounts() },
      { role: 'worker', maxPods: groups * (this.groupSize - 1), perPod: this.workerPod.renderedAmounts() },
    ]);
  }

  /** At worst: every group plus the surge groups. */
  private maxPods(): number {
    return (this.replicas + this.maxSurge) * this.groupSize;
  }

  private rolloutPlan(r: MultiHostRolloutProps = {}, gpus: number) {
    const spare = r.spareAccelerators ?? 0;
    check(Number.isInteger(spare) && spare >= 0, this, {
      field: 'rollout.spareAccelerators',
      value: spare,
      problem: 'is not a non-negative integer',
      fix: 'declare how many accelerators are free, e.g. 0',
    });
    const perGroup = gpus * this.groupSize;
    const maxSurge = spare >= perGroup ? 1 : 0;
    const maxUnavailable = r.maxUnavailable ?? (maxSurge ? 0 : 1);
    check(Number.isInteger(maxUnavailable) && maxUnavailable >= 0 && maxSurge + maxUnavailable > 0, this, {
      field: 'rollout.maxUnavailable',
      value: maxUnavailable,
      problem: maxSurge
        ? 'is not a non-negative integer'
        : `is 0 without room for a surge group (${perGroup} accelerators), so no update can progress`,
      fix: `allow one group down, or declare rollout.spareAccelerators >= ${perGroup}`,
    });
    return { maxSurge, maxUnavailable };
  }
}
