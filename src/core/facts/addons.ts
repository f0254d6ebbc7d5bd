import { IConstruct } from 'constructs';
import { check } from '../errors';

/** Versions of the add-ons the target clusters run, as `v<major>.<minor>.<patch>` or `<major>.<minor>`. */
export interface AddonVersions {
  /** kubernetes-sigs/jobset. @default 'v0.12.0' */
  readonly jobSet?: string;
  /** kubernetes-sigs/lws (LeaderWorkerSet). @default 'v0.10.0' */
  readonly leaderWorkerSet?: string;
  /** kubernetes-sigs/gateway-api-inference-extension (InferencePool). @default 'v1.6.0' */
  readonly inferenceExtension?: string;
  /** kedacore/keda. @default 'v2.20.2' */
  readonly keda?: string;
}

/** The add-on versions the library is tested with (the CRDs it imports and validates against). */
export const ADDON_VERSIONS: Required<AddonVersions> = {
  jobSet: 'v0.12.0',
  leaderWorkerSet: 'v0.10.0',
  inferenceExtension: 'v1.6.0',
  keda: 'v2.20.2',
};

/** Oldest version of each add-on the library renders for at all (its API group and version exist). */
const OLDEST: Required<AddonVersions> = {
  jobSet: 'v0.2.0',
  leaderWorkerSet: 'v0.3.0',
  inferenceExtension: 'v1.0.0',
  keda: 'v2.5.0',
};

/** An add-on field and the first release that has it. */
export interface AddonFeatureInfo {
  /** The add-on whose version decides. */
  readonly addon: keyof AddonVersions;
  /** Where it lives in the manifest. */
  readonly field: string;
  /** First release with the field. */
  readonly since: string;
  /** What older versions get instead. */
  readonly olderTargets: string;
  /** Where `since` was read: the file whose first tagged version containing the field is `since`. */
  readonly source: string;
}

/**
 * Every add-on field whose presence depends on the add-on's version. `since` is the first tag of the
 * upstream repository whose API types contain the field (git tags walked in order, types file grepped).
 */
