import { Duration, Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EnvMap, MlEnvValue } from '../../core/env';
import { downloadBudget } from '../../core/download-budget';
import { check } from '../../core/errors';
import { Platform } from '../../core/platform';
import { PodMount } from '../../core/pod-mount';
import { requireQuantity, sizeOfBytes } from '../../core/quantity';
import { DTYPE_BYTES, GPU_FIT, GPU_MEMORY_MIB } from '../../core/facts/accelerators';
import { ServerFacts } from '../../core/facts/source';
import { maxGpusPerNode } from '../../core/known-gpu-nodes';
import { RuntimeContext } from '../../serving/runtime';
import { LlmRuntimeOptions } from '../runtime-options';
import { OwnedFlags, requireUserArgs } from '../../core/server-args';

/** Where the Hugging Face cache lives when the server downloads the model at start. */
export const HF_CACHE_DIR = '/var/cache/huggingface';

/**
 * The home of a model server: a volume of its own (the root filesystem is read-only) for the caches
 * the servers write under $HOME (torch.compile, Triton and FlashInfer kernels, ~/.cache/vllm), so they
 * never fill the small /tmp.
 */
export const SERVER_HOME = '/home/model-server';

/** The user name model servers see: a numeric uid has no passwd entry in their images. */
export const SERVER_USER = 'model-server';

/** Size of the server's home volume (compile and kernel caches). */
export const SERVER_HOME_SIZE = '8Gi';

/**
 * Who the server is: `USER`/`LOGNAME` (Python's getpass.getuser(), called by torch and vLLM at import,
 * raises for a uid without a passwd entry unless one is set) and a writable, bounded `HOME`.
 */
export function serverIdentity(scope: Construct): { env: EnvMap; mounts: PodMount[] } {
  const volume = plus.Volume.fromEmptyDir(scope, 'HomeVolume', 'home', { sizeLimit: Size.gibibytes(parseInt(SERVER_HOME_SIZE, 10)) });
  return {
    env: { USER: SERVER_USER, LOGNAME: SERVER_USER, HOME: SERVER_HOME, XDG_CACHE_HOME: `${SERVER_HOME}/.cache` },
    mounts: [{ volume, mountPath: SERVER_HOME }],
  };
}

/** What the server loads, and the environment and volumes that needs. */
export interface ModelSource {
  /** The model argument (a path or a repo id). */
  readonly arg: string;
  /** The name clients ask for when the server is pointed at a path but the user named a repo id. */
  readonly repoId?: string;
  readonly env: EnvMap;
  readonly mounts: PodMount[];
  readonly downloads: boolean;
}

/**
 * The model argument of an LLM server. A path is served as it is. A repo id is served from the mounted
 * model when the library filled it (a ModelCache or a verified fetch write plain files: the server is
 * pointed at that directory and the repo id becomes the served name), read offline from a Hugging Face
 * cache on a mounted claim (`<mount>/hub/models--org--name/snapshots/<rev>`), or downloaded at start
 * into an emptyDir cache sized from the model.
 */
