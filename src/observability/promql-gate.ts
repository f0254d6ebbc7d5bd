import { registerGateRule } from '../core/gate';

/*
 * Puts the gate's rules for monitoring objects (promql-rules.ts: every rendered PromQL query parsed and typed,
 * rule durations, scrape targets that exist) on every app; their code loads on the gate's first pass.
 */

/** The kinds the monitoring rules read. */
export const PROMQL_KINDS: readonly string[] = ['PrometheusRule', 'ServiceMonitor', 'PodMonitor', 'ScaledObject', 'ScaledJob', 'Service'];

registerGateRule('promql', {
  kinds: PROMQL_KINDS,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  load: () => (require('./promql-rules') as typeof import('./promql-rules')).promqlRule,
});
