/**
 * Where a workload's model is once its pod starts: what a runtime preset (vLLM `--model`, TGI
 * `--model-id`, Triton `--model-repository`) passes to the server. Computed from the props alone
 * (no construct needed), so presets can build their arguments before the workload exists.
 */
export interface ModelSource {
  /** Directory the model volume (download, cache claim or existing claim) is mounted at, read-only. */
  readonly mountPath: string;
  /** `file`: one artifact at `modelPath`; `directory`: `modelPath` is a directory of files (config, weights, tokenizer). */
  readonly layout: ModelLayout;
  /** What the server loads: the file for `file` models, the directory for `directory` models. */
  readonly modelPath: string;
  /** The model's size on disk in bytes, when declared (`model.size`); sizes startup budgets. */
  readonly sizeBytes?: number;
  /**
   * What the server loads, in bytes, when declared: `sizeBytes`, or half of it for a tarball (whose declared
   * size covers the archive and its extracted content). Sizes the host-memory load check.
   */
  readonly contentBytes?: number;
}

/** Whether a model is one file or a directory of files. */
export type ModelLayout = 'file' | 'directory';
