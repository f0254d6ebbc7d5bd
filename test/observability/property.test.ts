import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { OnlineInference, WorkloadMonitoring } from '../../src';
import { SRE_WORKBOOK_WINDOWS, burnRatePlan } from '../../src/observability/burn-rate';
import { synthValid, testChart } from '../helpers';
import { expectRealPromql, rulesOf } from './promql';
import { embedder, finetune, nightlyScoring, ocr } from './workloads';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const objective = fc.double({ min: 0.9, max: 0.99999, noNaN: true, minExcluded: true, maxExcluded: true });
const days = fc.integer({ min: 7, max: 90 });

/** The numbers written after `> ` in an expression, in order. */
function thresholdsIn(expr: string): number[] {
  return [...expr.matchAll(/\) > ([0-9.e-]+)\n/g)].map((m) => Number(m[1]));
}

describe('burn-rate properties', () => {
  test('for any objective in (0.9, 0.99999) and period, thresholds are factor × (1 − objective), factor = share × period / window', () => {
    fc.assert(
      fc.property(objective, days, (o, d) => {
        const plan = burnRatePlan(o, Duration.days(d));
        expect(plan.budget).toBeCloseTo(1 - o, 12);
        expect(plan.budgetMinutes).toBeCloseTo((1 - o) * d * 24 * 60, 6);
        plan.thresholds.forEach((t, i) => {
          const w = SRE_WORKBOOK_WINDOWS[i];
          const factor = (w.budgetConsumed * d * 86400) / w.long.toSeconds();
          expect(t.factor).toBeCloseTo(factor, 9);
          expect(t.errorRatio / (factor * (1 - o))).toBeCloseTo(1, 9);
        });
        // Faster windows need higher burn rates.
        expect(plan.thresholds.map((t) => t.factor)).toEqual([...plan.thresholds.map((t) => t.factor)].sort((a, b) => b - a));
      }),
      { numRuns: 200 },
    );
  });

  test('for any objectives, the synthesized SLO alerts use those thresholds, are schema-valid and every expression parses', () => {
    fc.assert(
      fc.property(objective, objective, days, fc.constantFrom(...BUCKETS), (availability, latency, d, bound) => {
        const chart = testChart('ml-serving');
        new OnlineInference(chart, 'svc', {
          image: 'registry.example.com/s:v1',
          resources: { cpu: '1', memory: '1Gi' },
          metricsPort: 9090,
          monitoring: {
            slo: {
              period: Duration.days(d),
              availability: { objective: availability },
              latency: { objective: latency, threshold: Duration.millis(bound * 1000), buckets: BUCKETS },
            },
          },
        });
        const objects = synthValid(chart);
        expectRealPromql(objects, ['http_requests_total', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_count']);
        for (const [sli, o] of [
          ['Availability', availability],
          ['Latency', latency],
        ] as const) {
          const expected = burnRatePlan(o, Duration.days(d)).thresholds.filter((t) => t.errorRatio < 1);
          const written = rulesOf(objects)
            .filter((r) => r.alert.startsWith(`Ml${sli}`))
            .flatMap((r) => thresholdsIn(`${r.expr}\n`));
          // Each window pair writes its threshold twice (long and short window).
          expect(written).toEqual(expected.flatMap((t) => [t.errorRatio, t.errorRatio]).map((x) => Number(x.toPrecision(10))));
          for (const t of expected) expect(t.errorRatio / (t.factor * (1 - o))).toBeCloseTo(1, 9);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('every alert family for every workload shape parses with real names and validates', () => {
    const shapes = [nightlyScoring, finetune, embedder, ocr];
    fc.assert(
      fc.property(
        fc.constantFrom(...shapes),
        fc.integer({ min: 1, max: 120 }),
        fc.double({ min: 0.5, max: 0.95, noNaN: true }),
        (workload, minutes, share) => {
          const chart = testChart(workload.namespace);
          new WorkloadMonitoring(chart, 'm', {
            workload,
            thresholds: { podsPendingFor: Duration.minutes(minutes), atMaxReplicasFor: Duration.minutes(minutes), deadlineShare: share },
            queue: workload.autoscaler ? { backlog: { maxMessages: minutes * 10 } } : undefined,
          });
          expectRealPromql(synthValid(chart));
        },
      ),
      { numRuns: 40 },
    );
  });
});
