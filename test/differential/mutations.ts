import { App, Chart, Duration } from 'cdk8s';
import {
  Accelerator,
  BatchScoringJob,
  BatchScoringJobProps,
  EnvFrom,
  EnvValue,
  GpuTrainingJob,
  GpuTrainingJobProps,
  MlNamespace,
  MlNamespaceProps,
  ModelCache,
  ModelCacheProps,
  NodePool,
  OnlineInference,
  OnlineInferenceProps,
  Platform,
  PlatformConventions,
  QueueTrigger,
  QueueWorker,
  QueueWorkerProps,
} from '../../src';
import { Category } from './invalid-values';

/**
 * Where a generated value goes: one prop of one construct (or one platform setting) in an otherwise valid app.
 * `build` puts that app below `app`, in namespace `ns`, with `value` at `path`.
 */
export interface Mutation {
  /** The prop path as a user writes it, e.g. `OnlineInference.env[<name>]`. */
  readonly path: string;
  readonly category: Category;
  readonly build: (app: App, ns: string, value: any) => void;
  /** A value the app must accept, when the category's usual one does not fit this prop. @default VALID[category] */
  readonly valid?: string | number;
  /**
   * Why the API server accepts any value here although the category's values are invalid names elsewhere (a
   * reference it never resolves, a CRD field without a range): the cluster suite still applies these, the offline
   * test does not expect synth to refuse them. @default - the API server validates the field
   */
  readonly apiAccepts?: string;
}

const IMAGE = 'registry.example.com/ml/scorer:v1.2.3';
const SHA = 'a'.repeat(64);

