import { Duration } from 'cdk8s';
import { OnlineInference, OnlineInferenceProps } from '../../src';
import { one, synthValid, testChart, yamlOf } from '../helpers';
import { expectRealPromql, rule, rulesOf, selectorsOf } from './promql';

const BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const POD = 'pod=~"fraud-scorer-[a-z0-9]+-[a-z0-9]{5}"';

/** The reference's fraud scorer: metrics on :8001, model fetched at start, 99.9 % and p95 ≤ 250 ms. */
const fraudScorer: OnlineInferenceProps = {
  image: 'registry.example.com/fraud-scorer:v3.2.0',
  resources: { cpu: '500m', memory: '2Gi', memoryLimit: '4Gi' },
  metricsPort: 8001,
  model: {
    name: 'fraud',
    version: 'v3.2.0',
    uri: 'https://models.example.com/fraud/v3.2.0/model.onnx',
    sha256: 'a'.repeat(64),
    size: '2Gi',
  },
  autoscaling: { minReplicas: 3, maxReplicas: 12 },
  networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
  monitoring: {
    slo: {
      availability: { objective: 0.999 },
      latency: { objective: 0.95, threshold: Duration.millis(250), histogram: 'ml_inference_duration_seconds', buckets: BUCKETS },
    },
  },
};

function synth(props: OnlineInferenceProps = fraudScorer) {
  const chart = testChart('ml-serving');
  const svc = new OnlineInference(chart, 'fraud-scorer', props);
  return { svc, objects: synthValid(chart) }; // validates ServiceMonitor/PrometheusRule against prometheus-operator models
}

describe('OnlineInference with monitoring', () => {
  const { svc, objects } = synth();

  test('emits a ServiceMonitor and a PrometheusRule named after the workload, beside its objects', () => {
    expect(
      objects.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1').map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.namespace}`),
    ).toEqual(['ServiceMonitor/fraud-scorer/ml-serving', 'PrometheusRule/fraud-scorer/ml-serving']);
    expect(svc.monitoring?.serviceMonitor).toBeDefined();
    expect(svc.monitoring?.podMonitor).toBeUndefined();
  });

  test('the ServiceMonitor scrapes the named metrics port of the workload Service', () => {
    const sm = one(objects, 'ServiceMonitor');
    expect(sm.spec).toEqual({
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'fraud-scorer', 'app.kubernetes.io/instance': 'fraud-scorer' },
        matchExpressions: [{ key: 'cdk8s-ml.io/track', operator: 'DoesNotExist' }],
      },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
      podTargetLabels: ['cdk8s-ml.io/track'],
    });
    const service = one(objects, 'Service');
    expect(service.spec.ports).toContainEqual({ name: 'metrics', port: 8001, targetPort: 8001 });
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(service.metadata.labels![k]).toBe(v);
    // The NetworkPolicy lets the monitoring namespace reach that port.
    expect(one(objects, 'NetworkPolicy').spec.ingress[1].ports).toEqual([{ port: 8001, protocol: 'TCP' }]);
  });

  test('every expression parses as PromQL and uses real kube-state-metrics names and labels', () => {
    expectRealPromql(objects, ['http_requests_total', 'ml_inference_duration_seconds_bucket', 'ml_inference_duration_seconds_count']);
  });

  test('every alert has severity, a summary naming workload and namespace, a runbook with real names, and a runbook_url', () => {
    const rules = rulesOf(objects);
    expect(rules.map((r) => r.alert)).toEqual([
      'MlAvailabilityFastBurn',
      'MlAvailabilitySlowBurn',
      'MlLatencyFastBurn',
      'MlLatencySlowBurn',
      'MlNoReadyEndpoints',
      'MlReadinessFlapping',
      'MlModelLoadFailing',
      'MlAtMaxReplicas',
      'MlReplicasUnavailable',
      'MlRolloutStuck',
      'MlCrashLooping',
      'MlOOMKilled',
      'MlPodsPending',
    ]);
    for (const r of rules) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.labels).toMatchObject({ namespace: 'ml-serving', workload: 'fraud-scorer' });
      expect(r.annotations.summary).toMatch(/fraud-scorer/);
      expect(r.annotations.summary).toMatch(/ml-serving/);
      expect(r.annotations.runbook).toMatch(/^1\. .*\n {3}kubectl .*-n ml-serving/);
      expect(r.annotations.runbook).not.toMatch(/<(name|namespace|ns|service-name)>/);
      expect(r.annotations.runbook_url).toBe(`RUNBOOK.md#ml-serving-fraud-scorer-${r.alert.toLowerCase()}`);
      expect(r.annotations.description).toBeTruthy();
    }
  });

  test('rule groups follow the alert families', () => {
    expect(one(objects, 'PrometheusRule').spec.groups.map((g: any) => g.name)).toEqual([
      'ml-serving.fraud-scorer.slo',
      'ml-serving.fraud-scorer.serving',
      'ml-serving.fraud-scorer.rollout',
      'ml-serving.fraud-scorer.pods',
    ]);
  });

  test('the PrometheusRule matches the snapshot', () => {
    expect(yamlOf([one(objects, 'PrometheusRule')])).toMatchSnapshot();
  });
});

