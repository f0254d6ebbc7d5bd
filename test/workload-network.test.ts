import { Duration } from 'cdk8s';
import { Accelerator, BatchScoringJob, MlEnvValue, GpuTrainingJob, QueueTrigger, QueueWorker } from '../src';
import { one, synthValid, testChart } from './helpers';

const image = 'registry.example.com/w:v1';
const resources = { cpu: '1', memory: '2Gi' };

describe('workloads without ingress get a default-deny NetworkPolicy with explicit egress', () => {
  test('a batch job writing to an object store must declare the store', () => {
    expect(() => new BatchScoringJob(testChart(), 'score', { image, resources, outputUri: 's3://out' })).toThrow(
      /BatchScoringJob 'test\/score': networkPolicy.egressTo \(unset\) allows no destination, so writing results to outputUri \/ fetching model.uri would be blocked/,
    );
    const chart = testChart();
    new BatchScoringJob(chart, 'score', {
      image,
      resources,
      outputUri: 's3://out',
      networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [443] }] },
    });
    const np = one(synthValid(chart), 'NetworkPolicy').spec;
    expect(np.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });

  test('a queue worker must be able to reach its broker', () => {
    const props = {
      image,
      resources,
      maxProcessingTime: Duration.minutes(1),
      maxReplicas: 3,
      env: { RABBITMQ_URL: MlEnvValue.fromSecret('mq', 'url') },
      triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'RABBITMQ_URL' })],
    };
    expect(() => new QueueWorker(testChart(), 'w', props)).toThrow(
      /QueueWorker 'test\/w': networkPolicy.egressTo \(unset\) allows no destination, so consuming from the queue would be blocked/,
    );
    const chart = testChart();
    new QueueWorker(chart, 'w', { ...props, networkPolicy: false });
    expect(synthValid(chart).map((o) => o.kind)).not.toContain('NetworkPolicy');
  });

  test('distributed training workers reach each other on every port, and nothing else reaches them', () => {
    const chart = testChart();
    new GpuTrainingJob(chart, 'train', { image, resources, accelerator: Accelerator.nvidiaGpu(1), workers: 4 });
    const np = one(synthValid(chart), 'NetworkPolicy').spec;
    const self = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'train', 'app.kubernetes.io/instance': 'train' } } };
    expect(np.ingress).toEqual([{ from: [self], ports: [] }]); // no ports: every port
    expect(np.egress).toContainEqual({ to: [self], ports: [] });
  });
});
