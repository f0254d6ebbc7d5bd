import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check, formatValue, invalidProp } from './errors';
import { registryEntryProblem, requireImmutableImage, requirePullSecretNames, scopeLabel } from './image';
import { DEFAULT_RUN_AS_ID } from './security';
import { NEWEST_KUBERNETES_VERSION, requireKubernetesVersion } from './facts/kubernetes';
import { DEFAULT_DOWNLOAD_MIBPS } from './download-budget';
import { ADDON_VERSIONS, requireAddonVersions } from './facts/addons';
import { requireQuantity } from './quantity';
import { DEFAULT_MODEL_FETCHER_IMAGE, PlatformConfigureOptions, PlatformConventions, ResolvedPlatform } from './platform-conventions';
import { requirePlatformSettings } from './platform-validation';

const DEFAULTS: ResolvedPlatform = {
  acceleratorNodeLabel: 'nvidia.com/gpu.present',
  acceleratorProductLabel: 'nvidia.com/gpu.product',
  acceleratorTaint: { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
  allowedRegistries: [],
  requireImageDigest: false,
  requiredLabels: [],
  labels: {},
  priorityClasses: {},
  trainingEngine: 'job',
  imagePullSecrets: [],
  registryPullSecrets: {},
  imagePullPolicy: 'Always',
  monitoring: {
    enabled: false,
    labels: {},
    runbookUrl: 'RUNBOOK.md',
    scrapeInterval: Duration.seconds(30),
    alertsCoveredBy: 'none',
    alertLabels: {},
    teamLabel: 'team',
    runbook: 'inline',
    scrapeFrom: [{ namespace: 'monitoring' }],
  },
  runAs: {},
  modelFetcher: { image: DEFAULT_MODEL_FETCHER_IMAGE, runAsUser: DEFAULT_RUN_AS_ID, runAsGroup: DEFAULT_RUN_AS_ID },
  kubernetesVersion: NEWEST_KUBERNETES_VERSION,
  nodePools: [],
  downloadBandwidthMiBps: DEFAULT_DOWNLOAD_MIBPS,
  modelCacheStorage: { readWriteMany: false },
  addons: ADDON_VERSIONS,
  maxPerPodDownload: '10Gi',
  kueue: false,
  dns: { pods: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }, cidrs: [] },
  locked: {},
};

const conventions = new WeakMap<IConstruct, PlatformConventions>();
const locks = new WeakMap<IConstruct, (keyof PlatformConventions)[]>();
/** Bumped by every `configure`: resolved platforms computed before are stale. */
let configured = 0;
/** The resolved platform below each configured scope (the app when none is), while `configured` is unchanged. */
const resolvedBelow = new WeakMap<IConstruct, { readonly configured: number; readonly platform: ResolvedPlatform }>();

/** The one place workload constructs read platform conventions from. */
export class Platform {
  /** Sets conventions for everything below `scope` (an App, a Chart or any construct). Nearer scopes win per field. */
  public static configure(scope: IConstruct, props: PlatformConventions, options: PlatformConfigureOptions = {}): void {
    const current = Platform.of(scope);
    if (props.kubernetesVersion !== undefined) requireKubernetesVersion(scope, 'platform kubernetesVersion', props.kubernetesVersion);
    requirePlatformSettings(scope, props);
    if (props.addons !== undefined) requireAddonVersions(scope, props.addons);
    check(
      props.downloadBandwidthMiBps === undefined || (Number.isFinite(props.downloadBandwidthMiBps) && props.downloadBandwidthMiBps > 0),
      scope,
      {
        field: 'platform downloadBandwidthMiBps',
        value: props.downloadBandwidthMiBps,
        problem: 'is not a positive number',
        fix: 'declare the sustained bandwidth from the model store to a pod, e.g. 100 (MiB/s)',
      },
    );
    check(props.imagePullPolicy === undefined || ['Always', 'IfNotPresent'].includes(props.imagePullPolicy), scope, {
      field: 'platform imagePullPolicy',
      value: props.imagePullPolicy,
      problem: "is not 'Always' or 'IfNotPresent'",
      fix: "use 'Always' (the default) or 'IfNotPresent' for air-gapped mirrors ('Never' would need every image preloaded on every node)",
    });
    requireNoReaderBelow(scope, props);
    (props.allowedRegistries ?? []).forEach((entry, i) => {
      const corrected = registryEntryProblem(entry);
      check(corrected === undefined, scope, {
        field: `platform allowedRegistries[${i}]`,
        value: entry,
        problem: "names no registry host (no '.', ':' or localhost in its first part), so no image ever matches it",
        fix: `write the registry first, e.g. '${corrected}' for Docker Hub (images are matched as <registry>/<repository>) or 'registry.example.com/${entry}'`,
      });
    });
    if (props.imagePullSecrets !== undefined) requirePullSecretNames(scope, 'platform imagePullSecrets', props.imagePullSecrets);
    if (props.maxPerPodDownload !== undefined) requireQuantity(scope, 'platform maxPerPodDownload', props.maxPerPodDownload, '10Gi');
    if (props.registryPullSecrets !== undefined) requireRegistryPullSecrets(scope, props.registryPullSecrets);
    for (const key of Object.keys(props) as (keyof PlatformConventions)[]) {
      const owner = current.locked[key];
      if (
        owner !== undefined &&
        owner !== scope.node.path &&
        JSON.stringify(props[key]) !== JSON.stringify(current[key as keyof ResolvedPlatform])
      ) {
        invalidProp(scope, {
          field: `platform ${key}`,
          value: props[key],
          problem: `is locked by Platform.configure at ${scopeLabel(owner)} (locked: ['${key}'])`,
          fix: `keep the platform's value (${formatValue(current[key as keyof ResolvedPlatform])}), or ask the platform team to remove '${key}' from locked there`,
        });
      }
    }
    configured++;
    conventions.set(scope, { ...conventions.get(scope), ...props });
    if (options.locked) locks.set(scope, [...(locks.get(scope) ?? []), ...options.locked]);
    if (props.modelFetcher !== undefined)
      requireImmutableImage(scope, 'platform modelFetcher.image', props.modelFetcher.image, Platform.of(scope));
  }

