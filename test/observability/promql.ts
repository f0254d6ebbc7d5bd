import { Manifest } from '../helpers';

// The Prometheus project's own PromQL grammar (CommonJS build).

const { parser } = require('@prometheus-io/lezer-promql');

/** A syntax error lezer recovered from: where and what text. */
export interface PromqlError {
  readonly at: number;
  readonly near: string;
}

/** Every error node of the parse tree of `expr` (lezer marks them `⚠` / `isError`). */
export function promqlErrors(expr: string): PromqlError[] {
  const errors: PromqlError[] = [];
  parser.parse(expr).iterate({
    enter: (n: any) => {
      if (n.type.isError) errors.push({ at: n.from, near: expr.slice(Math.max(0, n.from - 20), n.to + 20) });
    },
  });
  return errors;
}

/** Throws with the position and surrounding text unless `expr` parses cleanly. */
export function expectParses(expr: string): void {
  if (expr.trim() === '') throw new Error('empty PromQL expression');
  const errors = promqlErrors(expr);
  if (errors.length > 0)
    throw new Error(`PromQL does not parse:\n${expr}\n${errors.map((e) => `  at ${e.at}: ...${e.near}...`).join('\n')}`);
}

/** One selector in an expression: metric name and the label names it matches on. */
export interface SelectorUse {
  readonly metric: string;
  readonly labels: string[];
}

/** The vector selectors of `expr`, from the parse tree (not a regex). */
export function selectorsOf(expr: string): SelectorUse[] {
  const uses: SelectorUse[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node;
      const id = node.getChild('Identifier');
      const labels: string[] = [];
      const matchers = node.getChild('LabelMatchers');
      for (const m of matchers ? matchers.getChildren('UnquotedLabelMatcher') : []) {
        const name = m.getChild('LabelName');
        labels.push(expr.slice(name.from, name.to));
      }
      uses.push({ metric: id ? expr.slice(id.from, id.to) : '', labels });
    }
  } while (cursor.next());
  return uses;
}

/** An alerting rule as synthesized. */
export interface SynthRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly group: string;
}

/** Every rule of every PrometheusRule in `objects`. */
export function rulesOf(objects: Manifest[]): SynthRule[] {
  return objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => o.spec.groups.flatMap((g: any) => g.rules.map((r: any) => ({ ...r, group: g.name }))));
}

/** The one rule named `alert`. */
export function rule(objects: Manifest[], alert: string): SynthRule {
  const found = rulesOf(objects).filter((r) => r.alert === alert);
  if (found.length !== 1) throw new Error(`expected one rule ${alert}, found ${found.length}`);
  return found[0];
}

/**
 * Real metric names and the labels they carry, from the kube-state-metrics docs
 * (docs/metrics/workload/*.md, docs/metrics/service/endpoint-metrics.md) and KEDA's
 * pkg/metricscollector/prommetrics.go. `uid` is on every pod series.
 */
export const KNOWN_METRICS: Record<string, string[]> = {
  kube_deployment_status_replicas_unavailable: ['namespace', 'deployment'],
  kube_deployment_spec_replicas: ['namespace', 'deployment'],
  kube_deployment_status_condition: ['namespace', 'deployment', 'condition', 'status', 'reason'],
  kube_endpoint_address: ['namespace', 'endpoint', 'ip', 'ready'],
  kube_endpoint_info: ['namespace', 'endpoint'],
  kube_pod_status_phase: ['namespace', 'pod', 'uid', 'phase'],
  kube_pod_status_ready: ['namespace', 'pod', 'uid', 'condition'],
  kube_pod_container_status_ready: ['namespace', 'pod', 'uid', 'container'],
  kube_pod_container_status_waiting_reason: ['namespace', 'pod', 'uid', 'container', 'reason'],
  kube_pod_container_status_terminated_reason: ['namespace', 'pod', 'uid', 'container', 'reason'],
  kube_pod_container_status_last_terminated_reason: ['namespace', 'pod', 'uid', 'container', 'reason'],
  kube_pod_container_status_restarts_total: ['namespace', 'pod', 'uid', 'container'],
  kube_pod_init_container_status_restarts_total: ['namespace', 'pod', 'uid', 'container'],
  kube_horizontalpodautoscaler_status_current_replicas: ['namespace', 'horizontalpodautoscaler'],
  kube_horizontalpodautoscaler_spec_max_replicas: ['namespace', 'horizontalpodautoscaler'],
  kube_job_failed: ['namespace', 'job_name', 'condition'],
  kube_job_status_failed: ['namespace', 'job_name', 'reason'],
  kube_job_status_active: ['namespace', 'job_name'],
  kube_job_status_start_time: ['namespace', 'job_name'],
  kube_job_spec_active_deadline_seconds: ['namespace', 'job_name'],
  kube_cronjob_next_schedule_time: ['namespace', 'cronjob'],
  kube_cronjob_spec_suspend: ['namespace', 'cronjob'],
  // As the KEDA chart's ServiceMonitor stores them (no honorLabels): the series' namespace is exported_namespace.
  keda_scaler_detail_errors_total: ['exported_namespace', 'namespace', 'metric', 'scaledObject', 'scaler', 'triggerIndex', 'type'],
  keda_scaler_metrics_value: ['exported_namespace', 'namespace', 'metric', 'scaledObject', 'scaler', 'triggerIndex', 'type'],
};

/**
 * Fails unless every expression parses and every kube-state-metrics/KEDA selector uses a real
 * metric name with real label names. Other metrics (the workload's own) are passed in `own`.
 */
export function expectRealPromql(objects: Manifest[], own: string[] = []): void {
  const rules = rulesOf(objects);
  if (rules.length === 0) throw new Error('no PrometheusRule rules');
  for (const r of rules) {
    expectParses(r.expr);
    for (const s of selectorsOf(r.expr)) {
      if (own.includes(s.metric)) continue;
      const labels = KNOWN_METRICS[s.metric];
      if (!labels) throw new Error(`${r.alert}: unknown metric ${s.metric}`);
      for (const l of s.labels) if (!labels.includes(l)) throw new Error(`${r.alert}: ${s.metric} has no label ${l}`);
    }
  }
}
