import { Testing } from 'cdk8s';
import {
  Accelerator,
  BatchScoringJob,
  NodePool,
  OnlineInference,
  Platform,
  capacityReport,
  formatCapacityReport,
  poolNodes,
  poolUsage,
  prerequisites,
} from '../src';
import { NODE_POOLS } from '../examples/platform';
import { exampleCharts } from '../examples/charts';
import { testChart } from './helpers';

const image = 'registry.example.com/scorer:v1.0.0';
const h100 = NODE_POOLS.find((p) => p.name === 'h100')!;

/** The examples with the H100 pool at `count` nodes. */
function examplesWithH100(count: number) {
  const app = Testing.app();
  exampleCharts(app, { nodePools: NODE_POOLS.map((p) => (p.name === 'h100' ? { ...p, count } : p)) });
  return app;
}

describe('cluster capacity: the floors of all workloads on the declared pools', () => {
  test('the 405B LeaderWorkerSet (2 groups of 2 nodes) and the 70B Deployment (2 × 4 GPUs) need five 8-GPU H100 nodes', () => {
    const synth = (count: number) => () => examplesWithH100(count).charts.forEach((c) => Testing.synth(c));
    expect(synth(5)).not.toThrow();
    expect(synth(4)).toThrow(
      /platform nodePools: the workload floors do not fit pool\(s\) h100 \(h100: 4 nodes\); left without a node: ml-llm\/(LeaderWorkerSet\/llama-405b|Deployment\/llama-70b): .* pod\(s\) of .*8 nvidia.com\/gpu|4 nvidia.com\/gpu.*; raise those pools' count, or lower the floors/,
    );
    expect(h100.count).toBeGreaterThanOrEqual(5);
  });

  test('the examples fit: CAPACITY.md shows each pool, the floors on it and the headroom', () => {
    const app = examplesWithH100(7);
    const usage = poolUsage(app);
    const gpu = usage.find((u) => u.pool === 'h100')!;
    expect(gpu).toMatchObject({ nodes: 7, pods: 6, emptyNodes: 2, drainable: true });
    expect(gpu.used['nvidia.com/gpu']).toBe(40); // 4 pods × 8 (405B) + 2 pods × 4 (70B)
    expect(usage.every((u) => u.drainable)).toBe(true);
    const report = formatCapacityReport(capacityReport(app), { pools: usage, prerequisites: prerequisites(app) });
    expect(report).toContain(
      '| h100 | 7 | 6 | 160 / 658 | 1.88Ti / 12.3Ti | 40 / 56 nvidia.com/gpu | 6 / 770 | 498 CPU, 10.43Ti memory, 16 nvidia.com/gpu | 2 | yes |',
    );
    expect(report).toContain('| ml-fraud | PersistentVolumeClaim | fraud-models-v3-2-0 | - | Deployment/fraud-scorer |');
  });

  test('one node can drain: as the scheduler spreads them, 6 H100 nodes leave a drained 405B group no room; 7 do', () => {
    // Packed, 6 nodes leave one empty; the default scheduler (least allocated) puts the 70B replicas on two
    // nodes of their own, and a drain restarts a 405B group, which then needs two free 8-GPU nodes.
    // `npm run test:cluster` with 6 H100 nodes: the restarted group stays Pending ("5 Insufficient nvidia.com/gpu").
    const h100Drainable = (count: number) => poolUsage(examplesWithH100(count)).find((u) => u.pool === 'h100')!.drainable;
    expect(h100Drainable(5)).toBe(false);
    expect(h100Drainable(6)).toBe(false);
    expect(h100Drainable(7)).toBe(true);
    expect(h100.count).toBeGreaterThanOrEqual(7);
    const report = formatCapacityReport(capacityReport(examplesWithH100(6)), { pools: poolUsage(examplesWithH100(6)) });
    expect(report).toMatch(/\| h100 \| 6 \| 6 \| .* \| 1 \| no: draining one of its nodes leaves pods without a node /);
  });

  test('one node can drain: every node is drained in turn, not only the one with the most pods', () => {
    // One 8-GPU replica and three 1-GPU replicas on 3 nodes of 8 GPUs: spread, the small ones take both other
    // nodes, and the big one fits nowhere once its node drains (packed, a node stays empty and it would).
    const chart = testChart();
    Platform.configure(chart, {
      nodePools: [
        {
          name: 'gpu',
          count: 3,
          cpu: '32',
          memory: '256Gi',
          accelerators: { 'nvidia.com/gpu': 8 },
          labels: { 'nvidia.com/gpu.present': 'true' },
          taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
        },
      ],
    });
    const gpus = (n: number, replicas: number, name: string) =>
      new OnlineInference(chart, name, {
        image,
        resources: { cpu: '4', memory: '16Gi' },
        accelerator: Accelerator.nvidiaGpu(n),
        replicas,
        availability: 'best-effort',
        disruptionBudget: false,
      });
    gpus(8, 1, 'big');
    gpus(1, 3, 'small');
    expect(poolUsage(chart)).toMatchObject([{ pool: 'gpu', pods: 4, emptyNodes: 1, drainable: false }]);
  });

  test('floors count: HPA minReplicas, fixed replicas and Job parallelism; each pod needs one of maxPods', () => {
    const small: NodePool[] = [{ name: 'small', count: 2, cpu: '4', memory: '16Gi', maxPods: 3 }];
    const build = (minReplicas: number) => {
      const chart = testChart();
      Platform.configure(chart, { nodePools: small });
      new OnlineInference(chart, 'api', {
        image,
        resources: { cpu: '500m', memory: '1Gi' },
        autoscaling: { minReplicas, maxReplicas: 20 },
      });
      new BatchScoringJob(chart, 'nightly', { image, resources: { cpu: '250m', memory: '512Mi' }, shards: 8, parallelism: 2 });
      return chart;
    };
    expect(() => Testing.synth(build(4))).not.toThrow(); // 4 + 2 pods on 2 nodes of 3 pods
    expect(() => Testing.synth(build(5))).toThrow(
      /do not fit pool\(s\) small \(small: 2 nodes\); left without a node: ml\/(Deployment\/api|Job\/nightly): 1 pod/,
    );
  });

  test('GPU floors: three 1-GPU replicas do not fit one 2-GPU node', () => {
    const chart = testChart();
    Platform.configure(chart, {
      nodePools: [
        { name: 'cpu', count: 1, cpu: '8', memory: '32Gi' },
        {
          name: 'gpu',
          count: 1,
          cpu: '32',
          memory: '256Gi',
          accelerators: { 'nvidia.com/gpu': 2 },
          labels: { 'nvidia.com/gpu.present': 'true' },
          taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
        },
      ],
    });
    new OnlineInference(chart, 'llm', {
      image,
      resources: { cpu: '4', memory: '16Gi' },
      accelerator: Accelerator.nvidiaGpu(1),
      replicas: 3,
    });
    expect(() => Testing.synth(chart)).toThrow('left without a node: ml/Deployment/llm: 1 pod(s) of 1 nvidia.com/gpu, 4 cpu, 16Gi memory');
  });

  test('a pool becomes count nodes named <pool>-<n> over its zones, with its labels, taints and allocatable', () => {
    const nodes = poolNodes([{ ...h100, count: 4 }]);
    expect(nodes.map((n) => `${n.name}@${n.zone}`)).toEqual(['h100-1@zone-a', 'h100-2@zone-b', 'h100-3@zone-c', 'h100-4@zone-a']);
    expect(nodes[0]).toMatchObject({
      pool: 'h100',
      labels: { 'topology.kubernetes.io/zone': 'zone-a', 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
      taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
      allocatable: { cpu: '94', memory: '1800Gi', 'nvidia.com/gpu': '8', pods: '110' },
    });
    expect(poolNodes([{ name: 'x', cpu: '1', memory: '1Gi' }])).toHaveLength(3); // default: one node per zone
  });

  test('pool declarations the API server would refuse for their nodes fail where they are set', () => {
    const bad = (over: Partial<NodePool>) => () =>
      Platform.configure(testChart(), { nodePools: [{ name: 'p', cpu: '1', memory: '1Gi', ...over }] });
    expect(bad({ count: 2 ** 31 })).toThrow('platform nodePools[0].count (2147483648) is not a whole number from 0 to 5000');
    expect(bad({ name: 'Pool_1' })).toThrow('platform nodePools[0].name (Pool_1) is not a DNS-1123 label');
    expect(bad({ labels: { 'bad key': 'x' } })).toThrow('platform nodePools[0].labels key (bad key) is not a valid label key');
    expect(bad({ taints: [{ key: 'a/b/c', effect: 'NoSchedule' }] })).toThrow(
      'platform nodePools[0].taints[0].key (a/b/c) is not a valid taint key',
    );
    expect(bad({ memory: '58GB' })).toThrow('platform nodePools[0].memory (58GB) is not a Kubernetes quantity');
    expect(bad({ zones: ['eu west'] })).toThrow('platform nodePools[0].zones[0] (eu west) is not a valid label value');
  });
});
