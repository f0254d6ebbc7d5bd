import { Duration, Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { requireAddonFeature } from '../core/addon-support';
import { requireWholeNumber } from '../core/durations';
import { check } from '../core/errors';
import { VLLM_FACTS } from '../core/facts/vllm';
import { requireFeature } from '../core/kube-version';
import { requireWorkloadModelFitsMemory } from '../core/model-memory';
import { ModelArtifact, modelArtifact } from '../core/model';
import { PodShape, PodTemplate } from '../core/pod';
import { ProbeHandler, probe, startupProbe } from '../core/probes';
import { requireUserArgs } from '../core/server-args';
import { WorkloadIdentity, workloadIdentity } from '../core/workload-identity';
import { RuntimeContext, requireShmBelowMemory, workloadRuntimeContext } from '../serving/runtime';
import { MultiHostInferenceProps, MultiHostRolloutProps } from './multi-host-inference-props';
import { leaderStartScript, workerStartScript } from './multi-host-start';
import { ModelSource, loadBudget, modelSource, serverIdentity, tensorParallelSize } from './runtimes/common';
import { VLLM_PORT, vllmOwnedFlags, vllmServeArgs } from './runtimes/vllm';

/*
 * MultiHostInference's props parsed and checked into a plan, one named step each, before any object is
 * rendered (multi-host-inference.ts renders the plan). Steps run in this order, so the first mistake a
 * user made is the one reported.
 */

/** The groups: how many, how many pods each, the GPUs of one pod. */
export interface GroupPlan {
  readonly replicas: number;
  readonly groupSize: number;
  readonly gpus: number;
}

/** What the group's pods run: the model on leader and workers, and `vllm serve` on the leader. */
export interface GroupServerPlan {
  /** The construct below which the workers' objects are named (`Worker`). */
  readonly worker: Construct;
  readonly leaderModel?: ModelArtifact;
  readonly workerModel?: ModelArtifact;
  readonly ctx: RuntimeContext;
  /** What the leader serves, and the env and mounts that needs. */
  readonly source: ModelSource;
  readonly workerSource: ModelSource;
  /** `vllm serve` arguments: the library's, then the user's `args`. */
  readonly serveArgs: string[];
  /** The port the leader serves HTTP on (vLLM's). */
  readonly port: number;
}

/** The time a group takes to form, and to form and load. */
export interface GroupStartupPlan {
  /** `groupFormationTimeout`. */
  readonly formation: Duration;
  /** The startup probe's budget: formation plus the model load. */
  readonly budget: Duration;
}

/** Everything a MultiHostInference renders, parsed from its props. */
export interface MultiHostPlan {
  readonly identity: WorkloadIdentity;
  readonly group: GroupPlan;
  readonly server: GroupServerPlan;
  readonly startup: GroupStartupPlan;
  readonly leaderPod: PodTemplate;
  readonly workerPod: PodTemplate;
  readonly rollout: { readonly maxSurge: number; readonly maxUnavailable: number };
}

/** Parses and checks `props` of the MultiHostInference `scope` (id `id`) into its plan. */
export function planMultiHost(scope: Construct, id: string, props: MultiHostInferenceProps): MultiHostPlan {
  // LeaderWorkerSet numbers each group's workers from 1 with a StatefulSet start ordinal.
  requireFeature(scope, 'statefulset.startOrdinal', 'MultiHostInference (a LeaderWorkerSet)', props.groupSize);
  const identity = workloadIdentity(scope, id, props, 'inference', props.model?.version);
  const group = groupPlan(scope, props);
  const server = groupServerPlan(scope, props, group);
  const startup = groupStartupPlan(scope, props, server);
  const { leaderPod, workerPod } = groupPods(scope, props, server, startup);
  const rollout = rolloutPlan(scope, props.rollout, group);
  return { identity, group, server, startup, leaderPod, workerPod, rollout };
}

/** Group size (at least 2), replicas (at least 1), the startup policy and the accelerator every pod needs. */
function groupPlan(scope: Construct, props: MultiHostInferenceProps): GroupPlan {
  requireWholeNumber(scope, 'groupSize', props.groupSize, 2);
  if (props.replicas !== undefined) requireWholeNumber(scope, 'replicas', props.replicas, 1);
  check(Number.isInteger(props.groupSize) && props.groupSize >= 2, scope, {
    field: 'groupSize',
    value: props.groupSize,
    problem: 'is below 2, so nothing spans nodes',
    fix: 'use OnlineInference with tensor parallelism for a model that fits one node',
  });
  const replicas = props.replicas ?? 1;
  check(Number.isInteger(replicas) && replicas >= 1, scope, {
    field: 'replicas',
    value: props.replicas,
    problem: 'is below 1',
    fix: 'set replicas: 1 or more (each replica is one group of groupSize pods)',
  });
  check((props.startupPolicy ?? 'LeaderCreated') === 'LeaderCreated', scope, {
    field: 'startupPolicy',
    value: props.startupPolicy,
    problem: 'would never start the workers: the leader is ready only once they joined its Ray head',
    fix: "use 'LeaderCreated'",
  });
  check(props.accelerator !== undefined, scope, {
    field: 'accelerator',
    value: undefined,
    problem: 'is required: every pod of the group holds a pipeline stage on its GPUs',
    fix: 'set accelerator: Accelerator.nvidiaGpu(8) (the GPUs of one node)',
  });
  return { replicas, groupSize: props.groupSize, gpus: props.accelerator!.count };
}

/** The model on every pod, tensor parallelism over one pod's GPUs, and the leader's `vllm serve` arguments. */
function groupServerPlan(scope: Construct, props: MultiHostInferenceProps, group: GroupPlan): GroupServerPlan {
  const { gpus } = group;
  const leaderModel = props.model ? modelArtifact(scope, props.model) : undefined;
  const worker = new Construct(scope, 'Worker');
  const workerModel = props.model ? modelArtifact(worker, props.model) : undefined;
  const ctx = workloadRuntimeContext(props.model, leaderModel, props.accelerator, 'vllm');
  const vllm = props.vllm ?? {};
  const tp = vllm.tensorParallelSize ?? gpus;
  check(tp === gpus, scope, {
    field: 'vllm.tensorParallelSize',
    value: tp,
    problem: `differs from the GPUs of one pod (${gpus}): each tensor-parallel rank needs its own GPU`,
    fix: `set accelerator: Accelerator.nvidiaGpu(${tp}), or leave tensorParallelSize unset`,
  });
  tensorParallelSize(scope, ctx, tp, vllm.attentionHeads);
  requireShmBelowMemory(scope, '16Gi', props.resources, props.accelerator!.options.sharedMemory);
  // Each rank streams its share of the weights to its GPUs (vLLM's safetensors loader): host memory holds the server.
  requireWorkloadModelFitsMemory(scope, {
    model: props.model,
    modelField: 'model',
    runtime: { name: 'vllm', modelSize: vllm.modelSize },
    runtimeField: 'vllm',
    resources: props.resources,
    accelerator: true,
  });
  const source = modelSource(scope, ctx, vllm);
  const workerSource = modelSource(worker, ctx, vllm);
  const serve = vllmServeArgs(scope, ctx, { ...vllm, pipelineParallelSize: props.groupSize }, source, tp, 'groupSize');
  check(props.rayScript === undefined, scope, {
    field: 'rayScript',
    value: props.rayScript,
    problem: "is no longer used: vLLM's multi-node-serving.sh gives up after 300 s, so the library starts Ray itself",
    fix: 'remove rayScript; set groupFormationTimeout for slow image pulls',
  });
  check(props.command === undefined, scope, {
    field: 'command',
    value: props.command,
    problem: 'would replace the start of the Ray head, the workers and vllm serve',
    fix: 'leave command unset; pass vllm serve flags in args or vllm.extraArgs',
  });
  requireUserArgs(scope, VLLM_FACTS, 'args', props.args ?? [], vllmOwnedFlags('vllm', 'groupSize'));
  const serveArgs = [...serve, ...(props.args ?? [])];
  return { worker, leaderModel, workerModel, ctx, source, workerSource, serveArgs, port: VLLM_PORT };
}

/** Forming the group (workers scheduled, pulling the image, joining Ray) comes on top of loading the weights. */
function groupStartupPlan(scope: Construct, props: MultiHostInferenceProps, server: GroupServerPlan): GroupStartupPlan {
  const vllm = props.vllm ?? {};
  const formation = props.groupFormationTimeout ?? Duration.minutes(15);
  check(formation.toSeconds() >= 60, scope, {
    field: 'groupFormationTimeout',
    value: `${formation.toSeconds()}s`,
    problem: 'is under a minute, less than scheduling a group and pulling a vLLM image take',
    fix: 'allow the time the slowest node takes to pull the image, e.g. Duration.minutes(15)',
  });
  const budget =
    props.modelLoadTimeout ??
    Duration.seconds(
      (loadBudget(scope, server.ctx, vllm.modelSize, vllm.loadThroughputMiBps, Duration.minutes(3), server.source.downloads)?.toSeconds() ??
        1200) + formation.toSeconds(),
    );
  check(budget.toSeconds() > formation.toSeconds(), scope, {
    field: 'modelLoadTimeout',
    value: `${budget.toSeconds()}s`,
    problem: `is not longer than groupFormationTimeout (${formation.toSeconds()}s): the startup probe would restart the leader before the weights load`,
    fix: 'allow the group formation plus the load, or leave modelLoadTimeout unset (derived from the model size)',
  });
  return { formation, budget };
}

/** The leader's pod (the Ray head, then `vllm serve`, probed) and the workers' (joining the head). */
function groupPods(
  scope: Construct,
  props: MultiHostInferenceProps,
  server: GroupServerPlan,
  startup: GroupStartupPlan,
): { leaderPod: PodTemplate; workerPod: PodTemplate } {
  const { worker, source } = server;
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
    probes: role === 'leader' ? leaderProbes(scope, startup.budget) : undefined,
    env: { ...m?.env, ...identity(owner).env, ...source.env },
    mounts: [...(m?.mounts ?? []), ...(mounts ?? []), ...identity(owner).mounts, rayVolume(owner)],
    initContainers: m?.initContainers,
    terminationGracePeriod: Duration.seconds(30),
    defaultSharedMemory: '16Gi',
  });
  // The leader counts the group's pods against LWS_GROUP_SIZE.
  requireAddonFeature(scope, 'lws.groupSizeEnv', 'groupSize', props.groupSize);
  const formation = startup.formation.toSeconds();
  const leaderCommand = ['sh', '-c', leaderStartScript(server.serveArgs, formation)];
  const workerCommand = ['sh', '-c', workerStartScript(formation)];
  const leaderPod = new PodTemplate(
    scope,
    { ...props, command: leaderCommand, args: undefined },
    shape(scope, server.leaderModel, 'leader', source.mounts),
  );
  const workerPod = new PodTemplate(
    worker,
    { ...props, command: workerCommand, args: undefined },
    shape(worker, server.workerModel, 'worker', server.workerSource.mounts),
  );
  return { leaderPod, workerPod };
}

