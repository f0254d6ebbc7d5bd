import { IConstruct } from 'constructs';
import { check } from './errors';
import { ModelProps, modelSource } from './model';
import { formatAmount, parseQuantity } from './quantity';
import { MlResourceProps } from './resources';

/**
 * How a model server's load reaches host memory:
 * - `whole`: the model file is read (or deserialized) into host memory, then used there or copied to the
 *   device: pickle/`torch.load`, ONNX Runtime, XGBoost, GGUF readers, Triton's backends. The container's
 *   memory limit must hold the whole model plus the server.
 * - `streamed`: safetensors shards are memory-mapped and copied to the accelerator tensor by tensor; the
 *   mapped pages are file-backed page cache the kernel reclaims under the limit instead of OOM-killing, so
 *   only the server's own memory counts.
 */
export type HostLoad = 'whole' | 'streamed';

/** What one runtime needs in host memory while it loads a model. */
export interface LoadProfile {
  /** The server process before any weights (interpreter, framework, CUDA context), a conservative floor. */
  readonly overheadBytes: number;
  /**
   * How the load reaches host memory when the pod has an accelerator (without one, every runtime loads
   * `whole`); `by-format` when it depends on the model's file format (see {@link formatLoad}).
   */
  readonly withAccelerator: HostLoad | 'by-format';
}

const MiB = 2 ** 20;

/**
 * Per runtime preset. Overheads are floors, not sizing advice: a Python web server with its imports (256Mi),
 * Triton with one backend loaded (512Mi), PyTorch with CUDA initialised plus the tokenizer (2Gi, vLLM and TGI).
 * Streamed loads: vLLM's and TGI's safetensors loaders (`safe_open`, tensor by tensor to the device). Triton's
 * backends deserialize each model file in host memory (ONNX Runtime, TensorRT engines, TorchScript). A generic
 * server on an accelerator loads by its files' format ({@link formatLoad}).
 */
export const LOAD_PROFILES: Readonly<Record<string, LoadProfile>> = {
  generic: { overheadBytes: 256 * MiB, withAccelerator: 'by-format' },
  triton: { overheadBytes: 512 * MiB, withAccelerator: 'whole' },
  vllm: { overheadBytes: 2048 * MiB, withAccelerator: 'streamed' },
  tgi: { overheadBytes: 2048 * MiB, withAccelerator: 'streamed' },
};

/** What {@link requireModelFitsMemory} checks. */
export interface ModelMemoryCheck {
  /** The runtime preset (`generic` when the workload names none). */
  readonly runtime: string;
  readonly accelerator: boolean;
  /** The model's declared size (its weights), in bytes. */
  readonly modelBytes: number;
  /** Where the model size was declared, for the message (e.g. `model.size`). */
  readonly sizeField: string;
  /** The container's memory limit as written (`resources.memoryLimit`, else `resources.memory`). */
  readonly memoryLimit: string;
  /** The prop that sets it. */
  readonly limitField: string;
  /** The model's file names, when known (a generic server's load on an accelerator depends on their format). @default - unknown */
  readonly files?: readonly string[];
}

/** Weight files by how a server reads them onto an accelerator: memory-mapped, or deserialized in host memory first. */
const STREAMED_FORMATS = /\.(safetensors|gguf)$/i;
const WHOLE_FORMATS = /\.(bin|pt|pth|ckpt|pkl|pickle|joblib|onnx|h5|keras|pb|tflite|npz|ubj|plan|engine)$/i;

/**
 * How an unknown (generic) server's load reaches host memory on an accelerator, from the weight files' names:
 * safetensors and GGUF are memory-mapped (`streamed`); pickle/PyTorch checkpoints, ONNX, joblib, Keras, XGBoost and
 * TensorRT files are deserialized in host memory first (`whole`); undefined when no weight file is known (a
 * directory without a file list, a claim): then only the server's overhead is checked.
 */
