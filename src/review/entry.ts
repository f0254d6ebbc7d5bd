/*
 * The review engine's entry points the library exports, with the engine (its rules) and the manifest loader (the
 * YAML parser) loaded on first use: loading the library does not pay for a review the app may never run.
 */
import type { CollectOptions, LoadResult } from './load';
import type { ReviewOptions, ReviewReport } from './types';

/** The review engine, loaded on first use. */
export function engine(): typeof import('./engine') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./engine');
}

/** The manifest loader and its YAML parser, loaded on first use. */
export function loader(): typeof import('./load') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./load');
}

/**
 * Reviews plain Kubernetes objects (parsed YAML/JSON). Never throws for odd input: values that are
 * not Kubernetes objects are reported as `ML000` findings. `List` kinds are expanded.
 * Throws only for invalid `options` (unknown rule ids, invalid severities).
 */
export function review(objects: readonly unknown[], options: ReviewOptions = {}): ReviewReport {
  return engine().review(objects, options);
}

/**
 * Reads and parses manifest files and folders: folders are walked recursively for `*.yaml`, `*.yml` and `*.json`
 * (hidden entries and `kustomization.yaml` skipped, symlinks followed only inside the folder); unreadable files
 * become findings.
 */
export function loadManifests(paths: readonly string[], options: CollectOptions = {}): LoadResult {
  return loader().loadManifests(paths, options);
}
