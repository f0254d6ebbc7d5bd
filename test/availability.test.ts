import { Duration } from 'cdk8s';
import {
  Accelerator,
  MlEnvValue,
  MultiHostInference,
  MultiHostInferenceProps,
  OnlineInference,
  OnlineInferenceProps,
  Platform,
  QueueTrigger,
  QueueWorker,
  ScalingMetric,
} from '../src';
import { one, synthValid, testChart } from './helpers';

const cpuService: OnlineInferenceProps = { image: 'registry.example.com/s:v1', resources: { cpu: '500m', memory: '1Gi' } };
const gpuService: OnlineInferenceProps = {
  ...cpuService,
  accelerator: Accelerator.nvidiaGpu(1),
  autoscaling: { minReplicas: 1, maxReplicas: 4, metrics: [ScalingMetric.podsAverage('inflight', 4)] },
};

function build(props: OnlineInferenceProps): () => OnlineInference {
  return () => new OnlineInference(testChart(), 'svc', props);
}

describe('a serving workload never goes to zero ready replicas unless its owner chose to', () => {
  test('a GPU service with a floor of 1 and no spare accelerators is an error naming both fixes', () => {
    expect(build(gpuService)).toThrow(
      new RegExp(
        [
          "OnlineInference 'test/svc': availability \\(continuous\\) cannot be kept: ",
          'a node drain may evict the only replica \\(the PodDisruptionBudget allows 1 down at a floor of 1\\); ',
          'a rollout stops the only replica before a replacement is ready \\(maxSurge 0, maxUnavailable 1\\), so the service would have no ready replica; ',
          'set autoscaling.minReplicas: 2 so one replica serves while another is replaced, ',
          'or set rollout.spareAccelerators: 1 if the node pool has room for a surge pod .*',
          "or accept outages during releases and drains with availability: 'best-effort'",
        ].join(''),
      ),
    );
  });

  test('spare accelerators fix the rollout, but a lone replica still goes down on a drain', () => {
    expect(build({ ...gpuService, rollout: { spareAccelerators: 1 } })).toThrow(
      /availability \(continuous\) cannot be kept: a node drain may evict the only replica .*; set autoscaling.minReplicas: 2/,
    );
  });

  test('a single fixed replica names replicas: 2', () => {
    expect(build({ ...cpuService, replicas: 1 })).toThrow(
      /a node drain may evict the only replica .*; set replicas: 2 so one replica serves/,
    );
  });

  test('a budget or a rollout that may stop every pod is an error', () => {
    expect(build({ ...cpuService, replicas: 3, disruptionBudget: { maxUnavailable: 3 } })).toThrow(
      /a node drain may evict all 3 replicas \(the PodDisruptionBudget allows 3 down at a floor of 3\).*let the disruptionBudget allow fewer than 3 replicas down \(e.g. maxUnavailable: 2\)/,
    );
    expect(build({ ...cpuService, replicas: 2, disruptionBudget: { minAvailable: 0 } })).toThrow(/may evict all 2 replicas/);
    expect(build({ ...cpuService, replicas: 2, rollout: { maxUnavailable: 2 } })).toThrow(
      /a rollout stops 2 of 2 replicas before a replacement is ready \(maxSurge 1, maxUnavailable 2\).*lower rollout.maxUnavailable below 2/,
    );
    expect(build({ ...cpuService, disruptionBudget: false })).toThrow(
      /a node drain may evict every replica \(disruptionBudget: false\).*remove disruptionBudget: false/,
    );
  });

  test("availability: 'best-effort' accepts the outage and keeps today's objects", () => {
    const chart = testChart();
    new OnlineInference(chart, 'svc', { ...gpuService, availability: 'best-effort' });
    const objects = synthValid(chart);
    expect(one(objects, 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(one(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(build({ ...cpuService, replicas: 1, disruptionBudget: false, availability: 'best-effort' })).not.toThrow();
    expect(build({ ...cpuService, availability: 'sometimes' as any })).toThrow(
      /availability \(sometimes\) is not 'continuous' or 'best-effort'/,
    );
  });

  test('a GPU service with a floor of 2 rolls one pod at a time and keeps one serving', () => {
    const chart = testChart();
    new OnlineInference(chart, 'svc', { ...gpuService, autoscaling: { ...gpuService.autoscaling!, minReplicas: 2 } });
    const objects = synthValid(chart);
    expect(one(objects, 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(one(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });
});

describe('a multi-host (LeaderWorkerSet) service never loses its last group unless chosen', () => {
  const group: MultiHostInferenceProps = {
    image: 'vllm/vllm-openai:v0.11.0',
    groupSize: 2,
    resources: { cpu: '32', memory: '256Gi' },
    accelerator: Accelerator.nvidiaGpu(8),
    model: { name: 'llama', version: 'v1', claimName: 'llama-weights-v1', size: '200Gi' },
    networkPolicy: false,
  };

  test('one group is an error naming replicas: 2 and the spare accelerators of a surge group', () => {
    expect(() => new MultiHostInference(testChart(), 'llm', group)).toThrow(
      /MultiHostInference 'test\/llm': availability \(continuous\) cannot be kept: a node drain may evict the only replica .*; a rollout stops the only replica .*set replicas: 2 so one replica serves while another is replaced, or set rollout.spareAccelerators: 16 .*availability: 'best-effort'/,
    );
  });

  test("two groups, or availability: 'best-effort', synthesize", () => {
    for (const props of [
      { ...group, replicas: 2 },
      { ...group, availability: 'best-effort' as const },
    ]) {
      const chart = testChart();
      new MultiHostInference(chart, 'llm', props);
      expect(one(synthValid(chart), 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    }
  });
});

describe('disruption budgets never let a crash-looping pod block a drain', () => {
  test.each(['1.28', '1.34'])(
    'OnlineInference on Kubernetes %s: unhealthyPodEvictionPolicy AlwaysAllow survives synthesis',
    (kubernetesVersion) => {
      const chart = testChart();
      Platform.configure(chart, { kubernetesVersion });
      new OnlineInference(chart, 'svc', cpuService);
      expect(one(synthValid(chart), 'PodDisruptionBudget').spec).toMatchObject({
        maxUnavailable: 1,
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
    },
  );

  test('a QueueWorker with a floor of 2 gets the same budget', () => {
    const chart = testChart();
    new QueueWorker(chart, 'w', {
      image: 'registry.example.com/w:v1',
      resources: { cpu: '500m', memory: '1Gi' },
      env: { URL: MlEnvValue.fromSecret('mq', 'url') },
      maxProcessingTime: Duration.minutes(1),
      minReplicas: 2,
      maxReplicas: 5,
      networkPolicy: false,
      triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'URL' })],
    });
    expect(one(synthValid(chart), 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });
});

describe('queue workers may go to zero by design', () => {
  test('a GPU worker with a floor of 1 is accepted: the backlog waits in the broker', () => {
    expect(
      () =>
        new QueueWorker(testChart(), 'w', {
          image: 'registry.example.com/w:v1',
          resources: { cpu: '500m', memory: '1Gi' },
          env: { URL: MlEnvValue.fromSecret('mq', 'url') },
          accelerator: Accelerator.nvidiaGpu(1),
          maxProcessingTime: Duration.minutes(1),
          minReplicas: 1,
          maxReplicas: 2,
          networkPolicy: false,
          triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'URL' })],
        }),
    ).not.toThrow();
  });
});
