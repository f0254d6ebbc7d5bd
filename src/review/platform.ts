/** What the reviewer assumes about the cluster the manifests go to (set in `.cdk8s-ml-review.yaml`). */
import type { ResolvedPlatform } from '../core/platform-conventions';

/** Platform assumptions of a review. */
export interface PlatformAssumptions {
  /**
   * Node-selector (or required node-affinity) label keys that make the platform add the accelerator
   * toleration itself; a key ending in `*` is a prefix. GKE adds it for its accelerator and TPU labels.
   * @default ['cloud.google.com/gke-accelerator', 'cloud.google.com/gke-tpu-*']
   */
  readonly autoTolerationSelectors?: readonly string[];
  /**
   * Whether an admission plugin (e.g. ExtendedResourceToleration) adds a toleration to every pod
   * requesting an accelerator, so manifests need none.
   * @default false
   */
  readonly admissionAddsAcceleratorTolerations?: boolean;
  /**
   * Registries (or registry/path prefixes) images may come from; an image from elsewhere is a finding.
   * @default - any registry
   */
  readonly allowedRegistries?: readonly string[];
  /**
   * Extended resource names counted as accelerators, besides the built-in pattern (names containing
   * `gpu`, MIG profiles, TPU, Neuron and Gaudi devices).
   * @default []
   */
  readonly acceleratorResources?: readonly string[];
}

/** {@link PlatformAssumptions} with every default applied. */
export type ReviewPlatform = Required<Omit<PlatformAssumptions, 'allowedRegistries'>> & Pick<PlatformAssumptions, 'allowedRegistries'>;

/** The defaults: a GKE-aware cluster without an admission plugin adding tolerations. */
export const DEFAULT_PLATFORM: ReviewPlatform = Object.freeze({
  autoTolerationSelectors: Object.freeze(['cloud.google.com/gke-accelerator', 'cloud.google.com/gke-tpu-*']),
  admissionAddsAcceleratorTolerations: false,
  acceleratorResources: Object.freeze([]),
});

/** Applies the defaults to partial assumptions. */
export function resolvePlatform(platform: PlatformAssumptions = {}): ReviewPlatform {
  return {
    autoTolerationSelectors: platform.autoTolerationSelectors ?? DEFAULT_PLATFORM.autoTolerationSelectors,
    admissionAddsAcceleratorTolerations: platform.admissionAddsAcceleratorTolerations ?? false,
    acceleratorResources: platform.acceleratorResources ?? [],
    ...(platform.allowedRegistries ? { allowedRegistries: platform.allowedRegistries } : {}),
  };
}

/** Whether `key` matches one of `patterns` (exact, or prefix for patterns ending in `*`). */
export function matchesKeyPattern(key: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p));
}

/**
 * File `MlApp` writes to its reports folder when `cdk8s synth` runs validations: the app's platform
 * assumptions, which the validation plugin reads by default (it sees only the manifests otherwise).
 */
export const APP_PLATFORM_FILE = 'cdk8s-ml-platform.json';

/** What the review engine takes from the app's `Platform` conventions: the allowed registries. */
export function assumptionsFromPlatform(platform: ResolvedPlatform): PlatformAssumptions {
  return platform.allowedRegistries.length ? { allowedRegistries: [...platform.allowedRegistries] } : {};
}
