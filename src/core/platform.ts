import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

/** A node taint that keeps ordinary pods off accelerator nodes. */
export interface AcceleratorTaint {
  /** @default 'nvidia.com/gpu' */
  readonly key: string;
  /** @default - tolerate any value (operator Exists) */
  readonly value?: string;
  /** @default 'NoSchedule' */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Platform-wide defaults for workload monitoring (scrape targets, alert rules, runbook links). */
export interface MonitoringDefaults {
  /**
   * Monitor every workload that does not set `monitoring: false`.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Labels on every ServiceMonitor, PodMonitor and PrometheusRule, so the Prometheus selects them
   * (e.g. `{ release: 'kube-prometheus-stack' }`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Where the generated RUNBOOK.md is published; `runbook_url` annotations point at `<runbookUrl>#<anchor>`.
   * @default 'RUNBOOK.md'
   */
  readonly runbookUrl?: string;
  /**
   * How often Prometheus scrapes workload metrics.
   * @default Duration.seconds(30)
   */
  readonly scrapeInterval?: Duration;
}

/** The kinds of workload a platform may give different defaults. */
export type WorkloadKind = 'serving' | 'batch' | 'training' | 'queue';

/**
 * Conventions a platform team sets once for every workload below a scope.
 * Every workload construct reads them through {@link Platform.of}; nothing else hard-codes them.
 */
export interface PlatformConventions {
  /**
   * Node label every accelerator node carries; GPU pods select `<label>: "true"`.
   * @default 'nvidia.com/gpu.present' (NVIDIA GPU feature discovery)
   */
  readonly acceleratorNodeLabel?: string;
  /**
   * Node label naming the accelerator model; used when an accelerator asks for a `product`.
   * @default 'nvidia.com/gpu.product'
   */
  readonly acceleratorProductLabel?: string;
  /**
   * The taint on accelerator nodes that GPU pods tolerate (and CPU pods never do).
   * @default { key: 'nvidia.com/gpu', effect: 'NoSchedule' }
   */
  readonly acceleratorTaint?: AcceleratorTaint;
  /**
   * Registries images may come from (`registry.example.com`, `registry.example.com/team`).
   * @default - any registry
   */
  readonly allowedRegistries?: string[];
  /**
   * Require images pinned by digest (`image@sha256:...`), not only by tag.
   * @default false
   */
  readonly requireImageDigest?: boolean;
  /**
   * Labels every workload must carry (e.g. `team`, `cost-center`); a workload missing one is an error.
   * @default - none
   */
  readonly requiredLabels?: string[];
  /**
   * Labels put on every object (e.g. `{ team: 'search', 'cost-center': 'cc-42' }`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Default PriorityClass per workload kind.
   * @default - none
   */
  readonly priorityClasses?: Partial<Record<WorkloadKind, string>>;
  /**
   * Image pull secrets every pod gets.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Monitoring defaults; `enabled: true` turns monitoring on for every workload below the scope.
   * @default - monitoring off unless a workload opts in
   */
  readonly monitoring?: MonitoringDefaults;
}

/** Conventions with every default filled in. */
export interface ResolvedPlatform {
  readonly acceleratorNodeLabel: string;
  readonly acceleratorProductLabel: string;
  readonly acceleratorTaint: Required<Omit<AcceleratorTaint, 'value'>> & { readonly value?: string };
  readonly allowedRegistries: string[];
  readonly requireImageDigest: boolean;
  readonly requiredLabels: string[];
  readonly labels: Record<string, string>;
  readonly priorityClasses: Partial<Record<WorkloadKind, string>>;
  readonly imagePullSecrets: string[];
  readonly monitoring: Required<MonitoringDefaults>;
}

const DEFAULTS: ResolvedPlatform = {
  acceleratorNodeLabel: 'nvidia.com/gpu.present',
  acceleratorProductLabel: 'nvidia.com/gpu.product',
  acceleratorTaint: { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
  allowedRegistries: [],
  requireImageDigest: false,
  requiredLabels: [],
  labels: {},
  priorityClasses: {},
  imagePullSecrets: [],
  monitoring: { enabled: false, labels: {}, runbookUrl: 'RUNBOOK.md', scrapeInterval: Duration.seconds(30) },
};

const conventions = new WeakMap<IConstruct, PlatformConventions>();

/** The one place workload constructs read platform conventions from. */
export class Platform {
  /** Sets conventions for everything below `scope` (an App, a Chart or any construct). Nearer scopes win per field. */
  public static configure(scope: IConstruct, props: PlatformConventions): void {
    conventions.set(scope, { ...conventions.get(scope), ...props });
  }

  /** The conventions in force at `scope`: the nearest scope's value for each field, else the default. */
  public static of(scope: IConstruct): ResolvedPlatform {
    let resolved: PlatformConventions = {};
    for (const s of [...scope.node.scopes].reverse()) {
      const c = conventions.get(s);
      if (c) resolved = { ...c, ...stripUndefined(resolved) };
    }
    const r = { ...DEFAULTS, ...stripUndefined(resolved) } as ResolvedPlatform;
    return {
      ...r,
      acceleratorTaint: { ...DEFAULTS.acceleratorTaint, ...r.acceleratorTaint },
      monitoring: { ...DEFAULTS.monitoring, ...stripUndefined(r.monitoring) },
    };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
