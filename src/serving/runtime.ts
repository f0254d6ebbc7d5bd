import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { Accelerator } from '../core/accelerator';
import { EnvMap } from '../core/env';
import { check } from '../core/errors';
import type { ModelArtifact, ModelProps } from '../core/model';
import { PodMount } from '../core/pod-mount';
import { ServerFacts } from '../core/facts/source';
import { ProbeHandler } from '../core/probes';
import { parseQuantity } from '../core/quantity';
import type { OwnedFlags } from '../core/server-args';

/*
 * How a model server plugs into serving: serving owns this interface, the runtime presets (src/llm,
 * `ServingRuntime.vllm()`, `.tgi()`, `.triton()`, `.generic()`) implement it. A workload hands the runtime
 * what it knows (RuntimeContext) and renders the plan it gets back (RuntimePlan): ports, probes, arguments,
 * environment, mounts and the queue signal to scale on.
 */

/** A model server a serving workload runs (`OnlineInference`'s `runtime`): one of the `ServingRuntime` presets. */
export interface IServingRuntime {
  /** The runtime's name: `vllm`, `tgi`, `triton` or `generic`. */
  readonly name: string;
  /** The weights' size the runtime was given (its `modelSize`). @default - none (the model's `size` counts) */
  readonly modelSize?: string;
  /** Validates the runtime's options against the workload and returns its plan. @internal */
  plan(scope: Construct, ctx: RuntimeContext): RuntimePlan;
}

/** What the workload knows when a runtime is planned. */
export interface RuntimeContext {
  /** Where the model volume is mounted, if it is. */
  readonly modelDir?: string;
  /** What the server loads from it: the directory, or the file of a one-file model. @default - modelDir */
  readonly modelPath?: string;
  readonly modelName?: string;
  /** `model.size`, if declared. */
  readonly modelSize?: string;
  /** Where the mounted model comes from: a claim someone filled, a verified fetch, or a ModelCache. */
  readonly modelOrigin?: 'claim' | 'fetched' | 'cache';
  /** `model.size` when it is the weights themselves (not an archive plus its extracted content). */
  readonly weightsSize?: string;
  /** The accelerator product (`nvidia.com/gpu.product` value), if the accelerator names one. */
  readonly gpuProduct?: string;
  /** GPUs (or other accelerators) per pod; 0 without. */
  readonly gpus: number;
  /** GPUs one node has, if the accelerator says. */
  readonly gpusPerNode?: number;
  /** Prop name prefix for errors (e.g. `runtime`). */
  readonly field: string;
}

/** The per-workload query of a runtime's queue metric. */
export interface QueueSignal {
  /** The metric (e.g. `vllm:num_requests_waiting`). */
  readonly metric: string;
  /** A PromQL expression summing the metric over every pod selected by `selector` (`namespace="ml",service="llama"`). */
  readonly query: (selector: string) => string;
}

/** A runtime's ports, probes, arguments and signals for one workload. */
export interface RuntimePlan {
  /** `vllm`, `tgi`, `triton` or `generic`. */
  readonly runtime: string;
  readonly port: number;
  /** Further container ports (e.g. Triton's gRPC). */
  readonly extraPorts: { readonly name: string; readonly containerPort: number }[];
  /** A separate metrics port; undefined when metrics are on the serving port. */
  readonly metricsPort?: number;
  readonly metricsPath: string;
  readonly readiness: ProbeHandler;
  readonly liveness: ProbeHandler;
  readonly command?: string[];
  readonly args?: string[];
  /** The runtime's facts (flags, ports, paths) at its pinned version; undefined for the generic server. */
  readonly facts?: ServerFacts;
  /** Flags the library sets, each with the prop that owns it: user arguments may not set them. */
  readonly ownedFlags?: OwnedFlags;
  readonly env: EnvMap;
  readonly mounts: PodMount[];
  /** True when the server downloads the model at start (needs egress). */
  readonly downloadsModel: boolean;
  /** Startup budget from the model size, if known. */
  readonly loadBudget?: Duration;
  /** GPUs per replica the runtime shards over. */
  readonly tensorParallelSize?: number;
  /** `/dev/shm` the runtime needs (NCCL between tensor-parallel ranks). */
  readonly sharedMemory?: string;
  /** What to autoscale on. */
  readonly queue?: QueueSignal;
}

/**
 * The runtime context of a workload's pod: where its model is mounted (from the validated artifact),
 * what the weights weigh, and the accelerator's GPUs.
 */
export function workloadRuntimeContext(
  model: ModelProps | undefined,
  artifact: ModelArtifact | undefined,
  accelerator: Accelerator | undefined,
  field: string,
): RuntimeContext {
  const mounted = artifact?.mounts.length ? artifact.source : undefined;
  const sizeBytes = artifact?.source.sizeBytes;
  const weightsBytes = model?.cache
    ? (model.cache.contentBytes ?? model.cache.sizeBytes)
    : model?.format === 'tar' && sizeBytes
      ? sizeBytes / 2
      : sizeBytes;
  const mib = (b: number | undefined) => (b !== undefined ? `${Math.ceil(b / 2 ** 20)}Mi` : undefined);
  return {
    modelDir: mounted?.mountPath,
    modelPath: mounted?.modelPath,
    modelName: model?.name,
    modelSize: mib(sizeBytes),
    modelOrigin: !mounted ? undefined : model?.claimName ? 'claim' : model?.cache ? 'cache' : 'fetched',
    weightsSize: mib(weightsBytes),
    gpus: accelerator?.count ?? 0,
    gpusPerNode: accelerator?.options.gpusPerNode,
    gpuProduct: accelerator?.options.product,
    field,
  };
}

/**
 * A memory-backed `/dev/shm` counts against the pod's memory: NCCL filling a 16Gi shm in a pod
 * limited to 16Gi is an OOM kill. The runtime's shm must leave room below the memory limit.
 */
export function requireShmBelowMemory(
  scope: Construct,
  shm: string | undefined,
  resources: { readonly memory: string; readonly memoryLimit?: string } | undefined,
  explicitShm: string | undefined,
): void {
  if (shm === undefined || explicitShm !== undefined || !resources) return;
  const limit = parseQuantity(resources.memoryLimit ?? resources.memory);
  const bytes = parseQuantity(shm);
  if (limit === undefined || bytes === undefined) return;
  check(bytes < limit / 2, scope, {
    field: 'resources.memoryLimit',
    value: resources.memoryLimit ?? resources.memory,
    problem: `leaves too little room beside the ${shm} memory-backed /dev/shm tensor parallelism gets (shm counts against the memory limit; NCCL filling it would OOM-kill the pod)`,
    fix: `raise memoryLimit above twice ${shm}, or size /dev/shm yourself with accelerator: Accelerator.nvidiaGpu(n, { sharedMemory: '...' })`,
  });
}
