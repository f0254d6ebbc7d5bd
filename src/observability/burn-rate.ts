import { Duration } from 'cdk8s';
import { roundSignificant, secondsOf } from './promql';

/** How an alert reaches people: `critical` pages the on-call, `warning` opens a ticket. */
export type AlertSeverity = 'critical' | 'warning';

/** One window pair of the multi-window, multi-burn-rate scheme. */
export interface BurnRateWindow {
  /** The window the budget share is measured over. */
  readonly long: Duration;
  /** The window that confirms the burn is still going on (so the alert resets quickly). */
  readonly short: Duration;
  /** Share of the whole period's error budget that burning over `long` must consume to alert (0.02 = 2 %). */
  readonly budgetConsumed: number;
  /** How the alert on this window pair reaches people. */
  readonly severity: AlertSeverity;
}

/**
 * The windows of the Google SRE workbook ("Alerting on SLOs"): page on 2 % of the budget in 1 h or
 * 5 % in 6 h, open a ticket on 10 % in 1 day or 10 % in 3 days.
 */
export const SRE_WORKBOOK_WINDOWS: readonly BurnRateWindow[] = [
  { long: Duration.hours(1), short: Duration.minutes(5), budgetConsumed: 0.02, severity: 'critical' },
  { long: Duration.hours(6), short: Duration.minutes(30), budgetConsumed: 0.05, severity: 'critical' },
  { long: Duration.days(1), short: Duration.hours(2), budgetConsumed: 0.1, severity: 'warning' },
  { long: Duration.days(3), short: Duration.hours(6), budgetConsumed: 0.1, severity: 'warning' },
];

/** A window pair with its numbers worked out for one objective. */
export interface BurnRateThreshold extends BurnRateWindow {
  /** Burn-rate factor: budget share × period / long window (14.4 for 2 % of 30 days in 1 hour). */
  readonly factor: number;
  /** Bad-event ratio that burns at `factor`: factor × (1 − objective). */
  readonly errorRatio: number;
  /** How long the whole budget lasts at this burn rate, in seconds: period / factor. */
  readonly exhaustsInSeconds: number;
}

/** The error budget of one objective and the burn-rate thresholds that alert on it. */
export interface BurnRatePlan {
  /** The share of events that must be good, e.g. 0.999. */
  readonly objective: number;
  /** The compliance period the budget is spent over. */
  readonly period: Duration;
  /** 1 − objective: the share of events that may be bad. */
  readonly budget: number;
  /** The budget as minutes of total outage per period (43.2 for 99.9 % over 30 days). */
  readonly budgetMinutes: number;
  /** The threshold of each window pair (SRE workbook: two that page on fast burns, two that open a ticket on slow ones). */
  readonly thresholds: BurnRateThreshold[];
}

/**
 * The burn-rate math in one place: budget = 1 − objective; factor = budget share × period / window;
 * threshold = factor × budget. Pure; rounding only strips float noise (12 significant digits).
 */
export function burnRatePlan(objective: number, period: Duration, windows: readonly BurnRateWindow[] = SRE_WORKBOOK_WINDOWS): BurnRatePlan {
  if (windows !== SRE_WORKBOOK_WINDOWS) return computePlan(objective, period, windows);
  // Thousands of services share a handful of objectives: work each plan out once.
  const key = `${objective}/${secondsOf(period)}`;
  let plan = workbookPlans.get(key);
  if (!plan) {
    if (workbookPlans.size >= 1000) workbookPlans.clear();
    plan = computePlan(objective, period, windows);
    workbookPlans.set(key, plan);
  }
  return plan;
}

const workbookPlans = new Map<string, BurnRatePlan>();

function computePlan(objective: number, period: Duration, windows: readonly BurnRateWindow[]): BurnRatePlan {
  const budget = roundSignificant(1 - objective);
  const periodSeconds = secondsOf(period);
  return {
    objective,
    period,
    budget,
    budgetMinutes: roundSignificant((budget * periodSeconds) / 60),
    thresholds: windows.map((w) => {
      const factor = roundSignificant((w.budgetConsumed * periodSeconds) / secondsOf(w.long));
      return { ...w, factor, errorRatio: roundSignificant(factor * budget), exhaustsInSeconds: roundSignificant(periodSeconds / factor) };
    }),
  };
}
