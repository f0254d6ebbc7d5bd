// The workloads the benchmark synthesizes: one factory per workload construct exported from src/index.ts.
// To bench a new construct, add one entry to MIX (keyed by its export name); entries whose construct is not
// exported (yet) are skipped, and exported constructs without an entry are reported.
import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as ml from '../src';

/** Services per namespace in the chart-per-namespace layout (a team's namespace). */
export const SERVICES_PER_NAMESPACE = 50;

/** Builds workload number `i` (unique name `id`) in `scope`. */
export type WorkloadFactory = (scope: Construct, id: string, i: number) => Construct;

/** The standard service of the benchmark: 6 objects (Deployment, Service, HPA, PDB, NetworkPolicy, ServiceAccount). */
export const onlineInference: WorkloadFactory = (scope, id, i) =>
  new ml.OnlineInference(scope, id, {
    image: `registry.example.com/${id}:v1.${i % 10}.0`,
    resources: { cpu: '500m', memory: '1Gi', memoryLimit: '2Gi' },
    model: { name: id, version: `v${i % 7}` },
    autoscaling: { minReplicas: 2, maxReplicas: 10, metrics: [ml.ScalingMetric.cpuUtilization(65)] },
  });

/**
 * A realistic service (what platform teams run): image, requests, a fetched model with uri, sha256 and
 * size, autoscaling, a metrics port and monitoring with an availability and a latency SLO. Eight
 * objects: Deployment, Service, HPA, PDB, NetworkPolicy, ServiceAccount, ServiceMonitor, PrometheusRule.
 */
export const realisticService: WorkloadFactory = (scope, id, i) =>
  new ml.OnlineInference(scope, id, {
    image: `registry.example.com/${id}:v1.${i % 10}.0`,
    resources: { cpu: '1', memory: '2Gi', memoryLimit: '4Gi' },
    model: {
      name: id,
      version: `v${i % 7}`,
      uri: `https://models.example.com/${id}/v${i % 7}/model.safetensors`,
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      size: '2Gi',
    },
    metricsPort: 9090,
    autoscaling: { minReplicas: 2, maxReplicas: 10, metrics: [ml.ScalingMetric.cpuUtilization(65)] },
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }], egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
    monitoring: {
      slo: {
        availability: { objective: 0.999 },
        latency: { objective: 0.95, threshold: Duration.millis(250), buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5] },
      },
    },
  });

/** One entry per construct export name; each entry lists variants, used in turn. */
export const MIX: Record<string, WorkloadFactory[]> = {
  OnlineInference: [
    onlineInference,
    (scope, id, i) =>
      new ml.OnlineInference(scope, id, {
        image: `registry.example.com/llm-${i % 5}@sha256:${'4b825dc642cb6eb9a060e54bf8d69288fbee4904e1b2c3d4e5f60718293a4b5c'}`,
        resources: { cpu: '4', memory: '24Gi', memoryLimit: '32Gi' },
        accelerator: ml.Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-40GB', sharedMemory: '4Gi' }),
        modelLoadTimeout: Duration.minutes(10),
        model: {
          name: id,
          version: `3.1-${i % 3}`,
          uri: `https://models.example.com/${id}/model.gguf`,
          sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          size: '20Gi',
        },
        metricsPort: 9090,
        autoscaling: { minReplicas: 2, maxReplicas: 8, metrics: [ml.ScalingMetric.podsAverage('inflight_requests', 4)] },
        networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }], egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
      }),
  ],
  BatchScoringJob: [
    (scope, id, i) =>
      new ml.BatchScoringJob(scope, id, {
        image: `registry.example.com/${id}:v2.${i % 10}.0`,
        resources: { cpu: '2', memory: '4Gi' },
        shards: 16,
        ...(i % 2 ? { schedule: '0 2 * * *', timeZone: 'Europe/Berlin' } : {}),
        nonRetryableExitCodes: ml.ExitCodes.of(2),
      }),
  ],
  GpuTrainingJob: [
    (scope, id, i) =>
      new ml.GpuTrainingJob(scope, id, {
        image: `registry.example.com/${id}:v1.${i % 10}.0`,
        resources: { cpu: '8', memory: '48Gi' },
        accelerator: ml.Accelerator.nvidiaGpu(1),
        workers: i % 3 === 0 ? 4 : 1,
        checkpoint: { size: '100Gi', accessMode: i % 3 === 0 ? 'ReadWriteMany' : 'ReadWriteOnce', writeTime: Duration.minutes(2) },
      }),
  ],
  QueueWorker: [
    (scope, id) =>
      new ml.QueueWorker(scope, id, {
        image: `registry.example.com/${id}:v1.0.0`,
        resources: { cpu: '1', memory: '2Gi' },
        env: { RABBITMQ_URL: ml.EnvValue.fromSecret('rabbitmq', 'url') },
        maxProcessingTime: Duration.minutes(2),
        maxReplicas: 20,
        triggers: [ml.QueueTrigger.rabbitmq({ queueName: id, value: 20, hostFromEnv: 'RABBITMQ_URL' })],
        networkPolicy: { egressTo: [{ to: { namespace: 'messaging' }, ports: [5672] }] },
      }),
  ],
};