export function formatLoad(files: readonly string[]): HostLoad | undefined {
  const weights = files.filter((f) => STREAMED_FORMATS.test(f) || WHOLE_FORMATS.test(f));
  if (weights.length === 0) return undefined;
  return weights.some((f) => WHOLE_FORMATS.test(f)) ? 'whole' : 'streamed';
}

/** Host memory a load needs at its peak: the model (when loaded whole) plus the server's overhead. */
export function loadPeakBytes(
  runtime: string,
  accelerator: boolean,
  modelBytes: number,
  files: readonly string[] = [],
): { bytes: number; load: HostLoad } {
  const profile = LOAD_PROFILES[runtime] ?? LOAD_PROFILES.generic;
  const onDevice = profile.withAccelerator === 'by-format' ? (formatLoad(files) ?? 'streamed') : profile.withAccelerator;
  const load: HostLoad = accelerator ? onDevice : 'whole';
  return { bytes: profile.overheadBytes + (load === 'whole' ? modelBytes : 0), load };
}

/**
 * Throws when the memory limit is below the load peak: the kernel would OOM-kill the server while it loads
 * the model, on every start, before it ever serves (CrashLoopBackOff with reason OOMKilled).
 */
export function requireModelFitsMemory(scope: IConstruct, c: ModelMemoryCheck): void {
  const limit = parseQuantity(c.memoryLimit);
  if (limit === undefined) return;
  const { bytes, load } = loadPeakBytes(c.runtime, c.accelerator, c.modelBytes, c.files);
  const overhead = (LOAD_PROFILES[c.runtime] ?? LOAD_PROFILES.generic).overheadBytes;
  const mem = (b: number) => formatAmount('memory', b);
  const peak =
    load === 'whole'
      ? `the ${mem(c.modelBytes)} model (${c.sizeField}) loaded whole into host memory + ${mem(overhead)} ${c.runtime} server = ${mem(bytes)}`
      : `${mem(overhead)} for the ${c.runtime} server (its weights go to the accelerator without being held in host memory)`;
  check(limit >= bytes, scope, {
    field: c.limitField,
    value: c.memoryLimit,
    problem: `is below the load peak in host memory: ${peak}; the kernel OOM-kills the server while it loads, on every start`,
    fix: `set ${c.limitField} to at least ${mem(Math.ceil(bytes / 2 ** 30) * 2 ** 30)}${load === 'whole' ? ', or serve a smaller (quantized) model' : ''}`,
  });
}

/**
 * The check for a workload serving `model` with `resources`: the size a runtime preset declares for the
 * weights (`runtime.modelSize`), else the model's (`model.size`, the cache's). Nothing to check without one.
 */
export function requireWorkloadModelFitsMemory(
  scope: IConstruct,
  w: {
    readonly model?: ModelProps;
    readonly modelField: string;
    readonly runtime?: { readonly name: string; readonly modelSize?: string };
    /** The prop the runtime options come from, for the message. @default 'runtime' */
    readonly runtimeField?: string;
    readonly resources: MlResourceProps;
    readonly accelerator: boolean;
  },
): void {
  const fromRuntime = w.runtime?.modelSize !== undefined ? parseQuantity(w.runtime.modelSize) : undefined;
  const fromModel = w.model ? modelSource(w.model).contentBytes : undefined;
  const modelBytes = fromRuntime ?? fromModel;
  if (modelBytes === undefined || modelBytes <= 0) return;
  const source = w.model ? modelSource(w.model) : undefined;
  const files = w.model?.files ? Object.keys(w.model.files) : source?.layout === 'file' ? [source.modelPath] : [];
  requireModelFitsMemory(scope, {
    files,
    runtime: w.runtime?.name ?? 'generic',
    accelerator: w.accelerator,
    modelBytes,
    sizeField:
      fromRuntime !== undefined
        ? `${w.runtimeField ?? 'runtime'}.modelSize`
        : w.model?.cache
          ? `${w.modelField}.cache`
          : `${w.modelField}.size`,
    memoryLimit: w.resources.memoryLimit ?? w.resources.memory,
    limitField: w.resources.memoryLimit !== undefined ? 'resources.memoryLimit' : 'resources.memory',
  });
}