export function modelSource(
  scope: Construct,
  ctx: RuntimeContext,
  options: Pick<LlmRuntimeOptions, 'model' | 'modelSize' | 'hfToken' | 'unverifiedDownload'>,
  field = 'model',
): ModelSource {
  const token: EnvMap = options.hfToken
    ? { HF_TOKEN: MlEnvValue.fromSecret(options.hfToken.secretName, options.hfToken.key ?? 'token') }
    : {};
  const model = options.model ?? ctx.modelPath ?? ctx.modelDir;
  check(model !== undefined && model.length > 0, scope, {
    field: `${ctx.field}.${field}`,
    value: options.model,
    problem: 'is not set and no model is mounted',
    fix: "mount the weights (model: { claimName: '...' }) or name a Hugging Face repo id, e.g. 'meta-llama/Llama-3.1-8B-Instruct'",
  });
  const m = model!;
  // Local weights: never reach out to the Hub; the Hub's own files (token, xet cache) go under the server's home.
  const local: EnvMap = { ...hubCache(`${SERVER_HOME}/.cache/huggingface`), HF_HUB_OFFLINE: '1', ...token };
  if (m.startsWith('/')) return { arg: m, env: local, mounts: [], downloads: false };
  check(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(m), scope, {
    field: `${ctx.field}.${field}`,
    value: m,
    problem: 'is neither an absolute path nor a Hugging Face repo id (owner/name)',
    fix: "use e.g. '/models/llama' or 'meta-llama/Llama-3.1-8B-Instruct'",
  });
  if (ctx.modelDir && ctx.modelOrigin !== 'claim') {
    // The fill wrote plain files (config.json, tokenizer, weights), not the hub's models--org--name layout.
    return { arg: ctx.modelPath ?? ctx.modelDir, repoId: m, env: local, mounts: [], downloads: false };
  }
  if (ctx.modelDir) {
    // A Hugging Face cache someone filled on the claim (huggingface-cli download): resolve the repo id in it, offline.
    return { arg: m, env: { ...hubCache(ctx.modelDir), HF_HUB_OFFLINE: '1', ...token }, mounts: [], downloads: false };
  }
  check(options.unverifiedDownload === true, scope, {
    field: `${ctx.field}.${field}`,
    value: m,
    problem: 'would be downloaded from the Hub at start by every replica, at whatever revision is newest, with no checksum',
    fix: 'fill a ModelCache (huggingFace: { repo, revision }, files with their sha256) and mount it with model: { cache }, or set unverifiedDownload: true to accept the risk',
  });
  const size = options.modelSize ?? ctx.modelSize;
  check(size !== undefined, scope, {
    field: `${ctx.field}.modelSize`,
    value: undefined,
    problem: `is needed to size the download cache of ${m}`,
    fix: "declare the size of the weights, e.g. modelSize: '140Gi' (70B parameters in bf16), or mount a shared model cache",
  });
  const bytes = requireQuantity(scope, `${ctx.field}.modelSize`, size!, '140Gi');
  // Room for the download's temporary files beside the finished snapshot.
  const volume = plus.Volume.fromEmptyDir(scope, 'HfCacheVolume', 'hf-cache', { sizeLimit: sizeOfBytes(bytes * 1.1) });
  return { arg: m, env: { ...hubCache(HF_CACHE_DIR), ...token }, mounts: [{ volume, mountPath: HF_CACHE_DIR }], downloads: true };
}

/**
 * The Hugging Face home and its hub cache (huggingface_hub constants.py: HF_HUB_CACHE defaults to
 * $HF_HOME/hub). Images set the cache variables themselves (TGI's HF_HOME=/data), and they win over
 * HF_HOME: set all of them.
 */
function hubCache(home: string): EnvMap {
  return { HF_HOME: home, HF_HUB_CACHE: `${home}/hub`, HUGGINGFACE_HUB_CACHE: `${home}/hub` };
}

/** The tensor-parallel size: the pod's GPU count unless given, and then it must match it; it must divide the attention heads. */
export function tensorParallelSize(scope: Construct, ctx: RuntimeContext, given: number | undefined, attentionHeads?: number): number {
  const tp = given ?? Math.max(ctx.gpus, 1);
  check(Number.isInteger(tp) && tp >= 1, scope, {
    field: `${ctx.field}.tensorParallelSize`,
    value: tp,
    problem: 'is not a positive integer',
    fix: 'use the number of GPUs one replica shards the model over',
  });
  check(ctx.gpus === 0 ? tp === 1 : tp === ctx.gpus, scope, {
    field: `${ctx.field}.tensorParallelSize`,
    value: tp,
    problem:
      ctx.gpus === 0
        ? 'is above 1 but the pod has no accelerator'
        : `differs from the pod's GPU count (${ctx.gpus}): each tensor-parallel rank needs its own GPU`,
    fix: `request accelerator: Accelerator.nvidiaGpu(${tp}), or set tensorParallelSize to ${Math.max(ctx.gpus, 1)}`,
  });
  if (attentionHeads !== undefined) {
    check(Number.isInteger(attentionHeads) && attentionHeads >= 1, scope, {
      field: `${ctx.field}.attentionHeads`,
      value: attentionHeads,
      problem: 'is not a positive integer',
      fix: "use num_attention_heads from the model's config.json",
    });
    const divisors = [1, 2, 4, 8, 16].filter((d) => attentionHeads % d === 0);
    check(attentionHeads % tp === 0, scope, {
      field: `${ctx.field}.tensorParallelSize`,
      value: tp,
      problem: `does not divide the model's ${attentionHeads} attention heads, so the server refuses to shard it`,
      fix: `use a tensor-parallel size (and GPU count) that divides ${attentionHeads}: ${divisors.join(', ')}`,
    });
  }
  return tp;
}