/** Exported constructs that are not per-service workloads (one per namespace or per cluster): not in MIX. */
export const NOT_PER_SERVICE: readonly string[] = ['MlNamespace', 'PlatformPriorityClasses'];

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const VLLM = 'registry.example.com/vllm/vllm-openai:v0.11.0';

/** Weights in a shared read-only cache (a verified tarball), filled once by a Job. */
const weights = (scope: Construct, id: string, size: string) =>
  new ml.ModelCache(scope, `${id}-weights`, {
    uri: `https://models.example.com/${id}/weights.tar`,
    format: 'tar',
    sha256: SHA,
    size,
    networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
  });

Object.assign(MIX, {
  ModelCache: [
    (scope: Construct, id: string, i: number) => {
      const c = new Construct(scope, id);
      new ml.OnlineInference(c, id, {
        image: VLLM,
        runtime: ml.ServingRuntime.vllm({ maxModelLen: 8192, modelSize: '16Gi' }),
        model: { name: id, version: `v${i % 3}`, cache: weights(c, id, '40Gi') },
        resources: { cpu: '8', memory: '48Gi', memoryLimit: '64Gi' },
        accelerator: ml.Accelerator.nvidiaGpu(1, { product: 'NVIDIA-L4' }),
        autoscaling: { minReplicas: 2, maxReplicas: 6, queue: { waitingPerReplica: 8 } },
        monitoring: {},
        networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
      });
      return c;
    },
  ],
  MultiHostInference: [
    (scope: Construct, id: string) => {
      const c = new Construct(scope, id);
      new ml.MultiHostInference(c, id, {
        image: VLLM,
        groupSize: 2,
        replicas: 2,
        vllm: { maxModelLen: 16384, attentionHeads: 128, modelSize: '380Gi' },
        model: { name: id, version: '2024-07', cache: weights(c, id, '900Gi') },
        resources: { cpu: '32', memory: '400Gi', memoryLimit: '480Gi' },
        accelerator: ml.Accelerator.nvidiaGpu(8, { product: 'NVIDIA-H100-80GB-HBM3', gpusPerNode: 8 }),
        networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
      });
      return c;
    },
  ],
  WorkloadMonitoring: [
    // Monitoring for a workload deployed by other means (a Helm chart), described to the construct.
    (scope: Construct, id: string) =>
      new ml.WorkloadMonitoring(scope, id, {
        workload: {
          type: 'Deployment',
          description: `${id}, deployed by its own Helm chart`,
          kind: 'serving',
          name: id,
          namespace: Chart.of(scope).namespace ?? 'default',
          selector: { 'app.kubernetes.io/name': id },
          controller: 'Deployment',
          container: 'server',
          metricsPort: 'metrics',
          servicePort: 80,
        },
        slo: { availability: { objective: 0.995 } },
      }),
  ],
} satisfies Record<string, WorkloadFactory[]>);

/** The factories of every workload construct that is exported and has an entry, interleaved. */
export function mixFactories(): WorkloadFactory[] {
  const entries = Object.entries(MIX).filter(([name]) => typeof (ml as Record<string, unknown>)[name] === 'function');
  const longest = Math.max(...entries.map(([, f]) => f.length));
  const out: WorkloadFactory[] = [];
  for (let v = 0; v < longest; v++) for (const [, variants] of entries) out.push(variants[v % variants.length]);
  return out;
}

/** Workload constructs exported from src/index.ts that MIX does not cover yet. */
export function uncoveredConstructs(): string[] {
  return Object.entries(ml)
    .filter(
      ([, v]) =>
        typeof v === 'function' && v.prototype instanceof Construct && !(v.prototype instanceof App) && !(v.prototype instanceof Chart),
    )
    .map(([name]) => name)
    .filter((name) => !(name in MIX) && !NOT_PER_SERVICE.includes(name));
}
