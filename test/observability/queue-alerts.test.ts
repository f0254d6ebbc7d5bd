import { Duration } from 'cdk8s';
import { MonitoringOptions, MonitoredWorkload, WorkloadMonitoring } from '../../src';
import { one, synthValid, testChart } from '../helpers';
import { expectRealPromql, rule, rulesOf } from './promql';
import { embedder, ocr } from './workloads';

const queue: MonitoringOptions = {
  queue: {
    backlog: { maxMessages: 5000 },
    oldestMessageAge: {
      metric: 'aws_sqs_approximate_age_of_oldest_message_maximum',
      matchers: { queue_name: 'embeddings' },
      maxAge: Duration.minutes(15),
    },
  },
};

function synth(workload: MonitoredWorkload, options: MonitoringOptions = queue) {
  const chart = testChart(workload.namespace);
  new WorkloadMonitoring(chart, workload.name, { workload, ...options });
  return synthValid(chart);
}

describe('queue worker on a KEDA ScaledObject (descriptor)', () => {
  const objects = synth(embedder);
  const SO = 'exported_namespace="ml-queue", scaledObject="embedder", type="scaledobject"';

  test('PodMonitor + rules; every expression parses with real names', () => {
    expect(objects.map((o) => o.kind)).toEqual(['PodMonitor', 'PrometheusRule']);
    expectRealPromql(objects, ['aws_sqs_approximate_age_of_oldest_message_maximum']);
    expect(rulesOf(objects).map((r) => r.alert)).toEqual([
      'MlReplicasUnavailable',
      'MlRolloutStuck',
      'MlCrashLooping',
      'MlOOMKilled',
      'MlPodsPending',
      'MlAtMaxReplicas',
      'MlScalerFailing',
      'MlQueueBacklogHigh',
      'MlQueueMessageAgeHigh',
    ]);
  });

  test('scaler failing: KEDA scaler errors in 5m, for 10m (fallback replicas active)', () => {
    const r = rule(objects, 'MlScalerFailing');
    expect(r.expr).toBe(`sum by (exported_namespace, scaledObject, scaler) (increase(keda_scaler_detail_errors_total{${SO}}[5m])) > 0`);
    expect(r.for).toBe('10m');
    expect(r.annotations.description).toMatch(/fallback/);
    expect(
      r.annotations.runbook
        .split('\n')
        .slice(1, 3)
        .map((l) => l.trim()),
    ).toEqual(['kubectl describe scaledobject/embedder -n ml-queue', 'kubectl logs -n keda -l app=keda-operator --tail=200']);
  });

  test('the selectors match the series as the KEDA chart stores them (namespace of KEDA, exported_namespace of the ScaledObject)', () => {
    // keda_scaler_detail_errors_total scraped by the chart's ServiceMonitor, which keeps no honorLabels.
    const scraped: Record<string, string> = {
      namespace: 'keda',
      exported_namespace: 'ml-queue',
      scaledObject: 'embedder',
      scaler: 'prometheusScaler',
      triggerIndex: '0',
      type: 'scaledobject',
    };
    for (const alert of ['MlScalerFailing', 'MlQueueBacklogHigh']) {
      const selector = /\{([^}]*)\}/.exec(rule(objects, alert).expr)![1];
      for (const [, label, value] of selector.matchAll(/(\w+)="([^"]*)"/g))
        expect(`${alert} ${label}=${scraped[label]}`).toBe(`${alert} ${label}=${value}`);
    }
  });

  test("backlog: the queue trigger's metric above 5000 for 15m", () => {
    const r = rule(objects, 'MlQueueBacklogHigh');
    expect(r.expr).toBe(`max by (exported_namespace, scaledObject) (keda_scaler_metrics_value{${SO}, triggerIndex="0"}) > 5000`);
    expect(r.for).toBe('15m');
  });

  test('oldest message age above 15 minutes (900 s) for 10m', () => {
    const r = rule(objects, 'MlQueueMessageAgeHigh');
    expect(r.expr).toBe('max(aws_sqs_approximate_age_of_oldest_message_maximum{queue_name="embeddings"}) > 900');
    expect(r.for).toBe('10m');
  });

  test('scaled to max for 30m: the keda-hpa-embedder HPA at its maximum', () => {
    const r = rule(objects, 'MlAtMaxReplicas');
    expect(r.expr).toContain(
      'kube_horizontalpodautoscaler_status_current_replicas{namespace="ml-queue", horizontalpodautoscaler="keda-hpa-embedder"}',
    );
    expect(r.group).toBe('ml-queue.embedder.queue');
    expect(r.annotations.runbook).toContain('kubectl describe hpa/keda-hpa-embedder -n ml-queue');
  });

  test('no Service: no endpoint or readiness alerts', () => {
    expect(rulesOf(objects).map((r) => r.alert)).not.toContain('MlNoReadyEndpoints');
  });
});

describe('queue worker on a KEDA ScaledJob (descriptor)', () => {
  const objects = synth(ocr, { queue: { backlog: { maxMessages: 200, triggerIndex: 1, for: Duration.minutes(5) } } });

  test('every expression parses with real names', () => {
    expectRealPromql(objects);
  });

  test('scaled to max: 10 active Jobs of the ScaledJob at once (no HPA)', () => {
    expect(rule(objects, 'MlAtMaxReplicas').expr).toBe(
      'count(kube_job_status_active{namespace="ml-queue", job_name=~"doc-ocr-[a-z0-9]{5}"} > 0) >= 10',
    );
  });

  test('KEDA metrics of a ScaledJob: type scaledjob, chosen trigger', () => {
    expect(rule(objects, 'MlScalerFailing').expr).toContain('scaledObject="doc-ocr", type="scaledjob"');
    expect(rule(objects, 'MlQueueBacklogHigh').expr).toContain('triggerIndex="1"}) > 200');
    expect(rule(objects, 'MlQueueBacklogHigh').for).toBe('5m');
  });

  test('job alerts apply to the Jobs it runs; pods matched through the Job names', () => {
    expect(rule(objects, 'MlJobFailed').expr).toContain('job_name=~"doc-ocr-[a-z0-9]{5}"');
    expect(rule(objects, 'MlCrashLooping').expr).toContain('pod=~"doc-ocr-[a-z0-9]{5}-([0-9]+-)?[a-z0-9]{5}"');
    expect(rule(objects, 'MlJobFailed').annotations.runbook).toContain(
      'kubectl annotate scaledjob/doc-ocr -n ml-queue autoscaling.keda.sh/paused=true',
    );
  });

  test('PodMonitor selects the worker pods', () => {
    expect(one(objects, 'PodMonitor').spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'doc-ocr',
      'app.kubernetes.io/instance': 'doc-ocr',
    });
  });
});
