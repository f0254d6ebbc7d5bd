import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Accelerator,
  BatchScoringJob,
  EgressRule,
  EndpointPickerProps,
  MlEnvValue,
  GpuTrainingJob,
  ModelCache,
  MultiHostInference,
  OnlineInference,
  OnlineInferenceProps,
  QueueTrigger,
  QueueWorker,
  ScalingMetric,
  ServingRuntime,
} from '../../src';
import { Common, common, egressTo } from './arbitraries';
import { Declared } from './invariants';

/**
 * The invariant suite's generated apps, one scenario per workload mode: an arbitrary of plain props and a builder
 * that puts the workload into a chart. `workloads.test.ts` checks the invariants of each; the cluster suite
 * (test/kube/generated-apps.kube.test.ts) applies samples of the same apps to a control plane.
 */

/** The namespace of the invariant suite's charts (the builders name it in the callers they declare). */
export const NAMESPACE = 'ml';
const SHA = 'a'.repeat(64);

/** What one workload of the generated app declared. */
export interface Part {
  readonly egress: { egressTo?: EgressRule[] } | false | undefined;
  readonly scraped: boolean;
  /** @default - the generated name */
  readonly name?: string;
  /** @default - the generated choice */
  readonly monitored?: boolean;
  /** Objects holding its pod templates. @default - every pod template of the app */
  readonly controllers?: string[];
  /** Callers it serves. @default - none */
  readonly serves?: Declared['serves'];
  /** What it promised through rollouts and drains. @default 'continuous' */
  readonly availability?: Declared['availability'];
}

/** One generated app: its props and how to build it into a chart. */
export interface Scenario<T extends Common = any> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  readonly build: (chart: Chart, spec: T) => Part | Part[];
}

/** `{ common, ...mode }` as one flat record, so a counterexample prints as one props-like object. */
function flatten<T extends { common: Common }>({ common: c, ...rest }: T): Common & Omit<T, 'common'> {
  return { ...c, ...rest };
}

const base = (c: Common) => ({
  image: 'registry.example.com/ml/workload:v1.2.3',
  resources: c.resources,
  runAs: c.runAs,
  monitoring: c.monitored ? {} : (false as const),
});

const serving = fc
  .record({
    common,
    floor: fc.integer({ min: 2, max: 6 }),
    fixed: fc.boolean(),
    gpu: fc.boolean(),
    egress: egressTo(0),
    metricsOnServingPort: fc.boolean(),
    fetchModel: fc.boolean(),
  })
  .map(flatten);
type Serving = typeof serving extends fc.Arbitrary<infer T> ? T : never;

const servingProps = (s: Serving): OnlineInferenceProps => ({
  ...base(s),
  accelerator: s.gpu ? Accelerator.nvidiaGpu(1) : undefined,
  ...(s.fixed
    ? { replicas: s.floor }
    : {
        autoscaling: {
          minReplicas: s.floor,
          maxReplicas: s.floor * 3,
          metrics: s.gpu ? [ScalingMetric.podsAverage('inflight', 4)] : undefined,
        },
      }),
  metricsPort: s.metricsOnServingPort ? undefined : s.metricsPort,
  model: s.fetchModel
    ? { name: 'scorer', version: 'v7', uri: 'https://models.example.com/scorer/v7.onnx', sha256: SHA, size: '256Mi' }
    : undefined,
  networkPolicy: s.networkPolicy
    ? { egressTo: s.fetchModel ? [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }, ...s.egress] : s.egress }
    : false,
});

/** Same-namespace clients on the serving port, and the Gateway's namespace with a route. */
const callers = (port: number, gateway?: string): NonNullable<Declared['serves']> => [
  { from: { namespace: NAMESPACE, podLabels: { app: 'client' } }, port },
  ...(gateway ? [{ from: { namespace: gateway, podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } }, port }] : []),
];

/** OnlineInference, stable only: Deployment, HPA or fixed replicas, CPU or GPU. */
export const servingStable: Scenario<Serving> = {
  name: 'stable only (Deployment, HPA or fixed replicas, CPU or GPU)',
  arbitrary: serving,
  build: (chart, s) => {
    const p = servingProps(s);
    new OnlineInference(chart, s.name, p);
    return { egress: p.networkPolicy, scraped: true, serves: callers(8000) };
  },
};

/** OnlineInference with a canary, weighted by replicas or through a Gateway route. */
export const servingCanary = (strategy: 'replica-weighted' | 'gateway'): Scenario<Serving & { weight: number }> => ({
  name: `with a canary (${strategy})`,
  arbitrary: fc.tuple(serving, fc.constantFrom(10, 20, 25, 50)).map(([s, weight]) => ({ ...s, weight })),
  build: (chart, s) => {
    // Enough stable replicas for the share (replica weighting) and spare accelerators for the canary.
    const floor = Math.max(s.floor, Math.ceil((100 - s.weight) / s.weight));
    const p = servingProps({ ...s, floor });
    new OnlineInference(chart, s.name, {
      ...p,
      canary: { weight: s.weight, strategy, image: 'registry.example.com/ml/workload:v1.3.0' },
      route: strategy === 'gateway' ? { gateway: { name: 'public', namespace: 'gateway' } } : undefined,
      rollout: s.gpu ? { spareAccelerators: 3 * floor + 4 } : undefined,
    });
    return { egress: p.networkPolicy, scraped: true, serves: callers(8000, strategy === 'gateway' ? 'gateway' : undefined) };
  },
});

