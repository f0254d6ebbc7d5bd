import { Duration } from 'cdk8s';
import { AlertSpec } from './alert';
import { Matcher, promNumber, series } from './promql';
import { ServiceLevelObjectives } from './slo';
import { MonitoredWorkload, appMetricMatchers } from './workload';

/**
 * The label Prometheus gives the pods' release track: the ServiceMonitor copies the pod label
 * `cdk8s-ml.io/track` onto every scraped series (podTargetLabels), sanitized to this name.
 */
export const TRACK_LABEL = 'cdk8s_ml_io_track';

/** The canary is worse when its ratio exceeds stable's by this factor (and an absolute floor). */
const ERROR_FACTOR = 2;
const ERROR_FLOOR = 0.005;
const LATENCY_FACTOR = 1.5;
const WINDOW = '10m';

/**
 * Canary against stable, from the same request metrics the SLOs read: the canary's error ratio above
 * twice stable's, and its latency quantile 1.5 times stable's. Only for workloads with a canary track.
 */
export function canaryAlerts(w: MonitoredWorkload, slo?: ServiceLevelObjectives): AlertSpec[] {
  if (!w.canary || !slo) return [];
  const m = appMetricMatchers(w);
  const track = (t: string): Matcher[] => [...m, [TRACK_LABEL, '=', t]];
  const canary = `${w.canary.name}`;
  const steps = [
    {
      say: `Compare the canary's pods, versions and logs with stable's`,
      run: [
        `kubectl get pods -n ${w.namespace} -l ${Object.entries(w.selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')} -L cdk8s-ml.io/track -L app.kubernetes.io/version`,
        `kubectl logs deploy/${canary} -n ${w.namespace} --tail=200`,
      ],
    },
    {
      say: 'If the canary is worse, stop it: scale it to zero now, then remove `canary` from the props (the stable release is untouched)',
      run: [`kubectl scale deploy/${canary} -n ${w.namespace} --replicas=0`],
    },
  ];
  const alerts: AlertSpec[] = [];
  const a = slo.availability;
  if (a) {
    const metric = a.requestsMetric ?? 'http_requests_total';
    const ratio = (t: string) =>
      `(sum(rate(${series(metric, [...track(t), [a.statusLabel ?? 'code', '=~', a.errorStatus ?? '5..']])}[${WINDOW}])) / sum(rate(${series(metric, track(t))}[${WINDOW}])))`;
    alerts.push({
      alert: 'MlCanaryErrorsAboveStable',
      family: 'canary',
      expr: `${ratio('canary')} > ${ERROR_FACTOR} * ${ratio('stable')}\nand\n${ratio('canary')} > ${promNumber(ERROR_FLOOR)}`,
      for: Duration.minutes(10),
      severity: 'warning',
      summary: `The canary of ${w.name} in ${w.namespace} fails more requests than stable`,
      when: `the canary's error ratio over ${WINDOW} is above ${ERROR_FACTOR} times stable's and above ${promNumber(ERROR_FLOOR * 100)} %`,
      triage: steps,
    });
  }
  const l = slo.latency;
  if (l) {
    const h = l.histogram ?? 'http_request_duration_seconds';
    const q = (t: string) =>
      `histogram_quantile(${promNumber(l.objective)}, sum by (le) (rate(${series(`${h}_bucket`, track(t))}[${WINDOW}])))`;
    alerts.push({
      alert: 'MlCanaryLatencyAboveStable',
      family: 'canary',
      expr: `${q('canary')} > ${LATENCY_FACTOR} * ${q('stable')}`,
      for: Duration.minutes(10),
      severity: 'warning',
      summary: `The canary of ${w.name} in ${w.namespace} is slower than stable`,
      when: `the canary's p${promNumber(l.objective * 100)} latency over ${WINDOW} is above ${LATENCY_FACTOR} times stable's (the SLO bound is ${l.threshold.toMilliseconds()}ms)`,
      triage: steps,
    });
  }
  return alerts;
}
