import { Duration } from 'cdk8s';
import { SRE_WORKBOOK_WINDOWS, burnRatePlan } from '../../src/observability/burn-rate';
import { humanDuration, percent, promDuration, promNumber } from '../../src/observability/promql';

describe('burn-rate math (Google SRE workbook, multiwindow multi-burn-rate)', () => {
  const plan = burnRatePlan(0.999, Duration.days(30));

  test('99.9 % over 30 days: budget 0.1 %, i.e. 43.2 minutes', () => {
    expect(plan.budget).toBe(0.001);
    expect(plan.budgetMinutes).toBe(43.2);
  });

  test('factors are budget share × period / window: 14.4, 6, 3, 1', () => {
    expect(plan.thresholds.map((t) => [promDuration(t.long), promDuration(t.short), t.factor, t.severity])).toEqual([
      ['1h', '5m', 14.4, 'critical'],
      ['6h', '30m', 6, 'critical'],
      ['1d', '2h', 3, 'warning'],
      ['3d', '6h', 1, 'warning'],
    ]);
    for (const t of plan.thresholds) expect(t.factor).toBeCloseTo((t.budgetConsumed * 30 * 24) / (t.long.toSeconds() / 3600), 12);
  });

  test('error-ratio thresholds are factor × budget: 0.0144, 0.006, 0.003, 0.001', () => {
    expect(plan.thresholds.map((t) => t.errorRatio)).toEqual([0.0144, 0.006, 0.003, 0.001]);
    expect(plan.thresholds.map((t) => promNumber(t.errorRatio))).toEqual(['0.0144', '0.006', '0.003', '0.001']);
  });

  test('the budget lasts period / factor at each burn rate: 50 h at 14.4x, 5 d at 6x, 10 d at 3x, 30 d at 1x', () => {
    expect(plan.thresholds.map((t) => t.exhaustsInSeconds / 3600)).toEqual([50, 120, 240, 720]);
    expect(humanDuration(plan.thresholds[0].exhaustsInSeconds)).toBe('2.08 days');
  });

  test('at its burn rate, each long window spends exactly its budget share', () => {
    for (const t of plan.thresholds) expect(t.budgetConsumed * t.exhaustsInSeconds).toBeCloseTo(t.long.toSeconds(), 6);
  });

  test('a latency objective of 95 % (p95): thresholds 0.72, 0.3, 0.15, 0.05 of requests slower than the bound', () => {
    const p95 = burnRatePlan(0.95, Duration.days(30));
    expect(p95.budget).toBe(0.05);
    expect(p95.thresholds.map((t) => t.errorRatio)).toEqual([0.72, 0.3, 0.15, 0.05]);
  });

  test('99.99 % over 30 days: 4.32 minutes of budget, fast-burn threshold 0.00144', () => {
    const p = burnRatePlan(0.9999, Duration.days(30));
    expect(p.budgetMinutes).toBe(4.32);
    expect(p.thresholds[0].errorRatio).toBe(0.00144);
  });

  test('a 28-day period scales the factors: 2 % of 28 d in 1 h is 13.44x', () => {
    const p = burnRatePlan(0.999, Duration.days(28));
    expect(p.thresholds.map((t) => t.factor)).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
    expect(p.budgetMinutes).toBe(40.32);
  });

  test('the workbook windows are the published ones', () => {
    expect(SRE_WORKBOOK_WINDOWS.map((w) => `${promDuration(w.long)}/${promDuration(w.short)} ${percent(w.budgetConsumed)}`)).toEqual([
      '1h/5m 2%',
      '6h/30m 5%',
      '1d/2h 10%',
      '3d/6h 10%',
    ]);
  });
});

describe('PromQL formatting helpers', () => {
  test('durations use the largest whole unit', () => {
    expect(
      [Duration.minutes(5), Duration.hours(6), Duration.days(3), Duration.seconds(90), Duration.minutes(90)].map(promDuration),
    ).toEqual(['5m', '6h', '3d', '90s', '90m']);
  });
  test('numbers drop float noise', () => {
    expect(promNumber((1 - 0.999) * 14.4)).toBe('0.0144');
    expect(percent(0.999)).toBe('99.9%');
  });
});
