import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { queueChart } from '../examples/queue';
import { Accelerator, MlEnvValue, QueueTrigger, QueueWorker, QueueWorkerProps, ScalingMetric, TriggerAuth } from '../src';
import * as resources from '../src/core/resources';
import { Manifest, container, one, podSpec, synthValid, testChart } from './helpers';

const IMAGE = 'registry.example.com/worker:v1.0.0';
const rabbit = () => QueueTrigger.rabbitmq({ queueName: 'jobs', value: 10, hostFromEnv: 'RABBITMQ_URL' });
const base: QueueWorkerProps = {
  image: IMAGE,
  resources: { cpu: '500m', memory: '1Gi' },
  env: { RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq', 'url') },
  maxProcessingTime: Duration.minutes(2),
  maxReplicas: 10,
  triggers: [rabbit()],
  networkPolicy: { egressTo: [{ to: { namespace: 'messaging', podLabels: { app: 'rabbitmq' } }, ports: [5672] }] },
};

function synthWorker(props: Partial<QueueWorkerProps> = {}, id = 'w'): Manifest[] {
  const chart = testChart();
  new QueueWorker(chart, id, { ...base, ...props });
  return synthValid(chart);
}

function build(props: Partial<QueueWorkerProps>): () => void {
  return () => new QueueWorker(testChart(), 'w', { ...base, ...props });
}

describe('examples/queue.ts', () => {
  const objects = synthValid(queueChart(Testing.app()));

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('embedding backfill: a Deployment scaled 0-50 by a RabbitMQ ScaledObject, no Service', () => {
    const deploy = one(objects, 'Deployment', 'embedding-backfill');
    expect(deploy.spec.replicas).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'Service')).toHaveLength(0);
    const spec = podSpec(deploy);
    expect(spec.terminationGracePeriodSeconds).toBe(150);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe('embedding-backfill');
    expect(container(deploy).resources).toEqual({
      requests: { cpu: '1', memory: '2Gi', 'ephemeral-storage': '1280Mi' },
      limits: { memory: '3Gi', 'ephemeral-storage': '1280Mi' },
    });
    expect(container(deploy).securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const so = one(objects, 'ScaledObject', 'embedding-backfill');
    expect(so.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'embedding-backfill' },
      minReplicaCount: 0,
      maxReplicaCount: 50,
      pollingInterval: 30,
      cooldownPeriod: 300,
      triggers: [
        { type: 'rabbitmq', metadata: { queueName: 'embedding-backfill', mode: 'QueueLength', value: '20', hostFromEnv: 'RABBITMQ_URL' } },
      ],
    });
    expect(one(objects, 'ServiceAccount', 'embedding-backfill').automountServiceAccountToken).toBe(false);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(0);
  });

  test('document processor: a ScaledJob with the core pod spec and a pod-identity TriggerAuthentication', () => {
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'document-processor')).toHaveLength(0);
    const sj = one(objects, 'ScaledJob', 'document-processor');
    expect(sj.apiVersion).toBe('keda.sh/v1alpha1');
    const pod = sj.spec.jobTargetRef.template.spec;
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: '4', memory: '16Gi', 'ephemeral-storage': '1280Mi' },
      limits: { memory: '16Gi', 'ephemeral-storage': '1280Mi' },
    });
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '1024Mi' } }]);
    expect(sj.spec.jobTargetRef.template.metadata.annotations).toEqual({ 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' });
    expect(sj.spec).toMatchObject({
      rollout: { strategy: 'gradual' },
      scalingStrategy: { strategy: 'accurate' },
      maxReplicaCount: 20,
      minReplicaCount: 0,
    });
    expect(sj.spec.jobTargetRef).toMatchObject({
      parallelism: 1,
      completions: 1,
      backoffLimit: 0,
      activeDeadlineSeconds: (45 + 10) * 60 + 30,
    });
    expect(sj.spec.triggers[0]).toEqual({
      type: 'aws-sqs-queue',
      authenticationRef: { name: 'document-processor' },
      metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/documents', queueLength: '1', awsRegion: 'eu-west-1' },
    });
    expect(one(objects, 'TriggerAuthentication', 'document-processor').spec).toEqual({
      podIdentity: { provider: 'aws', identityOwner: 'workload' },
    });
  });

  test('no null anywhere', () => {
    expect(JSON.stringify(objects)).not.toContain('null');
  });
});

