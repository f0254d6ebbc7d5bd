import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  Accelerator,
  MlEnvValue,
  MlNamespace,
  OnlineInference,
  Platform,
  ProbeHandler,
  QueueTrigger,
  ServingRuntime,
  TriggerAuth,
} from '../../src';
import { Valid, builders } from './corpus';

const on =
  (kind: string, overrides: Record<string, any>, before: (c: any) => void = () => undefined) =>
  (c: any) => {
    before(c);
    builders[kind].build(c, 'w', overrides);
  };

/** Unusual but right: each must synthesize (the gate may not refuse what the cluster accepts). */
export const VALID: Valid[] = [
  {
    id: 'IPv6 ingressFrom CIDR',
    construct: 'OnlineInference',
    why: 'NetworkPolicy ipBlock takes IPv6',
    build: on('online', { networkPolicy: { ingressFrom: [{ cidr: 'fd00:10::/32' }] } }),
  },
  {
    id: 'IPv6 egress CIDR',
    construct: 'BatchScoringJob',
    why: 'dual-stack object store',
    build: on('batch', { networkPolicy: { egressTo: [{ to: { cidr: '2001:db8::/32' }, ports: [443] }] } }),
  },
  {
    id: 'IPv6 egress CIDR in upper case hex',
    construct: 'QueueWorker',
    why: 'RFC 4291 hex is case-insensitive',
    build: on('queue', { networkPolicy: { egressTo: [{ to: { cidr: '2001:DB8:0:1::/64' }, ports: [5672] }] } }),
  },
  {
    id: 'IPv4-mapped IPv6 CIDR',
    construct: 'OnlineInference',
    why: 'a valid IPv6 form',
    build: on('online', { networkPolicy: { ingressFrom: [{ cidr: '::ffff:10.0.0.0/104' }] } }),
  },
  {
    id: 'IPv6 DNS server (NodeLocal DNSCache on IPv6)',
    construct: 'OnlineInference',
    why: 'single-stack IPv6 clusters',
    build: on('online', {}, (c) => Platform.configure(c, { dns: { cidrs: ['fd00:10:96::a/128'] } })),
  },
  {
    id: 'IPv6 DNS only, no DNS pods',
    construct: 'BatchScoringJob',
    why: 'DNS by address only',
    build: on('batch', {}, (c) => Platform.configure(c, { dns: { pods: false, cidrs: ['fd00::a/128', '10.96.0.10/32'] } })),
  },
  {
    id: 'the whole IPv6 space for egress',
    construct: 'ModelCache',
    why: 'the Hub over IPv6',
    build: on('cache', { networkPolicy: { egressTo: [{ to: { cidr: '::/0' }, ports: [443] }] } }),
  },
  {
    id: 'runAsGroup 0',
    construct: 'OnlineInference',
    why: 'Pod Security restricted and the kubelet allow group 0',
    build: on('online', { runAs: { runAsUser: 1000, runAsGroup: 0 } }),
  },
  {
    id: 'runAsGroup 0 on a training job with a checkpoint',
    construct: 'GpuTrainingJob',
    why: 'fsGroup 0 follows; allowed',
    build: on('training', { runAs: { runAsUser: 1000, runAsGroup: 0 } }),
  },
  {
    id: 'fsGroup 0',
    construct: 'QueueWorker',
    why: 'allowed by restricted',
    build: on('queue', { runAs: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 0 } }),
  },
  {
    id: 'platform runAsGroup 0',
    construct: 'BatchScoringJob',
    why: 'allowed',
    build: on('batch', {}, (c) => Platform.configure(c, { runAs: { runAsGroup: 0 } })),
  },
  {
    id: 'a parked service (replicas 0)',
    construct: 'OnlineInference',
    why: 'kept in place, no pods',
    build: on('online', { replicas: 0, autoscaling: undefined }),
  },
  {
    id: 'a parked service with monitoring',
    construct: 'OnlineInference',
    why: 'no endpoint alert for a parked service',
    build: on('monitored', { replicas: 0, autoscaling: undefined }),
  },
  { id: 'a parked GPU service', construct: 'OnlineInference', why: 'no surge, no budget', build: on('vllm', { replicas: 0 }) },
  {
    id: 'readiness timeout longer than its period',
    construct: 'OnlineInference',
    why: 'legal: the kubelet waits for a probe before the next',
    build: on('online', { probes: { readiness: { period: Duration.seconds(2), timeout: Duration.seconds(5) } } }),
  },
  {
    id: 'liveness timeout longer than its period',
    construct: 'OnlineInference',
    why: 'legal',
    build: on('online', { probes: { liveness: { period: Duration.seconds(5), timeout: Duration.seconds(10) } } }),
  },
  {
    id: 'metrics on the serving port',
    construct: 'OnlineInference',
    why: 'vLLM, TGI and most Python servers serve /metrics on the API port',
    build: on('online', { metricsPort: 8000, monitoring: {} }),
  },
  {
    id: 'Triton metrics port 8002 (its own)',
    construct: 'OnlineInference',
    why: 'the runtime serves metrics there',
    build: on('triton', { metricsPort: 8002 }),
  },
  {
    id: 'a service port equal to the container port',
    construct: 'OnlineInference',
    why: 'Service port and target port may match',
    build: on('online', { port: 8080, servicePort: 8080 }),
  },
  {
    id: 'env names with dots and dashes',
    construct: 'OnlineInference',
    why: 'IsEnvVarName allows them',
    build: on('online', { env: { 'my.setting-name': 'x', _LEADING: 'y' } }),
  },
  {
    id: 'env from a pod label',
    construct: 'BatchScoringJob',
    why: 'a downward API field',
    build: on('batch', { env: { APP: MlEnvValue.fromField("metadata.labels['app.kubernetes.io/name']") } }),
  },
  {
    id: 'env from an annotation with a prefix',
    construct: 'QueueWorker',
    why: 'a downward API field',
    build: on('queue', { env: { IDX: MlEnvValue.fromField("metadata.annotations['batch.kubernetes.io/job-completion-index']") } }),
  },
  {
    id: 'env from status.podIPs',
    construct: 'GpuTrainingJob',
    why: 'a downward API field',
    build: on('training', { env: { IPS: MlEnvValue.fromField('status.podIPs') } }),
  },
  {
    id: 'secret and config names with dots',
    construct: 'OnlineInference',
    why: 'DNS subdomains',
    build: on('online', {
      env: { DB: MlEnvValue.fromSecret('db.credentials', 'password'), CFG: MlEnvValue.fromConfigMap('app.config-v2', 'settings.json') },
    }),
  },
  {
    id: 'a pull secret with dots',
    construct: 'QueueWorker',
    why: 'DNS subdomain',
    build: on('queue', { imagePullSecrets: ['registry.example.com-creds'] }),
  },
  {
    id: 'a system priority class',
    construct: 'OnlineInference',
    why: 'existing cluster classes are referenced by name',
    build: on('online', { priorityClassName: 'system-cluster-critical' }),
  },
  {
    id: 'an empty label value',
    construct: 'BatchScoringJob',
    why: 'label values may be empty',
    build: on('batch', { labels: { 'example.com/cost-center': '' } }),
  },
  {
    id: 'a 63-character service name',
    construct: 'OnlineInference',
    why: 'DNS-1035 allows 63',
    build: (c) => builders.online.build(c, 'w', { name: `a${'b'.repeat(61)}c` }),
  },
  {
    id: 'a 52-character CronJob name',
    construct: 'BatchScoringJob',
    why: 'the CronJob limit',
    build: (c) => builders.cron.build(c, 'w', { name: `c${'r'.repeat(50)}n` }),
  },
  {
    id: 'egress ports 1 and 65535',
    construct: 'OnlineInference',
    why: 'the bounds',
    build: on('online', { networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [1, 65535] }] } }),
  },
  {
    id: 'a CIDR with host bits set',
    construct: 'OnlineInference',
    why: 'the API server (1.26) accepts 10.0.0.1/8',
    build: on('online', { networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.1/8' }, ports: [443] }] } }),
  },
  {
    id: 'a KEDA generic trigger with valid keys',
    construct: 'QueueWorker',
    why: 'azure-servicebus reads these',
    build: on('queue', {
      env: { SB_CONNECTION: MlEnvValue.fromSecret('servicebus', 'connection') },
      triggers: [
        QueueTrigger.generic('azure-servicebus', {
          queueName: 'jobs',
          messageCount: '5',
          activationMessageCount: '1',
          connectionFromEnv: 'SB_CONNECTION',
        }),
      ],
    }),
  },
  {
    id: 'a KEDA generic kafka trigger with every key it reads',
    construct: 'QueueWorker',
    why: 'typed keys',
    build: on('queue', {
      triggers: [
        QueueTrigger.generic('kafka', {
          bootstrapServers: 'kafka:9092',
          consumerGroup: 'g',
          topic: 't',
          lagThreshold: '10',
          offsetResetPolicy: 'earliest',
          allowIdleConsumers: 'true',
        }),
      ],
    }),
  },
  {
    id: 'a KEDA generic trigger with its required key from a TriggerAuthentication',
    construct: 'QueueWorker',
    why: 'awsRegion may come from auth',
    build: on('queue', {
      triggers: [
        QueueTrigger.generic(
          'aws-sqs-queue',
          { queueURL: 'https://sqs.eu-west-1.amazonaws.com/1/q', queueLength: '5' },
          { auth: TriggerAuth.fromSecret('aws-creds', { awsRegion: 'region', awsAccessKeyID: 'id', awsSecretAccessKey: 'secret' }) },
        ),
      ],
    }),
  },
  {
    id: 'a KEDA scaler parsed by hand (any metadata)',
    construct: 'QueueWorker',
    why: 'external-mock has no typed config',
    build: on('queue', { triggers: [QueueTrigger.generic('external-mock', { anything: 'goes' })] }),
  },
  {
    id: 'a Prometheus trigger with a subquery and offset',
    construct: 'QueueWorker',
    why: 'valid PromQL',
    build: on('queue', {
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'max(max_over_time(queue_depth{queue=~"docs|retry"}[10m:1m] offset 1m))',
          threshold: 10,
        }),
      ],
    }),
  },
  {
    id: 'a Prometheus trigger with a scalar query',
    construct: 'QueueWorker',
    why: 'KEDA reads a scalar',
    build: on('queue', {
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'scalar(sum(queue_depth)) * 2',
          threshold: 10,
        }),
      ],
    }),
  },
  {
    id: 'a Prometheus trigger with a comparison using bool',
    construct: 'QueueWorker',
    why: 'valid PromQL',
    build: on('queue', {
      triggers: [
        QueueTrigger.prometheus({
          serverAddress: 'http://prometheus.monitoring.svc:9090',
          query: 'sum(queue_depth) > bool 5',
          threshold: 1,
        }),
      ],
    }),
  },
  {
    id: 'a backlog alert on the second trigger',
    construct: 'QueueWorker',
    why: 'index 1 of two triggers exists',
    build: on('queue', {
      triggers: [
        QueueTrigger.redisList({ address: 'redis.queues.svc:6379', listName: 'a', listLength: 5 }),
        QueueTrigger.redisList({ address: 'redis.queues.svc:6379', listName: 'b', listLength: 5, name: 'b' }),
      ],
      monitoring: { queue: { backlog: { maxMessages: 100, triggerIndex: 1 } } },
    }),
  },
  {
    id: 'pollingInterval of 1 s',
    construct: 'QueueWorker',
    why: 'the smallest valid interval',
    build: on('queue', { pollingInterval: Duration.seconds(1) }),
  },
  {
    id: 'a namespace CPU limit default above every request',
    construct: 'MlNamespace',
    why: 'LimitRange fills limits the pods can meet',
    build: (c) => {
      new MlNamespace(c, 'ml', { quota: { requestsCpu: '100', limitsCpu: '200' }, containerDefaults: { cpuLimit: '4' } });
      builders.online.build(c, 'w', { resources: { cpu: '2', memory: '1Gi' } });
    },
  },
  {
    id: 'a CPU request above the namespace default limit, with its own CPU limit',
    construct: 'OnlineInference',
    why: 'an explicit limit wins over the default',
    build: (c) => {
      new MlNamespace(c, 'ml', { quota: { requestsCpu: '100', limitsCpu: '200' }, containerDefaults: { cpuLimit: '500m' } });
      builders.online.build(c, 'w', { resources: { cpu: '2', cpuLimit: '2', memory: '1Gi' } });
    },
  },
  {
    id: 'two MlNamespaces for two namespaces',
    construct: 'MlNamespace',
    why: 'one owner each',
    build: (c) => {
      new MlNamespace(c, 'team-a', { quota: { requestsCpu: '1' } });
      new MlNamespace(c, 'team-b', { quota: { requestsCpu: '1' } });
    },
  },
  {
    id: 'a platform accelerator label with a prefix',
    construct: 'GpuTrainingJob',
    why: 'a qualified name',
    build: on('training', {}, (c) =>
      Platform.configure(c, {
        acceleratorNodeLabel: 'example.com/gpu',
        acceleratorTaint: { key: 'example.com/gpu', effect: 'NoSchedule' },
      }),
    ),
  },
  {
    id: 'a toleration for a dedicated pool (Exists)',
    construct: 'BatchScoringJob',
    why: 'a valid toleration',
    build: on('batch', { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] }),
  },
  {
    id: 'a toleration with an empty value',
    construct: 'QueueWorker',
    why: 'an empty value is a valid label value',
    build: on('queue', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: '', effect: 'NoSchedule' }] }),
  },
  {
    id: 'a wildcard route hostname',
    construct: 'OnlineInference',
    why: '* as the whole first label',
    build: on('online', { route: { gateway: { name: 'gw', namespace: 'gateways' }, hostnames: ['*.models.example.com'] } }),
  },
  {
    id: 'a CronJob macro in a named time zone',
    construct: 'BatchScoringJob',
    why: 'valid schedule and zone',
    build: on('cron', { schedule: '@daily', timeZone: 'America/New_York' }),
  },
  {
    id: 'a sharded job with parallelism equal to shards',
    construct: 'BatchScoringJob',
    why: 'all shards at once',
    build: on('batch', { shards: 4, parallelism: 4 }),
  },
  { id: 'one shard', construct: 'BatchScoringJob', why: 'an Indexed Job of 1', build: on('batch', { shards: 1 }) },
  {
    id: 'an exec liveness probe',
    construct: 'OnlineInference',
    why: 'valid handler',
    build: on('online', { probes: { liveness: { handler: ProbeHandler.exec(['cat', '/tmp/alive']) } } }),
  },
  {
    id: 'a model name with upper case and dots',
    construct: 'OnlineInference',
    why: 'names are annotations, not labels',
    build: on('online', { model: { name: 'Llama-3.1-8B', version: '2024.07', claimName: 'llama-3-1-8b-2024-07' } }),
  },
  {
    id: 'a Hugging Face token Secret with dots',
    construct: 'OnlineInference',
    why: 'DNS subdomain',
    build: on('vllm', {
      runtime: ServingRuntime.vllm({
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        maxModelLen: 8192,
        modelSize: '16Gi',
        hfToken: { secretName: 'hf.token' },
        unverifiedDownload: true,
      }),
    }),
  },
  {
    id: 'two GPUs per pod',
    construct: 'OnlineInference',
    why: 'whole devices',
    build: on('vllm', { accelerator: Accelerator.nvidiaGpu(2), resources: { cpu: '8', memory: '64Gi' } }),
  },
  {
    id: 'a user ConfigMap with dotted keys in its own chart',
    construct: 'KubeConfigMap',
    why: 'keys may have dots and dashes',
    build: (c) => {
      builders.online.build(c, 'w');
      new k8s.KubeConfigMap(c, 'cfg', {
        metadata: { name: 'app.config' },
        data: { 'serve.yaml': 'a: 1', 'log-level': 'info', '.hidden': 'x' },
      });
    },
  },
  {
    id: 'a JSON patch with a valid priority class',
    construct: 'OnlineInference',
    why: 'hatches are read, not refused',
    build: (c) => {
      const w = new OnlineInference(c, 'w', { image: 'registry.example.com/a:v1', resources: { cpu: '1', memory: '1Gi' } });
      ApiObject.of(w.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'serving-high'));
    },
  },
  {
    id: 'a sidecar on its own port through a JSON patch',
    construct: 'OnlineInference',
    why: 'a distinct port and name',
    build: (c) => {
      const w = new OnlineInference(c, 'w', { image: 'registry.example.com/a:v1', resources: { cpu: '1', memory: '1Gi' } });
      ApiObject.of(w.deployment).addJsonPatch(
        JsonPatch.add('/spec/template/spec/containers/-', {
          name: 'proxy',
          image: 'registry.example.com/envoy:v1.30.0',
          ports: [{ containerPort: 9901, name: 'admin' }],
          resources: {
            requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('64Mi') },
            limits: { memory: k8s.Quantity.fromString('64Mi') },
          },
        }),
      );
    },
  },
  {
    id: 'a user env equal to the library value',
    construct: 'BatchScoringJob',
    why: 'no harm: the same value',
    build: on('batch', { env: { HOME: '/tmp' } }),
  },
  {
    id: 'a MultiHostInference with an IPv6 ingress',
    construct: 'MultiHostInference',
    why: 'IPv6 peers',
    build: on('multihost', { networkPolicy: { ingressFrom: [{ cidr: 'fd00::/8' }], egressTo: [{ to: { cidr: '::/0' }, ports: [443] }] } }),
  },
  {
    id: 'a JobSet trainer with an IPv6 egress',
    construct: 'GpuTrainingJob',
    why: 'IPv6 peers',
    build: on('jobset', { networkPolicy: { egressTo: [{ to: { cidr: '2001:db8::/48' }, ports: [443] }] } }),
  },
];