/** The leader's probes: vLLM's `/health` once the group formed and the weights loaded; a TCP check for liveness. */
function leaderProbes(scope: Construct, budget: Duration): PodShape['probes'] {
  return {
    startupProbe: startupProbe(scope, 'modelLoadTimeout', ProbeHandler.httpGet('/health'), VLLM_PORT, budget, Duration.seconds(10)),
    readinessProbe: probe(
      scope,
      'readiness',
      ProbeHandler.httpGet('/health'),
      VLLM_PORT,
      {},
      { period: Duration.seconds(5), timeout: Duration.seconds(2), failureThreshold: 3 },
    ),
    livenessProbe: probe(
      scope,
      'liveness',
      ProbeHandler.tcpSocket(),
      VLLM_PORT,
      {},
      { period: Duration.seconds(10), timeout: Duration.seconds(2), failureThreshold: 3 },
    ),
  };
}

/** Group updates: a surge group only into declared spare accelerators, else one group down at a time. */
function rolloutPlan(scope: Construct, r: MultiHostRolloutProps = {}, group: GroupPlan) {
  const spare = r.spareAccelerators ?? 0;
  check(Number.isInteger(spare) && spare >= 0, scope, {
    field: 'rollout.spareAccelerators',
    value: spare,
    problem: 'is not a non-negative integer',
    fix: 'declare how many accelerators are free, e.g. 0',
  });
  const perGroup = group.gpus * group.groupSize;
  const maxSurge = spare >= perGroup ? 1 : 0;
  const maxUnavailable = r.maxUnavailable ?? (maxSurge ? 0 : 1);
  check(Number.isInteger(maxUnavailable) && maxUnavailable >= 0 && maxSurge + maxUnavailable > 0, scope, {
    field: 'rollout.maxUnavailable',
    value: maxUnavailable,
    problem: maxSurge
      ? 'is not a non-negative integer'
      : `is 0 without room for a surge group (${perGroup} accelerators), so no update can progress`,
    fix: `allow one group down, or declare rollout.spareAccelerators >= ${perGroup}`,
  });
  return { maxSurge, maxUnavailable };
}