/** A fraction in (0, 1], or undefined. */
export function fraction(scope: Construct, field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  check(Number.isFinite(value) && value > 0 && value <= 1, scope, {
    field,
    value,
    problem: 'is not in (0, 1]',
    fix: 'use e.g. 0.9 for 90 % of GPU memory',
  });
  return value;
}

/** A positive integer, or undefined. */
export function positiveInt(scope: Construct, field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  check(Number.isInteger(value) && value > 0, scope, {
    field,
    value,
    problem: 'is not a positive integer',
    fix: 'use a whole number of tokens, e.g. 8192',
  });
  return value;
}

/**
 * Time to load the weights: the size over the assumed read throughput, plus the runtime's warm-up
 * (kernel compilation, CUDA graphs); for a server that `downloads` them at start, plus the download
 * budget at the platform's `downloadBandwidthMiBps`. Undefined when the size is unknown.
 */
export function loadBudget(
  scope: Construct,
  ctx: RuntimeContext,
  size: string | undefined,
  throughputMiBps: number | undefined,
  warmup: Duration,
  downloads = false,
): Duration | undefined {
  const s = size ?? ctx.modelSize;
  if (s === undefined) return undefined;
  const bytes = requireQuantity(scope, `${ctx.field}.modelSize`, s, '140Gi');
  const mibps = throughputMiBps ?? 200;
  check(Number.isFinite(mibps) && mibps > 0, scope, {
    field: `${ctx.field}.loadThroughputMiBps`,
    value: mibps,
    problem: 'is not a positive number',
    fix: 'use the measured read throughput of the model volume, e.g. 200',
  });
  const download = downloads ? downloadBudget(bytes, Platform.of(scope).downloadBandwidthMiBps, false).downloadSeconds : 0;
  return Duration.seconds(download + Math.ceil(bytes / (mibps * 2 ** 20)) + warmup.toSeconds());
}

/** `/dev/shm` for tensor parallelism (NCCL moves activations between ranks through it). */
export function tensorParallelShm(tp: number): string | undefined {
  return tp > 1 ? '16Gi' : undefined;
}

/** Appends `--flag value` when value is defined. */
export function flag(args: string[], name: string, value: string | number | undefined): void {
  if (value !== undefined) args.push(name, String(value));
}

/** What {@link requireWeightsFit} checks. */
export interface WeightsFit {
  /** Weight dtype (sizes `parameters`). */
  readonly dtype?: string;
  /** Parameters of the model, e.g. 70e9. */
  readonly parameters?: number;
  /** Size of the weights, when declared (`modelSize`, or a non-archive `model.size`). */
  readonly weightsSize?: string;
  /** Tensor-parallel size (GPUs of one pod). */
  readonly tensorParallel: number;
  /** Pipeline stages (pods of a multi-host group). */
  readonly pipelineParallel: number;
  /** Share of each GPU the server may take. */
  readonly utilization: number;
  /** The model's attention heads, when known (tensor parallelism must divide them). */
  readonly attentionHeads?: number;
}

/**
 * Throws unless the weights plus a KV-cache floor and the runtime's overhead fit each GPU of the layout
 * (tensor × pipeline parallelism) on the accelerator's product, when the product's memory is known.
 * The error states the arithmetic and the smallest layout that fits.
 */