describe('ScaledObject settings', () => {
  const objects = synthWorker({
    minReplicas: 2,
    maxReplicas: 30,
    idleReplicas: 0,
    pollingInterval: Duration.seconds(15),
    cooldownPeriod: Duration.minutes(10),
    initialCooldownPeriod: Duration.minutes(2),
    startupTime: Duration.minutes(3),
    fallback: { replicas: 4, failureThreshold: 5, behavior: 'currentReplicasIfHigher' },
    behavior: { scaleDown: { stabilizationWindow: Duration.minutes(10), pods: 2 } },
    triggers: [
      QueueTrigger.rabbitmq({
        name: 'rabbit',
        queueName: 'jobs',
        value: 10,
        host: 'amqp://rabbitmq.queues.svc:5672/',
        auth: TriggerAuth.fromSecret('rabbitmq', { username: 'user', password: 'pass' }),
      }),
      QueueTrigger.kafka({
        name: 'kafka',
        bootstrapServers: ['kafka-0.kafka:9092'],
        consumerGroup: 'g',
        lagThreshold: 50,
        sasl: 'scram_sha512',
        tls: true,
        auth: TriggerAuth.fromSecret('kafka', { username: 'u', password: 'p' }),
      }),
      QueueTrigger.cpuUtilization(80),
    ],
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('every declared field reaches the ScaledObject', () => {
    expect(one(objects, 'ScaledObject').spec).toMatchObject({
      minReplicaCount: 2,
      maxReplicaCount: 30,
      idleReplicaCount: 0,
      pollingInterval: 15,
      cooldownPeriod: 600,
      initialCooldownPeriod: 120,
      fallback: { replicas: 4, failureThreshold: 5, behavior: 'currentReplicasIfHigher' },
      advanced: {
        horizontalPodAutoscalerConfig: {
          name: 'w',
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: 600,
              selectPolicy: 'Min',
              policies: [
                { type: 'Percent', value: 10, periodSeconds: 60 },
                { type: 'Pods', value: 2, periodSeconds: 60 },
              ],
            },
            scaleUp: { selectPolicy: 'Max' },
          },
        },
      },
    });
  });

  test('one TriggerAuthentication per distinct auth, named after the worker and the trigger', () => {
    const tas = objects.filter((o) => o.kind === 'TriggerAuthentication');
    expect(tas.map((t) => t.metadata.name)).toEqual(['w-rabbit', 'w-kafka']);
    expect(tas[0].spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'rabbitmq', key: 'user' },
      { parameter: 'password', name: 'rabbitmq', key: 'pass' },
    ]);
    const triggers = one(objects, 'ScaledObject').spec.triggers;
    expect(triggers.map((t: any) => t.authenticationRef?.name)).toEqual(['w-rabbit', 'w-kafka', undefined]);
    expect(triggers[2]).toEqual({ type: 'cpu', metricType: 'Utilization', metadata: { value: '80' } });
  });

  test('a PodDisruptionBudget that never blocks a drain, with a floor of 2', () => {
    expect(one(objects, 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'w', 'app.kubernetes.io/instance': 'w' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });
});

describe('drain contract', () => {
  test('the grace period is the processing time plus the margin', () => {
    const objects = synthWorker({ maxProcessingTime: Duration.minutes(5), shutdownMargin: Duration.seconds(45) });
    expect(podSpec(one(objects, 'Deployment')).terminationGracePeriodSeconds).toBe(345);
  });

  test('past the threshold the worker becomes a ScaledJob; on request it stays a Deployment', () => {
    expect(synthWorker({ maxProcessingTime: Duration.minutes(10) }).map((o) => o.kind)).toContain('ScaledJob');
    expect(synthWorker({ maxProcessingTime: Duration.minutes(9), shutdownMargin: Duration.seconds(60) }).map((o) => o.kind)).toContain(
      'ScaledObject',
    );
    const kept = synthWorker({ maxProcessingTime: Duration.minutes(30), execution: 'deployment' });
    expect(podSpec(one(kept, 'Deployment')).terminationGracePeriodSeconds).toBe(1830);
    const threshold = synthWorker({ maxProcessingTime: Duration.minutes(20), jobThreshold: Duration.minutes(30) });
    expect(threshold.map((o) => o.kind)).toContain('ScaledObject');
  });

  test('on request a short task runs as a ScaledJob', () => {
    const objects = synthWorker({
      execution: 'job',
      job: { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 3, backoffLimit: 1, scalingStrategy: 'eager' },
      startupTime: Duration.minutes(1),
    });
    const sj = one(objects, 'ScaledJob');
    expect(sj.spec).toMatchObject({
      successfulJobsHistoryLimit: 2,
      failedJobsHistoryLimit: 3,
      scalingStrategy: { strategy: 'eager' },
      jobTargetRef: { backoffLimit: 1, activeDeadlineSeconds: 120 + 30 + 60 },
    });
    expect(sj.spec.jobTargetRef.template.spec.containers[0].env).toEqual([
      { name: 'RABBITMQ_URL', valueFrom: { secretKeyRef: { name: 'rabbitmq', key: 'url' } } },
    ]);
  });
});

