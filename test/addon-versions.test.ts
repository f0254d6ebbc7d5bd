import { Duration } from 'cdk8s';
import { Accelerator, ADDON_FEATURES, ADDON_VERSIONS, MultiHostInference, OnlineInference, Platform, ServingRuntime } from '../src';
import { MlEnvValue, QueueWorker, QueueTrigger } from '../src';
import { testChart } from './helpers';

describe('add-on versions: a platform states what it runs, output uses only fields those versions have', () => {
  test('every feature names its add-on, a first version and the upstream file it was read from', () => {
    for (const [key, f] of Object.entries(ADDON_FEATURES)) {
      expect(`${key} ${ADDON_VERSIONS[f.addon]}`).toMatch(/ v\d+\.\d+\.\d+$/);
      expect(f.since).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(f.source).toMatch(/^[\w-]+\/[\w.-]+ \S+\.go$/);
    }
  });

  test.each([
    [{ jobSet: 'latest' }, /platform addons.jobSet \(latest\) is not a version/],
    [
      { leaderWorkerSet: 'v0.2.0' },
      /platform addons.leaderWorkerSet \(v0.2.0\) is older than v0.3.0, the oldest release the library renders for/,
    ],
    [{ keda: '2.4' }, /platform addons.keda \(2.4\) is older than v2.5.0/],
  ])('refuses %j', (addons, message) => {
    expect(() => Platform.configure(testChart(), { addons })).toThrow(message);
  });

  test('LeaderWorkerSet before v0.4.0 has no LWS_GROUP_SIZE for the leader to count the group by', () => {
    const chart = testChart('llm');
    Platform.configure(chart, { addons: { leaderWorkerSet: 'v0.3.0' } });
    expect(
      () =>
        new MultiHostInference(chart, 'big', {
          image: 'vllm/vllm-openai:v0.11.0',
          groupSize: 2,
          availability: 'best-effort',
          resources: { cpu: '16', memory: '200Gi' },
          accelerator: Accelerator.nvidiaGpu(8),
          model: { name: 'llama', version: 'v1', claimName: 'weights-v1' },
        }),
    ).toThrow(
      /groupSize \(2\) needs LWS_GROUP_SIZE in every pod, available from leaderWorkerSet v0.4.0, but the platform states leaderWorkerSet v0.3.0/,
    );
  });

  test('KEDA before v2.7.0 has no per-trigger metricType, which queue scaling of an LLM server sets', () => {
    const chart = testChart('llm');
    Platform.configure(chart, { addons: { keda: 'v2.6.0' } });
    expect(
      () =>
        new OnlineInference(chart, 'llm', {
          image: 'vllm/vllm-openai:v0.11.0',
          resources: { cpu: '8', memory: '64Gi' },
          accelerator: Accelerator.nvidiaGpu(1),
          runtime: ServingRuntime.vllm(),
          model: { name: 'llama', version: 'v1', claimName: 'weights-v1' },
          autoscaling: { minReplicas: 2, maxReplicas: 4, queue: { waitingPerReplica: 8 } },
          monitoring: {},
        }),
    ).toThrow(
      /autoscaling.queue\[0\].metricType \(AverageValue\) needs ScaledObject spec.triggers\[\].metricType, available from keda v2.7.0/,
    );
  });

  test('KEDA before v2.14.0 has no initialCooldownPeriod', () => {
    const chart = testChart('q');
    Platform.configure(chart, { addons: { keda: 'v2.13.0' } });
    expect(
      () =>
        new QueueWorker(chart, 'w', {
          image: 'registry.example.com/worker:1.0',
          resources: { cpu: '1', memory: '1Gi' },
          triggers: [QueueTrigger.rabbitmq({ queueName: 'jobs', hostFromEnv: 'AMQP_URL', value: 10 })],
          maxReplicas: 4,
          initialCooldownPeriod: Duration.minutes(5),
          maxProcessingTime: Duration.minutes(2),
          env: { AMQP_URL: MlEnvValue.fromSecret('amqp', 'url') },
          networkPolicy: false,
        } as any),
    ).toThrow(/initialCooldownPeriod \(5 minutes\) needs ScaledObject spec.initialCooldownPeriod, available from keda v2.14.0/);
  });
});