describe('availability burn-rate alerts', () => {
  const { objects } = synth();
  const fast = rule(objects, 'MlAvailabilityFastBurn');
  const slow = rule(objects, 'MlAvailabilitySlowBurn');
  const ratio = (w: string) =>
    `(sum(rate(http_requests_total{namespace="ml-serving", service="fraud-scorer", code=~"5.."}[${w}])) / sum(rate(http_requests_total{namespace="ml-serving", service="fraud-scorer"}[${w}])))`;

  test('page: 1h and 5m above 14.4 × 0.001, or 6h and 30m above 6 × 0.001', () => {
    expect(fast.labels.severity).toBe('critical');
    expect(fast.expr).toBe(
      [
        `(\n  ${ratio('1h')} > 0.0144\nand\n  ${ratio('5m')} > 0.0144\n)`,
        `(\n  ${ratio('6h')} > 0.006\nand\n  ${ratio('30m')} > 0.006\n)`,
      ].join('\nor\n'),
    );
    expect(fast.for).toBe('2m');
  });

  test('ticket: 1d and 2h above 3 × 0.001, or 3d and 6h above 1 × 0.001', () => {
    expect(slow.labels.severity).toBe('warning');
    expect(slow.expr).toContain(`${ratio('1d')} > 0.003\nand\n  ${ratio('2h')} > 0.003`);
    expect(slow.expr).toContain(`${ratio('3d')} > 0.001\nand\n  ${ratio('6h')} > 0.001`);
  });

  test('the error budget and burn rates are written in the annotations', () => {
    expect(fast.annotations).toMatchObject({
      slo: '99.9% of requests succeed over 30d',
      error_budget: '0.1% of requests may fail over 30d (as much as 43.2 minutes of total outage)',
      burn_rate:
        '14.4x over 1h and 5m (2% of the budget in 1h, bad ratio > 0.0144); 6x over 6h and 30m (5% of the budget in 6h, bad ratio > 0.006)',
    });
    expect(fast.annotations.description).toMatch(/whole budget is gone in 2\.08 days/);
  });

  test('the first step checks the pods, then endpoints, logs, a direct request, the model version and rollback', () => {
    expect(fast.annotations.runbook).toContain(
      'kubectl get pods -n ml-serving -l app.kubernetes.io/name=fraud-scorer,app.kubernetes.io/instance=fraud-scorer -o wide',
    );
    expect(fast.annotations.runbook).toContain('kubectl get endpoints fraud-scorer -n ml-serving');
    expect(fast.annotations.runbook).toContain('kubectl port-forward svc/fraud-scorer 8080:80 -n ml-serving');
    expect(fast.annotations.runbook).toContain('kubectl rollout undo deploy/fraud-scorer -n ml-serving');
  });

  test('custom counter, status label and error values are used', () => {
    const { objects: o } = synth({
      ...fraudScorer,
      monitoring: {
        slo: { availability: { objective: 0.99, requestsMetric: 'predictions_total', statusLabel: 'status', errorStatus: '5..|429' } },
      },
    });
    const r = rule(o, 'MlAvailabilityFastBurn');
    expect(r.expr).toContain('sum(rate(predictions_total{namespace="ml-serving", service="fraud-scorer", status=~"5..|429"}[1h]))');
    expect(r.expr).toContain('> 0.144\n');
    expectRealPromql(o, ['predictions_total']);
  });
});

