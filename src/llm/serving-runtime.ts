import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { Accelerator } from '../core/accelerator';
import { EnvMap } from '../core/env';
import { recordOptions } from '../core/gate';
import type { ModelArtifact, ModelProps } from '../core/model';
import { check } from '../core/errors';
import { PodMount } from '../core/pod';
import { ServerFacts } from '../core/facts/source';
import { ProbeHandler } from '../core/probes';
import type { OwnedFlags } from './runtimes/args';
import { genericPlan } from './runtimes/generic';
import { tgiPlan } from './runtimes/tgi';
import { tritonPlan } from './runtimes/triton';
import { vllmPlan } from './runtimes/vllm';

/** A Hugging Face access token, by Secret reference only (never a literal). */
export interface HuggingFaceToken {
  /** The Secret holding the token. */
  readonly secretName: string;
  /** The key in the Secret holding the token (passed to the server as `HF_TOKEN`). @default 'token' */
  readonly key?: string;
}

/** Options every LLM runtime preset takes. */
export interface LlmRuntimeOptions {
  /**
   * What the server loads: a local path, or a Hugging Face repo id (`meta-llama/Llama-3.1-70B-Instruct`).
   * A repo id with a mounted model (`model.claimName`) is read offline from that Hugging Face cache;
   * without one it is downloaded at start into a cache volume (needs `networkPolicy.egressTo`).
   * @default - the mounted model directory (`model.mountPath`)
   */
  readonly model?: string;
  /** Name clients (and an InferencePool's endpoint picker) ask for. @default - `model.name` */
  readonly servedModelName?: string;
  /**
   * GPUs one replica shards the model over (tensor parallelism); must equal the pod's GPU count.
   * @default - the accelerator count (1 without an accelerator)
   */
  readonly tensorParallelSize?: number;
  /**
   * The model's attention heads (`num_attention_heads` in its config.json, 64 for Llama 3.1 70B); the
   * tensor-parallel size must divide it.
   * @default - not checked
   */
  readonly attentionHeads?: number;
  /** Longest sequence (prompt + output) in tokens. @default - the model's own limit */
  readonly maxModelLen?: number;
  /** Weight dtype. @default 'auto' (the model's) */
  readonly dtype?: 'auto' | 'float16' | 'bfloat16' | 'float32';
  /** Share of each GPU's memory the server may take, in (0, 1]. @default - the runtime's (0.9 vLLM, 1.0 TGI) */
  readonly gpuMemoryUtilization?: number;
  /** Token for gated or private models, by Secret reference. @default - none */
  readonly hfToken?: HuggingFaceToken;
  /**
   * Let the server download a repo id from the Hub at start, unverified: no checksum, the newest
   * revision, every replica and rollout downloading again. Prefer `model: { cache }` (a ModelCache
   * verifies every file's sha256 once) or `model: { huggingFace, files }`.
   * @default false - a repo id without a mounted model is an error
   */
  readonly unverifiedDownload?: boolean;
  /**
   * Size of the weights on disk; sizes the startup budget (and the download cache).
   * @default - `model.size`, else no size-based budget (modelLoadTimeout's default)
   */
  readonly modelSize?: string;
  /**
   * Read throughput assumed when loading weights, in MiB/s (network volumes: 100-500; local NVMe: 1000+).
   * The startup budget is the size over this, plus the runtime's warm-up; a server that downloads the weights
   * at start (`unverifiedDownload`) adds their download at the platform's `downloadBandwidthMiBps`.
   * @default 200
   */
  readonly loadThroughputMiBps?: number;
  /**
   * The model's parameter count (e.g. `70e9`): with the weight `dtype` and a known accelerator `product`
   * it proves the weights fit the GPUs of one replica.
   * @default - from `modelSize` when declared, else not checked
   */
  readonly parameters?: number;
  /**
   * Further server arguments, appended after the library's. Each must be a flag the runtime's pinned
   * version accepts (its fact table), with a value it accepts; flags the library sets from a prop
   * (`--port`, `--tensor-parallel-size`, the model, ...) are errors that name the prop.
   * @default - none
   */
  readonly extraArgs?: string[];
  /**
   * Arguments for flags the runtime's fact table does not list (a newer image), appended after
   * `extraArgs` without checking them against the table; flags the library sets are still refused.
   * @default - none
   */
  readonly uncheckedArgs?: string[];
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

/** How a runtime turns a workload into a plan. */
export type RuntimePlanner = (scope: Construct, ctx: RuntimeContext) => RuntimePlan;

/** vLLM options beyond the common ones. */
export interface VllmOptions extends LlmRuntimeOptions {
  /** Pipeline stages across nodes (multi-host serving). @default 1 */
  readonly pipelineParallelSize?: number;
}

/** Text Generation Inference options beyond the common ones. */
export interface TgiOptions extends LlmRuntimeOptions {
  /** Longest prompt in tokens; below `maxModelLen`. @default - TGI's (maxModelLen - 1) */
  readonly maxInputTokens?: number;
}

/** Triton Inference Server options. */
export interface TritonOptions {
  /** The model repository. @default - the mounted model directory (`model.mountPath`) */
  readonly modelRepository?: string;
  /** Size of the model repository; sizes the startup budget. @default - `model.size` */
  readonly modelSize?: string;
  /**
   * Read throughput assumed when loading the model repository, in MiB/s; with `modelSize` it sizes the startup budget.
   * @default 200
   */
  readonly loadThroughputMiBps?: number;
  /**
   * Further server arguments, checked against Triton's options at its pinned version; the ports and
   * the model repository are the library's (errors that name the prop).
   * @default - none
   */
  readonly extraArgs?: string[];
  /** Options the fact table does not list, appended unchecked (the library's options still refused). @default - none */
  readonly uncheckedArgs?: string[];
}

/** The server of today's OnlineInference: your image, your endpoints. */
export interface GenericRuntimeOptions {
  /** Port the server listens on. @default 8000 */
  readonly port?: number;
  /** The readiness check: it must pass only once the model is loaded. @default ProbeHandler.httpGet('/ready') */
  readonly readiness?: ProbeHandler;
  /** The liveness check: a failure restarts the container. @default ProbeHandler.httpGet('/live') */
  readonly liveness?: ProbeHandler;
}

/**
 * A model server preset: its real ports, health endpoints, metrics, arguments and autoscaling
 * signal. Give it to `OnlineInference` as `runtime`.
 */
export class ServingRuntime {
  /** vLLM's OpenAI-compatible server (`vllm serve`): port 8000, `/health`, metrics on the serving port. */
  public static vllm(options: VllmOptions = {}): ServingRuntime {
    return recordOptions(new ServingRuntime('vllm', (scope, ctx) => vllmPlan(scope, ctx, options), options.modelSize), options);
  }