describe('without KEDA', () => {
  const objects = synthWorker({
    externalMetrics: [ScalingMetric.external('rabbitmq_queue_messages_ready', 20, { queue: 'jobs' })],
    triggers: undefined,
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('an autoscaling/v2 HPA on the External metric, minimum 1, no KEDA object', () => {
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      minReplicas: 1,
      maxReplicas: 10,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' },
      metrics: [
        {
          type: 'External',
          external: {
            metric: { name: 'rabbitmq_queue_messages_ready', selector: { matchLabels: { queue: 'jobs' } } },
            target: { type: 'AverageValue', averageValue: 20 },
          },
        },
      ],
    });
    expect(objects.filter((o) => o.apiVersion.startsWith('keda.sh'))).toHaveLength(0);
  });
});

describe('placement and auth variants', () => {
  test('GPU workers roll by taking pods down, not by surging onto GPUs that may not exist', () => {
    const objects = synthWorker({ accelerator: Accelerator.nvidiaGpu(1) });
    expect(one(objects, 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: '25%' });
    expect(podSpec(one(objects, 'Deployment')).volumes.map((v: any) => v.name)).toEqual(['tmp', 'dshm']);
  });

  test('a ScaledJob keeps GPU placement and shared memory from the core', () => {
    const objects = synthWorker({ accelerator: Accelerator.nvidiaGpu(1), execution: 'job' });
    const pod = one(objects, 'ScaledJob').spec.jobTargetRef.template.spec;
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.tolerations).toEqual([expect.objectContaining({ key: 'nvidia.com/gpu' })]);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '1024Mi' } },
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1024Mi' } },
    ]);
  });

  test('an existing ClusterTriggerAuthentication is referenced, not generated', () => {
    const objects = synthWorker({
      triggers: [
        QueueTrigger.rabbitmq({
          queueName: 'jobs',
          value: 5,
          auth: TriggerAuth.existing('rabbitmq-shared', 'ClusterTriggerAuthentication'),
        }),
      ],
    });
    expect(objects.filter((o) => o.kind === 'TriggerAuthentication')).toHaveLength(0);
    expect(one(objects, 'ScaledObject').spec.triggers[0].authenticationRef).toEqual({
      name: 'rabbitmq-shared',
      kind: 'ClusterTriggerAuthentication',
    });
  });

  test('one auth shared by two triggers yields one TriggerAuthentication named after the worker', () => {
    const auth = TriggerAuth.fromSecret('redis', { password: 'pw' });
    const objects = synthWorker({
      triggers: [
        QueueTrigger.redisList({ address: 'redis:6379', listName: 'a', listLength: 5, auth }),
        QueueTrigger.redisList({ address: 'redis:6379', listName: 'b', listLength: 5, auth }),
      ],
    });
    expect(objects.filter((o) => o.kind === 'TriggerAuthentication').map((o) => o.metadata.name)).toEqual(['w']);
  });

  test('pod identity plus a Secret parameter', () => {
    const objects = synthWorker({
      triggers: [
        QueueTrigger.sqs({
          queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
          queueLength: 5,
          awsRegion: 'eu-west-1',
          auth: TriggerAuth.podIdentity({ provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/keda-sqs' }).withSecret('sqs', {
            awsExternalId: 'external-id',
          }),
        }),
      ],
    });
    expect(one(objects, 'TriggerAuthentication').spec).toEqual({
      secretTargetRef: [{ parameter: 'awsExternalId', name: 'sqs', key: 'external-id' }],
      podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/keda-sqs' },
    });
  });
});

