import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check } from '../core/errors';

/** One label matcher: `=` for a value, `=~` for an (anchored) regular expression. */
export type Matcher = readonly [label: string, op: '=' | '=~' | '!=', value: string];

/** `{a="1", b=~"x.*"}`; values are escaped as PromQL double-quoted strings. */
export function selector(matchers: readonly Matcher[]): string {
  return `{${matchers.map(([label, op, value]) => `${label}${op}${quote(value)}`).join(', ')}}`;
}

/** `metric{...}` */
export function series(metric: string, matchers: readonly Matcher[]): string {
  return `${metric}${selector(matchers)}`;
}

/** A PromQL double-quoted string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A PromQL duration (`90s`, `5m`, `6h`, `3d`): the largest unit that divides the duration. */
export function promDuration(d: Duration): string {
  const ms = d.toMilliseconds();
  if (ms % 1000 !== 0) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s >= size && s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

/** Seconds of a duration, fractions allowed (cdk8s `toSeconds` throws on them). */
export function secondsOf(d: Duration): number {
  return d.toMilliseconds() / 1000;
}

/** A number as PromQL writes it, rounded to 10 significant digits so float noise never shows. */
export function promNumber(n: number): string {
  return String(roundSignificant(n, 10));
}

/** `n` rounded to `digits` significant digits. */
export function roundSignificant(n: number, digits = 12): number {
  return Number(n.toPrecision(digits));
}

/** Human duration for annotations and the runbook: `43.2 minutes`, `2.1 days`. */
export function humanDuration(seconds: number): string {
  const units: [string, number][] = [
    ['days', 86400],
    ['hours', 3600],
    ['minutes', 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size) return `${roundSignificant(seconds / size, 3)} ${unit}`;
  }
  return `${roundSignificant(seconds, 3)} seconds`;
}

/** A fraction as a percentage without float noise: 0.999 → `99.9%`. */
export function percent(fraction: number): string {
  return `${roundSignificant(fraction * 100, 10)}%`;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws unless `name` is a Prometheus metric name. */
export function requireMetricName(scope: IConstruct, field: string, name: string): void {
  check(typeof name === 'string' && METRIC_NAME.test(name), scope, {
    field,
    value: name,
    problem: 'is not a Prometheus metric name',
    fix: "use letters, digits, '_' and ':' (e.g. 'http_requests_total')",
  });
}

/** Throws unless `name` is a Prometheus label name. */
export function requireLabelName(scope: IConstruct, field: string, name: string): void {
  check(typeof name === 'string' && LABEL_NAME.test(name), scope, {
    field,
    value: name,
    problem: 'is not a Prometheus label name',
    fix: "use letters, digits and '_' (e.g. 'code')",
  });
}
