import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  Accelerator,
  MlEnvValue,
  ExitCodes,
  MlNamespace,
  OnlineInference,
  ProbeHandler,
  QueueTrigger,
  ScalingMetric,
  TriggerAuth,
  WorkloadMonitoring,
} from '../../src';
import { Mistake, because, builders, through } from './corpus';

const QUEUES = ['queue', 'queueJob'];
const redis = (o: Record<string, unknown> = {}) =>
  QueueTrigger.redisList({ address: 'redis.queues.svc:6379', listName: 'jobs', listLength: 5, ...o });

/** What only another system checks: KEDA, Prometheus, LimitRange admission, two owners of one object. */
export const SEMANTICS: Mistake[] = [
  ...through(
    QUEUES,
    'semantics',
    'a KEDA trigger type no scaler has',
    'triggers[0]',
    'KEDA: "no scaler found for type: azure-service-bus"; the ScaledObject never becomes ready and never scales',
    () => ({
      env: { SB_CONNECTION: MlEnvValue.fromSecret('servicebus', 'connection') },
      triggers: [QueueTrigger.generic('azure-service-bus', { queueName: 'jobs', messageCount: '5', connectionFromEnv: 'SB_CONNECTION' })],
    }),
  ),
  ...through(QUEUES, 'semantics', 'a KEDA trigger type in upper case', 'triggers[0]', 'KEDA: no scaler found; never scales', () => ({
    triggers: [QueueTrigger.generic('Kafka', { bootstrapServers: 'kafka:9092', consumerGroup: 'g', topic: 't' })],
  })),
  ...through(
    QUEUES,
    'semantics',
    'a generic trigger with a misspelt metadata key',
    'triggers[0]',
    'KEDA ignores the key: activation happens at 0 instead of the intended threshold',
    () => ({
      env: { SB_CONNECTION: MlEnvValue.fromSecret('servicebus', 'connection') },
      triggers: [
        QueueTrigger.generic('azure-servicebus', {
          queueName: 'jobs',
          messageCount: '5',
          activationMesageCount: '10',
          connectionFromEnv: 'SB_CONNECTION',
        }),
      ],
    }),
  ),
  ...through(
    QUEUES,
    'semantics',
    'a generic trigger without its required key',
    'triggers[0]',
    'the kafka scaler fails to start: missing required parameter "consumerGroup"',
    () => ({
      triggers: [QueueTrigger.generic('kafka', { bootstrapServers: 'kafka:9092', topic: 'jobs', lagThreshold: '10' })],
    }),
  ),
  ...through(
    QUEUES,
    'semantics',
    'a generic trigger with a value outside its set',
    'triggers[0]',
    'the kafka scaler fails to start: offsetResetPolicy must be latest or earliest',
    () => ({
      triggers: [
        QueueTrigger.generic('kafka', { bootstrapServers: 'kafka:9092', consumerGroup: 'g', topic: 'jobs', offsetResetPolicy: 'newest' }),
      ],
    }),
  ),
  ...through(
    QUEUES,
    'semantics',
    'a FromEnv key on a setting that cannot come from env',
    'triggers[0]',
    'KEDA ignores it; the scaler has no stream',
    () => ({
      env: { REDIS_ADDRESS: 'redis.queues.svc:6379', STREAM: 'jobs' },
      triggers: [
        QueueTrigger.generic('redis-streams', {
          addressFromEnv: 'REDIS_ADDRESS',
          streamFromEnv: 'STREAM',
          consumerGroup: 'g',
          pendingEntriesCount: '5',
        }),
      ],
    }),
  ),
  ...through(QUEUES, 'semantics', 'pollingInterval 0', 'pollingInterval', 'KEDA polls the broker in a busy loop (a timer of 0 s)', () => ({
    pollingInterval: Duration.seconds(0),
  })),
  ...through(
    QUEUES,
    'semantics',
    'a Prometheus trigger whose query does not parse',
    'triggers[0]',
    'the scaler errors on every poll (bad_data: parse error); KEDA falls back or never scales',
    () => ({
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'sum(rabbitmq_queue_messages_ready{queue="docs"}',
          threshold: 10,
        }),
      ],
    }),
  ),
  ...through(
    QUEUES,
    'semantics',
    'a Prometheus trigger with rate() of an instant vector',
    'triggers[0]',
    'Prometheus: expected type range vector in call to function "rate"; the scaler errors on every poll',
    () => ({
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'sum(rate(messages_published_total))',
          threshold: 10,
        }),
      ],
    }),
  ),
  ...through(
    QUEUES,
    'semantics',
    'a Prometheus trigger returning a range vector',
    'triggers[0]',
    'Prometheus returns a matrix; KEDA cannot read one value',
    () => ({
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'queue_depth{queue="docs"}[5m]',
          threshold: 10,
        }),
      ],
    }),
  ),
  ...through(
    QUEUES,
    'semantics',
    'a Prometheus trigger with a removed function',
    'triggers[0]',
    'Prometheus 3 has no holt_winters: parse error on every poll',
    () => ({
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'holt_winters(queue_depth[10m], 0.5, 0.5)',
          threshold: 10,
        }),
      ],
    }),
  ),
  ...through(
    QUEUES,
    'semantics',
    'a Prometheus trigger with a lookahead regex',
    'triggers[0]',
    'Prometheus (RE2) rejects the regex: parse error on every poll',
    () => ({
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'sum(queue_depth{queue=~"(?!dead).*"})',
          threshold: 10,
        }),
      ],
    }),
  ),
  ...through(
    ['queue', 'queueJob'],
    'semantics',
    'a backlog alert on a trigger index that does not exist',
    'monitoring.queue.backlog.triggerIndex',
    'the alert selects keda_scaler_metrics_value{triggerIndex="1"}, which never exists: the backlog alert never fires',
    () => ({
      monitoring: { queue: { backlog: { maxMessages: 1000, triggerIndex: 1 } } },
    }),
  ),
  ...through(
    ['queue'],
    'semantics',
    'a backlog alert on trigger index 3 of two triggers',
    'monitoring.queue.backlog.triggerIndex',
    'the backlog alert never fires',
    () => ({
      triggers: [redis(), redis({ listName: 'retries', name: 'retries' })],
      monitoring: { queue: { backlog: { maxMessages: 1000, triggerIndex: 3 } } },
    }),
  ),
  {
    id: 'a latency SLO on a Service no ServiceMonitor scrapes (wrong metrics port name)',
    family: 'semantics',
    construct: 'WorkloadMonitoring',
    prop: 'workload',
    cluster: 'the ServiceMonitor scrapes a port the Service does not have: no series, the latency SLO never alerts',
    path: 'test/scorer-monitoring',
    build: (c) => {
      const w = new OnlineInference(c, 'scorer', {
        image: 'registry.example.com/s:v1',
        resources: { cpu: '1', memory: '1Gi' },
        metricsPort: 9090,
      });
      new WorkloadMonitoring(c, 'scorer-monitoring', {
        workload: {
          type: 'OnlineInference',
          description: 'scorer',
          kind: 'serving',
          name: 'scorer-slo',
          namespace: 'ml',
          selector: w.labels.selector,
          controller: 'Deployment',
          container: 'server',
          metricsPort: 'metric',
          servicePort: 80,
        },
        slo: { latency: { objective: 0.95, threshold: Duration.millis(250), buckets: [0.1, 0.25, 0.5] } },
      });
    },
  },
  ...(['online', 'batch', 'cron', 'training', 'queue'] as const).map((kind): Mistake => ({
    id: `a namespace default CPU limit below the request (${kind})`,
    family: 'semantics',
    construct: builders[kind].construct,
    prop: 'resources.cpu',
    cluster: 'LimitRanger gives the container a 500m limit below its 2-core request: the API server rejects every pod',
    path: 'test/w',
    build: (c) => {
      new MlNamespace(c, 'ml', { quota: { requestsCpu: '100', limitsCpu: '200' }, containerDefaults: { cpuLimit: '500m' } });
      builders[kind].build(c, 'w', { resources: { cpu: '2', memory: '4Gi' } });
    },
  })),
  {
    id: 'two MlNamespace constructs for one namespace, in two charts',
    family: 'semantics',
    construct: 'MlNamespace',
    prop: 'metadata.name',
    cluster: 'the second Namespace, ResourceQuota and LimitRange overwrite the first on apply',
    path: 'test/team-a-again',
    build: (c) => {
      new MlNamespace(c, 'team-a', { quota: { requestsCpu: '10' } });
      new MlNamespace(c, 'team-a-again', { name: 'team-a', quota: { requestsCpu: '10' }, containerDefaults: { memoryLimit: '1Gi' } });
    },
  },
  {
    id: 'a user ServiceAccount with the name a workload uses',
    family: 'semantics',
    construct: 'KubeServiceAccount',
    prop: 'metadata.name',
    cluster: 'one ServiceAccount overwrites the other on apply: the workload may get a mounted token',
    path: 'test/sa',
    build: (c) => {
      builders.online.build(c, 'w');
      new k8s.KubeServiceAccount(c, 'sa', { metadata: { name: 'w' }, automountServiceAccountToken: true });
    },
  },
];

