import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check } from '../core/errors';
import { AlertSpec } from './alert';
import { BurnRatePlan, BurnRateThreshold, AlertSeverity, burnRatePlan } from './burn-rate';
import {
  Matcher,
  humanDuration,
  percent,
  promDuration,
  promNumber,
  requireLabelName,
  requireMetricName,
  secondsOf,
  series,
} from './promql';
import { Triage } from './triage';
import { MonitoredWorkload, appMetricMatchers } from './workload';

/** Availability: the share of requests that must not fail. */
export interface AvailabilityObjective {
  /** Fraction of requests that must succeed, e.g. 0.999 for 99.9 %. */
  readonly objective: number;
  /** Request counter with a status label. @default 'http_requests_total' */
  readonly requestsMetric?: string;
  /** The label holding the response status. @default 'code' */
  readonly statusLabel?: string;
  /** Regex over `statusLabel` values that are failures. @default '5..' */
  readonly errorStatus?: string;
}

/** Latency: the share of requests that must be faster than a threshold (p95 ≤ 250 ms is 0.95 under 250 ms). */
export interface LatencyObjective {
  /** Fraction of requests that must finish within `threshold`, e.g. 0.95. */
  readonly objective: number;
  /** The latency bound; must be one of `buckets`. */
  readonly threshold: Duration;
  /** Histogram base name (the series are `<name>_bucket` and `<name>_count`). @default 'http_request_duration_seconds' */
  readonly histogram?: string;
  /** The histogram's bucket upper bounds, in seconds, as the server declares them. */
  readonly buckets: number[];
}

/** Service level objectives of one workload. */
export interface ServiceLevelObjectives {
  /** The share of requests that must succeed. @default - none */
  readonly availability?: AvailabilityObjective;
  /** The share of requests that must be faster than a threshold. @default - none */
  readonly latency?: LatencyObjective;
  /** The compliance period the error budget is spent over. @default Duration.days(30) */
  readonly period?: Duration;
}

/** The worked-out plan of one objective, for annotations and the runbook. */
export interface SloSummary {
  /** Which indicator the objective is about. */
  readonly sli: 'availability' | 'latency';
  /** `99.9% of requests succeed` */
  readonly statement: string;
  /** What may go wrong within the budget: `fail`, `take longer than 250ms`. */
  readonly badEvent: string;
  /** The error budget and the burn-rate thresholds alerted on. */
  readonly plan: BurnRatePlan;
  /** Window pairs left out because their threshold would need more than 100 % bad requests. */
  readonly unreachable: BurnRateThreshold[];
}

const DEFAULT_PERIOD = Duration.days(30);

/** Throws on objectives that cannot yield working alerts. */
export function checkObjectives(scope: IConstruct, field: string, slo: ServiceLevelObjectives): void {
  const period = slo.period ?? DEFAULT_PERIOD;
  check(secondsOf(period) >= Duration.days(7).toSeconds(), scope, {
    field: `${field}.period`,
    value: promDuration(period),
    problem: 'is shorter than 7 days, but the slowest burn-rate window is 3 days',
    fix: 'use a compliance period of at least Duration.days(7); Duration.days(30) is usual',
  });
  check(slo.availability !== undefined || slo.latency !== undefined, scope, {
    field,
    value: slo,
    problem: 'declares no objective',
    fix: 'set availability and/or latency, or leave slo unset',
  });
  for (const [name, o] of [
    ['availability', slo.availability],
    ['latency', slo.latency],
  ] as const) {
    if (o) {
      check(typeof o.objective === 'number' && o.objective > 0 && o.objective < 1, scope, {
        field: `${field}.${name}.objective`,
        value: o.objective,
        problem: 'is not a fraction between 0 and 1',
        fix: name === 'availability' ? 'write 99.9 % as 0.999' : 'write "95 % of requests within the threshold" (p95) as 0.95',
      });
    }
  }
  const a = slo.availability;
  if (a) {
    requireMetricName(scope, `${field}.availability.requestsMetric`, a.requestsMetric ?? 'http_requests_total');
    requireLabelName(scope, `${field}.availability.statusLabel`, a.statusLabel ?? 'code');
    check(isRegex(a.errorStatus ?? '5..'), scope, {
      field: `${field}.availability.errorStatus`,
      value: a.errorStatus,
      problem: 'is not a regular expression',
      fix: "use e.g. '5..' or '5..|429'",
    });
  }
  const l = slo.latency;
  if (l) {
    requireMetricName(scope, `${field}.latency.histogram`, l.histogram ?? 'http_request_duration_seconds');
    check(!/_(bucket|count|sum)$/.test(l.histogram ?? ''), scope, {
      field: `${field}.latency.histogram`,
      value: l.histogram,
      problem: 'is not a histogram base name',
      fix: "name the histogram without _bucket/_count, e.g. 'http_request_duration_seconds'",
    });
    const seconds = l.threshold.toMilliseconds() / 1000;
    check(Array.isArray(l.buckets) && l.buckets.some((b) => sameBound(b, seconds)), scope, {
      field: `${field}.latency.threshold`,
      value: `${seconds}s`,
      problem: `is not one of the histogram's buckets (${(l.buckets ?? []).join(', ')})`,
      fix: 'use a threshold that is a bucket bound, or add that bucket to the server\'s histogram; the SLI reads the le="<threshold>" series',
    });
  }
}

/**
 * The burn-rate plan of each declared objective. Window pairs whose threshold would need more than
 * 100 % bad requests (fast windows at low objectives) are set aside as `unreachable`.
 */
