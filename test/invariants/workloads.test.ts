import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Accelerator,
  BatchScoringJob,
  EgressRule,
  MlEnvValue,
  GpuTrainingJob,
  ModelCache,
  MultiHostInference,
  OnlineInference,
  OnlineInferenceProps,
  Platform,
  QueueTrigger,
  QueueWorker,
  ScalingMetric,
  ServingRuntime,
} from '../../src';
import { Manifest, synthValid } from '../helpers';
import { Common, common, egressTo } from './arbitraries';
import { Declared, invariantViolations } from './invariants';

/** Runs per construct and mode: enough to cover the option space every CI run, small enough to keep the suite fast. */
const RUNS = 12;
const NAMESPACE = 'ml';
const SHA = 'a'.repeat(64);

/** A chart whose platform carries the generated DNS setting and Kubernetes version. */
function chartFor(c: Common): Chart {
  const app = Testing.app();
  Platform.configure(app, { dns: c.dns, kubernetesVersion: c.kubernetesVersion, monitoring: { scrapeFrom: c.scrapeFrom } });
  return new Chart(app, 'invariants', { namespace: NAMESPACE });
}

/**
 * Builds the workload from the generated description, synthesizes it (schemas checked) and fails with
 * every violated invariant; fast-check then shrinks and prints the description that broke it.
 */
/** What one workload of the generated app declared. */
interface Part {
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
}