/** API-server rules on fields the props reach, not covered by the other families. */
export const API_FIELDS: Mistake[] = [
  ...because(
    /whole number|integer/,
    through(
      ['online'],
      'api-fields',
      'a fractional rollout surge',
      'rollout.maxSurge',
      'API server rejects: maxSurge must be an integer or a percentage',
      () => ({ rollout: { maxSurge: 1.5 } }),
    ),
  ),
  ...because(
    /whole number|integer/,
    through(
      ['online'],
      'api-fields',
      'a fractional disruption budget',
      'disruptionBudget.maxUnavailable',
      'API server rejects the PDB',
      () => ({ disruptionBudget: { maxUnavailable: 1.5 } }),
    ),
  ),
  ...through(
    ['online'],
    'api-fields',
    'a readiness failure threshold of 0',
    'probes.readiness.failureThreshold',
    'the API server replaces 0 with 3: the probe is less strict than written',
    () => ({ probes: { readiness: { failureThreshold: 0 } } }),
  ),
  ...through(['online'], 'api-fields', 'a liveness probe on port 0', 'probes.liveness', 'API server rejects: port must be 1-65535', () => ({
    probes: { liveness: { handler: ProbeHandler.httpGet('/live', { port: 0 }) } },
  })),
  ...through(
    ['online'],
    'api-fields',
    'an exec probe with no command',
    'probes.liveness',
    'the probe always fails: the kubelet restarts the server forever',
    () => ({ probes: { liveness: { handler: ProbeHandler.exec([]) } } }),
  ),
  ...through(
    ['batch', 'cron', 'training'],
    'api-fields',
    'an exit code above 255',
    'nonRetryableExitCodes',
    'API server rejects the pod failure policy: exit codes are 1-255',
    () => ({ nonRetryableExitCodes: ExitCodes.of(256) }),
  ),
  ...through(
    ['batch', 'cron', 'training'],
    'api-fields',
    'exit code 0 as non-retryable',
    'nonRetryableExitCodes',
    'API server rejects: 0 is not allowed with In',
    () => ({ nonRetryableExitCodes: ExitCodes.of(0) }),
  ),
  ...through(
    ['cron'],
    'api-fields',
    'a schedule with seconds',
    'schedule',
    'the CronJob controller cannot parse 6 fields: no run is ever created',
    () => ({ schedule: '0 0 3 * * *' }),
  ),
  ...through(['cron'], 'api-fields', 'a time zone abbreviation', 'timeZone', 'API server rejects: unknown time zone', () => ({
    timeZone: 'CEST',
  })),
  ...through(
    ['online', 'batch', 'training', 'queue'],
    'api-fields',
    'a CPU request that is not a quantity',
    'resources.cpu',
    'API server rejects: quantities must match the regular expression',
    () => ({ resources: { cpu: '1 core', memory: '1Gi' } }),
  ),
  ...through(
    ['online', 'batch', 'training', 'queue'],
    'api-fields',
    'a memory limit below the request',
    'resources.memoryLimit',
    'API server rejects: limit must be ≥ request',
    () => ({ resources: { cpu: '1', memory: '2Gi', memoryLimit: '1Gi' } }),
  ),
  ...because(
    /whole|integer/,
    through(
      ['online', 'training'],
      'api-fields',
      'half a GPU',
      'accelerator',
      'API server rejects: extended resources must be whole',
      (k) => ({
        accelerator: Accelerator.nvidiaGpu(0.5),
        ...(k === 'online' ? { replicas: 2, autoscaling: undefined } : {}),
      }),
    ),
  ),
  ...through(
    ['queue', 'queueJob'],
    'api-fields',
    'maxReplicas beyond a 32-bit integer',
    'maxReplicas',
    'KEDA stores it (no range in the CRD) and the operator fails to build the HPA',
    () => ({ maxReplicas: 2147483648 }),
  ),
  ...through(
    ['online'],
    'api-fields',
    'replicas beyond a 32-bit integer',
    'replicas',
    'the API server decodes it as -2147483648 and rejects the Deployment',
    () => ({ replicas: 2147483648, autoscaling: undefined }),
  ),
  ...through(
    ['online'],
    'api-fields',
    'maxReplicas beyond a 32-bit integer (autoscaling)',
    'autoscaling',
    'the API server rejects the HPA (int32 overflow)',
    () => ({ autoscaling: { minReplicas: 2, maxReplicas: 2147483648 } }),
  ),
  ...through(
    ['online'],
    'api-fields',
    'a route hostname with an underscore',
    'route.hostnames[0]',
    'API server rejects the HTTPRoute: invalid hostname',
    () => ({ route: { gateway: { name: 'gw' }, hostnames: ['my_service.example.com'] } }),
  ),
  ...through(
    ['online'],
    'api-fields',
    'autoscaling on a metric name with a slash',
    'autoscaling.metrics[0]',
    'API server rejects the HPA: metric name must be a path segment',
    () => ({
      autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.podsAverage('requests/s', 10)] },
    }),
  ),
  ...through(
    ['queueHpa'],
    'api-fields',
    'an external metric selector with a bad label value',
    'externalMetrics[0]',
    'API server rejects the HPA: invalid label value in the metric selector',
    () => ({
      externalMetrics: [ScalingMetric.external('queue_messages_ready', 30, { queue: 'jobs/retry' })],
    }),
  ),
  ...through(
    ['queue', 'queueJob'],
    'api-fields',
    'a trigger name longer than KEDA allows',
    'triggers[0].name',
    'KEDA rejects: trigger names are DNS labels',
    () => ({
      triggers: [redis({ name: 'Jobs-Queue' })],
    }),
  ),
  ...through(
    ['queue', 'queueJob'],
    'api-fields',
    'a trigger auth key that is not a Secret key',
    'triggers[0]',
    'KEDA cannot read the key: the scaler never authenticates',
    () => ({
      triggers: [redis({ auth: TriggerAuth.fromSecret('redis-creds', { password: 'redis password' }) })],
    }),
  ),
  ...through(
    ['online', 'batch', 'queue'],
    'api-fields',
    'env from a label with a bad key',
    "env['TEAM']",
    'API server rejects: the label key in the field path is invalid',
    () => ({
      env: { TEAM: MlEnvValue.fromField("metadata.labels['team name']") },
    }),
  ),
  {
    id: 'hatch: a JSON patch puts two ports named http in the server container',
    family: 'hatches',
    construct: 'OnlineInference',
    prop: 'ports',
    cluster: 'API server rejects the Deployment: duplicate port name',
    path: 'test/w',
    build: (c) => {
      const w = new OnlineInference(c, 'w', { image: 'registry.example.com/a:v1', resources: { cpu: '1', memory: '1Gi' } });
      ApiObject.of(w.deployment).addJsonPatch(
        (require('cdk8s') as typeof import('cdk8s')).JsonPatch.add('/spec/template/spec/containers/0/ports/-', {
          name: 'http',
          containerPort: 8081,
        }),
      );
    },
  },
  {
    id: 'hatch: a JSON patch sets RUN_ID on a sharded job',
    family: 'hatches',
    construct: 'BatchScoringJob',
    prop: 'env',
    cluster: 'every run writes under the same prefix',
    path: 'test/w',
    build: (c) => {
      builders.batch.build(c, 'w');
      const job = c.node.findChild('w') as any;
      ApiObject.of(job.job).addJsonPatch(
        (require('cdk8s') as typeof import('cdk8s')).JsonPatch.add('/spec/template/spec/containers/0/env/-', {
          name: 'RUN_ID',
          value: 'fixed',
        }),
      );
    },
  },
];
