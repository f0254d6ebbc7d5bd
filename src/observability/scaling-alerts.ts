import { Duration } from 'cdk8s';
import { KEDA_FACTS } from '../core/facts/keda';
import { AlertSpec } from './alert';
import { ResolvedMonitoring } from './options';
import { Matcher, promDuration, promNumber, secondsOf, series } from './promql';
import { Triage } from './triage';
import { MonitoredWorkload, hpaNameOf, jobMatchers } from './workload';

/** The autoscaler pinned at its maximum: demand exceeds the capacity the workload may take. */
export function atMaxAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  const a = w.autoscaler;
  if (!a || a.maxReplicas <= a.minReplicas) return [];
  const t = new Triage(w);
  const hpa = hpaNameOf(w);
  const expr = hpa
    ? (() => {
        const m: Matcher[] = [
          ['namespace', '=', w.namespace],
          ['horizontalpodautoscaler', '=', hpa],
        ];
        return `${series('kube_horizontalpodautoscaler_status_current_replicas', m)}\n>= on (namespace, horizontalpodautoscaler)\n${series('kube_horizontalpodautoscaler_spec_max_replicas', m)}`;
      })()
    : // A ScaledJob has no HPA: count the Jobs it runs at once.
      `count(${series('kube_job_status_active', jobMatchers(w))} > 0) >= ${a.maxReplicas}`;
  const unit = a.kind === 'ScaledJob' ? 'Jobs' : 'replicas';
  return [
    {
      alert: 'MlAtMaxReplicas',
      family: w.kind === 'queue' ? 'queue' : 'serving',
      expr,
      for: o.thresholds.atMaxReplicasFor,
      severity: 'warning',
      summary: `${w.name} in ${w.namespace} has run at its maximum of ${a.maxReplicas} ${unit} for ${promDuration(o.thresholds.atMaxReplicasFor)}`,
      when: `the ${a.kind} has held ${w.name} at maxReplicas (${a.maxReplicas}) for ${promDuration(o.thresholds.atMaxReplicasFor)}: demand exceeds the allowed capacity, so latency or backlog grows`,
      triage: [t.autoscaler(), t.pods(), ...(w.controller === 'Deployment' ? [t.rollout()] : [])],
    },
  ];
}

/** KEDA queue workers: scaler failing (fallback active), backlog and oldest-message age above objective. */
export function queueAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  const a = w.autoscaler;
  const keda = a && (a.kind === 'ScaledObject' || a.kind === 'ScaledJob') ? a : undefined;
  const t = new Triage(w);
  const alerts: AlertSpec[] = [];
  // KEDA labels its metrics with the scaled resource's namespace and name (`scaledObject` also for
  // ScaledJobs, told apart by `type`); scraped by the KEDA chart's ServiceMonitor (no honorLabels), the
  // namespace is in `exported_namespace` (KEDA_FACTS).
  const ns = KEDA_FACTS.namespaceLabel;
  const scaled: Matcher[] = keda
    ? [
        [ns, '=', w.namespace],
        ['scaledObject', '=', keda.name ?? w.name],
        ['type', '=', keda.kind.toLowerCase()],
      ]
    : [];
  if (keda) {
    alerts.push({
      alert: 'MlScalerFailing',
      family: 'queue',
      expr: `sum by (${ns}, scaledObject, scaler) (increase(${series('keda_scaler_detail_errors_total', scaled)}[5m])) > 0`,
      for: Duration.minutes(10),
      severity: 'warning',
      summary: `The KEDA scaler of ${w.name} in ${w.namespace} is failing`,
      when: `KEDA has failed to read the ${keda.kind}'s trigger for 10 minutes: scaling is blind (a ScaledObject with a fallback runs its fallback replicas)`,
      value: 'Scaler {{ $labels.scaler }}.',
      triage: [t.keda(), t.autoscaler(), t.logs(false)],
    });
  }
  const backlog = o.queue.backlog;
  if (backlog && keda) {
    const m: Matcher[] = [...scaled, ['triggerIndex', '=', String(backlog.triggerIndex ?? 0)]];
    const hold = backlog.for ?? Duration.minutes(15);
    alerts.push({
      alert: 'MlQueueBacklogHigh',
      family: 'queue',
      expr: `max by (${ns}, scaledObject) (${series('keda_scaler_metrics_value', m)}) > ${promNumber(backlog.maxMessages)}`,
      for: hold,
      severity: 'warning',
      summary: `The queue of ${w.name} in ${w.namespace} holds more than ${backlog.maxMessages} messages`,
      when: `the backlog KEDA measures has stayed above ${backlog.maxMessages} for ${promDuration(hold)}: workers fall behind`,
      value: '{{ $value }} messages.',
      triage: [t.autoscaler(), t.pods(), t.logs(false), t.keda()],
    });
  }
  const age = o.queue.oldestMessageAge;
  if (age) {
    const m: Matcher[] = Object.entries(age.matchers ?? {}).map(([k, v]) => [k, '=', v]);
    const hold = age.for ?? Duration.minutes(10);
    alerts.push({
      alert: 'MlQueueMessageAgeHigh',
      family: 'queue',
      expr: `max(${series(age.metric, m)}) > ${secondsOf(age.maxAge)}`,
      for: hold,
      severity: 'warning',
      summary: `The oldest message for ${w.name} in ${w.namespace} is older than ${promDuration(age.maxAge)}`,
      when: `the oldest waiting message has been older than ${promDuration(age.maxAge)} for ${promDuration(hold)}: work is late (workers stuck, too few, or poison messages retried)`,
      value: 'Oldest message: {{ $value | humanizeDuration }}.',
      triage: [t.pods(), t.logs(false), t.autoscaler(), ...(keda ? [t.keda()] : [])],
    });
  }
  return alerts;
}
