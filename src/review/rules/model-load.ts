/** How long a model server needs before it answers: stated, estimated from the model, or the runtime's floor. */
import { Rec, strAt } from '../access';
import { ContainerInfo } from '../kube';
import { envValue, optionValue, processOf } from '../process';
import { parseQuantity } from '../quantity';
import { KubeObject, PodTemplateInfo } from '../types';

/** Annotation (on the workload or its pod template) stating the worst-case model load, in seconds. */
export const MODEL_LOAD_SECONDS_ANNOTATION = 'cdk8s-ml.io/model-load-seconds';
/** Annotation (on the workload or its pod template) stating the size of the model weights (`140Gi`). */
export const MODEL_SIZE_ANNOTATION = 'cdk8s-ml.io/model-size';

/**
 * Throughput assumed for weights the server downloads itself (a Hugging Face id): fast on purpose, a lower bound of
 * the load for manifests from any cluster (the library's own budgets use the platform's `downloadBandwidthMiBps`).
 */
export const DOWNLOAD_MIBPS = 200;
/** Throughput assumed for weights read from a local path (a volume, a cache an init container filled): fast on purpose, a lower bound of the load. */
export const LOCAL_READ_MIBPS = 1024;

/** Environment variables that commonly name the model a server loads. */
const MODEL_ENV = ['MODEL_ID', 'MODEL_NAME', 'MODEL', 'HF_MODEL_ID', 'MODEL_PATH'];

/** What a container needs before it answers. */
export interface LoadEstimate {
  /** Shortest time the load is expected to take. */
  readonly seconds: number;
  /** How the figure was obtained, for messages. */
  readonly evidence: string;
}

/**
 * Parameters of a model whose name says it (`Llama-3.1-70B-Instruct` 70e9, `gemma-3-1b-it` 1e9,
 * `Mixtral-8x7B` 56e9, `Qwen2.5-0.5B` 0.5e9); `undefined` when the name does not.
 */
export function parametersOf(model: string): number | undefined {
  const name = model.replace(/^.*\//, '');
  const experts = /(?:^|[-_.])(\d+)x(\d+(?:\.\d+)?)[bB](?=$|[-_.])/.exec(name);
  if (experts) return Number(experts[1]) * Number(experts[2]) * 1e9;
  const plain = /(?:^|[-_.])(\d+(?:\.\d+)?)[bB](?=$|[-_.])/.exec(name);
  return plain ? Number(plain[1]) * 1e9 : undefined;
}

/** Bytes per parameter from quantization hints in the model name or the command line (16-bit otherwise). */
export function bytesPerParameter(text: string): number {
  if (/awq|gptq|int4|4bit|w4a16|q4_|nf4|gguf|bnb-4/i.test(text)) return 0.5;
  if (/fp8|int8|8bit|w8a8|w8a16/i.test(text)) return 1;
  return 2;
}

function annotation(obj: KubeObject, t: PodTemplateInfo, key: string): string | undefined {
  return t.podAnnotations?.get(key) ?? strAt(obj, 'metadata', 'annotations', key);
}

/** The model a server container loads, from its command line or environment. */
export function modelOf(container: Rec): string | undefined {
  const p = processOf(container);
  const spec = p.server?.model;
  const fromFlag = spec ? optionValue(p.text, spec.flags) : undefined;
  const fromPositional = spec?.positional?.exec(p.text)?.[1];
  const envNames = [...(spec?.env ?? []), ...MODEL_ENV];
  const fromEnv = envNames.map((n) => envValue(container, n)).find((v) => v !== undefined && !v.includes('$'));
  const model = fromFlag ?? fromPositional ?? fromEnv;
  return model && !model.startsWith('$') ? model : undefined;
}

/**
 * What container `c` of template `t` needs before it answers: the stated load time
 * ({@link MODEL_LOAD_SECONDS_ANNOTATION}), else, for a known model server, the weights (stated with
 * {@link MODEL_SIZE_ANNOTATION}, or estimated from the parameter count in the model's name),
 * downloaded at {@link DOWNLOAD_MIBPS} MiB/s (a model id) or read at {@link LOCAL_READ_MIBPS} MiB/s
 * (a path), plus the runtime's warm-up floor; or that floor alone.
 * `undefined` for containers the reviewer cannot judge.
 */
export function expectedLoad(c: ContainerInfo, t: PodTemplateInfo, obj: KubeObject): LoadEstimate | undefined {
  const stated = Number(annotation(obj, t, MODEL_LOAD_SECONDS_ANNOTATION));
  if (Number.isFinite(stated) && stated > 0) return { seconds: stated, evidence: `${MODEL_LOAD_SECONDS_ANNOTATION}: ${stated}` };
  const server = processOf(c.container).server;
  if (!server) return undefined;
  const warmup = server.warmupSeconds;
  const model = modelOf(c.container);
  // A model id (`org/name`) is downloaded by the server at start; a path is read from a volume.
  const downloads = model !== undefined && !/^[./~$]/.test(model) && !/^[a-z0-9]+:\/\/(?!huggingface)/i.test(model);
  const mibps = downloads ? DOWNLOAD_MIBPS : LOCAL_READ_MIBPS;
  const how = downloads ? 'downloaded' : 'read';
  const read = (bytes: number): number => Math.ceil(bytes / (mibps * 2 ** 20));
  const sizeText = annotation(obj, t, MODEL_SIZE_ANNOTATION);
  const size = sizeText !== undefined ? parseQuantity(sizeText) : undefined;
  if (size !== undefined && size > 0) {
    return {
      seconds: read(size) + warmup,
      evidence: `${sizeText} of weights (${MODEL_SIZE_ANNOTATION}) ${how} at ${mibps} MiB/s, plus ${server.name}'s ${warmup} s warm-up`,
    };
  }
  const params = model ? parametersOf(model) : undefined;
  if (model && params !== undefined) {
    const bytes = params * bytesPerParameter(`${model} ${processOf(c.container).text}`);
    const gb = Math.round(bytes / 1e9);
    return {
      seconds: read(bytes) + warmup,
      evidence: `${model} is about ${gb} GB of weights, ${read(bytes)} s ${how} at ${mibps} MiB/s, plus ${server.name}'s ${warmup} s warm-up`,
    };
  }
  return { seconds: warmup, evidence: `${server.name} needs at least ${warmup} s to load a model and warm up (model size unknown)` };
}
