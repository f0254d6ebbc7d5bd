import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import {
  Accelerator,
  MlEnvFrom,
  MlEnvValue,
  ExitCodes,
  MlNamespace,
  OnlineInference,
  Platform,
  ProbeHandler,
  QueueTrigger,
  ScalingMetric,
  ServingRuntime,
  TriggerAuth,
  WorkloadMonitoring,
} from '../../src';
import { Mistake, WORKLOADS, because, builders, through } from './corpus';

const JOBS = ['batch', 'cron', 'training', 'distributed', 'jobset'];
/** A fraction is reported as such, not as out of range. */
const WHOLE = /whole number|not (a positive|a non-negative|an) integer/;
const WITH_NETWORK_INGRESS = ['online', 'vllm', 'multihost'];
const WITH_EGRESS = [...WORKLOADS, 'cache'];
const egress = (kind: string, rule: object) =>
  kind === 'online' ? { networkPolicy: { egressTo: [rule] } } : { networkPolicy: { egressTo: [rule] } };

/** Names and references no object can have (the API server stores most of them; the pod then waits forever). */
const references: Mistake[] = [
  ...through(
    WORKLOADS,
    'references',
    'env secret name with an underscore',
    "env['API_KEY']",
    'pod stuck in CreateContainerConfigError: secret "Api_Keys" not found (no Secret can have that name)',
    () => ({
      env: { API_KEY: MlEnvValue.fromSecret('Api_Keys', 'key') },
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'env secret key with a slash',
    "env['API_KEY']",
    'API server rejects the pod template: secretKeyRef.key must be a valid config key',
    () => ({
      env: { API_KEY: MlEnvValue.fromSecret('api-keys', 'keys/primary') },
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'env ConfigMap name in upper case',
    "env['SETTINGS']",
    'CreateContainerConfigError: configmap "Settings" not found',
    () => ({
      env: { SETTINGS: MlEnvValue.fromConfigMap('Settings', 'json') },
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'envFrom secret with a space',
    'envFrom[0]',
    'CreateContainerConfigError: secret "db creds" not found',
    () => ({
      envFrom: [MlEnvFrom.secret('db creds')],
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'envFrom prefix that is not an env name',
    'envFrom[0]',
    'API server rejects: envFrom prefix must be a valid environment variable name',
    () => ({
      envFrom: [MlEnvFrom.configMap('settings', '1_')],
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'imagePullSecrets entry with an underscore',
    'imagePullSecrets[0]',
    'kubelet cannot find the pull secret; private image pulls fail with ErrImagePull',
    () => ({
      imagePullSecrets: ['registry_creds'],
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'priorityClassName in upper case',
    'priorityClassName',
    'API server rejects the pod: spec.priorityClassName is not a DNS-1123 subdomain',
    () => ({
      priorityClassName: 'High-Priority',
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'toleration key with a space',
    'tolerations[0].key',
    'API server rejects: toleration key must be a qualified name',
    () => ({
      tolerations: [{ key: 'dedicated pool', operator: 'Exists' }],
    }),
  ),
  ...through(
    WORKLOADS,
    'references',
    'toleration value with a slash',
    'tolerations[0].value',
    'API server rejects: toleration value must be a label value',
    () => ({
      tolerations: [{ key: 'dedicated', value: 'ml/serving', effect: 'NoSchedule' }],
    }),
  ),
  ...through(
    ['online', 'batch', 'cron'],
    'references',
    'model claim name with an underscore',
    'model.claimName',
    'pod Pending: persistentvolumeclaim "Models_v3" not found',
    (k) => ({
      model: { name: 'm', version: 'v1', claimName: 'Models_v3' },
      ...(k === 'training' ? {} : {}),
    }),
  ),
  ...through(
    ['online', 'batch'],
    'references',
    'model token secret name with a slash',
    'model.token',
    'CreateContainerConfigError: the fetcher never gets its token',
    () => ({
      networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
      model: {
        name: 'm',
        version: 'v1',
        uri: 'https://models.example.com/m.bin',
        sha256: '3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8556',
        size: '100Mi',
        token: { secretName: 'tokens/model' },
      },
    }),
  ),
  ...through(
    ['training', 'distributed', 'jobset'],
    'references',
    'checkpoint storage class in upper case',
    'checkpoint.storageClass',
    'claim Pending forever: storageclass "Fast-SSD" not found (no StorageClass can have that name)',
    () => ({
      checkpoint: { size: '100Gi', storageClass: 'Fast-SSD', accessMode: 'ReadWriteMany' },
    }),
  ),
  ...through(
    ['training'],
    'references',
    'existing checkpoint claim with a space',
    'checkpoint.existingClaim',
    'pod Pending: persistentvolumeclaim not found',
    () => ({
      checkpoint: { existingClaim: 'ckpt claim' },
    }),
  ),
  ...through(
    ['cache'],
    'references',
    'cache storage class with an underscore',
    'storageClass',
    'claim Pending forever: no StorageClass can have that name',
    () => ({ storageClass: 'fast_ssd' }),
  ),
  ...through(
    ['vllm', 'multihost'],
    'references',
    'Hugging Face token secret in upper case',
    'hfToken',
    'CreateContainerConfigError: secret not found',
    (k) =>
      k === 'vllm'
        ? {
            runtime: ServingRuntime.vllm({
              model: 'meta-llama/Llama-3.1-8B-Instruct',
              maxModelLen: 8192,
              modelSize: '16Gi',
              hfToken: { secretName: 'HF-Token' },
              unverifiedDownload: true,
            }),
          }
        : {
            vllm: {
              model: 'meta-llama/Llama-3.1-405B-Instruct-FP8',
              maxModelLen: 8192,
              attentionHeads: 128,
              modelSize: '380Gi',
              hfToken: { secretName: 'HF-Token' },
              unverifiedDownload: true,
            },
          },
  ),
  ...through(
    ['queue', 'queueJob'],
    'references',
    'trigger auth secret with an underscore',
    'triggers[0]',
    'KEDA cannot read the Secret: the scaler never authenticates',
    () => ({
      triggers: [
        QueueTrigger.redisList({
          address: 'redis.queues.svc:6379',
          listName: 'jobs',
          listLength: 5,
          auth: TriggerAuth.fromSecret('redis_creds', { password: 'password' }),
        }),
      ],
    }),
  ),
];

/** Network peers: namespaces and labels that cannot exist, in every construct with a NetworkPolicy. */
const peers: Mistake[] = [
  ...through(
    WITH_NETWORK_INGRESS,
    'references',
    'ingressFrom namespace in upper case',
    'networkPolicy.ingressFrom[0]',
    'the policy selects no namespace: callers are silently denied',
    () => ({
      networkPolicy: { ingressFrom: [{ namespace: 'API-Gateway' }], egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
    }),
  ),
  ...through(
    WITH_NETWORK_INGRESS,
    'references',
    'ingressFrom pod label key with a space',
    'networkPolicy.ingressFrom[0]',
    'API server rejects the NetworkPolicy: invalid label key',
    () => ({
      networkPolicy: { ingressFrom: [{ podLabels: { 'app name': 'gateway' } }], egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
    }),
  ),
  ...through(
    WITH_EGRESS,
    'references',
    'egress namespace with an underscore',
    'egressTo[0]',
    'the policy selects no namespace: calls to the broker are silently dropped',
    (k) => egress(k, { to: { namespace: 'message_bus' }, ports: [5672] }),
  ),
  ...through(
    WITH_EGRESS,
    'references',
    'egress namespace label value with a space',
    'egressTo[0]',
    'API server rejects the NetworkPolicy: invalid label value',
    (k) => egress(k, { to: { namespaceLabels: { team: 'data platform' } }, ports: [5672] }),
  ),
  ...through(
    ['online', 'monitored'],
    'references',
    'metricsFrom namespace with a dot',
    'networkPolicy.metricsFrom[0]',
    'no namespace can be named so: Prometheus is denied, every target is down',
    () => ({
      metricsPort: 9090,
      networkPolicy: { metricsFrom: [{ namespace: 'monitoring.svc' }] },
    }),
  ),
  ...through(
    ['online'],
    'references',
    'route gateway namespace in upper case',
    'route.gateway.namespace',
    'the HTTPRoute never attaches (no such namespace); the service is unreachable from the gateway',
    () => ({
      route: { gateway: { name: 'inference-gateway', namespace: 'Gateways' } },
    }),
  ),
  ...through(
    ['online'],
    'references',
    'route gateway name with an underscore',
    'route.gateway.name',
    'API server rejects the HTTPRoute: parentRefs name',
    () => ({
      route: { gateway: { name: 'inference_gateway' } },
    }),
  ),
];

/** Platform settings that reach every pod. */
const platform: Mistake[] = [
  ...through(
    ['online', 'batch', 'queue'],
    'references',
    'platform imagePullSecrets with an underscore',
    'platform imagePullSecrets[0]',
    'kubelet cannot find the pull secret; private pulls fail',
    () => ({}),
    (c) => Platform.configure(c, { imagePullSecrets: ['registry_creds'] }),
  ).map((m) => ({ ...m, orPath: 'test' })),
  ...through(
    ['online', 'batch', 'training', 'queue'],
    'references',
    'platform priority class in upper case',
    'platform priorityClasses',
    'API server rejects every pod: priorityClassName',
    () => ({}),
    (c) =>
      Platform.configure(c, {
        priorityClasses: { serving: 'Serving-High', batch: 'Batch-Low', training: 'Batch-Low', queue: 'Batch-Low' },
      }),
  ),
  ...through(
    ['vllm', 'training', 'multihost'],
    'references',
    'platform accelerator node label with a space',
    'platform acceleratorNodeLabel',
    'API server rejects the pod: nodeSelector key',
    () => ({}),
    (c) => Platform.configure(c, { acceleratorNodeLabel: 'nvidia gpu present' }),
  ).map((m) => ({ ...m, orPath: 'test' })),
  ...through(
    ['vllm', 'training', 'multihost'],
    'references',
    'platform accelerator taint key with a space',
    'platform acceleratorTaint',
    'API server rejects the pod: toleration key',
    () => ({}),
    (c) => Platform.configure(c, { acceleratorTaint: { key: 'nvidia gpu', effect: 'NoSchedule' } }),
  ).map((m) => ({ ...m, orPath: 'test' })),
  ...through(
    ['online', 'monitored', 'queue'],
    'references',
    'platform scrapeFrom namespace in upper case',
    'platform monitoring',
    'Prometheus is denied by the policy (no such namespace): every target is down',
    () => ({ metricsPort: 9090 }),
    (c) => Platform.configure(c, { monitoring: { scrapeFrom: [{ namespace: 'Monitoring' }] } }),
  ),
  ...through(
    ['online', 'batch'],
    'numbers-and-addresses',
    'platform DNS CIDR with a /33 prefix',
    'platform dns.cidrs[0]',
    'API server rejects the NetworkPolicy: invalid CIDR',
    () => ({}),
    (c) => Platform.configure(c, { dns: { cidrs: ['169.254.20.10/33'] } }),
  ),
  ...through(
    ['online', 'batch'],
    'names-and-labels',
    'platform label value with a space',
    'labels',
    'API server rejects every object: invalid label value',
    () => ({}),
    (c) => Platform.configure(c, { labels: { team: 'search team' } }),
  ),
];

/** Numbers and addresses. */
const numbers: Mistake[] = [
  ...through(
    WITH_EGRESS,
    'numbers-and-addresses',
    'egress CIDR with a /33 prefix',
    'egressTo[0]',
    'API server rejects the NetworkPolicy: invalid CIDR',
    (k) => egress(k, { to: { cidr: '10.0.0.0/33' }, ports: [443] }),
  ),
  ...through(
    WITH_EGRESS,
    'numbers-and-addresses',
    'egress CIDR with an octet of 300',
    'egressTo[0]',
    'API server rejects the NetworkPolicy: invalid CIDR',
    (k) => egress(k, { to: { cidr: '10.0.0.300/32' }, ports: [443] }),
  ),
  ...through(
    WITH_EGRESS,
    'numbers-and-addresses',
    'egress port 0',
    'egressTo[0]',
    'API server rejects the NetworkPolicy: port must be 1-65535',
    (k) => egress(k, { to: { cidr: '10.0.0.0/8' }, ports: [0] }),
  ),
  ...through(
    WITH_EGRESS,
    'numbers-and-addresses',
    'egress port 70000',
    'egressTo[0]',
    'API server rejects the NetworkPolicy: port must be 1-65535',
    (k) => egress(k, { to: { cidr: '10.0.0.0/8' }, ports: [70000] }),
  ),
  ...because(
    WHOLE,
    through(
      WITH_EGRESS,
      'numbers-and-addresses',
      'egress port 443.5',
      'egressTo[0]',
      'API server rejects the NetworkPolicy: port is not an integer',
      (k) => egress(k, { to: { cidr: '10.0.0.0/8' }, ports: [443.5] }),
    ),
  ),
  ...through(
    WITH_NETWORK_INGRESS,
    'numbers-and-addresses',
    'ingress CIDR with a /40 prefix',
    'networkPolicy.ingressFrom[0]',
    'API server rejects the NetworkPolicy: invalid CIDR',
    () => ({
      networkPolicy: { ingressFrom: [{ cidr: '10.0.0.0/40' }], egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
    }),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'readiness probe period of 500 ms',
      'probes.readiness',
      'cannot be written: periodSeconds is whole seconds (cdk8s throws a Duration conversion error)',
      () => ({
        probes: { readiness: { period: Duration.millis(500) } },
      }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'liveness timeout of 1.5 s',
      'probes.liveness',
      'cannot be written: timeoutSeconds is whole seconds',
      () => ({
        probes: { liveness: { timeout: Duration.millis(1500) } },
      }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'startup period of 0.5 s',
      'probes.startup',
      'cannot be written: periodSeconds is whole seconds',
      () => ({
        probes: { startup: { period: Duration.millis(500) } },
      }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'model load timeout of 90.5 s',
      'modelLoadTimeout',
      'cannot be written: whole seconds',
      () => ({ modelLoadTimeout: Duration.millis(90500) }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'preStop delay of 2.5 s',
      'shutdown.preStopDelay',
      'cannot be written: the sleep and grace period are whole seconds',
      () => ({ shutdown: { preStopDelay: Duration.millis(2500) } }),
    ),
  ),
  ...because(
    WHOLE,
    through(['online'], 'numbers-and-addresses', 'fractional port', 'port', 'API server rejects: containerPort must be an integer', () => ({
      port: 8080.5,
    })),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'fractional service port',
      'servicePort',
      'API server rejects: Service port must be an integer',
      () => ({ servicePort: 80.5 }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online', 'queue', 'batch', 'training'],
      'numbers-and-addresses',
      'fractional metrics port',
      'metricsPort',
      'API server rejects: containerPort must be an integer',
      () => ({ metricsPort: 9090.5 }),
    ),
  ),
  ...through(
    ['online', 'queue', 'batch', 'training'],
    'numbers-and-addresses',
    'metrics port 70000',
    'metricsPort',
    'API server rejects: containerPort must be 1-65535',
    () => ({ metricsPort: 70000 }),
  ),
  ...because(
    WHOLE,
    through(
      ['distributed'],
      'numbers-and-addresses',
      'fractional master port',
      'masterPort',
      'API server rejects: containerPort must be an integer',
      () => ({ masterPort: 29500.5 }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'fractional replica count',
      'replicas',
      'API server rejects: replicas must be an integer',
      () => ({ replicas: 2.5, autoscaling: undefined }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'fractional minReplicas',
      'autoscaling',
      'API server rejects the HPA: minReplicas must be an integer',
      () => ({ autoscaling: { minReplicas: 1.5, maxReplicas: 4 } }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['online'],
      'numbers-and-addresses',
      'fractional maxReplicas',
      'autoscaling',
      'API server rejects the HPA: maxReplicas must be an integer',
      () => ({ autoscaling: { minReplicas: 2, maxReplicas: 4.5 } }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['queue', 'queueJob'],
      'numbers-and-addresses',
      'fractional maxReplicas on a queue worker',
      'maxReplicas',
      'KEDA rejects the ScaledObject: maxReplicaCount must be an integer',
      () => ({ maxReplicas: 10.5 }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['batch'],
      'numbers-and-addresses',
      'fractional shard count',
      'shards',
      'API server rejects: completions must be an integer',
      () => ({ shards: 4.5 }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['batch'],
      'numbers-and-addresses',
      'fractional parallelism',
      'parallelism',
      'API server rejects: parallelism must be an integer',
      () => ({ parallelism: 2.5 }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['distributed', 'jobset'],
      'numbers-and-addresses',
      'fractional worker count',
      'workers',
      'API server rejects: completions must be an integer',
      () => ({ workers: 2.5 }),
    ),
  ),
  ...because(
    WHOLE,
    through(['multihost'], 'numbers-and-addresses', 'fractional group size', 'groupSize', 'LWS rejects: size must be an integer', () => ({
      groupSize: 2.5,
    })),
  ),
  ...because(
    WHOLE,
    through(['multihost'], 'numbers-and-addresses', 'fractional replicas', 'replicas', 'LWS rejects: replicas must be an integer', () => ({
      replicas: 1.5,
    })),
  ),
  ...because(
    WHOLE,
    through(
      [...JOBS],
      'numbers-and-addresses',
      'active deadline of 90.5 s',
      'activeDeadline',
      'cannot be written: activeDeadlineSeconds is whole seconds',
      () => ({ activeDeadline: Duration.millis(90500) }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['batch', 'cron', 'training'],
      'numbers-and-addresses',
      'fractional backoff limit',
      'backoffLimit',
      'API server rejects: backoffLimit must be an integer',
      () => ({ backoffLimit: 1.5 }),
    ),
  ),
  ...because(
    WHOLE,
    through(
      ['queue'],
      'numbers-and-addresses',
      'fractional minReplicas on a queue worker',
      'minReplicas',
      'KEDA rejects: minReplicaCount must be an integer',
      () => ({ minReplicas: 0.5 }),
    ),
  ),
  ...through(
    ['online', 'batch', 'queue', 'training'],
    'numbers-and-addresses',
    'runAsUser above the uid range',
    'runAs.runAsUser',
    'API server rejects: runAsUser must be ≤ 2147483647',
    () => ({ runAs: { runAsUser: 4294967295 } }),
  ),
  ...through(
    ['online', 'batch', 'queue'],
    'numbers-and-addresses',
    'negative runAsGroup',
    'runAs.runAsGroup',
    'API server rejects: runAsGroup must be ≥ 0',
    () => ({ runAs: { runAsGroup: -1 } }),
  ),
];

/** Two things on one port, one port name twice. */
const ports: Mistake[] = [
  ...through(
    ['distributed', 'jobset'],
    'ports',
    'metrics port equal to the rendezvous port',
    'metricsPort',
    'the API server warns; torchrun or the exporter fails to bind 29500',
    () => ({ metricsPort: 29500 }),
  ),
  ...through(
    ['distributed'],
    'ports',
    'master port equal to the metrics port',
    'metricsPort',
    'the rendezvous store and the exporter cannot both bind',
    () => ({ metricsPort: 9100, masterPort: 9100 }),
  ),
  ...through(
    ['triton'],
    'ports',
    'metrics port equal to Triton gRPC port',
    'metricsPort',
    'two servers on 8001: the API server warns, one fails to bind',
    () => ({ metricsPort: 8001 }),
  ),
  ...through(
    ['online'],
    'ports',
    "serving port named 'metrics' beside a metrics port",
    'portName',
    'API server rejects: duplicate port name in one container',
    () => ({ portName: 'metrics', metricsPort: 9090 }),
  ),
  ...through(
    ['triton'],
    'ports',
    "serving port named 'grpc' like Triton's gRPC port",
    'portName',
    'API server rejects: duplicate port name in one container',
    () => ({ portName: 'grpc' }),
  ),
  ...through(
    ['online'],
    'ports',
    'service port equal to the metrics port',
    'servicePort',
    'API server rejects the Service: duplicate port',
    () => ({ servicePort: 9090, metricsPort: 9090 }),
  ),
  ...through(
    ['online'],
    'ports',
    'port name longer than 15 characters',
    'portName',
    'API server rejects: port name must be ≤ 15 characters',
    () => ({ portName: 'inference-http-port' }),
  ),
  ...through(['online'], 'ports', 'port name in upper case', 'portName', 'API server rejects: invalid port name', () => ({
    portName: 'HTTP',
  })),
  ...through(
    ['online'],
    'ports',
    'readiness probe on a port the server does not listen on... by name',
    'probes.readiness',
    'kubelet cannot resolve the named port: the pod is never ready',
    () => ({
      probes: { readiness: { handler: ProbeHandler.tcpSocket({ port: 0 }) } },
    }),
  ),
];

/** User values that replace the library's contract variables. */
const contract: Mistake[] = [
  ...through(
    ['batch', 'cron'],
    'contract-env',
    'env JOB_COMPLETION_INDEX set by the user',
    "env['JOB_COMPLETION_INDEX']",
    'every shard reads shard 0: the user value wins over what the Job controller injects',
    () => ({
      shards: 4,
      env: { JOB_COMPLETION_INDEX: '0' },
    }),
  ),
  ...through(
    ['distributed'],
    'contract-env',
    'env JOB_COMPLETION_INDEX on a multi-worker job',
    "env['JOB_COMPLETION_INDEX']",
    'every worker claims rank 0',
    () => ({ env: { JOB_COMPLETION_INDEX: '0' } }),
  ),
  ...through(
    ['batch', 'cron', 'training'],
    'contract-env',
    'env RUN_ID set by the user',
    "env['RUN_ID']",
    'every run writes the same prefix and overwrites the last',
    () => ({ env: { RUN_ID: 'nightly' } }),
  ),
  ...through(
    ['batch', 'cron'],
    'contract-env',
    'env SHARD_COUNT set by the user',
    "env['SHARD_COUNT']",
    'shards divide the input by the wrong count: rows are scored twice or never',
    () => ({ shards: 4, env: { SHARD_COUNT: '8' } }),
  ),
  ...through(
    ['online', 'batch'],
    'contract-env',
    'env MODEL_DIR set by the user',
    "env['MODEL_DIR']",
    'the server looks where the fetcher never wrote',
    () => ({
      networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
      model: {
        name: 'm',
        version: 'v1',
        uri: 'https://models.example.com/m.bin',
        sha256: '3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8556',
        size: '100Mi',
      },
      env: { MODEL_DIR: '/data/model' },
    }),
  ),
  ...through(
    ['online'],
    'contract-env',
    'env MODEL_FILE set by the user',
    "env['MODEL_FILE']",
    'the server opens a file the fetcher never verified',
    () => ({
      networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
      model: {
        name: 'm',
        version: 'v1',
        uri: 'https://models.example.com/m.bin',
        sha256: '3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8556',
        size: '100Mi',
      },
      env: { MODEL_FILE: 'other.bin' },
    }),
  ),
  ...through(
    ['online', 'batch'],
    'contract-env',
    'env MODEL_VERSION set by the user',
    "env['MODEL_VERSION']",
    'the server reports a version other than the one deployed',
    () => ({
      model: { name: 'm', version: 'v1', claimName: 'm-v1' },
      env: { MODEL_VERSION: 'v2' },
    }),
  ),
  ...through(
    ['distributed', 'jobset'],
    'contract-env',
    'env MASTER_ADDR set by the user',
    "env['MASTER_ADDR']",
    'workers rendezvous at an address nobody hosts',
    () => ({ env: { MASTER_ADDR: 'localhost' } }),
  ),
  ...through(
    ['distributed'],
    'contract-env',
    'env WORLD_SIZE set by the user',
    "env['WORLD_SIZE']",
    'torch waits for workers that never come',
    () => ({ env: { WORLD_SIZE: '8' } }),
  ),
  ...through(
    ['training', 'distributed'],
    'contract-env',
    'env CHECKPOINT_DIR set by the user',
    "env['CHECKPOINT_DIR']",
    'checkpoints go to the read-only root filesystem or an unmounted path',
    () => ({ env: { CHECKPOINT_DIR: '/data/ckpt' } }),
  ),
  ...through(
    ['vllm'],
    'contract-env',
    'env HF_HOME set by the user',
    "env['HF_HOME']",
    'the runtime writes the model where no volume is mounted',
    () => ({ env: { HF_HOME: '/root/.cache/huggingface' } }),
  ),
  ...through(
    ['multihost'],
    'contract-env',
    'env LWS_LEADER_ADDRESS set by the user',
    "env['LWS_LEADER_ADDRESS']",
    'every group dials one leader: workers join the wrong group',
    () => ({ env: { LWS_LEADER_ADDRESS: 'llama-0.llama' } }),
  ),
];

/** Labels, names, annotations. */
const names: Mistake[] = [
  ...through(
    [...WORKLOADS, 'cache'],
    'names-and-labels',
    'label value with a space',
    "labels['team']",
    'API server rejects every object: invalid label value',
    () => ({ labels: { team: 'search team' } }),
  ),
  ...through(
    [...WORKLOADS, 'cache'],
    'names-and-labels',
    'label key with two slashes',
    'labels',
    'API server rejects every object: invalid label key',
    () => ({ labels: { 'example.com/team/name': 'search' } }),
  ),
  ...through(
    WORKLOADS,
    'names-and-labels',
    'env name starting with a digit',
    "env['1ST_SHARD']",
    'API server rejects the pod template: invalid env name',
    () => ({ env: { '1ST_SHARD': 'a' } }),
  ),
  ...through(
    WORKLOADS,
    'names-and-labels',
    'env from a field the downward API does not offer',
    "env['POD_LABEL']",
    'API server rejects the pod template: unsupported fieldPath',
    () => ({
      env: { POD_LABEL: MlEnvValue.fromField('metadata.labels.app') },
    }),
  ),
  ...through(
    WORKLOADS,
    'names-and-labels',
    'env from status.phase',
    "env['PHASE']",
    'API server rejects the pod template: unsupported fieldPath',
    () => ({ env: { PHASE: MlEnvValue.fromField('status.phase') } }),
  ),
  ...through(
    ['online', 'vllm', 'batch', 'training'],
    'names-and-labels',
    'accelerator node selector key with a space',
    'accelerator',
    'API server rejects the pod: nodeSelector key',
    (k) => ({
      accelerator: Accelerator.nvidiaGpu(1, { nodeSelector: { 'gpu type': 'a100' } }),
      ...(k === 'online' ? { replicas: 2, autoscaling: undefined } : {}),
    }),
  ),
  ...through(
    ['online', 'batch', 'cron'],
    'names-and-labels',
    'model version annotation beyond 256 KiB',
    'model',
    'API server rejects: annotations exceed 256 KiB',
    () => ({
      model: { name: 'x'.repeat(300 * 1024), version: 'v1', claimName: 'm-v1' },
    }),
  ),
];

/** Edits through escape hatches: the gate reads what is rendered, whoever wrote it. */
const hatches: Mistake[] = [
  {
    id: 'hatch: JSON patch sets an invalid priority class',
    family: 'hatches',
    construct: 'OnlineInference',
    prop: 'priorityClassName',
    cluster: 'API server rejects the Deployment: spec.template.spec.priorityClassName',
    path: 'test/w',
    build: (c) => {
      const w = new OnlineInference(c, 'w', { image: 'registry.example.com/a:v1', resources: { cpu: '1', memory: '1Gi' } });
      ApiObject.of(w.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'Urgent_Class'));
    },
  },
  {
    id: 'hatch: a sidecar on the serving port',
    family: 'hatches',
    construct: 'OnlineInference',
    prop: 'containerPort',
    cluster: 'two servers on 8000: the sidecar crash-loops (address in use)',
    path: 'test/w',
    build: (c) => {
      const w = new OnlineInference(c, 'w', { image: 'registry.example.com/a:v1', resources: { cpu: '1', memory: '1Gi' } });
      ApiObject.of(w.deployment).addJsonPatch(
        JsonPatch.add('/spec/template/spec/containers/-', {
          name: 'proxy',
          image: 'registry.example.com/envoy:v1.30.0',
          ports: [{ containerPort: 8000, name: 'proxy' }],
          resources: {
            requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('64Mi') },
            limits: { memory: k8s.Quantity.fromString('64Mi') },
          },
        }),
      );
    },
  },
  {
    id: 'hatch: a raw Deployment with a bad image pull secret',
    family: 'hatches',
    construct: 'KubeDeployment',
    prop: 'imagePullSecrets[0].name',
    cluster: 'kubelet cannot find the pull secret',
    path: 'test/raw',
    build: (c) => {
      new OnlineInference(c, 'w', { image: 'registry.example.com/a:v1', resources: { cpu: '1', memory: '1Gi' } });
      new k8s.KubeDeployment(c, 'raw', {
        metadata: { name: 'raw' },
        spec: {
          selector: { matchLabels: { app: 'raw' } },
          template: {
            metadata: { labels: { app: 'raw' } },
            spec: { imagePullSecrets: [{ name: 'Reg_Creds' }], containers: [{ name: 'c', image: 'registry.example.com/a:v1' }] },
          },
        },
      });
    },
  },
  {
    id: 'hatch: a second MlNamespace for one namespace',
    family: 'semantics',
    construct: 'MlNamespace',
    prop: 'metadata.name',
    cluster: 'the second Namespace, quota and LimitRange overwrite the first on apply: limits flip with apply order',
    path: 'test/ml-b',
    build: (c) => {
      new MlNamespace(c, 'ml', { quota: { requestsCpu: '10' } });
      new MlNamespace(c, 'ml-b', { name: 'ml', quota: { requestsCpu: '20' } });
    },
  },
];

export const MISTAKES: Mistake[] = [...references, ...peers, ...platform, ...numbers, ...ports, ...contract, ...names, ...hatches];

void [plus, k8s, ExitCodes, ScalingMetric, WorkloadMonitoring, builders, Chart];
