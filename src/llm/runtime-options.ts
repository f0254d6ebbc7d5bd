import type { ProbeHandler } from '../core/probes';

/*
 * The options of the runtime presets (`ServingRuntime.vllm()`, `.tgi()`, `.triton()`, `.generic()`).
 */

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