export const ADDON_FEATURES = {
  'jobset.failurePolicy.rules': {
    addon: 'jobSet',
    field: 'JobSet spec.failurePolicy.rules[].onJobFailureReasons, actions FailJobSet/RestartJobSet/RestartJobSetAndIgnoreMaxRestarts',
    since: 'v0.6.0',
    olderTargets: 'an error at synth (no way to tell a disruption from an application error)',
    source: 'kubernetes-sigs/jobset api/jobset/v1alpha2/jobset_types.go',
  },
  'jobset.onJobFailureMessagePatterns': {
    addon: 'jobSet',
    field: 'JobSet spec.failurePolicy.rules[].onJobFailureMessagePatterns',
    since: 'v0.10.0',
    olderTargets: 'an error at synth for a run that is not elastic (a disruption and an application error have the same reason)',
    source: 'kubernetes-sigs/jobset api/jobset/v1alpha2/jobset_types.go',
  },
  'jobset.blockingRecreate': {
    addon: 'jobSet',
    field: 'JobSet spec.failurePolicy.restartStrategy: BlockingRecreate',
    since: 'v0.7.0',
    olderTargets: 'left out (Recreate: new pods may start while old ones still terminate)',
    source: 'kubernetes-sigs/jobset api/jobset/v1alpha2/jobset_types.go',
  },
  'jobset.publishNotReadyAddresses': {
    addon: 'jobSet',
    field: 'JobSet spec.network.publishNotReadyAddresses',
    since: 'v0.6.0',
    olderTargets: 'left out (workers resolve each other once ready)',
    source: 'kubernetes-sigs/jobset api/jobset/v1alpha2/jobset_types.go',
  },
  'jobset.ttlSecondsAfterFinished': {
    addon: 'jobSet',
    field: 'JobSet spec.ttlSecondsAfterFinished',
    since: 'v0.5.0',
    olderTargets: 'left out (finished JobSets stay until deleted)',
    source: 'kubernetes-sigs/jobset api/jobset/v1alpha2/jobset_types.go',
  },
  'lws.startupPolicy': {
    addon: 'leaderWorkerSet',
    field: 'LeaderWorkerSet spec.startupPolicy, rolloutStrategy.rollingUpdateConfiguration.maxSurge',
    since: 'v0.3.0',
    olderTargets: 'n/a (the oldest supported version)',
    source: 'kubernetes-sigs/lws api/leaderworkerset/v1/leaderworkerset_types.go',
  },
  'lws.groupSizeEnv': {
    addon: 'leaderWorkerSet',
    field: 'LWS_GROUP_SIZE in every pod',
    since: 'v0.4.0',
    olderTargets: 'an error at synth (the leader cannot tell when the group is complete)',
    source: 'kubernetes-sigs/lws api/leaderworkerset/v1/leaderworkerset_types.go',
  },
  'gie.appProtocol': {
    addon: 'inferenceExtension',
    field: 'InferencePool spec.appProtocol',
    since: 'v1.4.0',
    olderTargets: 'left out for HTTP/1.1 (the default); an error for kubernetes.io/h2c',
    source: 'kubernetes-sigs/gateway-api-inference-extension api/v1/inferencepool_types.go',
  },
  'keda.useCachedMetrics': {
    addon: 'keda',
    field: 'ScaledObject spec.triggers[].useCachedMetrics',
    since: 'v2.9.0',
    olderTargets: 'an error at synth for a trigger that asks for it',
    source: 'kedacore/keda apis/keda/v1alpha1/scaledobject_types.go',
  },
  'keda.initialCooldownPeriod': {
    addon: 'keda',
    field: 'ScaledObject spec.initialCooldownPeriod',
    since: 'v2.14.0',
    olderTargets: 'an error at synth when set',
    source: 'kedacore/keda apis/keda/v1alpha1/scaledobject_types.go',
  },
  'keda.metricType': {
    addon: 'keda',
    field: 'ScaledObject spec.triggers[].metricType',
    since: 'v2.7.0',
    olderTargets: 'an error at synth when set (the LLM queue trigger sets AverageValue)',
    source: 'kedacore/keda apis/keda/v1alpha1/scaledobject_types.go',
  },
} as const satisfies Record<string, AddonFeatureInfo>;

/** An add-on field whose use depends on the add-on's version. */
export type AddonFeature = keyof typeof ADDON_FEATURES;

/** `v0.10.1`, `0.10`, `v2.20` → [major, minor, patch]; anything else → undefined. */
export function parseAddonVersion(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(typeof v === 'string' ? v.trim() : '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** True when version `a` is at least `b`. */
export function versionAtLeast(a: string, b: string): boolean {
  const x = parseAddonVersion(a)!;
  const y = parseAddonVersion(b)!;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return true;
}

/** True when `versions` (the platform's resolved add-on versions) have `feature`. */
export function addonVersionSupports(versions: Required<AddonVersions>, feature: AddonFeature): boolean {
  const info: AddonFeatureInfo = ADDON_FEATURES[feature];
  return versionAtLeast(versions[info.addon], info.since);
}

/** Throws unless every stated add-on version parses and is one the library can render for. */
export function requireAddonVersions(scope: IConstruct, versions: AddonVersions): void {
  for (const [addon, version] of Object.entries(versions) as [keyof AddonVersions, string | undefined][]) {
    if (version === undefined) continue;
    check(ADDON_VERSIONS[addon] !== undefined, scope, {
      field: `platform addons.${addon}`,
      value: version,
      problem: 'is not an add-on the library knows',
      fix: `state one of ${Object.keys(ADDON_VERSIONS).join(', ')}`,
    });
    const parsed = parseAddonVersion(version);
    check(parsed !== undefined && versionAtLeast(version, OLDEST[addon]), scope, {
      field: `platform addons.${addon}`,
      value: version,
      problem: parsed
        ? `is older than ${OLDEST[addon]}, the oldest release the library renders for`
        : 'is not a version (v<major>.<minor>.<patch>)',
      fix: `upgrade the add-on, or state its version as e.g. '${ADDON_VERSIONS[addon]}'`,
    });
  }
}