describe('bad input', () => {
  test.each<[string, Partial<QueueWorkerProps>, RegExp]>([
    [
      'min > max',
      { minReplicas: 5, maxReplicas: 3 },
      /QueueWorker 'test\/w': maxReplicas \(3\) is below minReplicas \(5\); set maxReplicas >= minReplicas/,
    ],
    ['negative min', { minReplicas: -1 }, /QueueWorker 'test\/w': minReplicas \(-1\) is below 0; use 0/],
    ['max 0', { maxReplicas: 0 }, /maxReplicas \(0\) is below 1; set maxReplicas: 1 or more/],
    [
      'idle not below min',
      { minReplicas: 1, idleReplicas: 1 },
      /idleReplicas \(1\) is not below minReplicas \(1\); KEDA rejects it; use 0 to 0/,
    ],
    ['idle with min 0', { idleReplicas: 0 }, /idleReplicas \(0\) is not below minReplicas \(0\); KEDA rejects it; remove idleReplicas/],
    [
      'scale to zero on cpu only',
      { triggers: [QueueTrigger.cpuUtilization(70)] },
      /minReplicas \(0\) cannot scale to zero with only cpu triggers; KEDA rejects it; add a queue trigger, or set minReplicas: 1/,
    ],
    [
      'fallback with only cpu/memory',
      { minReplicas: 1, fallback: { replicas: 2 }, triggers: [QueueTrigger.cpuUtilization(70), QueueTrigger.memoryUtilization(80)] },
      /fallback \(.*\) needs a trigger other than cpu\/memory with metricType AverageValue; KEDA rejects it otherwise; add a queue trigger/,
    ],
    [
      'fallback with a Value trigger',
      {
        fallback: { replicas: 2 },
        triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'RABBITMQ_URL', metricType: 'Value' })],
      },
      /fallback .* needs a trigger other than cpu\/memory with metricType AverageValue/,
    ],
    ['fallback above max', { fallback: { replicas: 11 } }, /fallback.replicas \(11\) is outside 0-10 \(maxReplicas\)/],
    [
      'fallback behaviour',
      { fallback: { replicas: 1, behavior: 'sometimes' as any } },
      /fallback.behavior \(sometimes\) is not supported by KEDA/,
    ],
    ['fallback threshold 0', { fallback: { replicas: 1, failureThreshold: 0 } }, /fallback.failureThreshold \(0\) is below 1/],
    [
      'cooldown shorter than startup',
      { startupTime: Duration.minutes(4), cooldownPeriod: Duration.minutes(2) },
      /cooldownPeriod \(120s\) is shorter than startupTime \(240s\): workers would be scaled to zero while still starting; set cooldownPeriod to at least 240s/,
    ],
    ['name longer than 63', { name: 'w'.repeat(64) }, /name \(w{64}\) is longer than 63 characters/],
    [
      'TriggerAuthentication name longer than 63',
      {
        name: 'w'.repeat(60),
        triggers: [
          QueueTrigger.rabbitmq({
            name: 'rabbit',
            queueName: 'q',
            value: 5,
            hostFromEnv: 'RABBITMQ_URL',
            auth: TriggerAuth.fromSecret('a', { username: 'u', password: 'p' }),
          }),
          QueueTrigger.rabbitmq({
            name: 'other',
            queueName: 'q2',
            value: 5,
            hostFromEnv: 'RABBITMQ_URL',
            auth: TriggerAuth.fromSecret('b', { username: 'u', password: 'p' }),
          }),
        ],
      },
      /triggers\[0\].auth \(TriggerAuthentication name\) \(w{60}-rabbit\) is longer than 63 characters/,
    ],
    [
      'two auths, unnamed triggers of one type',
      {
        triggers: [
          QueueTrigger.rabbitmq({
            queueName: 'q',
            value: 5,
            hostFromEnv: 'RABBITMQ_URL',
            auth: TriggerAuth.fromSecret('a', { username: 'u', password: 'p' }),
          }),
          QueueTrigger.rabbitmq({
            queueName: 'q2',
            value: 5,
            hostFromEnv: 'RABBITMQ_URL',
            auth: TriggerAuth.fromSecret('b', { username: 'u', password: 'p' }),
          }),
        ],
      },
      /triggers\[1\].name \(unset\) would name a second TriggerAuthentication 'w-rabbitmq'; give triggers with different auth distinct names/,
    ],
    ['no triggers', { triggers: [] }, /triggers \(0\) is empty; add what to scale on/],
    [
      'duplicate trigger names',
      {
        triggers: [
          QueueTrigger.cpuUtilization(50, { name: 'a' }),
          QueueTrigger.rabbitmq({ name: 'a', queueName: 'q', value: 1, hostFromEnv: 'RABBITMQ_URL' }),
        ],
      },
      /triggers\[1\].name \(a\) is used by an earlier trigger; KEDA requires unique trigger names/,
    ],
    [
      'FromEnv not on the container',
      { env: {} },
      /triggers\[0\].hostFromEnv \(RABBITMQ_URL\) names a variable the worker container does not set; KEDA reads it from there; add env: \{ RABBITMQ_URL: MlEnvValue.fromSecret/,
    ],
    [
      'processing time missing',
      { maxProcessingTime: undefined },
      /maxProcessingTime \(unset\) is required \(the drain contract\); declare the longest time one message takes/,
    ],
    ['processing time 0', { maxProcessingTime: Duration.seconds(0) }, /maxProcessingTime \(0s\) is zero/],
    [
      'fractional seconds',
      { maxProcessingTime: Duration.millis(1500) },
      /maxProcessingTime \(1.5s\) is not a whole number of seconds; round it/,
    ],
    ['bad execution', { execution: 'cron' as any }, /execution \(cron\) is not supported; use 'auto', 'deployment' or 'job'/],
    [
      'externalMetrics with min 0',
      { externalMetrics: [ScalingMetric.external('m', 5)], triggers: undefined, minReplicas: 0 },
      /minReplicas \(0\) is 0, but a plain HPA \(externalMetrics\) cannot scale to zero: the minimum is 1; set minReplicas: 1 or more, or use KEDA triggers/,
    ],
    [
      'externalMetrics with a pods metric',
      { externalMetrics: [ScalingMetric.podsAverage('m', 5)], triggers: undefined },
      /externalMetrics\[0\] \(pods\) is not an External metric; use ScalingMetric.external/,
    ],
    [
      'externalMetrics and triggers',
      { externalMetrics: [ScalingMetric.external('m', 5)] },
      /triggers \(1\) is a KEDA setting, but externalMetrics selects a plain HPA; remove triggers, or drop externalMetrics/,
    ],
    [
      'externalMetrics and cooldown',
      { externalMetrics: [ScalingMetric.external('m', 5)], triggers: undefined, cooldownPeriod: Duration.minutes(1) },
      /cooldownPeriod .* is a KEDA setting/,
    ],
    [
      'externalMetrics for long work',
      { externalMetrics: [ScalingMetric.external('m', 5)], triggers: undefined, maxProcessingTime: Duration.hours(1) },
      /externalMetrics \(1\) cannot drive a ScaledJob \(maxProcessingTime \+ shutdownMargin = 3630s needs one\)/,
    ],
    [
      'fallback on a ScaledJob',
      { execution: 'job', fallback: { replicas: 1 } },
      /fallback .* applies to a Deployment worker, but this worker runs as a ScaledJob .*; remove fallback, or set execution: 'deployment'/,
    ],
    [
      'cooldown on a ScaledJob',
      { maxProcessingTime: Duration.hours(2), cooldownPeriod: Duration.minutes(1) },
      /cooldownPeriod .* applies to a Deployment worker, but this worker runs as a ScaledJob/,
    ],
    [
      'disruption budget on a ScaledJob',
      { execution: 'job', disruptionBudget: { maxUnavailable: 1 } },
      /disruptionBudget .* applies to a Deployment worker/,
    ],
    [
      'job options on a Deployment',
      { job: { backoffLimit: 1 } },
      /job \(.*\) configures a ScaledJob, but this worker runs as a Deployment; remove job, or set execution: 'job'/,
    ],
    [
      'cpu trigger on a ScaledJob',
      { execution: 'job', triggers: [rabbit(), QueueTrigger.cpuUtilization(50)] },
      /triggers\[1\] \(cpu\) is a resource trigger, which a ScaledJob does not support/,
    ],
    ['bad job backoffLimit', { execution: 'job', job: { backoffLimit: -1 } }, /job.backoffLimit \(-1\) is not an integer ≥ 0/],
    [
      'bad job scalingStrategy',
      { execution: 'job', job: { scalingStrategy: 'fast' as any } },
      /job.scalingStrategy \(fast\) is not supported/,
    ],
    [
      'disruption budget below a floor of 2',
      { minReplicas: 1, disruptionBudget: { maxUnavailable: 1 } },
      /disruptionBudget \(\{"maxUnavailable":1\}\) is set, but the replica floor \(1\) is below 2.*; remove disruptionBudget, or raise minReplicas to 2 or more/,
    ],
    [
      'disruption budget that blocks drains',
      { minReplicas: 2, disruptionBudget: { minAvailable: 2 } },
      /disruptionBudget.minAvailable \(2\) is not below the replica floor \(2\)/,
    ],
    [
      'bad scale-down window',
      { behavior: { scaleDown: { stabilizationWindow: Duration.hours(2) } } },
      /behavior.scaleDown.stabilizationWindow \(7200s\) is outside 0s-1h/,
    ],
  ])('%s', (_, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('a cpu/memory trigger without the matching request', () => {
    const real = resources.containerResources;
    const spy = jest.spyOn(resources, 'containerResources').mockImplementation((...args) => {
      const r = real(...args);
      return { ...r, requests: { memory: r.requests.memory } };
    });
    try {
      expect(build({ minReplicas: 1, triggers: [QueueTrigger.cpuUtilization(70)] })).toThrow(
        /QueueWorker 'test\/w': triggers\[0\] \(cpu\) needs a cpu request on the worker container \(utilization is relative to it\); set resources.cpu/,
      );
    } finally {
      spy.mockRestore();
    }
  });

  test('a duplicate workload name in the namespace', () => {
    const chart = testChart();
    new QueueWorker(chart, 'a', { ...base, name: 'same' });
    expect(() => new QueueWorker(chart, 'b', { ...base, name: 'same' })).toThrow(
      /QueueWorker 'test\/b': name \(same\) is already used in namespace 'ml' by 'test\/a'/,
    );
  });
});

