import { Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { downloadBudget } from './download-budget';
import { requireWholeNumber, requireWholeSeconds } from './durations';
import { check } from './errors';
import { requireLabels } from './names';
import { parseQuantity } from './quantity';
import { MlResourceProps } from './resources';
import { MAX_INT32, isMetricName } from './validation/strings';

/** What a HorizontalPodAutoscaler scales on. */
export class ScalingMetric {
  /** Average CPU utilization, as a percentage of the CPU request. */
  public static cpuUtilization(percent: number): ScalingMetric {
    return new ScalingMetric(
      'cpu',
      `cpuUtilization`,
      percent,
      () => plus.Metric.resourceCpu(plus.MetricTarget.averageUtilization(percent)),
      true,
    );
  }

  /** Average memory utilization, as a percentage of the memory request. */
  public static memoryUtilization(percent: number): ScalingMetric {
    return new ScalingMetric(
      'memory',
      'memoryUtilization',
      percent,
      () => plus.Metric.resourceMemory(plus.MetricTarget.averageUtilization(percent)),
      true,
    );
  }

  /** A per-pod custom metric averaged over pods, e.g. in-flight requests or queue time. */
  public static podsAverage(metricName: string, averageValue: number): ScalingMetric {
    return new ScalingMetric(
      'pods',
      `podsAverage(${metricName})`,
      averageValue,
      () => plus.Metric.pods({ name: metricName, target: plus.MetricTarget.averageValue(averageValue) }),
      false,
      metricName,
    );
  }

  /** A metric describing another object (e.g. requests per second on an Ingress). */
  public static object(
    metricName: string,
    describedObject: { readonly apiVersion: string; readonly kind: string; readonly name: string },
    value: number,
  ): ScalingMetric {
    const object = {
      ...describedObject,
      apiGroup: describedObject.apiVersion.split('/')[0],
      resourceType: describedObject.kind.toLowerCase(),
      resourceName: describedObject.name,
    } as unknown as plus.IResource;
    return new ScalingMetric(
      'object',
      `object(${metricName})`,
      value,
      () => plus.Metric.object({ object, name: metricName, target: plus.MetricTarget.value(value) }),
      false,
      metricName,
    );
  }

  /** A metric from outside the cluster (e.g. a queue length), averaged per pod. */
  public static external(metricName: string, averageValue: number, matchLabels?: Record<string, string>): ScalingMetric {
    return new ScalingMetric(
      'external',
      `external(${metricName})`,
      averageValue,
      () =>
        plus.Metric.external({
          name: metricName,
          target: plus.MetricTarget.averageValue(averageValue),
          labelSelector: matchLabels ? plus.LabelSelector.of({ labels: matchLabels }) : undefined,
        }),
      false,
      metricName,
      matchLabels,
    );
  }

  private constructor(
    /** `cpu`, `memory`, `pods`, `object` or `external`. */
    public readonly type: 'cpu' | 'memory' | 'pods' | 'object' | 'external',
    private readonly label: string,
    private readonly target: number,
    private readonly build: () => plus.Metric,
    private readonly percentage = false,
    private readonly metricName?: string,
    private readonly matchLabels?: Record<string, string>,
  ) {}

  /**
   * Throws when a utilization target can never be reached under the pod's limits. The HPA measures
   * utilization against the request and scales up only above target × 1.1 (its 10 % tolerance), while
   * usage stops at the limit (CPU throttled, memory OOM-killed): a target at or above
   * (limit / request × 100) / 1.1 never scales. `ceilings` are limit / request × 100 per resource
   * (undefined: no limit, no ceiling).
   * @internal
   */
  public requireReachable(scope: IConstruct, field: string, ceilings: { readonly cpu?: number; readonly memory?: number }): void {
    if (!this.percentage || (this.type !== 'cpu' && this.type !== 'memory')) return;
    const ceiling = ceilings[this.type];
    if (ceiling === undefined) return;
    const highest = Math.ceil(ceiling / 1.1) - 1;
    check(this.target * 1.1 < ceiling, scope, {
      field: `${field} ${this.label}`,
      value: this.target,
      problem: `can never be reached: ${this.type} usage stops at its limit, ${Math.round(ceiling)} % of the request, and the autoscaler adds pods only above ${Math.round(this.target * 1.1)} % (target + 10 % tolerance)`,
      fix: `use a target of at most ${highest}, or raise the ${this.type} limit above the request`,
    });
  }

  /** Validates the target and returns the cdk8s-plus metric. @internal */
  public toPlus(scope: IConstruct, field: string): plus.Metric {
    check(this.metricName === undefined || isMetricName(this.metricName), scope, {
      field: `${field} ${this.label}`,
      value: this.metricName,
      problem: "is not a metric name the autoscaling API accepts (no '/', '%', spaces, '.' or '..')",
      fix: "use the metric's name as the metrics adapter exposes it, e.g. 'inflight_requests'",
    });
    if (this.matchLabels) requireLabels(scope, `${field} matchLabels`, this.matchLabels);
    check(
      Number.isFinite(this.target) && this.target > 0 && (!this.percentage || (Number.isInteger(this.target) && this.target <= 1000)),
      scope,
      {
        field: `${field} ${this.label}`,
        value: this.target,
        problem: this.percentage ? 'is not a whole percentage above 0' : 'is not a positive number',
        fix: this.percentage ? 'use e.g. 65 for 65 % of the request' : 'use the per-pod value at which to add a replica',
      },
    );
    return this.build();
  }
}

/** How fast to scale in one direction. */
export interface ScalingRateProps {
  /**
   * How long a recommendation must hold before acting.
   * @default - 0 scaling up; scaling down, 5 minutes or the workload's startup (download + load) when longer
   */
  readonly stabilizationWindow?: Duration;
  /**
   * At most this many pods per period (with `percent`: the larger step up, the smaller step down).
   * @default - 4 scaling up, no pod count scaling down
   */
  readonly pods?: number;
  /** At most this percentage of current pods per period. @default - 100 scaling up, 10 scaling down */
  readonly percent?: number;
  /** The window `pods` and `percent` are counted over. @default Duration.minutes(1) */
  readonly period?: Duration;
}

/** HPA `behavior`. Defaults: fast scale-up, slow scale-down (model pods are slow to start). */
export interface ScalingBehavior {
  /** How fast pods are added. @default - no stabilization, up to 100 % or 4 pods per minute, whichever is more */
  readonly scaleUp?: ScalingRateProps;
  /** How fast pods are removed. @default - 5-minute stabilization, at most 10 % of pods per minute */
  readonly scaleDown?: ScalingRateProps;
}

const DEFAULT_UP: ScalingRateProps = { stabilizationWindow: Duration.seconds(0), percent: 100, pods: 4 };
const DEFAULT_DOWN: ScalingRateProps = { stabilizationWindow: Duration.minutes(5), percent: 10 };

/** cdk8s-plus scaling rules for one direction, every declared field kept. */
export function scalingRules(scope: IConstruct, field: string, rate: ScalingRateProps | undefined, up: boolean): plus.ScalingRules {
  const r = resolveRate(scope, field, rate, up);
  const policies: plus.ScalingPolicy[] = [];
  if (r.percent !== undefined) policies.push({ replicas: plus.Replicas.percent(r.percent), duration: r.period });
  if (r.pods !== undefined) policies.push({ replicas: plus.Replicas.absolute(r.pods), duration: r.period });
  return {
    stabilizationWindow: r.stabilizationWindow,
    strategy: up ? plus.ScalingStrategy.MAX_CHANGE : plus.ScalingStrategy.MIN_CHANGE,
    policies,
  };
}

/** One direction of an autoscaling/v2 `behavior`, as plain JSON. */
export interface ScalingRulesSpec {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy: 'Max' | 'Min';
  readonly policies: { readonly type: 'Percent' | 'Pods'; readonly value: number; readonly periodSeconds: number }[];
}

/**
 * An autoscaling/v2 `behavior` as plain JSON, with the same defaults and checks as {@link scalingRules},
 * for objects that embed one (e.g. KEDA's `advanced.horizontalPodAutoscalerConfig.behavior`).
 */
export function scalingBehaviorSpec(
  scope: IConstruct,
  field: string,
  behavior: ScalingBehavior = {},
): { readonly scaleUp: ScalingRulesSpec; readonly scaleDown: ScalingRulesSpec } {
  const spec = (rate: ScalingRateProps | undefined, up: boolean, direction: string): ScalingRulesSpec => {
    const r = resolveRate(scope, `${field}.${direction}`, rate, up);
    const periodSeconds = r.period.toSeconds();
    return {
      ...(r.stabilizationWindow ? { stabilizationWindowSeconds: r.stabilizationWindow.toSeconds() } : {}),
      selectPolicy: up ? 'Max' : 'Min',
      policies: [
        ...(r.percent !== undefined ? [{ type: 'Percent' as const, value: r.percent, periodSeconds }] : []),
        ...(r.pods !== undefined ? [{ type: 'Pods' as const, value: r.pods, periodSeconds }] : []),
      ],
    };
  };
  return { scaleUp: spec(behavior.scaleUp, true, 'scaleUp'), scaleDown: spec(behavior.scaleDown, false, 'scaleDown') };
}

function resolveRate(scope: IConstruct, field: string, rate: ScalingRateProps | undefined, up: boolean) {
  const r = { ...(up ? DEFAULT_UP : DEFAULT_DOWN), ...rate };
  const period = r.period ?? Duration.minutes(1);
  requireWholeSeconds(scope, `${field}.period`, period);
  if (r.stabilizationWindow !== undefined) requireWholeSeconds(scope, `${field}.stabilizationWindow`, r.stabilizationWindow);
  check(period.toSeconds() > 0 && period.toSeconds() <= 1800, scope, {
    field: `${field}.period`,
    value: `${period.toSeconds()}s`,
    problem: 'is outside 1s-30m',
    fix: 'use a period between 1 second and 30 minutes',
  });
  if (r.stabilizationWindow !== undefined) {
    const w = r.stabilizationWindow.toSeconds();
    check(w >= 0 && w <= 3600, scope, {
      field: `${field}.stabilizationWindow`,
      value: `${w}s`,
      problem: 'is outside 0s-1h',
      fix: 'use a window between 0 seconds and one hour',
    });
  }
  return {
    stabilizationWindow: r.stabilizationWindow,
    period,
    percent: r.percent === undefined ? undefined : positive(scope, `${field}.percent`, r.percent),
    pods: r.pods === undefined ? undefined : positive(scope, `${field}.pods`, r.pods),
  };
}

function positive(scope: IConstruct, field: string, n: number): number {
  check(Number.isInteger(n) && n > 0, scope, { field, value: n, problem: 'is not a positive integer', fix: 'use 1 or more' });
  return n;
}

/** Validates a replica floor and ceiling. */
export function requireReplicaRange(scope: IConstruct, field: string, min: number, max: number): void {
  requireWholeNumber(scope, `${field}.minReplicas`, min, 2);
  requireWholeNumber(scope, `${field}.maxReplicas`, max, 10);
  check(Number.isInteger(min) && min >= 1, scope, {
    field: `${field}.minReplicas`,
    value: min,
    problem: 'is below 1',
    fix: 'set minReplicas: 1 or more (model pods are slow to start: keep one warm)',
  });
  check(Number.isInteger(max) && max >= min, scope, {
    field: `${field}.maxReplicas`,
    value: max,
    problem: `is below minReplicas (${min})`,
    fix: 'set maxReplicas >= minReplicas',
  });
  check(max <= MAX_INT32, scope, {
    field: `${field}.maxReplicas`,
    value: max,
    problem: `is above ${MAX_INT32}, the largest count the API stores`,
    fix: 'set a realistic ceiling',
  });
}

/**
 * Throws when a utilization target in `metrics` can never be reached under the limits of `resources`
 * (see {@link ScalingMetric.requireReachable}). Resources the container does not limit have no ceiling.
 */
export function requireReachableTargets(
  scope: IConstruct,
  field: string,
  metrics: ScalingMetric[],
  resources: MlResourceProps | undefined,
): void {
  if (!resources) return;
  const ratio = (limit: string | undefined, request: string) => {
    const l = limit === undefined ? undefined : parseQuantity(limit);
    const r = parseQuantity(request);
    return l === undefined || r === undefined || r <= 0 ? undefined : (100 * l) / r;
  };
  const ceilings = {
    cpu: ratio(resources.cpuLimit, resources.cpu),
    memory: ratio(resources.memoryLimit ?? resources.memory, resources.memory),
  };
  metrics.forEach((m, i) => m.requireReachable(scope, `${field}[${i}]`, ceilings));
}

/**
 * A workload's startup: its model-load budget plus the transfer of `downloadBytes` each new pod downloads at
 * `bandwidthMiBps` (the platform's `downloadBandwidthMiBps`, the one rate every download budget uses).
 */
export function startupEstimate(loadBudget: Duration, downloadBytes: number, bandwidthMiBps: number): { seconds: number; why: string } {
  const download = downloadBytes > 0 ? downloadBudget(downloadBytes, bandwidthMiBps, false).transferSeconds : 0;
  return {
    seconds: loadBudget.toSeconds() + download,
    why: `${download ? `a ${download}s model download at ${bandwidthMiBps} MiB/s (platform downloadBandwidthMiBps) + ` : ''}${loadBudget.toSeconds()}s model load`,
  };
}

/**
 * `behavior` with a scale-down stabilization window at least as long as the workload's startup: the default
 * window (5 minutes) is raised to it; an explicit shorter one is an error (a replica removed in a dip shorter
 * than a startup takes a whole startup to come back, and the next surge waits for it).
 */
export function startupAwareBehavior(
  scope: IConstruct,
  field: string,
  behavior: ScalingBehavior | undefined,
  startup: { readonly seconds: number; readonly why: string },
): ScalingBehavior | undefined {
  const window = behavior?.scaleDown?.stabilizationWindow;
  if (window !== undefined) {
    check(window.toSeconds() >= startup.seconds, scope, {
      field: `${field}.scaleDown.stabilizationWindow`,
      value: `${window.toSeconds()}s`,
      problem: `is shorter than the workload's startup (${startup.seconds}s: ${startup.why}): a replica removed in a dip that short takes longer to come back than the dip lasted`,
      fix: `use at least Duration.seconds(${startup.seconds}), or leave it unset (it then follows the startup)`,
    });
    return behavior;
  }
  if (startup.seconds <= DEFAULT_DOWN.stabilizationWindow!.toSeconds()) return behavior;
  return { ...behavior, scaleDown: { ...behavior?.scaleDown, stabilizationWindow: Duration.seconds(startup.seconds) } };
}