function holds<T extends Common>(spec: T, build: (chart: Chart, spec: T) => Part | Part[]): void {
  const chart = chartFor(spec);
  const built = build(chart, spec);
  const objects: Manifest[] = synthValid(chart);
  const violations = [built].flat().flatMap((part) => {
    const monitored = part.monitored ?? spec.monitored;
    return invariantViolations(objects, {
      name: part.name ?? spec.name,
      namespace: NAMESPACE,
      dns: spec.dns,
      scrapeFrom: spec.scrapeFrom,
      controllers: part.controllers,
      serves: part.serves,
      networkPolicy: part.egress !== false && spec.networkPolicy,
      egressTo: (part.egress && part.egress.egressTo) || [],
      monitored,
      scraped: monitored && part.scraped,
    });
  });
  if (violations.length) throw new Error(`invariants violated:\n  ${violations.join('\n  ')}`);
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

describe('OnlineInference: every mode keeps its policies', () => {
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
  const props = (s: Serving): OnlineInferenceProps => ({
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
  const network = (p: OnlineInferenceProps) => p.networkPolicy;
  /** Same-namespace clients on the serving port, and the Gateway's namespace with a route. */
  const callers = (port: number, gateway?: string): NonNullable<Declared['serves']> => [
    { from: { namespace: NAMESPACE, podLabels: { app: 'client' } }, port },
    ...(gateway ? [{ from: { namespace: gateway, podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } }, port }] : []),
  ];

  test('stable only (Deployment, HPA or fixed replicas, CPU or GPU)', () => {
    fc.assert(
      fc.property(serving, (s) =>
        holds(s, (chart) => {
          const p = props(s);
          new OnlineInference(chart, s.name, p);
          return { egress: network(p), scraped: true, serves: callers(8000) };
        }),
      ),
      { numRuns: RUNS },
    );
  });

  test.each(['replica-weighted', 'gateway'] as const)('with a canary (%s)', (strategy) => {
    fc.assert(
      fc.property(serving, fc.constantFrom(10, 20, 25, 50), (s, weight) =>
        holds(s, (chart) => {
          // Enough stable replicas for the share (replica weighting) and spare accelerators for the canary.
          const floor = Math.max(s.floor, Math.ceil((100 - weight) / weight));
          const p = props({ ...s, floor });
          new OnlineInference(chart, s.name, {
            ...p,
            canary: { weight, strategy, image: 'registry.example.com/ml/workload:v1.3.0' },
            route: strategy === 'gateway' ? { gateway: { name: 'public', namespace: 'gateway' } } : undefined,
            rollout: s.gpu ? { spareAccelerators: 3 * floor + 4 } : undefined,
          });
          return { egress: network(p), scraped: true, serves: callers(8000, strategy === 'gateway' ? 'gateway' : undefined) };
        }),
      ),
      { numRuns: RUNS },
    );
  });

  test('an LLM runtime preset serving metrics on its serving port, optionally behind an InferencePool', () => {
    fc.assert(
      fc.property(serving, fc.constantFrom(ServingRuntime.vllm(), ServingRuntime.tgi()), fc.boolean(), (s, runtime, pool) =>
        holds(s, (chart) => {
          const p = props({ ...s, gpu: true, fetchModel: false, metricsOnServingPort: true });
          const svc = new OnlineInference(chart, s.name, {
            ...p,
            // The server's own host memory (PyTorch, CUDA) before any weights: at least 2Gi.
            resources: { ...p.resources, memory: '16Gi' },
            // The endpoint picker reads vLLM's metrics, not TGI's: a pool only in front of vLLM.
            runtime: pool ? ServingRuntime.vllm() : runtime,
            model: { name: 'llama', version: 'v1', claimName: 'llama-weights-v1', size: '16Gi' },
            ...(pool ? { route: { gateway: { name: 'public', namespace: 'gateway' } }, inferencePool: {} } : {}),
          });
          const port = svc.runtime!.port;
          const eppLabels = { 'app.kubernetes.io/name': `${s.name}-epp`, 'app.kubernetes.io/instance': `${s.name}-epp` };
          const picker = { from: { namespace: NAMESPACE, podLabels: eppLabels }, port };
          const server: Part = {
            egress: network(p),
            scraped: true,
            controllers: [s.name],
            serves: [...callers(port, pool ? 'gateway' : undefined), ...(pool ? [picker] : [])],
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
          return pool ? [server, epp] : server;
        }),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('BatchScoringJob: Job, CronJob and Indexed Job', () => {
  const batch = fc
    .record({
      common,
      mode: fc.constantFrom('job', 'cron', 'indexed', 'indexed-cron'),
      writesOutput: fc.boolean(),
      egress: egressTo(0),
    })
    .map(flatten);

  test('Job, CronJob, Indexed Job and indexed CronJob', () => {
    fc.assert(
      fc.property(batch, (s) =>
        holds(s, (chart) => {
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
        }),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('GpuTrainingJob: single worker and multi-worker (Indexed Job or JobSet)', () => {
  const training = fc
    .record({
      common,
      workers: fc.constantFrom(1, 2, 4),
      engine: fc.constantFrom('job', 'jobset') as fc.Arbitrary<'job' | 'jobset'>,
      scheduled: fc.boolean(),
      egress: egressTo(0),
    })
    .map(flatten);

  test('one worker, Indexed Job workers, JobSet workers; on a schedule', () => {
    fc.assert(
      fc.property(training, (s) =>
        holds(s, (chart) => {
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
        }),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('QueueWorker: ScaledObject, plain HPA and ScaledJob', () => {
  const worker = fc
    .record({
      common,
      mode: fc.constantFrom('scaled-object', 'external-hpa', 'scaled-job', 'auto-long'),
      minReplicas: fc.integer({ min: 0, max: 3 }),
      egress: egressTo(1),
    })
    .map(flatten);

  test('Deployment with a ScaledObject or a plain HPA, ScaledJob by choice or by processing time', () => {
    fc.assert(
      fc.property(worker, (s) =>
        holds(s, (chart) => {
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
        }),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('MultiHostInference: leader and worker templates of a LeaderWorkerSet', () => {
  const multiHost = fc
    .record({
      common,
      groupSize: fc.integer({ min: 2, max: 4 }),
      replicas: fc.integer({ min: 1, max: 3 }),
      egress: egressTo(0),
    })
    .map(flatten);

  test('every pod of every group', () => {
    fc.assert(
      fc.property(multiHost, (s) =>
        holds(s, (chart) => {
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
        }),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('ModelCache: the fill Job and the servers that mount it', () => {
  const cache = fc.record({ common, egress: egressTo(1), replicas: fc.integer({ min: 2, max: 4 }) }).map(flatten);

  test('the fill Job has its policy; the serving pods theirs', () => {
    fc.assert(
      fc.property(cache, (s) =>
        holds(s, (chart) => {
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
        }),
      ),
      { numRuns: RUNS },
    );
  });
});