describe('latency burn-rate alerts (p95 ≤ 250 ms)', () => {
  const { objects } = synth();
  const fast = rule(objects, 'MlLatencyFastBurn');

  test('the bad ratio is the share of requests above the 0.25 s bucket, against 14.4 × 0.05 and 6 × 0.05', () => {
    const slow = (w: string) =>
      `(1 - sum(rate(ml_inference_duration_seconds_bucket{namespace="ml-serving", service="fraud-scorer", le="0.25"}[${w}])) / sum(rate(ml_inference_duration_seconds_count{namespace="ml-serving", service="fraud-scorer"}[${w}])))`;
    expect(fast.expr).toContain(`${slow('1h')} > 0.72\nand\n  ${slow('5m')} > 0.72`);
    expect(fast.expr).toContain(`${slow('6h')} > 0.3\nand\n  ${slow('30m')} > 0.3`);
    expect(rule(objects, 'MlLatencySlowBurn').expr).toContain(`${slow('3d')} > 0.05\nand\n  ${slow('6h')} > 0.05`);
    expect(fast.annotations.error_budget).toBe('5% of requests may take longer than 250ms over 30d (as much as 1.5 days of total outage)');
  });

  test('a whole-second threshold matches both "1" and "1.0" bucket spellings', () => {
    const { objects: o } = synth({
      ...fraudScorer,
      monitoring: { slo: { latency: { objective: 0.99, threshold: Duration.seconds(1), buckets: BUCKETS } } },
    });
    expect(rule(o, 'MlLatencyFastBurn').expr).toContain('le=~"1(\\\\.0)?"');
    expectRealPromql(o, ['http_request_duration_seconds_bucket', 'http_request_duration_seconds_count']);
  });

  test('first steps: autoscaler and load, then pods and events', () => {
    expect(fast.annotations.runbook.split('\n')[1].trim()).toBe('kubectl describe hpa/fraud-scorer -n ml-serving');
  });
});

describe('serving alerts from the reference', () => {
  const { objects } = synth();

  test('no ready endpoints: ready addresses of Endpoints fraud-scorer, zero when none exist, for 2m, critical', () => {
    const r = rule(objects, 'MlNoReadyEndpoints');
    expect(r.expr).toBe(
      '(\n  sum by (namespace, endpoint) (kube_endpoint_address{namespace="ml-serving", endpoint="fraud-scorer", ready="true"})\n  or\n  sum by (namespace, endpoint) (kube_endpoint_info{namespace="ml-serving", endpoint="fraud-scorer"}) * 0\n) == 0',
    );
    expect(r).toMatchObject({ for: '2m', labels: { severity: 'critical' } });
    expect(r.annotations.runbook.split('\n')[1].trim()).toBe('kubectl get endpoints fraud-scorer -n ml-serving');
  });

  test('replicas unavailable for 15m while replicas are desired', () => {
    const r = rule(objects, 'MlReplicasUnavailable');
    expect(r.expr).toBe(
      'kube_deployment_status_replicas_unavailable{namespace="ml-serving", deployment="fraud-scorer"} > 0\nand on (namespace, deployment)\nkube_deployment_spec_replicas{namespace="ml-serving", deployment="fraud-scorer"} > 0',
    );
    expect(r.for).toBe('15m');
    expect(r.annotations.runbook).toMatch(/^1\. Confirm the rollout.*\n {3}kubectl rollout status deploy\/fraud-scorer -n ml-serving/);
  });

  test('rollout stuck: Progressing=false (progress deadline exceeded), first step rollout status, rollback offered', () => {
    const r = rule(objects, 'MlRolloutStuck');
    expect(r.expr).toBe(
      'kube_deployment_status_condition{namespace="ml-serving", deployment="fraud-scorer", condition="Progressing", status="false"} == 1',
    );
    expect(r.annotations.runbook).toContain('kubectl rollout undo deploy/fraud-scorer -n ml-serving');
  });

  test("crash looping: CrashLoopBackOff on the workload's pods for 10m; first read the previous logs of that pod", () => {
    const r = rule(objects, 'MlCrashLooping');
    expect(r.expr).toBe(
      `max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{namespace="ml-serving", ${POD}, reason="CrashLoopBackOff"}[5m])) >= 1`,
    );
    expect(r.for).toBe('10m');
    expect(r.annotations.runbook.split('\n')[1].trim()).toBe('kubectl logs {{ $labels.pod }} -n ml-serving -c server --previous');
  });

  test('OOMKilled: last termination OOMKilled with a restart in 30m, or a pod that ended OOMKilled', () => {
    const r = rule(objects, 'MlOOMKilled');
    expect(r.expr).toContain(`kube_pod_container_status_last_terminated_reason{namespace="ml-serving", ${POD}, reason="OOMKilled"}) == 1`);
    expect(r.expr).toContain(
      `sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{namespace="ml-serving", ${POD}}[30m])) > 0`,
    );
    expect(r.expr).toContain('kube_pod_container_status_terminated_reason');
    expect(r.annotations.runbook).toContain(
      `kubectl get pod {{ $labels.pod }} -n ml-serving -o jsonpath='{.status.containerStatuses[?(@.name=="server")].lastState.terminated}'`,
    );
  });

  test('autoscaler pinned at max: current replicas of HPA fraud-scorer >= its max for 30m', () => {
    const r = rule(objects, 'MlAtMaxReplicas');
    expect(r.expr).toBe(
      'kube_horizontalpodautoscaler_status_current_replicas{namespace="ml-serving", horizontalpodautoscaler="fraud-scorer"}\n>= on (namespace, horizontalpodautoscaler)\nkube_horizontalpodautoscaler_spec_max_replicas{namespace="ml-serving", horizontalpodautoscaler="fraud-scorer"}',
    );
    expect(r.for).toBe('30m');
    expect(r.annotations.summary).toContain('maximum of 12 replicas');
  });

  test('readiness flapping: more than 4 Ready changes of one pod in 15m', () => {
    const r = rule(objects, 'MlReadinessFlapping');
    expect(r.expr).toBe(
      `sum by (namespace, pod) (changes(kube_pod_status_ready{namespace="ml-serving", ${POD}, condition="true"}[15m])) > 4`,
    );
  });

  test('model load failing: fetch-model or verify-model init container restarting, or a running pod not ready past the 2m load budget', () => {
    const r = rule(objects, 'MlModelLoadFailing');
    expect(r.expr).toContain(
      `increase(kube_pod_init_container_status_restarts_total{namespace="ml-serving", ${POD}, container=~"fetch-model|verify-model"}[15m])) > 0`,
    );
    expect(r.annotations.runbook).toContain('-c verify-model');
    expect(r.expr).toContain(`kube_pod_container_status_ready{namespace="ml-serving", ${POD}, container="server"} == 0`);
    expect(r.expr).toContain('phase="Running"');
    expect(r.for).toBe('4m');
    expect(r.annotations.runbook.split('\n')[1].trim()).toBe('kubectl logs {{ $labels.pod }} -n ml-serving -c fetch-model');
  });

  test('pods Pending for 15m', () => {
    const r = rule(objects, 'MlPodsPending');
    expect(r.expr).toBe(`max by (namespace, pod) (kube_pod_status_phase{namespace="ml-serving", ${POD}, phase="Pending"}) == 1`);
    expect(r.for).toBe('15m');
  });

  test("every pod selector ties the series to this Deployment's pods by name", () => {
    for (const r of rulesOf(objects)) {
      const podSelectors = selectorsOf(r.expr).filter((x) => x.labels.includes('pod')).length;
      expect(r.expr.split(POD).length - 1).toBe(podSelectors);
    }
  });
});