describe('a ScaledObject and a separate HPA on the same Deployment', () => {
  function hpa(chart: any, name: string, target: string, namespace?: string) {
    new ApiObject(chart, `hpa-${name}`, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 1, maxReplicas: 3 },
    });
  }

  test('is an error at synth, naming the other autoscaler', () => {
    const chart = testChart();
    new QueueWorker(chart, 'w', base);
    hpa(chart, 'legacy', 'w');
    expect(() => Testing.synth(chart)).toThrow(
      /QueueWorker 'test\/w': deployment \(w\) is also scaled by HorizontalPodAutoscaler 'legacy' \(test\/hpa-legacy\); two autoscalers overwrite each other's replica count; remove the other autoscaler: this workload's ScaledObject owns the replica count/,
    );
  });

  test('also for an L1 HPA in another chart of the app, and with externalMetrics', () => {
    const chart = testChart();
    new QueueWorker(chart, 'w', { ...base, externalMetrics: [ScalingMetric.external('m', 5)], triggers: undefined });
    const other = new Chart(chart.node.root as Construct, 'other', { namespace: 'ml' });
    new k8s.KubeHorizontalPodAutoscalerV2(other, 'Hpa', {
      metadata: { name: 'second' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' }, maxReplicas: 3 },
    });
    expect(() => Testing.synth(chart)).toThrow(
      /deployment \(w\) is also scaled by HorizontalPodAutoscaler 'second' \(other\/Hpa\); .*this workload's HorizontalPodAutoscaler owns the replica count/,
    );
  });

  test('also for a second ScaledObject', () => {
    const chart = testChart();
    new QueueWorker(chart, 'w', base);
    new ApiObject(chart, 'so', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'manual' },
      spec: { scaleTargetRef: { name: 'w' }, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
    });
    expect(() => Testing.synth(chart)).toThrow(/is also scaled by ScaledObject 'manual'/);
  });

  test('not for an HPA on the same name in another namespace, or on another Deployment', () => {
    const chart = testChart();
    new QueueWorker(chart, 'w', base);
    hpa(chart, 'elsewhere', 'w', 'other');
    hpa(chart, 'different', 'x');
    expect(() => synthValid(chart)).not.toThrow();
  });
});