  /** Throws when a workload prop overrides a convention the platform locked. @internal */
  public static requireOverridable(
    scope: IConstruct,
    convention: keyof PlatformConventions,
    field: string,
    value: unknown,
    platformValue: unknown,
  ): void {
    const owner = Platform.of(scope).locked[convention];
    if (owner === undefined || value === undefined || value === platformValue) return;
    invalidProp(scope, {
      field,
      value,
      problem: `overrides the platform's ${convention}, which Platform.configure at ${scopeLabel(owner)} locked`,
      fix: `remove ${field} to inherit ${formatValue(platformValue)}, or ask the platform team to remove '${convention}' from locked there`,
    });
  }

  /** The conventions in force at `scope`: the nearest scope's value for each field, else the default. */
  public static of(scope: IConstruct): ResolvedPlatform {
    // Only configured scopes contribute, so every scope below the innermost one shares its result.
    const scopes = scope.node.scopes;
    let innermost = scopes[0];
    for (const s of scopes) if (conventions.has(s) || locks.has(s)) innermost = s;
    const cached = resolvedBelow.get(innermost);
    if (cached?.configured === configured) return cached.platform;
    const platform = Object.freeze(resolvePlatform(scopes));
    resolvedBelow.set(innermost, { configured, platform });
    return platform;
  }
}

/** Constructs that applied the conventions when they were created (workloads, namespaces), and how many per app. */
const readers = new WeakSet<IConstruct>();
const readersPerApp = new WeakMap<IConstruct, number>();

/**
 * Records that `scope` applied the platform's conventions when it was created: a later
 * `Platform.configure` of a scope above it would not reach it, and is an error.
 */
export function markPlatformApplied(scope: IConstruct): void {
  if (readers.has(scope)) return;
  readers.add(scope);
  const root = scope.node.root;
  readersPerApp.set(root, (readersPerApp.get(root) ?? 0) + 1);
}

/** Throws when a construct below `scope` already applied the conventions that `props` would change. */
function requireNoReaderBelow(scope: IConstruct, props: PlatformConventions): void {
  if (!readersPerApp.get(scope.node.root)) return;
  const reader = scope.node.findAll().find((c) => readers.has(c));
  if (!reader) return;
  invalidProp(scope, {
    field: 'Platform.configure',
    value: Object.keys(props),
    problem: `comes after ${reader.constructor.name} '${reader.node.path}' was created below this scope; constructs apply the conventions when they are created, so it would never see these`,
    fix: `call Platform.configure(${scope.node.path === '' ? 'app' : `'${scope.node.path}'`}, ...) before creating the workloads below it (e.g. first thing after new MlApp())`,
  });
}

function resolvePlatform(scopes: IConstruct[]): ResolvedPlatform {
  let resolved: PlatformConventions = {};
  const locked: Partial<Record<keyof PlatformConventions, string>> = {};
  for (const s of scopes) {
    const c = conventions.get(s);
    if (c) resolved = { ...resolved, ...stripUndefined(c), labels: { ...resolved.labels, ...c.labels } };
    for (const key of locks.get(s) ?? []) locked[key] ??= s.node.path;
  }
  const r = { ...DEFAULTS, ...stripUndefined(resolved) } as ResolvedPlatform;
  return {
    ...r,
    acceleratorTaint: { ...DEFAULTS.acceleratorTaint, ...r.acceleratorTaint },
    monitoring: { ...DEFAULTS.monitoring, ...stripUndefined(r.monitoring) },
    modelFetcher: { ...DEFAULTS.modelFetcher, ...stripUndefined(r.modelFetcher) },
    dns: { ...DEFAULTS.dns, ...stripUndefined(r.dns) },
    addons: { ...DEFAULTS.addons, ...stripUndefined(r.addons) },
    locked,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Registries as `host[:port][/path]` and valid Secret names. */
function requireRegistryPullSecrets(scope: IConstruct, registries: Record<string, string>): void {
  for (const [registry, secret] of Object.entries(registries)) {
    check(
      /^[A-Za-z0-9.-]+(:\d{1,5})?(\/[a-z0-9._/-]+)?$/.test(registry) &&
        (registry.includes('.') || registry.includes(':') || registry.startsWith('localhost')),
      scope,
      {
        field: 'platform registryPullSecrets',
        value: registry,
        problem: 'is not a registry host (with an optional port and path prefix)',
        fix: "use the registry as images name it, e.g. 'registry.example.com' or 'docker.io/myorg'",
      },
    );
    requirePullSecretNames(scope, `platform registryPullSecrets['${registry}']`, [secret]);
  }
}

/** The conventions configured at `scope` and each scope above it, nearest first (to name a setting in errors). */
export function configuredConventions(scope: IConstruct): { readonly scope: IConstruct; readonly conventions: PlatformConventions }[] {
  return scope.node.scopes
    .filter((s) => conventions.has(s))
    .reverse()
    .map((s) => ({ scope: s, conventions: conventions.get(s)! }));
}
