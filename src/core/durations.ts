import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check } from './errors';

/**
 * `d` in whole seconds, checked before anything converts it: Kubernetes fields take whole seconds, and
 * cdk8s's own conversion throws an error that names neither the construct nor the prop. A fraction of a
 * second, or less than `min`, is an error naming `field`.
 */
export function requireWholeSeconds(scope: IConstruct, field: string, d: Duration, min = 0): number {
  const s = d.toMilliseconds() / 1000;
  check(Number.isInteger(s), scope, {
    field,
    value: `${s}s`,
    problem: 'is not a whole number of seconds',
    fix: `round it to whole seconds (e.g. Duration.seconds(${Math.max(min, Math.round(s))}))`,
  });
  check(s >= min, scope, {
    field,
    value: `${s}s`,
    problem: min === 1 ? 'is not positive' : `is below ${min}s`,
    fix: `use at least Duration.seconds(${min})`,
  });
  return s;
}

/**
 * Throws unless `value` is a whole number (a count: replicas, shards, workers), before any range check
 * can give the wrong reason ("is below 1" for 2.5).
 */
export function requireWholeNumber(scope: IConstruct, field: string, value: number, example: number): void {
  check(typeof value === 'number' && Number.isInteger(value), scope, {
    field,
    value,
    problem: typeof value === 'number' && Number.isFinite(value) ? 'is not a whole number' : 'is not a number',
    fix: `use a whole number, e.g. ${example}`,
  });
}