export function sloSummaries(slo: ServiceLevelObjectives): SloSummary[] {
  const period = slo.period ?? DEFAULT_PERIOD;
  const out: SloSummary[] = [];
  const summarize = (sli: SloSummary['sli'], objective: number, statement: string, badEvent: string) => {
    const plan = burnRatePlan(objective, period);
    out.push({
      sli,
      statement,
      badEvent,
      plan: { ...plan, thresholds: plan.thresholds.filter((t) => t.errorRatio < 1) },
      unreachable: plan.thresholds.filter((t) => t.errorRatio >= 1),
    });
  };
  if (slo.availability)
    summarize('availability', slo.availability.objective, `${percent(slo.availability.objective)} of requests succeed`, 'fail');
  if (slo.latency) {
    const ms = `${slo.latency.threshold.toMilliseconds()}ms`;
    summarize(
      'latency',
      slo.latency.objective,
      `${percent(slo.latency.objective)} of requests finish within ${ms}`,
      `take longer than ${ms}`,
    );
  }
  return out;
}

/** Multi-window, multi-burn-rate alerts: one paging and one ticket alert per objective. */
export function sloAlerts(w: MonitoredWorkload, slo: ServiceLevelObjectives): AlertSpec[] {
  const triage = new Triage(w);
  const matchers = appMetricMatchers(w);
  const alerts: AlertSpec[] = [];
  for (const s of sloSummaries(slo)) {
    const ratio = s.sli === 'availability' ? availabilityRatio(slo.availability!, matchers) : latencyRatio(slo.latency!, matchers);
    const what = s.sli === 'availability' ? 'failed requests' : 'slow requests';
    const name = s.sli === 'availability' ? 'Availability' : 'Latency';
    for (const [severity, suffix] of [
      ['critical', 'FastBurn'],
      ['warning', 'SlowBurn'],
    ] as [AlertSeverity, string][]) {
      const pairs = s.plan.thresholds.filter((t) => t.severity === severity);
      if (pairs.length === 0) continue;
      const expr = pairs
        .map((t) => `(\n  ${ratio(t.long)} > ${promNumber(t.errorRatio)}\nand\n  ${ratio(t.short)} > ${promNumber(t.errorRatio)}\n)`)
        .join('\nor\n');
      const burns = pairs.map(
        (t) =>
          `${t.factor}x over ${promDuration(t.long)} and ${promDuration(t.short)} (${percent(t.budgetConsumed)} of the budget in ${promDuration(t.long)}, bad ratio > ${promNumber(t.errorRatio)})`,
      );
      alerts.push({
        alert: `Ml${name}${suffix}`,
        family: 'slo',
        expr,
        for: Duration.minutes(severity === 'critical' ? 2 : 15),
        severity,
        summary: `${w.name} in ${w.namespace} is burning its ${s.sli} error budget ${severity === 'critical' ? 'fast' : 'steadily'}`,
        when: `${what} burn the ${s.sli} budget at ${burns.join(' or ')}; at ${pairs[0].factor}x the whole budget is gone in ${humanDuration(pairs[0].exhaustsInSeconds)}`,
        triage:
          s.sli === 'availability'
            ? [
                triage.pods(),
                triage.endpoints(),
                triage.logs(false),
                ...(w.servicePort !== undefined ? [triage.portForward()] : []),
                triage.modelVersion(),
                triage.rollback(),
              ]
            : [triage.autoscaler(), triage.pods(), triage.describe(), triage.modelVersion(), triage.rollback()],
        annotations: {
          slo: `${s.statement} over ${promDuration(s.plan.period)}`,
          error_budget: errorBudgetText(s),
          burn_rate: burns.join('; '),
        },
      });
    }
  }
  return alerts;
}

/** `0.1% of requests may fail over 30d (as much as 43.2 minutes of total outage)` */
export function errorBudgetText(s: SloSummary): string {
  return `${percent(s.plan.budget)} of requests may ${s.badEvent} over ${promDuration(s.plan.period)} (as much as ${humanDuration(s.plan.budgetMinutes * 60)} of total outage)`;
}

function availabilityRatio(a: AvailabilityObjective, m: Matcher[]): (w: Duration) => string {
  const metric = a.requestsMetric ?? 'http_requests_total';
  const errors = series(metric, [...m, [a.statusLabel ?? 'code', '=~', a.errorStatus ?? '5..']]);
  const all = series(metric, m);
  return (w) => `(sum(rate(${errors}[${promDuration(w)}])) / sum(rate(${all}[${promDuration(w)}])))`;
}

function latencyRatio(l: LatencyObjective, m: Matcher[]): (w: Duration) => string {
  const h = l.histogram ?? 'http_request_duration_seconds';
  const fast = series(`${h}_bucket`, [...m, leMatcher(l.threshold.toMilliseconds() / 1000)]);
  const all = series(`${h}_count`, m);
  return (w) => `(1 - sum(rate(${fast}[${promDuration(w)}])) / sum(rate(${all}[${promDuration(w)}])))`;
}

/**
 * The `le` matcher of a bucket bound. Client libraries print whole bounds as `1` (Go) or `1.0`
 * (Python), so whole bounds match both spellings.
 */
export function leMatcher(seconds: number): Matcher {
  const bound = String(seconds);
  return Number.isInteger(seconds) ? ['le', '=~', `${bound}(\\.0)?`] : ['le', '=', bound];
}

function sameBound(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

function isRegex(s: string): boolean {
  try {
    new RegExp(s);
    return s.length > 0;
  } catch {
    return false;
  }
}
