import { Chart, Testing } from 'cdk8s';
import {
  Accelerator,
  BatchScoringJob,
  GpuTrainingJob,
  GpuTrainingJobProps,
  MlNamespace,
  MultiHostInference,
  NamespaceQuotaProps,
  NodePool,
  Platform,
  capacityReport,
  poolUsage,
} from '../src';

/*
 * Every pod a workload renders counts, kind by kind: an elastic JobSet run's rendezvous store pod (250m CPU,
 * 512Mi) beside its workers, a LeaderWorkerSet group's leader and workers. `WorkloadCapacity.podKinds` carries
 * each kind; the quota check and the capacity report sum them; the node-pool and cluster-capacity checks read
 * every pod template of the rendered objects.
 */

const cpuPool: NodePool = { name: 'cpu', count: 2, cpu: '8', memory: '32Gi' };
const gpuPool: NodePool = {
  name: 'gpu',
  count: 2,
  cpu: '64',
  memory: '512Gi',
  accelerators: { 'nvidia.com/gpu': 8 },
  labels: { 'nvidia.com/gpu.present': 'true' },
  taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
};

const elastic: GpuTrainingJobProps = {
  image: 'registry.example.com/llm-pretrain:v0.3.0',
  command: ['torchrun', 'train.py'],
  resources: { cpu: '8', memory: '64Gi' },
  accelerator: Accelerator.nvidiaGpu(2),
  workers: 4,
  engine: 'jobset',
  elastic: { minWorkers: 2 },
  checkpoint: { size: '500Gi', accessMode: 'ReadWriteMany' },
};

function app(options: { quota?: NamespaceQuotaProps; pools?: NodePool[]; props?: Partial<GpuTrainingJobProps> } = {}) {
  const a = Testing.app();
  if (options.pools) Platform.configure(a, { nodePools: options.pools });
  if (options.quota) new MlNamespace(new Chart(a, 'platform'), 'ml-train', { quota: options.quota });
  const chart = new Chart(a, 'training', { namespace: 'ml-train' });
  const job = new GpuTrainingJob(chart, 'pretrain', { ...elastic, ...options.props });
  return { app: a, chart, job };
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe("an elastic JobSet run: the rendezvous store's pod counts beside the workers", () => {
  test('capacity(): 4 workers and 1 rendezvous pod, each kind with its own amounts', () => {
    const c = app().job.capacity();
    expect(c.maxPods).toBe(5);
    expect(
      c.podKinds?.map((k) => [k.role, k.maxPods, k.perPod.requests.cpu, k.perPod.requests.memory, k.perPod.requests['nvidia.com/gpu']]),
    ).toEqual([
      ['workers', 4, 8, 64 * GiB, 2],
      ['rendezvous', 1, 0.25, 512 * MiB, undefined],
    ]);
  });

  test('without elastic: the workers only, one kind', () => {
    const c = app({ props: { elastic: undefined } }).job.capacity();
    expect(c.maxPods).toBe(4);
    expect(c.podKinds).toBeUndefined();
  });

  test('the quota counts its pod, CPU and memory', () => {
    const quota = (q: Partial<NamespaceQuotaProps>) => () =>
      app({ quota: { requestsCpu: '64', requestsMemory: '512Gi', pods: 10, accelerators: { 'nvidia.com/gpu': 8 }, ...q } }).app.synth();
    expect(quota({ pods: 4 })).toThrow(/quota pods \(4\) is below the worst case of its workloads \(5 = pretrain 5\), short by 1/);
    expect(quota({ requestsCpu: '32' })).toThrow(
      /quota requests.cpu \(32\) is below the worst case of its workloads \(32.25 = pretrain workers 4 × 8 \+ pretrain rendezvous 1 × 0.25\), short by 0.25/,
    );
    expect(quota({ requestsMemory: '256Gi' })).toThrow(
      /quota requests.memory \(256Gi\) is below the worst case of its workloads \(256.5Gi = pretrain workers 4 × 64Gi \+ pretrain rendezvous 1 × 512Mi\), short by 512Mi/,
    );
    expect(quota({ pods: 5, requestsCpu: '32250m', requestsMemory: '262656Mi' })).not.toThrow();
  });

  test('the capacity report: 5 pods, the store included, on the pools each kind lands on', () => {
    const { chart } = app({ pools: [cpuPool, gpuPool] });
    const [row] = capacityReport(chart);
    expect(row).toMatchObject({
      workload: 'pretrain',
      maxPods: 5,
      cpu: 32.25,
      memory: 256 * GiB + 512 * MiB,
      accelerators: { 'nvidia.com/gpu': 8 },
    });
    expect(row.pools).toEqual(['cpu', 'gpu']);
  });

  test('node pools: the store pod needs a pool it can use (it does not tolerate the GPU taint)', () => {
    expect(() => app({ pools: [gpuPool] }).app.synth()).toThrow(
      /JobSet\/pretrain placement \(\{"nodeSelector":\{\},"tolerations":\[\]\}\) fits no node pool: gpu \(taint nvidia.com\/gpu:NoSchedule is not tolerated\)/,
    );
  });

  test('cluster capacity: the store pod is a floor pod of the CPU pool, placed from its first node', () => {
    // It was placed from the node its workers' floor ended on (a GPU node), so it never reached the CPU pool.
    const { app: a, chart } = app({ pools: [cpuPool, gpuPool] });
    expect(() => a.synth()).not.toThrow();
    const usage = Object.fromEntries(poolUsage(chart).map((u) => [u.pool, u]));
    expect([usage.cpu.pods, usage.cpu.used.cpu, usage.gpu.pods]).toEqual([1, 0.25, 4]);
    // A CPU pool whose one pod slot another floor takes leaves it without a node.
    const full = app({ pools: [{ ...cpuPool, count: 1, maxPods: 1 }, gpuPool] });
    new BatchScoringJob(full.chart, 'nightly', { image: elastic.image, resources: { cpu: '1', memory: '1Gi' } });
    expect(() => full.app.synth()).toThrow(/left without a node: ml-train\/(Job\/nightly|JobSet\/pretrain): 1 pod\(s\) of (1|0.25) cpu/);
  });
});

describe('a LeaderWorkerSet group: leaders and workers counted as what each is', () => {
  test('capacity(): one leader and groupSize - 1 workers per group, the surge group included', () => {
    const chart = new Chart(Testing.app(), 'llm', { namespace: 'ml-llm' });
    const w = new MultiHostInference(chart, 'llama-405b', {
      image: 'vllm/vllm-openai:v0.11.0',
      groupSize: 3,
      replicas: 2,
      vllm: { model: 'meta-llama/Llama-3.1-405B-Instruct', maxModelLen: 16384 },
      model: { name: 'llama-3-1-405b', version: '2024-07', claimName: 'hf-cache-405b-2024-07', size: '800Gi' },
      resources: { cpu: '32', memory: '512Gi' },
      accelerator: Accelerator.nvidiaGpu(8, { gpusPerNode: 8 }),
    });
    const c = w.capacity();
    expect(c.maxPods).toBe(6);
    expect(c.podKinds?.map((k) => [k.role, k.maxPods])).toEqual([
      ['leader', 2],
      ['worker', 4],
    ]);
  });
});