  /** Hugging Face Text Generation Inference (`text-generation-launcher`): `/health`, metrics on the serving port. */
  public static tgi(options: TgiOptions = {}): ServingRuntime {
    return recordOptions(new ServingRuntime('tgi', (scope, ctx) => tgiPlan(scope, ctx, options), options.modelSize), options);
  }

  /** NVIDIA Triton Inference Server: HTTP 8000, gRPC 8001, metrics 8002, `/v2/health/ready` and `/live`. */
  public static triton(options: TritonOptions = {}): ServingRuntime {
    return recordOptions(new ServingRuntime('triton', (scope, ctx) => tritonPlan(scope, ctx, options), options.modelSize), options);
  }

  /** Any HTTP server with its own readiness and liveness endpoints (the default of OnlineInference). */
  public static generic(options: GenericRuntimeOptions = {}): ServingRuntime {
    return recordOptions(new ServingRuntime('generic', (scope, ctx) => genericPlan(scope, ctx, options)), options);
  }

  private constructor(
    /** `vllm`, `tgi`, `triton` or `generic`. */
    public readonly name: string,
    private readonly planner: RuntimePlanner,
    /** The weights' size the preset was given (`modelSize`), if any. */
    public readonly modelSize?: string,
  ) {}

  /** Validates the options against the workload and returns the plan. @internal */
  public plan(scope: Construct, ctx: RuntimeContext): RuntimePlan {
    const plan = this.planner(scope, ctx);
    const tp = plan.tensorParallelSize;
    if (tp !== undefined && ctx.gpusPerNode !== undefined) {
      check(tp <= ctx.gpusPerNode, scope, {
        field: `${ctx.field}.tensorParallelSize`,
        value: tp,
        problem: `is larger than the GPUs of one node (${ctx.gpusPerNode}), so no node can run a replica`,
        fix: `use at most ${ctx.gpusPerNode} GPUs per replica, or serve across nodes with MultiHostInference (pipeline parallelism over a LeaderWorkerSet)`,
      });
    }
    return plan;
  }
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