describe('monitoring options', () => {
  test('thresholds, scrape settings and exclusions are honoured', () => {
    const { objects } = synth({
      ...fraudScorer,
      replicas: 2,
      autoscaling: undefined,
      monitoring: {
        metricsPath: '/prom',
        scrapeInterval: Duration.seconds(15),
        labels: { release: 'prom' },
        thresholds: { podsPendingFor: Duration.minutes(30), replicasUnavailableFor: Duration.minutes(5), readinessChanges: 6 },
        exclude: ['MlOOMKilled'],
      },
    });
    expect(one(objects, 'ServiceMonitor').spec.endpoints).toEqual([{ port: 'metrics', path: '/prom', interval: '15s' }]);
    expect(one(objects, 'PrometheusRule').metadata.labels).toMatchObject({ release: 'prom' });
    expect(rule(objects, 'MlPodsPending').for).toBe('30m');
    expect(rule(objects, 'MlReplicasUnavailable').for).toBe('5m');
    expect(rule(objects, 'MlReadinessFlapping').expr).toMatch(/> 6$/);
    const names = rulesOf(objects).map((r) => r.alert);
    expect(names).not.toContain('MlOOMKilled');
    expect(names).not.toContain('MlAtMaxReplicas'); // fixed replicas: no autoscaler
    expect(names).not.toContain('MlAvailabilityFastBurn'); // no SLO declared
  });

  test('without a model fetch the model-load alert watches readiness only', () => {
    const { objects } = synth({ ...fraudScorer, model: { name: 'fraud', version: 'v3' }, networkPolicy: undefined });
    expect(rule(objects, 'MlModelLoadFailing').expr).not.toContain('init_container');
  });

  test('without a metrics port and without a NetworkPolicy the serving port is scraped', () => {
    const { objects } = synth({ ...fraudScorer, metricsPort: undefined, networkPolicy: false });
    expect(one(objects, 'ServiceMonitor').spec.endpoints[0].port).toBe('http');
  });

  test('monitoring: false and the default leave no monitoring objects', () => {
    for (const monitoring of [false as const, undefined]) {
      const { svc, objects } = synth({ ...fraudScorer, monitoring });
      expect(svc.monitoring).toBeUndefined();
      expect(objects.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1')).toEqual([]);
    }
  });
});