export function requireWeightsFit(scope: Construct, ctx: RuntimeContext, w: WeightsFit): void {
  const memoryMiB = ctx.gpuProduct ? GPU_MEMORY_MIB[ctx.gpuProduct] : undefined;
  if (memoryMiB === undefined) return;
  const dtypeBytes = DTYPE_BYTES[w.dtype ?? 'auto'] ?? 2;
  if (w.parameters !== undefined) {
    check(Number.isFinite(w.parameters) && w.parameters > 0, scope, {
      field: `${ctx.field}.parameters`,
      value: w.parameters,
      problem: 'is not a positive number',
      fix: 'give the parameter count, e.g. 70e9 for a 70B model',
    });
  }
  const weights =
    w.parameters !== undefined
      ? w.parameters * dtypeBytes
      : w.weightsSize !== undefined
        ? requireQuantity(scope, `${ctx.field}.modelSize`, w.weightsSize, '140Gi')
        : undefined;
  if (weights === undefined) return;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const usable = memoryMiB * 2 ** 20 * w.utilization;
  const perGpu = (gpus: number) => weights / gpus + GPU_FIT.kvCacheFloorBytes + GPU_FIT.runtimeOverheadBytes;
  const gpus = w.tensorParallel * w.pipelineParallel;
  if (perGpu(gpus) <= usable) return;
  const heads = w.attentionHeads;
  const perNode = ctx.gpusPerNode ?? maxGpusPerNode(ctx.gpuProduct!)?.gpus ?? 8;
  const tp = [1, 2, 4, 8, 16].find((t) => t <= perNode && (heads === undefined || heads % t === 0) && perGpu(t) <= usable);
  const maxTp = [1, 2, 4, 8, 16].filter((t) => t <= perNode && (heads === undefined || heads % t === 0)).pop() ?? 1;
  let pp = 2;
  while (tp === undefined && perGpu(maxTp * pp) > usable && pp < 64) pp++;
  const layout =
    tp !== undefined
      ? `tensorParallelSize ${tp} (Accelerator.nvidiaGpu(${tp}) per replica)`
      : `${maxTp} GPUs per pod over ${pp} nodes (MultiHostInference groupSize ${pp})`;
  const source =
    w.parameters !== undefined
      ? `${w.parameters.toExponential(2)} parameters × ${dtypeBytes} bytes (${w.dtype ?? 'auto'})`
      : `${ctx.field}.modelSize ${w.weightsSize}`;
  check(false, scope, {
    field: gpus === 1 ? 'accelerator' : `${ctx.field}.tensorParallelSize`,
    value: `${w.tensorParallel} × ${w.pipelineParallel} ${ctx.gpuProduct}`,
    problem:
      `cannot hold the model: weights ${gib(weights)} (${source}) / ${gpus} GPU(s) = ${gib(weights / gpus)} per GPU, ` +
      `+ ${gib(GPU_FIT.kvCacheFloorBytes)} KV-cache floor + ${gib(GPU_FIT.runtimeOverheadBytes)} runtime overhead = ${gib(perGpu(gpus))}, ` +
      `above the ${gib(usable)} usable of each ${ctx.gpuProduct} (${memoryMiB} MiB × ${w.utilization} utilization)`,
    fix: `use the smallest layout that fits: ${layout}, or quantize the weights`,
  });
}

/**
 * Throws unless `dtype` is a value the runtime's `--dtype` accepts (from its fact table); `auto` is
 * the server's default and never rendered where the server has no such value.
 */
export function requireDtype(scope: Construct, facts: ServerFacts, field: string, dtype: string | undefined): void {
  const values = facts.flags['--dtype']?.values ?? [];
  check(dtype === undefined || dtype === 'auto' || values.includes(dtype), scope, {
    field,
    value: dtype,
    problem: `is not a dtype ${facts.runtime} ${facts.source.version} accepts (--dtype ${values.join('|')})`,
    fix: `use one of ${['auto', ...values.filter((v) => v !== 'auto')].join(', ')}, or leave it unset`,
  });
}

/**
 * User arguments after the library's: `extraArgs` checked against the runtime's flag table, then
 * `uncheckedArgs` (flags the table lacks) checked only against the flags the library owns.
 */
export function userArgs(
  scope: Construct,
  facts: ServerFacts,
  field: string,
  o: { readonly extraArgs?: string[]; readonly uncheckedArgs?: string[] },
  owned: OwnedFlags,
): string[] {
  requireUserArgs(scope, facts, `${field}.extraArgs`, o.extraArgs ?? [], owned);
  const unchecked = o.uncheckedArgs ?? [];
  unchecked.forEach((a, i) => {
    const name = typeof a === 'string' ? a.split('=')[0].replace(/_/g, '-') : '';
    check(typeof a === 'string' && owned[name] === undefined, scope, {
      field: `${field}.uncheckedArgs[${i}]`,
      value: a,
      problem: typeof a === 'string' ? `sets ${name}, which the library sets from ${owned[name]}` : 'is not a string',
      fix: typeof a === 'string' ? `set ${owned[name]} instead` : 'give each argument as a string',
    });
  });
  return [...(o.extraArgs ?? []), ...unchecked];
}