describe('property: the ScaledObject matches the props', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
  const triggerCase = fc.oneof(
    fc
      .record({ queue: name, value: fc.integer({ min: 1, max: 1000 }), mode: fc.constantFrom('QueueLength' as const, undefined) })
      .map((p) => ({
        trigger: QueueTrigger.rabbitmq({ queueName: p.queue, value: p.value, mode: p.mode, hostFromEnv: 'RABBITMQ_URL' }),
        expected: {
          type: 'rabbitmq',
          metadata: { queueName: p.queue, mode: 'QueueLength', value: String(p.value), hostFromEnv: 'RABBITMQ_URL' },
        },
      })),
    fc.record({ group: name, topic: fc.option(name, { nil: undefined }), lag: fc.integer({ min: 1, max: 10000 }) }).map((p) => ({
      trigger: QueueTrigger.kafka({ bootstrapServers: ['kafka:9092'], consumerGroup: p.group, topic: p.topic, lagThreshold: p.lag }),
      expected: {
        type: 'kafka',
        metadata: {
          bootstrapServers: 'kafka:9092',
          consumerGroup: p.group,
          lagThreshold: String(p.lag),
          ...(p.topic ? { topic: p.topic } : {}),
        },
      },
    })),
    fc.record({ queue: name, length: fc.integer({ min: 1, max: 500 }) }).map((p) => ({
      trigger: QueueTrigger.sqs({
        queueURL: `https://sqs.us-east-1.amazonaws.com/123456789012/${p.queue}`,
        queueLength: p.length,
        awsRegion: 'us-east-1',
        identityOwner: 'operator',
      }),
      expected: {
        type: 'aws-sqs-queue',
        metadata: {
          queueURL: `https://sqs.us-east-1.amazonaws.com/123456789012/${p.queue}`,
          queueLength: String(p.length),
          awsRegion: 'us-east-1',
          identityOwner: 'operator',
        },
      },
    })),
    fc.record({ list: name, length: fc.integer({ min: 1, max: 500 }) }).map((p) => ({
      trigger: QueueTrigger.redisList({ address: 'redis:6379', listName: p.list, listLength: p.length }),
      expected: { type: 'redis', metadata: { address: 'redis:6379', listName: p.list, listLength: String(p.length) } },
    })),
    fc.record({ stream: name, group: name, value: fc.integer({ min: 1, max: 500 }) }).map((p) => ({
      trigger: QueueTrigger.redisStream({ address: 'redis:6379', stream: p.stream, consumerGroup: p.group, value: p.value }),
      expected: {
        type: 'redis-streams',
        metadata: { address: 'redis:6379', stream: p.stream, consumerGroup: p.group, pendingEntriesCount: String(p.value) },
      },
    })),
    fc.record({ threshold: fc.double({ min: 0.5, max: 1000, noNaN: true }) }).map((p) => ({
      trigger: QueueTrigger.prometheus({ serverAddress: 'http://prometheus:9090', query: 'sum(queue_depth)', threshold: p.threshold }),
      expected: {
        type: 'prometheus',
        metadata: { serverAddress: 'http://prometheus:9090', query: 'sum(queue_depth)', threshold: String(p.threshold) },
      },
    })),
  );
  const propsArb = fc.record({
    workload: name,
    min: fc.integer({ min: 0, max: 10 }),
    extra: fc.integer({ min: 0, max: 90 }),
    polling: fc.integer({ min: 1, max: 300 }),
    cooldown: fc.integer({ min: 0, max: 3600 }),
    triggers: fc.array(triggerCase, { minLength: 1, maxLength: 3 }),
  });

  test('target, bounds and triggers', () => {
    fc.assert(
      fc.property(propsArb, (p) => {
        const chart = testChart();
        new QueueWorker(chart, p.workload, {
          ...base,
          minReplicas: p.min,
          maxReplicas: Math.max(p.min, 1) + p.extra,
          pollingInterval: Duration.seconds(p.polling),
          cooldownPeriod: Duration.seconds(p.cooldown),
          triggers: p.triggers.map((t) => t.trigger),
        });
        const objects = synthValid(chart);
        const so = one(objects, 'ScaledObject');
        const deploy = one(objects, 'Deployment');
        expect(so.spec.scaleTargetRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deploy.metadata.name,
          envSourceContainerName: 'worker',
        });
        expect(deploy.metadata.name).toBe(p.workload);
        expect(so.spec.minReplicaCount).toBe(p.min);
        expect(so.spec.maxReplicaCount).toBe(Math.max(p.min, 1) + p.extra);
        expect(so.spec.pollingInterval).toBe(p.polling);
        expect(so.spec.cooldownPeriod).toBe(p.cooldown);
        expect(so.spec.triggers).toEqual(p.triggers.map((t) => t.expected));
        expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(p.min >= 2);
      }),
      { numRuns: 50 },
    );
  });
});
