import { Duration } from 'cdk8s';
import { AlertSpec } from './alert';
import { ResolvedMonitoring } from './options';
import { Matcher, promDuration, secondsOf, series } from './promql';
import { Triage } from './triage';
import { MonitoredWorkload, podMatchers } from './workload';

/** Alerts for workloads behind a Service: no endpoints, readiness flapping, model load failing. */
export function servingAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  if (w.servicePort === undefined) return [];
  const t = new Triage(w);
  const pods = podMatchers(w);
  const ep: Matcher[] = [
    ['namespace', '=', w.namespace],
    ['endpoint', '=', w.name],
  ];
  const alerts: AlertSpec[] = [
    // A parked service has no endpoints on purpose.
    ...(w.parked
      ? []
      : [
          {
            alert: 'MlNoReadyEndpoints',
            family: 'serving',
            // kube_endpoint_address is stable and on by default (EndpointSlice metrics are experimental and
            // opt-in). With no address at all the series vanish, so kube_endpoint_info supplies the zero.
            expr: `(\n  sum by (namespace, endpoint) (${series('kube_endpoint_address', [...ep, ['ready', '=', 'true']])})\n  or\n  sum by (namespace, endpoint) (${series('kube_endpoint_info', ep)}) * 0\n) == 0`,
            for: Duration.minutes(2),
            severity: 'critical',
            summary: `${w.name} in ${w.namespace} has no ready endpoints: every request fails`,
            when: `the Service ${w.name} has had no ready address for 2 minutes (no pod passes readiness: model not loaded, probes failing, or no pod running)`,
            triage: [t.endpoints(), t.pods(), t.describe(), t.previousLogs(), t.rollback()],
          } satisfies AlertSpec,
        ]),
    {
      alert: 'MlReadinessFlapping',
      family: 'serving',
      expr: `sum by (namespace, pod) (changes(${series('kube_pod_status_ready', [...pods, ['condition', '=', 'true']])}[15m])) > ${o.thresholds.readinessChanges}`,
      severity: 'warning',
      summary: `A pod of ${w.name} in ${w.namespace} keeps dropping out of the Service`,
      when: `a pod changed its Ready condition more than ${o.thresholds.readinessChanges} times in 15 minutes (readiness probe too tight for the load, or the server stalls)`,
      value: 'Pod {{ $labels.pod }}: {{ $value }} changes.',
      triage: [t.describe(true), t.logs(), t.autoscaler()],
      carries: ['pod'],
    },
  ];
  if (w.modelLoad) alerts.push(modelLoadAlert(w, t, pods));
  return alerts;
}

/** Model fetch failing (init container restarting) or the server not ready past its load budget. */
function modelLoadAlert(w: MonitoredWorkload, t: Triage, pods: Matcher[]): AlertSpec {
  const { budget, initContainers = [] } = w.modelLoad!;
  const inits = initContainers.join(', ');
  const notReady = `max by (namespace, pod) (${series('kube_pod_container_status_ready', [...pods, ['container', '=', w.container]])} == 0)\n  and on (namespace, pod)\n  max by (namespace, pod) (${series('kube_pod_status_phase', [...pods, ['phase', '=', 'Running']])} == 1)`;
  const window = promDuration(Duration.seconds(Math.max(900, secondsOf(budget))));
  const initMatcher: Matcher =
    initContainers.length === 1 ? ['container', '=', initContainers[0]] : ['container', '=~', initContainers.join('|')];
  const fetchFailing = initContainers.length
    ? `sum by (namespace, pod) (increase(${series('kube_pod_init_container_status_restarts_total', [...pods, initMatcher])}[${window}])) > 0\nor\n`
    : '';
  return {
    alert: 'MlModelLoadFailing',
    family: 'serving',
    expr: `${fetchFailing}(\n  ${notReady}\n)`,
    // Readiness passes a probe period or two after the load; the margin keeps slow-but-healthy starts quiet.
    for: Duration.seconds(secondsOf(budget) + 120),
    severity: 'critical',
    summary: `${w.name} in ${w.namespace} cannot load its model`,
    when: `${inits ? `an init container (${inits}) keeps failing, or ` : ''}a running pod has not become ready within the model-load budget (${promDuration(budget)})`,
    value: 'Pod {{ $labels.pod }}.',
    triage: [
      ...(initContainers.length
        ? [
            {
              say: "Read the model init containers' logs: download, checksum, space or cache-wait errors",
              run: initContainers.map((c) => `kubectl logs <pod> -n ${w.namespace} -c ${c}`),
            },
          ]
        : []),
      t.logs(),
      t.previousLogs(),
      t.modelVersion(),
      t.rollback(),
    ],
    carries: ['pod'],
  };
}
