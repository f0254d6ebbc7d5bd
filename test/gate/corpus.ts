import { Chart, Duration, Testing } from 'cdk8s';
import {
  Accelerator,
  BatchScoringJob,
  GpuTrainingJob,
  MlNamespace,
  ModelCache,
  MultiHostInference,
  OnlineInference,
  QueueTrigger,
  QueueWorker,
  ScalingMetric,
  ServingRuntime,
} from '../../src';

/**
 * The gate's corpus: one-mistake apps, each with what the cluster would do, and valid-but-unusual apps
 * that must synthesize. An app is built into a chart `test` (namespace `ml`) of a fresh app and
 * synthesized in memory (`Testing.synth`), which runs every validation and the gate.
 */

/** The families of the issue "One gate for every rendered object". */
export type Family =
  'references' | 'names-and-labels' | 'numbers-and-addresses' | 'ports' | 'contract-env' | 'semantics' | 'hatches' | 'api-fields';

/** One app with one mistake. */
export interface Mistake {
  readonly id: string;
  readonly family: Family;
  /** The construct class whose prop carries the mistake. */
  readonly construct: string;
  /** The prop as a clear message names it (a substring of the message). */
  readonly prop: string;
  /** What the cluster (API server, controller, kubelet, runtime) would do with it. */
  readonly cluster: string;
  /** A substring the message must contain to give the right reason (e.g. `whole number` for 2.5). @default - any */
  readonly reason?: RegExp;
  /** The construct path the message must name. @default 'test/<id of the workload>' (set by the builders) */
  readonly path: string;
  /** Another construct path a clear message may name instead (e.g. the chart a platform setting is configured on). */
  readonly orPath?: string;
  readonly build: (chart: Chart) => void;
}

/** An app that is unusual but right: it must synthesize. */
export interface Valid {
  readonly id: string;
  readonly construct: string;
  readonly why: string;
  readonly build: (chart: Chart) => void;
}

export type Outcome = 'rejected-clearly' | 'rejected-unclearly' | 'accepted';

/** Builds and synthesizes one app; the error, if any. */
export function synthError(build: (chart: Chart) => void): Error | undefined {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'ml' });
  try {
    build(chart);
    Testing.synth(chart);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

/**
 * Whether a message is clear: it names the construct path (`'test/scorer'`), the prop, and a fix
 * (`; <what to do>` after the problem); not a stack or a dependency's message.
 */
export function clarity(m: Mistake, message: string): { clear: boolean; why?: string } {
  const paths = [m.path, ...(m.orPath ? [m.orPath] : [])];
  const line = message.split('\n').find((l) => paths.some((p) => l.includes(`'${p}'`)) && l.includes(m.prop));
  if (!line) return { clear: false, why: `no line names '${m.path}' and ${m.prop}` };
  const afterProp = line.slice(line.indexOf(m.prop) + m.prop.length);
  if (!/; \S/.test(afterProp)) return { clear: false, why: 'no fix after the problem' };
  if (m.reason !== undefined && !m.reason.test(line)) return { clear: false, why: `the reason is not ${m.reason}` };
  return { clear: true };
}

/** The outcome of one mistake and the message. */
export function judge(m: Mistake): { outcome: Outcome; message?: string; why?: string } {
  const error = synthError(m.build);
  if (!error) return { outcome: 'accepted' };
  const { clear, why } = clarity(m, error.message);
  return { outcome: clear ? 'rejected-clearly' : 'rejected-unclearly', message: error.message, why };
}

// ---------------------------------------------------------------------------------------------------
// Valid base apps per construct; a mistake is one override.

const IMAGE = 'registry.example.com/team/app:v1.0.0';
const EGRESS = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };

/** What a workload builder takes: the chart, the construct id, and the props to override. */
export type Builder = (chart: Chart, id: string, overrides?: Record<string, any>) => void;

