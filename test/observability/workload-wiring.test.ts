import { Duration } from 'cdk8s';
import { Accelerator, BatchScoringJob, MlEnvValue, GpuTrainingJob, QueueTrigger, QueueWorker } from '../../src';
import { one, synthValid, testChart } from '../helpers';
import { expectRealPromql, rulesOf } from './promql';

const image = 'registry.example.com/w:v1';
const resources = { cpu: '1', memory: '2Gi' };
const alertsOf = (objects: any[]) =>
  rulesOf(objects)
    .map((r) => r.alert)
    .sort();

describe('monitoring is wired into every workload construct', () => {
  test('a scheduled BatchScoringJob: job alerts, a missed-schedule alert with the CronJob timing, a PodMonitor on its metrics port', () => {
    const chart = testChart('ml-batch');
    new BatchScoringJob(chart, 'nightly', { image, resources, schedule: '0 2 * * *', shards: 4, metricsPort: 9100, monitoring: {} });
    const objects = synthValid(chart);
    expect(alertsOf(objects)).toEqual(
      expect.arrayContaining(['MlCronJobMissedSchedule', 'MlJobFailed', 'MlJobOverRunning', 'MlPodsPending']),
    );
    expect(alertsOf(objects)).not.toContain('MlNoReadyEndpoints');
    expect(one(objects, 'PodMonitor').spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(one(objects, 'NetworkPolicy').spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }],
        ports: [{ port: 9100, protocol: 'TCP' }],
      },
    ]);
    const missed = rulesOf(objects).find((r) => r.alert === 'MlCronJobMissedSchedule')!;
    expect(missed.expr).toContain('kube_cronjob');
    expect(missed.annotations.summary).toContain('(0 2 * * *)');
    expectRealPromql(objects);
  });

  test('a GpuTrainingJob: failure, deadline and Pending (GPU capacity) alerts, no scrape without a metrics port', () => {
    const chart = testChart('ml-train');
    new GpuTrainingJob(chart, 'train', { image, resources, accelerator: Accelerator.nvidiaGpu(1), monitoring: {} });
    const objects = synthValid(chart);
    expect(alertsOf(objects)).toEqual(expect.arrayContaining(['MlJobFailed', 'MlJobOverRunning', 'MlPodsPending']));
    expect(objects.map((o) => o.kind)).not.toContain('PodMonitor');
    const overrun = rulesOf(objects).find((r) => r.alert === 'MlJobOverRunning')!;
    expect(overrun.expr).toMatch(/job_name="train"/);
    expectRealPromql(objects);
  });

  test("a QueueWorker: backlog objective, scaled to max too long, scaler failing, against KEDA's HPA named after the worker", () => {
    const chart = testChart('ml-queue');
    new QueueWorker(chart, 'embed', {
      image,
      resources,
      maxProcessingTime: Duration.minutes(2),
      maxReplicas: 20,
      env: { RABBITMQ_URL: MlEnvValue.fromSecret('mq', 'url') },
      triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 10, hostFromEnv: 'RABBITMQ_URL' })],
      networkPolicy: { egressTo: [{ to: { namespace: 'messaging' }, ports: [5672] }] },
      monitoring: { queue: { backlog: { maxMessages: 5000 } } },
    });
    const objects = synthValid(chart);
    expect(alertsOf(objects)).toEqual(expect.arrayContaining(['MlAtMaxReplicas', 'MlQueueBacklogHigh', 'MlScalerFailing']));
    const atMax = rulesOf(objects).find((r) => r.alert === 'MlAtMaxReplicas')!;
    expect(atMax.expr).toMatch(/horizontalpodautoscaler="embed"/);
    const backlog = rulesOf(objects).find((r) => r.alert === 'MlQueueBacklogHigh')!;
    expect(backlog.expr).toMatch(/> 5000/);
    expectRealPromql(objects);
  });
});