/** A GPU pool and a CPU pool the base apps fit. */
export const BASE_POOLS: NodePool[] = [
  { name: 'cpu', count: 3, cpu: '15', memory: '60Gi', labels: { pool: 'cpu' } },
  {
    name: 'gpu',
    count: 3,
    cpu: '94',
    memory: '1800Gi',
    accelerators: { 'nvidia.com/gpu': 8 },
    labels: { 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', pool: 'gpu' },
    taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
  },
];

const chart = (app: App, ns: string) => new Chart(app, 'diff', { namespace: ns });

function serving(app: App, ns: string, over: Partial<OnlineInferenceProps> = {}, platform: PlatformConventions = {}): void {
  Platform.configure(app, { nodePools: BASE_POOLS, ...platform });
  new OnlineInference(chart(app, ns), 'scorer', {
    image: IMAGE,
    resources: { cpu: '500m', memory: '1Gi' },
    replicas: 2,
    metricsPort: 9090,
    ...over,
  });
}

function gpuServing(app: App, ns: string, over: Partial<OnlineInferenceProps> = {}, platform: PlatformConventions = {}): void {
  serving(app, ns, { accelerator: Accelerator.nvidiaGpu(1), resources: { cpu: '4', memory: '16Gi' }, ...over }, platform);
}

function batch(app: App, ns: string, over: Partial<BatchScoringJobProps> = {}, platform: PlatformConventions = {}): void {
  Platform.configure(app, { nodePools: BASE_POOLS, ...platform });
  new BatchScoringJob(chart(app, ns), 'scores', { image: IMAGE, resources: { cpu: '1', memory: '2Gi' }, ...over });
}

function training(app: App, ns: string, over: Partial<GpuTrainingJobProps> = {}, platform: PlatformConventions = {}): void {
  Platform.configure(app, { nodePools: BASE_POOLS, ...platform });
  new GpuTrainingJob(chart(app, ns), 'trainer', {
    image: IMAGE,
    resources: { cpu: '8', memory: '48Gi' },
    accelerator: Accelerator.nvidiaGpu(1),
    ...over,
  });
}

function worker(app: App, ns: string, over: Partial<QueueWorkerProps> = {}): void {
  Platform.configure(app, { nodePools: BASE_POOLS });
  new QueueWorker(chart(app, ns), 'consumer', {
    image: IMAGE,
    resources: { cpu: '1', memory: '2Gi' },
    env: { AMQP_URL: EnvValue.fromSecret('rabbitmq', 'url') },
    maxProcessingTime: Duration.minutes(2),
    minReplicas: 1,
    maxReplicas: 4,
    triggers: [QueueTrigger.rabbitmq({ queueName: 'jobs', value: 5, hostFromEnv: 'AMQP_URL' })],
    networkPolicy: { egressTo: [{ to: { namespace: 'messaging' }, ports: [5672] }] },
    ...over,
  } as QueueWorkerProps);
}

function cache(app: App, ns: string, over: Partial<ModelCacheProps> = {}): void {
  Platform.configure(app, { nodePools: BASE_POOLS });
  const c = chart(app, ns);
  const weights = new ModelCache(c, 'weights', {
    uri: 'https://models.example.com/scorer/v7.onnx',
    sha256: SHA,
    size: '2Gi',
    // Two replicas on several nodes: a filesystem every node mounts.
    accessMode: 'ReadWriteMany',
    networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
    ...over,
  } as ModelCacheProps);
  new OnlineInference(c, 'scorer', {
    image: IMAGE,
    resources: { cpu: '500m', memory: '4Gi' },
    replicas: 2,
    model: { name: 'scorer', version: 'v7', cache: weights },
  });
}

function namespace(app: App, ns: string, over: Partial<MlNamespaceProps> = {}): void {
  new MlNamespace(new Chart(app, 'platform'), ns, {
    quota: { requestsCpu: '10', requestsMemory: '20Gi', pods: 20 },
    ...over,
  } as MlNamespaceProps);
}

const pool = (over: Partial<NodePool>): NodePool[] => [{ ...BASE_POOLS[0], ...over }, BASE_POOLS[1]];

/** Every prop the property test puts an invalid value into. */
export const MUTATIONS: Mutation[] = [
  // Names and references of a serving workload.
  { path: 'OnlineInference.name', category: 'dns1035Label', build: (a, ns, v) => serving(a, ns, { name: v }) },
  { path: 'OnlineInference.namespace', category: 'dns1123Label', build: (a, ns, v) => serving(a, ns, { namespace: v }) },
  { path: 'OnlineInference.labels[<key>]', category: 'labelKey', build: (a, ns, v) => serving(a, ns, { labels: { [v]: 'x' } }) },
  { path: 'OnlineInference.labels[team]', category: 'labelValue', build: (a, ns, v) => serving(a, ns, { labels: { team: v } }) },
  { path: 'OnlineInference.partOf', category: 'labelValue', build: (a, ns, v) => serving(a, ns, { partOf: v }) },
  {
    path: 'OnlineInference.imagePullSecrets[0]',
    apiAccepts: 'pull secret references are not validated; the kubelet reports the missing secret',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { imagePullSecrets: [v] }),
  },
  {
    path: 'OnlineInference.priorityClassName',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { priorityClassName: v }),
  },
  {
    path: 'OnlineInference.model.claimName',
    valid: 'scorer-v1',
    apiAccepts: "a volume's claimName is not validated; the pod waits for a claim that cannot exist",
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { model: { name: 'scorer', version: 'v1', claimName: v } }),
  },
  {
    path: 'OnlineInference.model.name',
    apiAccepts: 'with claimName the model name reaches env and annotations only',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, { model: { name: v, version: 'v1', claimName: 'weights-v1' } }),
  },
  {
    path: 'OnlineInference.model.version',
    apiAccepts: 'with claimName the model version reaches env and annotations only',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, { model: { name: 'scorer', version: v, claimName: `weights-${String(v).toLowerCase()}` } }),
  },
  // Env and its references.
  { path: 'OnlineInference.env[<name>]', category: 'envName', build: (a, ns, v) => serving(a, ns, { env: { [v]: EnvValue.value('1') } }) },
  {
    path: 'OnlineInference.env[X].fromSecret(name)',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { env: { X: EnvValue.fromSecret(v, 'k') } }),
  },
  {
    path: 'OnlineInference.env[X].fromSecret(, key)',
    category: 'configKey',
    build: (a, ns, v) => serving(a, ns, { env: { X: EnvValue.fromSecret('s', v) } }),
  },
  {
    path: 'OnlineInference.env[X].fromConfigMap(name)',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { env: { X: EnvValue.fromConfigMap(v, 'k') } }),
  },
  {
    path: 'OnlineInference.env[X].fromConfigMap(, key)',
    category: 'configKey',
    build: (a, ns, v) => serving(a, ns, { env: { X: EnvValue.fromConfigMap('c', v) } }),
  },
  {
    path: 'OnlineInference.env[X].fromField(path)',
    category: 'fieldPath',
    build: (a, ns, v) => serving(a, ns, { env: { X: EnvValue.fromField(v) } }),
  },
  {
    path: 'OnlineInference.envFrom[0].secret(name)',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { envFrom: [EnvFrom.secret(v)] }),
  },
  {
    path: 'OnlineInference.envFrom[0].secret(, prefix)',
    category: 'envName',
    build: (a, ns, v) => serving(a, ns, { envFrom: [EnvFrom.secret('s', v || 'x y')] }),
  },
  // Quantities, ports and counts.
  {
    path: 'OnlineInference.resources.cpu',
    category: 'quantity',
    build: (a, ns, v) => serving(a, ns, { resources: { cpu: v, memory: '1Gi' } }),
  },
  {
    path: 'OnlineInference.resources.memory',
    valid: '2Gi',
    category: 'quantity',
    build: (a, ns, v) => serving(a, ns, { resources: { cpu: '1', memory: v } }),
  },
  {
    path: 'OnlineInference.resources.ephemeralStorage',
    valid: '2Gi',
    category: 'quantity',
    build: (a, ns, v) => serving(a, ns, { resources: { cpu: '1', memory: '1Gi', ephemeralStorage: v } }),
  },
  { path: 'OnlineInference.metricsPort', category: 'port', build: (a, ns, v) => serving(a, ns, { metricsPort: v }) },
  { path: 'OnlineInference.port', category: 'port', build: (a, ns, v) => serving(a, ns, { port: v, metricsPort: undefined }) },
  { path: 'OnlineInference.servicePort', category: 'port', build: (a, ns, v) => serving(a, ns, { servicePort: v }) },
  { path: 'OnlineInference.replicas', category: 'replicas', build: (a, ns, v) => serving(a, ns, { replicas: v }) },
  {
    path: 'OnlineInference.autoscaling.maxReplicas',
    category: 'replicas',
    build: (a, ns, v) => serving(a, ns, { replicas: undefined, autoscaling: { minReplicas: 2, maxReplicas: v } }),
  },
  { path: 'OnlineInference.runAs.runAsUser', category: 'uid', build: (a, ns, v) => serving(a, ns, { runAs: { runAsUser: v } }) },
  { path: 'OnlineInference.runAs.fsGroup', category: 'uid', build: (a, ns, v) => serving(a, ns, { runAs: { fsGroup: v } }) },
  // Scheduling.
  {
    path: 'OnlineInference.tolerations[0].key',
    category: 'labelKey',
    build: (a, ns, v) => serving(a, ns, { tolerations: [{ key: v, operator: 'Exists' }] }),
  },
  {
    path: 'OnlineInference.tolerations[0].value',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: v }] }),
  },
  {
    path: 'OnlineInference.accelerator.product',
    category: 'labelValue',
    build: (a, ns, v) => gpuServing(a, ns, { accelerator: Accelerator.nvidiaGpu(1, { product: v }) }, { nodePools: [] }),
  },
  {
    path: 'OnlineInference.accelerator.nodeSelector[<key>]',
    category: 'labelKey',
    build: (a, ns, v) => gpuServing(a, ns, { accelerator: Accelerator.nvidiaGpu(1, { nodeSelector: { [v]: 'x' } }) }, { nodePools: [] }),
  },
  {
    path: 'OnlineInference.accelerator.sharedMemory',
    valid: '1Gi',
    category: 'quantity',
    build: (a, ns, v) => gpuServing(a, ns, { accelerator: Accelerator.nvidiaGpu(1, { sharedMemory: v }) }),
  },
  {
    path: 'OnlineInference.accelerator count',
    valid: 1,
    category: 'replicas',
    build: (a, ns, v) => gpuServing(a, ns, { accelerator: Accelerator.nvidiaGpu(v) }),
  },
  // Network peers.
  {
    path: 'OnlineInference.networkPolicy.ingressFrom[0].cidr',
    category: 'cidr',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { ingressFrom: [{ cidr: v }] } }),
  },
  {
    path: 'OnlineInference.networkPolicy.ingressFrom[0].namespace',
    category: 'dns1123Label',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { ingressFrom: [{ namespace: v }] } }),
  },
  {
    path: 'OnlineInference.networkPolicy.ingressFrom[0].podLabels[<key>]',
    category: 'labelKey',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { ingressFrom: [{ podLabels: { [v]: 'x' } }] } }),
  },
  {
    path: 'OnlineInference.networkPolicy.ingressFrom[0].podLabels[app]',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { ingressFrom: [{ podLabels: { app: v } }] } }),
  },
  {
    path: 'OnlineInference.networkPolicy.ingressFrom[0].namespaceLabels[team]',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { ingressFrom: [{ namespaceLabels: { team: v } }] } }),
  },
  {
    path: 'OnlineInference.networkPolicy.egressTo[0].to.cidr',
    category: 'cidr',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { egressTo: [{ to: { cidr: v }, ports: [443] }] } }),
  },
  {
    path: 'OnlineInference.networkPolicy.egressTo[0].ports[0]',
    category: 'port',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [v] }] } }),
  },
  {
    path: 'OnlineInference.networkPolicy.egressTo[0].to.namespace',
    category: 'dns1123Label',
    build: (a, ns, v) => serving(a, ns, { networkPolicy: { egressTo: [{ to: { namespace: v }, ports: [443] }] } }),
  },
  // Routes and canaries.
  {
    path: 'OnlineInference.route.gateway.name',
    valid: 'public',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { route: { gateway: { name: v, namespace: 'gateways' } } }),
  },
  {
    path: 'OnlineInference.route.gateway.namespace',
    category: 'dns1123Label',
    build: (a, ns, v) => serving(a, ns, { route: { gateway: { name: 'public', namespace: v } } }),
  },
  {
    path: 'OnlineInference.route.hostnames[0]',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, { route: { gateway: { name: 'public' }, hostnames: [v] } }),
  },
  {
    path: 'OnlineInference.canary.model.version',
    apiAccepts: 'the canary model version reaches env and annotations only',
    category: 'labelValue',
    build: (a, ns, v) =>
      serving(a, ns, {
        replicas: 9,
        model: { name: 's', version: 'v1', claimName: 'w-v1' },
        canary: { weight: 10, model: { version: v, claimName: `w-${String(v).toLowerCase()}` } },
      }),
  },
  // Batch and training.
  { path: 'BatchScoringJob.schedule', category: 'cron', build: (a, ns, v) => batch(a, ns, { schedule: v }) },
  { path: 'BatchScoringJob.timeZone', category: 'timeZone', build: (a, ns, v) => batch(a, ns, { schedule: '0 2 * * *', timeZone: v }) },
  { path: 'BatchScoringJob.shards', category: 'replicas', build: (a, ns, v) => batch(a, ns, { shards: v }) },
  { path: 'BatchScoringJob.parallelism', category: 'replicas', build: (a, ns, v) => batch(a, ns, { shards: 4, parallelism: v }) },
  { path: 'BatchScoringJob.metricsPort', category: 'port', build: (a, ns, v) => batch(a, ns, { metricsPort: v }) },
  { path: 'GpuTrainingJob.workers', category: 'replicas', build: (a, ns, v) => training(a, ns, { workers: v }) },
  { path: 'GpuTrainingJob.masterPort', category: 'port', build: (a, ns, v) => training(a, ns, { workers: 2, masterPort: v }) },
  {
    path: 'GpuTrainingJob.checkpoint.storageClass',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => training(a, ns, { checkpoint: { size: '10Gi', storageClass: v } }),
  },
  {
    path: 'GpuTrainingJob.checkpoint.size',
    valid: '10Gi',
    category: 'quantity',
    build: (a, ns, v) => training(a, ns, { checkpoint: { size: v } }),
  },
  {
    path: 'GpuTrainingJob.checkpoint.existingClaim',
    apiAccepts: "a volume's claimName is not validated; the pod waits for a claim that cannot exist",
    category: 'dns1123Subdomain',
    build: (a, ns, v) => training(a, ns, { checkpoint: { existingClaim: v } }),
  },
  { path: 'GpuTrainingJob.queueName', category: 'labelValue', build: (a, ns, v) => training(a, ns, { queueName: v } as any) },
  // Queue workers and model caches.

  {
    path: 'QueueWorker.maxReplicas',
    apiAccepts: 'the KEDA CRD declares int32 without a range the API server enforces; the KEDA operator fails later',
    category: 'replicas',
    build: (a, ns, v) => worker(a, ns, { maxReplicas: v }),
  },
  { path: 'ModelCache.storageClass', category: 'dns1123Subdomain', build: (a, ns, v) => cache(a, ns, { storageClass: v }) },
  { path: 'ModelCache.size', valid: '2Gi', category: 'quantity', build: (a, ns, v) => cache(a, ns, { size: v }) },
  { path: 'ModelCache.name', category: 'dns1123Label', build: (a, ns, v) => cache(a, ns, { name: v }) },
  {
    path: 'ModelCache.token.secretName',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => cache(a, ns, { token: { secretName: v } } as any),
  },
  // Namespaces and quotas.
  { path: 'MlNamespace.name', category: 'dns1123Label', build: (a, _ns, v) => namespace(a, v) },
  { path: 'MlNamespace.quota.requestsCpu', category: 'quantity', build: (a, ns, v) => namespace(a, ns, { quota: { requestsCpu: v } }) },
  {
    path: 'MlNamespace.quota.pods',
    apiAccepts: 'a quota is a quantity: 2^31 pods is a valid (unreachable) hard limit',
    category: 'replicas',
    build: (a, ns, v) => namespace(a, ns, { quota: { pods: v } }),
  },
  {
    path: 'MlNamespace.quota.accelerators[<resource>]',
    category: 'extendedResource',
    build: (a, ns, v) => namespace(a, ns, { quota: { accelerators: { [v]: 8 } } }),
  },
  {
    path: 'MlNamespace.containerDefaults.memoryLimit',
    valid: '2Gi',
    category: 'quantity',
    build: (a, ns, v) => namespace(a, ns, { containerDefaults: { memoryLimit: v } } as any),
  },
  { path: 'MlNamespace.labels[<key>]', category: 'labelKey', build: (a, ns, v) => namespace(a, ns, { labels: { [v]: 'x' } }) },
  // Platform settings (they reach every workload).
  { path: 'platform.labels[<key>]', category: 'labelKey', build: (a, ns, v) => serving(a, ns, {}, { labels: { [v]: 'x' } }) },
  { path: 'platform.labels[team]', category: 'labelValue', build: (a, ns, v) => serving(a, ns, {}, { labels: { team: v } }) },
  {
    path: 'platform.acceleratorNodeLabel',
    category: 'labelKey',
    build: (a, ns, v) => gpuServing(a, ns, {}, { acceleratorNodeLabel: v, nodePools: [] }),
  },
  {
    path: 'platform.acceleratorProductLabel',
    category: 'labelKey',
    build: (a, ns, v) =>
      gpuServing(a, ns, { accelerator: Accelerator.nvidiaGpu(1, { product: 'H100' }) }, { acceleratorProductLabel: v, nodePools: [] }),
  },
  {
    path: 'platform.acceleratorTaint.key',
    category: 'labelKey',
    build: (a, ns, v) => gpuServing(a, ns, {}, { acceleratorTaint: { key: v }, nodePools: [] }),
  },
  {
    path: 'platform.acceleratorTaint.value',
    category: 'labelValue',
    build: (a, ns, v) => gpuServing(a, ns, {}, { acceleratorTaint: { key: 'nvidia.com/gpu', value: v }, nodePools: [] }),
  },
  {
    path: 'platform.priorityClasses.serving',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, {}, { priorityClasses: { serving: v } }),
  },
  {
    path: 'platform.imagePullSecrets[0]',
    apiAccepts: 'pull secret references are not validated; the kubelet reports the missing secret',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, {}, { imagePullSecrets: [v] }),
  },
  {
    path: 'platform.defaultNamespace',
    category: 'dns1123Label',
    build: (a, _ns, v) => {
      Platform.configure(a, { defaultNamespace: v, nodePools: BASE_POOLS });
      new OnlineInference(new Chart(a, 'diff'), 'scorer', { image: IMAGE, resources: { cpu: '500m', memory: '1Gi' }, replicas: 2 });
    },
  },
  { path: 'platform.runAs.runAsUser', category: 'uid', build: (a, ns, v) => serving(a, ns, {}, { runAs: { runAsUser: v } }) },
  {
    path: 'platform.modelFetcher.runAsUser',
    category: 'uid',
    build: (a, ns, v) => {
      Platform.configure(a, { modelFetcher: { image: 'curlimages/curl:8.10.1', runAsUser: v } });
      cache(a, ns);
    },
  },
  { path: 'platform.dns.cidrs[0]', category: 'cidr', build: (a, ns, v) => serving(a, ns, {}, { dns: { cidrs: [v] } }) },
  {
    path: 'platform.dns.pods.namespace',
    category: 'dns1123Label',
    build: (a, ns, v) => serving(a, ns, {}, { dns: { pods: { namespace: v, podLabels: { 'k8s-app': 'kube-dns' } } } }),
  },
  {
    path: 'platform.dns.pods.podLabels[<key>]',
    category: 'labelKey',
    build: (a, ns, v) => serving(a, ns, {}, { dns: { pods: { namespace: 'kube-system', podLabels: { [v]: 'x' } } } }),
  },
  {
    path: 'platform.monitoring.labels[<key>]',
    category: 'labelKey',
    build: (a, ns, v) => serving(a, ns, {}, { monitoring: { enabled: true, labels: { [v]: 'x' } } }),
  },
  {
    path: 'platform.monitoring.labels[release]',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, {}, { monitoring: { enabled: true, labels: { release: v } } }),
  },
  {
    path: 'platform.monitoring.scrapeFrom[0].namespace',
    category: 'dns1123Label',
    build: (a, ns, v) => serving(a, ns, {}, { monitoring: { scrapeFrom: [{ namespace: v }] } }),
  },
  // Node pools (their nodes are applied too).
  {
    path: 'platform.nodePools[0].name',
    valid: 'odd-pool',
    category: 'dns1123Subdomain',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: pool({ name: v }) }),
  },
  {
    path: 'platform.nodePools[0].labels[<key>]',
    category: 'labelKey',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: pool({ labels: { [v]: 'x' } }) }),
  },
  {
    path: 'platform.nodePools[0].labels[pool]',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: pool({ labels: { pool: v } }) }),
  },
  {
    path: 'platform.nodePools[0].taints[0].key',
    category: 'labelKey',
    build: (a, ns, v) =>
      serving(a, ns, {}, { nodePools: [...pool({ name: 'tainted', taints: [{ key: v, effect: 'NoSchedule' }] }), BASE_POOLS[0]] }),
  },
  {
    path: 'platform.nodePools[0].taints[0].value',
    category: 'labelValue',
    build: (a, ns, v) =>
      serving(
        a,
        ns,
        {},
        { nodePools: [...pool({ name: 'tainted', taints: [{ key: 'dedicated', value: v, effect: 'NoSchedule' }] }), BASE_POOLS[0]] },
      ),
  },
  {
    path: 'platform.nodePools[0].cpu',
    valid: '15',
    category: 'quantity',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: [...pool({ name: 'odd', cpu: v }), BASE_POOLS[0]] }),
  },
  {
    path: 'platform.nodePools[0].memory',
    valid: '60Gi',
    category: 'quantity',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: [...pool({ name: 'odd', memory: v }), BASE_POOLS[0]] }),
  },
  {
    path: 'platform.nodePools[0].zones[0]',
    category: 'labelValue',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: pool({ zones: [v] }) }),
  },
  {
    path: 'platform.nodePools[0].count',
    category: 'replicas',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: [...pool({ name: 'odd', count: v }), BASE_POOLS[0]] }),
  },
  {
    path: 'platform.nodePools[0].maxPods',
    category: 'replicas',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: [...pool({ name: 'odd', maxPods: v }), BASE_POOLS[0]] }),
  },
  {
    path: 'platform.nodePools[0].accelerators[<resource>]',
    category: 'extendedResource',
    build: (a, ns, v) => serving(a, ns, {}, { nodePools: [...pool({ name: 'odd', accelerators: { [v]: 8 } }), BASE_POOLS[0]] }),
  },
];