/** The created endpoint picker: the default (two active), more of them, or one that the pool fails open around. */
const picker = fc.constantFrom<EndpointPickerProps>(
  {},
  { replicas: 3 },
  { failureMode: 'FailOpen' },
  { replicas: 1, failureMode: 'FailOpen' },
);

/** An LLM runtime preset serving metrics on its serving port, optionally behind an InferencePool. */
export const servingLlm: Scenario<Serving & { vllm: boolean; pool: boolean; picker: EndpointPickerProps }> = {
  name: 'an LLM runtime preset serving metrics on its serving port, optionally behind an InferencePool',
  arbitrary: fc.tuple(serving, fc.boolean(), fc.boolean(), picker).map(([s, vllm, pool, p]) => ({ ...s, vllm, pool, picker: p })),
  build: (chart, s) => {
    const p = servingProps({ ...s, gpu: true, fetchModel: false, metricsOnServingPort: true });
    const svc = new OnlineInference(chart, s.name, {
      ...p,
      // The server's own host memory (PyTorch, CUDA) before any weights: at least 2Gi.
      resources: { ...p.resources, memory: '16Gi' },
      // The endpoint picker reads vLLM's metrics, not TGI's: a pool only in front of vLLM.
      runtime: s.vllm || s.pool ? ServingRuntime.vllm() : ServingRuntime.tgi(),
      model: { name: 'llama', version: 'v1', claimName: 'llama-weights-v1', size: '16Gi' },
      ...(s.pool ? { route: { gateway: { name: 'public', namespace: 'gateway' } }, inferencePool: { endpointPicker: s.picker } } : {}),
    });
    const port = svc.runtime!.port;
    const eppLabels = { 'app.kubernetes.io/name': `${s.name}-epp`, 'app.kubernetes.io/instance': `${s.name}-epp` };
    const picker = { from: { namespace: NAMESPACE, podLabels: eppLabels }, port };
    const server: Part = {
      egress: p.networkPolicy,
      scraped: true,
      controllers: [s.name],
      serves: [...callers(port, s.pool ? 'gateway' : undefined), ...(s.pool ? [picker] : [])],
    };
    const servers = { 'app.kubernetes.io/name': s.name, 'app.kubernetes.io/instance': s.name };
    const epp: Part = {
      name: `${s.name}-epp`,
      controllers: [`${s.name}-epp`],
      monitored: false,
      scraped: false,
      egress: {
        egressTo: [
          { to: { podLabels: servers }, ports: [port] },
          { to: { cidr: '0.0.0.0/0' }, ports: [443, 6443] },
        ],
      },
      serves: [{ from: { namespace: 'gateway', podLabels: {} }, port: 9002 }],
    };
    return s.pool ? [server, epp] : server;
  },
};

/** BatchScoringJob: Job, CronJob, Indexed Job and indexed CronJob. */
export const batch: Scenario = {
  name: 'Job, CronJob, Indexed Job and indexed CronJob',
  arbitrary: fc
    .record({ common, mode: fc.constantFrom('job', 'cron', 'indexed', 'indexed-cron'), writesOutput: fc.boolean(), egress: egressTo(0) })
    .map(flatten),
  build: (chart, s) => {
    const egress = s.writesOutput && s.egress.length === 0 ? [{ to: { cidr: '10.30.0.0/16' }, ports: [443] }] : s.egress;
    const networkPolicy = s.networkPolicy ? { egressTo: egress } : (false as const);
    new BatchScoringJob(chart, s.name, {
      ...base(s),
      metricsPort: s.metricsPort,
      schedule: s.mode.endsWith('cron') ? '0 2 * * *' : undefined,
      shards: s.mode.startsWith('indexed') ? 8 : undefined,
      outputUri: s.writesOutput ? 's3://scores/churn' : undefined,
      networkPolicy,
    });
    return { egress: networkPolicy, scraped: s.metricsPort !== undefined };
  },
};

/** GpuTrainingJob: one worker, Indexed Job workers, JobSet workers; on a schedule. */
export const training: Scenario = {
  name: 'one worker, Indexed Job workers, JobSet workers; on a schedule',
  arbitrary: fc
    .record({
      common,
      workers: fc.constantFrom(1, 2, 4),
      engine: fc.constantFrom('job', 'jobset') as fc.Arbitrary<'job' | 'jobset'>,
      scheduled: fc.boolean(),
      egress: egressTo(0),
    })
    .map(flatten),
  build: (chart, s) => {
    const networkPolicy = s.networkPolicy ? { egressTo: s.egress } : (false as const);
    new GpuTrainingJob(chart, s.name, {
      ...base(s),
      accelerator: Accelerator.nvidiaGpu(2),
      workers: s.workers,
      engine: s.workers > 1 ? s.engine : undefined,
      schedule: s.scheduled && !(s.workers > 1 && s.engine === 'jobset') ? '0 3 * * 0' : undefined,
      checkpoint: s.workers > 1 && s.engine === 'jobset' ? { size: '50Gi', accessMode: 'ReadWriteMany' } : undefined,
      metricsPort: s.metricsPort,
      networkPolicy,
    });
    return { egress: networkPolicy, scraped: s.metricsPort !== undefined };
  },
};