export const builders: Record<string, { construct: string; build: Builder }> = {
  online: {
    construct: 'OnlineInference',
    build: (c, id, o = {}) =>
      new OnlineInference(c, id, {
        image: IMAGE,
        resources: { cpu: '500m', memory: '1Gi' },
        autoscaling: { minReplicas: 2, maxReplicas: 4 },
        ...o,
      }),
  },
  monitored: {
    construct: 'OnlineInference',
    build: (c, id, o = {}) =>
      new OnlineInference(c, id, {
        image: IMAGE,
        resources: { cpu: '500m', memory: '1Gi' },
        autoscaling: { minReplicas: 2, maxReplicas: 4 },
        metricsPort: 9090,
        monitoring: {},
        ...o,
      }),
  },
  vllm: {
    construct: 'OnlineInference',
    build: (c, id, o = {}) =>
      new OnlineInference(c, id, {
        image: 'registry.example.com/vllm/vllm-openai:v0.11.0',
        runtime: ServingRuntime.vllm({
          model: 'meta-llama/Llama-3.1-8B-Instruct',
          maxModelLen: 8192,
          modelSize: '16Gi',
          hfToken: { secretName: 'hf-token' },
          unverifiedDownload: true,
        }),
        resources: { cpu: '4', memory: '32Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        replicas: 2,
        networkPolicy: { egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
        ...o,
      }),
  },
  triton: {
    construct: 'OnlineInference',
    build: (c, id, o = {}) =>
      new OnlineInference(c, id, {
        image: 'registry.example.com/nvidia/tritonserver:24.08-py3',
        runtime: ServingRuntime.triton({ modelRepository: '/models' }),
        model: { name: 'resnet', version: 'v1', claimName: 'resnet-v1' },
        resources: { cpu: '4', memory: '16Gi' },
        autoscaling: { minReplicas: 2, maxReplicas: 4 },
        ...o,
      }),
  },
  multihost: {
    construct: 'MultiHostInference',
    build: (c, id, o = {}) =>
      new MultiHostInference(c, id, {
        image: 'registry.example.com/vllm/vllm-openai:v0.11.0',
        groupSize: 2,
        replicas: 2,
        vllm: {
          model: 'meta-llama/Llama-3.1-405B-Instruct-FP8',
          maxModelLen: 8192,
          attentionHeads: 128,
          modelSize: '380Gi',
          hfToken: { secretName: 'hf-token' },
          unverifiedDownload: true,
        },
        resources: { cpu: '32', memory: '400Gi' },
        accelerator: Accelerator.nvidiaGpu(8, { gpusPerNode: 8 }),
        networkPolicy: { egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
        ...o,
      }),
  },
  batch: {
    construct: 'BatchScoringJob',
    build: (c, id, o = {}) =>
      new BatchScoringJob(c, id, {
        image: IMAGE,
        resources: { cpu: '1', memory: '2Gi' },
        shards: 4,
        networkPolicy: EGRESS,
        ...o,
      }),
  },
  cron: {
    construct: 'BatchScoringJob',
    build: (c, id, o = {}) =>
      new BatchScoringJob(c, id, {
        image: IMAGE,
        resources: { cpu: '1', memory: '2Gi' },
        schedule: '0 3 * * *',
        networkPolicy: EGRESS,
        ...o,
      }),
  },
  training: {
    construct: 'GpuTrainingJob',
    build: (c, id, o = {}) =>
      new GpuTrainingJob(c, id, {
        image: IMAGE,
        resources: { cpu: '8', memory: '48Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        checkpoint: { size: '100Gi' },
        ...o,
      }),
  },
  distributed: {
    construct: 'GpuTrainingJob',
    build: (c, id, o = {}) =>
      new GpuTrainingJob(c, id, {
        image: IMAGE,
        command: ['torchrun', 'train.py'],
        resources: { cpu: '8', memory: '48Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        workers: 2,
        checkpoint: { size: '100Gi', accessMode: 'ReadWriteMany' },
        ...o,
      }),
  },
  jobset: {
    construct: 'GpuTrainingJob',
    build: (c, id, o = {}) =>
      new GpuTrainingJob(c, id, {
        image: IMAGE,
        command: ['torchrun', 'train.py'],
        resources: { cpu: '8', memory: '48Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        workers: 2,
        engine: 'jobset',
        checkpoint: { size: '100Gi', accessMode: 'ReadWriteMany' },
        ...o,
      }),
  },
  queue: {
    construct: 'QueueWorker',
    build: (c, id, o = {}) =>
      new QueueWorker(c, id, {
        image: IMAGE,
        resources: { cpu: '1', memory: '1Gi' },
        maxProcessingTime: Duration.minutes(2),
        maxReplicas: 10,
        triggers: [QueueTrigger.redisList({ address: 'redis.queues.svc:6379', listName: 'jobs', listLength: 5 })],
        networkPolicy: EGRESS,
        ...o,
      }),
  },
  queueJob: {
    construct: 'QueueWorker',
    build: (c, id, o = {}) =>
      new QueueWorker(c, id, {
        image: IMAGE,
        resources: { cpu: '1', memory: '1Gi' },
        maxProcessingTime: Duration.minutes(45),
        maxReplicas: 10,
        triggers: [QueueTrigger.redisList({ address: 'redis.queues.svc:6379', listName: 'jobs', listLength: 1 })],
        networkPolicy: EGRESS,
        ...o,
      }),
  },
  queueHpa: {
    construct: 'QueueWorker',
    build: (c, id, o = {}) =>
      new QueueWorker(c, id, {
        image: IMAGE,
        resources: { cpu: '1', memory: '1Gi' },
        maxProcessingTime: Duration.minutes(2),
        maxReplicas: 10,
        externalMetrics: [ScalingMetric.external('queue_messages_ready', 30, { queue: 'jobs' })],
        networkPolicy: EGRESS,
        ...o,
      }),
  },
  cache: {
    construct: 'ModelCache',
    build: (c, id, o = {}) =>
      new ModelCache(c, id, {
        uri: 'https://models.example.com/bert/v1.tar',
        format: 'tar',
        sha256: '3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8556',
        size: '2Gi',
        networkPolicy: EGRESS,
        ...o,
      }),
  },
  namespace: {
    construct: 'MlNamespace',
    build: (c, id, o = {}) => new MlNamespace(c, id, { quota: { requestsCpu: '100', requestsMemory: '400Gi' }, ...o }),
  },
};

/** The workload builders (every construct that renders pods from the shared pod props). */
export const WORKLOADS = [
  'online',
  'vllm',
  'multihost',
  'batch',
  'cron',
  'training',
  'distributed',
  'jobset',
  'queue',
  'queueJob',
  'queueHpa',
];

/** One mistake through each builder in `kinds`: `{ id, prop, override }` with the override as props. */
export function through(
  kinds: readonly string[],
  family: Family,
  name: string,
  prop: string,
  cluster: string,
  overrides: (kind: string) => Record<string, any> | undefined,
  extra: (chart: Chart) => void = () => undefined,
): Mistake[] {
  return kinds.flatMap((kind) => {
    const o = overrides(kind);
    if (o === undefined) return [];
    const b = builders[kind];
    return [
      {
        id: `${name} (${kind})`,
        family,
        construct: b.construct,
        prop,
        cluster,
        path: 'test/w',
        build: (chart: Chart) => {
          extra(chart);
          b.build(chart, 'w', o);
        },
      },
    ];
  });
}

/** The same mistakes, each required to give `reason` (e.g. `whole number`). */
export function because(reason: RegExp, mistakes: Mistake[]): Mistake[] {
  return mistakes.map((m) => ({ ...m, reason }));
}
