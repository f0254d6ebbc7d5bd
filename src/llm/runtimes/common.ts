import { Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EnvMap, EnvValue } from '../../core/env';
import { check } from '../../core/errors';
import { PodMount } from '../../core/pod';
import { parseQuantity, requireQuantity, sizeOfBytes } from '../../core/quantity';
import { LlmRuntimeOptions, RuntimeContext } from '../serving-runtime';

/** Where the Hugging Face cache lives when the server downloads the model at start. */
export const HF_CACHE_DIR = '/var/cache/huggingface';

/**
 * Caches the servers write under $HOME (compiled kernels, torch.compile, CUDA graphs) must be
 * writable with a read-only root filesystem: point HOME at the writable /tmp.
 */
const WRITABLE_HOME: EnvMap = { HOME: '/tmp' };

/** What the server loads, and the environment and volumes that needs. */
export interface ModelSource {
  /** The model argument (a path or a repo id). */
  readonly arg: string;
  readonly env: EnvMap;
  readonly mounts: PodMount[];
  readonly downloads: boolean;
}

/**
 * The model argument of an LLM server. A path is served as it is; a repo id is read offline from a
 * mounted Hugging Face cache, or downloaded at start into an emptyDir cache sized from the model.
 */
export function modelSource(
  scope: Construct,
  ctx: RuntimeContext,
  options: Pick<LlmRuntimeOptions, 'model' | 'modelSize' | 'hfToken' | 'unverifiedDownload'>,
  field = 'model',
): ModelSource {
  const token: EnvMap = {
    ...WRITABLE_HOME,
    ...(options.hfToken ? { HF_TOKEN: EnvValue.fromSecret(options.hfToken.secretName, options.hfToken.key ?? 'token') } : {}),
  };
  const model = options.model ?? ctx.modelPath ?? ctx.modelDir;
  check(model !== undefined && model.length > 0, scope, {
    field: `${ctx.field}.${field}`,
    value: options.model,
    problem: 'is not set and no model is mounted',
    fix: "mount the weights (model: { claimName: '...' }) or name a Hugging Face repo id, e.g. 'meta-llama/Llama-3.1-8B-Instruct'",
  });
  const m = model!;
  if (m.startsWith('/')) {
    // Local weights: never reach out to the Hub; keep the library's scratch files on the writable /tmp.
    return { arg: m, env: { HF_HOME: '/tmp/huggingface', HF_HUB_OFFLINE: '1', ...token }, mounts: [], downloads: false };
  }
  check(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(m), scope, {
    field: `${ctx.field}.${field}`,
    value: m,
    problem: 'is neither an absolute path nor a Hugging Face repo id (owner/name)',
    fix: "use e.g. '/models/llama' or 'meta-llama/Llama-3.1-8B-Instruct'",
  });
  if (ctx.modelDir) {
    // A shared, read-only Hugging Face cache on the model volume: resolve the repo id from it, offline.
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
 * The Hugging Face home and its hub cache. Images set the cache variables themselves (TGI's points
 * them at /data), and they win over HF_HOME: set all of them.
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
 * (kernel compilation, CUDA graphs). Undefined when the size is unknown.
 */
export function loadBudget(
  scope: Construct,
  ctx: RuntimeContext,
  size: string | undefined,
  throughputMiBps: number | undefined,
  warmup: Duration,
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
  return Duration.seconds(Math.ceil(bytes / (mibps * 2 ** 20)) + warmup.toSeconds());
}

/** `/dev/shm` for tensor parallelism (NCCL moves activations between ranks through it). */
export function tensorParallelShm(tp: number): string | undefined {
  return tp > 1 ? '16Gi' : undefined;
}

/** Appends `--flag value` when value is defined. */
export function flag(args: string[], name: string, value: string | number | undefined): void {
  if (value !== undefined) args.push(name, String(value));
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