/** QueueWorker: Deployment with a ScaledObject or a plain HPA, ScaledJob by choice or by processing time. */
export const queue: Scenario = {
  name: 'Deployment with a ScaledObject or a plain HPA, ScaledJob by choice or by processing time',
  arbitrary: fc
    .record({
      common,
      mode: fc.constantFrom('scaled-object', 'external-hpa', 'scaled-job', 'auto-long'),
      minReplicas: fc.integer({ min: 0, max: 3 }),
      egress: egressTo(1),
    })
    .map(flatten),
  build: (chart, s) => {
    const keda = s.mode !== 'external-hpa';
    const deployment = s.mode === 'scaled-object' || s.mode === 'external-hpa';
    const networkPolicy = s.networkPolicy ? { egressTo: s.egress } : (false as const);
    new QueueWorker(chart, s.name, {
      ...base(s),
      env: { QUEUE_URL: MlEnvValue.fromSecret('queue', 'url') },
      maxProcessingTime: s.mode === 'auto-long' ? Duration.hours(2) : Duration.minutes(2),
      execution: s.mode === 'scaled-job' ? 'job' : undefined,
      minReplicas: deployment ? Math.max(keda ? 0 : 1, s.minReplicas) : undefined,
      maxReplicas: 8,
      triggers: keda ? [QueueTrigger.rabbitmq({ queueName: 'jobs', value: 5, hostFromEnv: 'QUEUE_URL' })] : undefined,
      externalMetrics: keda ? undefined : [ScalingMetric.external('queue_messages_ready', 30, { queue: 'jobs' })],
      metricsPort: s.metricsPort,
      networkPolicy,
    });
    return { egress: networkPolicy, scraped: s.metricsPort !== undefined };
  },
};

/** MultiHostInference: every pod of every group of a LeaderWorkerSet. */
export const multiHost: Scenario = {
  name: 'every pod of every group',
  arbitrary: fc
    .record({ common, groupSize: fc.integer({ min: 2, max: 4 }), replicas: fc.integer({ min: 1, max: 3 }), egress: egressTo(0) })
    .map(flatten),
  build: (chart, s) => {
    const networkPolicy = s.networkPolicy ? { egressTo: s.egress } : (false as const);
    new MultiHostInference(chart, s.name, {
      ...base(s),
      image: 'vllm/vllm-openai:v0.11.0',
      // An 8-GPU node's pod: room for the 16Gi memory-backed /dev/shm of tensor parallelism.
      resources: { ...s.resources, memory: '400Gi' },
      accelerator: Accelerator.nvidiaGpu(8),
      groupSize: s.groupSize,
      replicas: s.replicas,
      availability: s.replicas === 1 ? 'best-effort' : undefined,
      model: { name: 'llama', version: 'v1', claimName: 'llama-weights-v1', size: '200Gi' },
      networkPolicy,
    });
    return { egress: networkPolicy, scraped: true };
  },
};

/** ModelCache: the fill Job and the servers that mount it. */
export const modelCache: Scenario = {
  name: 'the fill Job has its policy; the serving pods theirs',
  arbitrary: fc.record({ common, egress: egressTo(1), replicas: fc.integer({ min: 2, max: 4 }) }).map(flatten),
  build: (chart, s) => {
    const networkPolicy = s.networkPolicy ? { egressTo: s.egress } : (false as const);
    const filled = new ModelCache(chart, `${s.name}-weights`, {
      uri: 'https://models.example.com/scorer/v7.onnx',
      sha256: SHA,
      size: '256Mi',
      runAs: s.runAs,
      networkPolicy,
      accessMode: 'ReadWriteMany',
    });
    new OnlineInference(chart, s.name, {
      ...base(s),
      replicas: s.replicas,
      model: { name: 'scorer', version: 'v7', cache: filled },
      networkPolicy: s.networkPolicy ? {} : false,
    });
    return [
      { name: `${s.name}-weights`, controllers: [`${s.name}-weights`], egress: networkPolicy, scraped: false, monitored: false },
      { controllers: [s.name], egress: s.networkPolicy ? {} : false, scraped: true },
    ];
  },
};

/** Every scenario, grouped by the construct under test. */
export const SCENARIOS: Record<string, Scenario[]> = {
  OnlineInference: [servingStable, servingCanary('replica-weighted'), servingCanary('gateway'), servingLlm],
  BatchScoringJob: [batch],
  GpuTrainingJob: [training],
  QueueWorker: [queue],
  MultiHostInference: [multiHost],
  ModelCache: [modelCache],
};
