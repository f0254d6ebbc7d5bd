import { IConstruct } from 'constructs';
import { check } from '../errors';

/*
 * The Kubernetes releases the output can target and the version-dependent fields the constructs emit,
 * each with the release where it is on by default. `kube-version.ts` answers them for a scope's platform.
 */

/** Kubernetes minor versions the output can target, oldest first (each has a vendored schema in test/schemas/kubernetes). */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.26', '1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34'] as const;

/** A supported target, as `1.<minor>`. */
export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

/** The oldest supported target. */
export const OLDEST_KUBERNETES_VERSION: KubernetesVersion = SUPPORTED_KUBERNETES_VERSIONS[0];
/** The newest supported target, and the default. */
export const NEWEST_KUBERNETES_VERSION: KubernetesVersion = SUPPORTED_KUBERNETES_VERSIONS[SUPPORTED_KUBERNETES_VERSIONS.length - 1];

/** A field whose use depends on the target version. */
export interface KubeFeatureInfo {
  /** Where it lives in the manifest. */
  readonly field: string;
  /** First minor version where it is on by default (beta or GA), as `1.<minor>`. */
  readonly since: string;
  /** Its graduation history, for the README table. */
  readonly stages: string;
  /** What targets older than `since` get instead. */
  readonly olderTargets: string;
}

/**
 * Every version-dependent field a construct may emit. A field counts from the first release where it is
 * on by default (beta or GA): an alpha field passes validation but the API server drops it silently
 * while its feature gate is off, which is worse than leaving it out.
 */
export const KUBE_FEATURES = {
  'cronjob.timeZone': {
    field: 'CronJob spec.timeZone',
    since: '1.25',
    stages: 'alpha 1.24, beta 1.25, GA 1.27',
    olderTargets: 'n/a (every supported target has it)',
  },
  'job.podFailurePolicy': {
    field: 'Job spec.podFailurePolicy',
    since: '1.26',
    stages: 'alpha 1.25, beta 1.26, GA 1.31',
    olderTargets: 'n/a (every supported target has it)',
  },
  'pdb.unhealthyPodEvictionPolicy': {
    field: 'PodDisruptionBudget spec.unhealthyPodEvictionPolicy',
    since: '1.27',
    stages: 'alpha 1.26, beta 1.27, GA 1.31',
    olderTargets: 'left out: a pod that never becomes ready counts against the budget, so a drain waits for it (IfHealthyBudget)',
  },
  'topologySpread.matchLabelKeys': {
    field: 'topologySpreadConstraints matchLabelKeys',
    since: '1.27',
    stages: 'alpha 1.25, beta 1.27, GA 1.34',
    olderTargets: "left out: a rollout's new pods spread together with the old revision's (the constraints are ScheduleAnyway)",
  },
  'statefulset.startOrdinal': {
    field: 'StatefulSet spec.ordinals.start (LeaderWorkerSet v0.10.0 numbers the workers of a group from 1 with it)',
    since: '1.27',
    stages: 'alpha 1.26, beta 1.27, GA 1.31',
    olderTargets: 'an error at synth for MultiHostInference (LeaderWorkerSet refuses to run its groups without it)',
  },
  'job.podReplacementPolicy': {
    field: 'Job spec.podReplacementPolicy',
    since: '1.29',
    stages: 'alpha 1.28, beta 1.29, GA 1.34',
    olderTargets: 'left out: a replacement pod may start while the old one is still terminating',
  },
  'job.backoffLimitPerIndex': {
    field: 'Job spec.backoffLimitPerIndex, spec.maxFailedIndexes, podFailurePolicy action FailIndex',
    since: '1.29',
    stages: 'alpha 1.28, beta 1.29, GA 1.33',
    olderTargets: 'a Job-wide backoffLimit of backoffLimitPerIndex × completions; FailIndex becomes FailJob; no maxFailedIndexes',
  },
  'pod.sidecarContainers': {
    field: 'init container restartPolicy: Always (native sidecar)',
    since: '1.29',
    stages: 'alpha 1.28, beta 1.29, GA 1.33',
    olderTargets: 'an error at synth for a construct that needs a sidecar (no equivalent that lets a Job finish)',
  },
  'lifecycle.sleep': {
    field: 'container lifecycle preStop.sleep',
    since: '1.30',
    stages: 'alpha 1.29, beta 1.30, GA 1.34',
    olderTargets: 'preStop exec `sleep <seconds>` (the image needs a sleep binary)',
  },
  'job.successPolicy': {
    field: 'Job spec.successPolicy',
    since: '1.31',
    stages: 'alpha 1.30, beta 1.31, GA 1.33',
    olderTargets: 'an error at synth for a construct that asks for one (every index must succeed)',
  },
  'job.managedBy': {
    field: 'Job spec.managedBy',
    since: '1.32',
    stages: 'alpha 1.30, beta 1.32, GA 1.35',
    olderTargets: 'an error at synth for a construct that asks for one',
  },
} as const satisfies Record<string, KubeFeatureInfo>;

/** A version-dependent field, e.g. `job.podReplacementPolicy`. */
export type KubeFeature = keyof typeof KUBE_FEATURES;

/** `1.30`, `v1.30`, `1.30.2` → 30; anything else → undefined. */
function minorOf(version: string): number | undefined {
  const m = /^v?1\.(\d{1,2})(?:\.\d+)?$/.exec(typeof version === 'string' ? version.trim() : '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Normalizes a target version (`1.30`, `v1.30`, `1.30.2`) to `1.<minor>`, or throws naming the supported range.
 */
export function requireKubernetesVersion(scope: IConstruct, field: string, version: string): KubernetesVersion {
  const minor = minorOf(version);
  const normalized = minor === undefined ? undefined : `1.${minor}`;
  check(normalized !== undefined && (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(normalized), scope, {
    field,
    value: version,
    problem:
      minor === undefined
        ? 'is not a Kubernetes version'
        : `is outside the supported range ${OLDEST_KUBERNETES_VERSION}-${NEWEST_KUBERNETES_VERSION}`,
    fix: `use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')} (the control plane's minor version, e.g. '1.30')`,
  });
  return normalized as KubernetesVersion;
}

/** True when `version` (`1.<minor>`) has `feature` on by default. */
export function versionSupports(version: string, feature: KubeFeature): boolean {
  return (minorOf(version) ?? 0) >= minorOf(KUBE_FEATURES[feature].since)!;
}
