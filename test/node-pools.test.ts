import { Testing } from 'cdk8s';
import { Accelerator, BatchScoringJob, OnlineInference, Platform, capacityReport, formatCapacityReport } from '../src';
import { synthValid, testChart } from './helpers';

const cpuPool = { name: 'general', cpu: '7910m', memory: '28Gi', labels: { pool: 'general' } };
const gpuPool = {
  name: 'a100',
  cpu: '94',
  memory: '1800Gi',
  accelerators: { 'nvidia.com/gpu': 8 },
  labels: { 'nvidia.com/gpu.present': 'true', pool: 'a100' },
  taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' as const }],
};
const image = 'registry.example.com/scorer:v1.0.0';

function chartWithPools(pools = [cpuPool, gpuPool]) {
  const chart = testChart();
  Platform.configure(chart, { nodePools: pools });
  return chart;
}

describe('node pools', () => {
  test('a pod that fits lands on its pool; CAPACITY.md shows which', () => {
    const chart = chartWithPools();
    new OnlineInference(chart, 'cpu-scorer', { image, resources: { cpu: '2', memory: '4Gi' }, replicas: 2 });
    new OnlineInference(chart, 'llm', {
      image,
      resources: { cpu: '16', memory: '120Gi' },
      accelerator: Accelerator.nvidiaGpu(4),
      replicas: 2,
    });
    expect(() => synthValid(chart)).not.toThrow();
    const rows = capacityReport(chart);
    expect(rows.map((r) => [r.workload, r.pools])).toEqual([
      ['cpu-scorer', ['general']],
      ['llm', ['a100']],
    ]);
    expect(formatCapacityReport(rows)).toContain('| node pools |');
    expect(formatCapacityReport(rows)).toMatch(/\| llm \| serving \|.*\| a100 \|$/m);
  });

  test('no eligible pool: a GPU pool whose taint the pod does not tolerate', () => {
    const chart = chartWithPools([{ ...gpuPool, name: 'gpu-only' }]);
    new BatchScoringJob(chart, 'nightly', { image, resources: { cpu: '1', memory: '2Gi' } });
    expect(() => Testing.synth(chart)).toThrow(
      `BatchScoringJob 'test/nightly': Job/nightly placement ({"nodeSelector":{},"tolerations":[]}) fits no node pool: gpu-only (taint nvidia.com/gpu:NoSchedule is not tolerated); give the pods what a pool needs (tolerations, accelerator.product or accelerator.nodeSelector), or add a pool they can use to the platform's nodePools`,
    );
  });

  test('too big for every pool: names the largest eligible pool and the shortfall per resource', () => {
    const chart = chartWithPools([cpuPool, { ...cpuPool, name: 'big', cpu: '31', memory: '120Gi' }, gpuPool]);
    new OnlineInference(chart, 'huge', { image, resources: { cpu: '40', memory: '200Gi' }, replicas: 2 });
    expect(() => Testing.synth(chart)).toThrow(
      /OnlineInference 'test\/huge': Deployment\/huge requests \(\{"cpu":"40","memory":"200Gi",.*\}\) fit no node of any eligible pool: the largest, big, is short by 9 cpu, 80Gi memory; lower the requests below one big node's allocatable, or declare a larger pool/,
    );
  });

  test('accelerators count: 16 GPUs never fit an 8-GPU node', () => {
    const chart = chartWithPools();
    new OnlineInference(chart, 'llm', {
      image,
      resources: { cpu: '16', memory: '120Gi' },
      accelerator: Accelerator.nvidiaGpu(16),
      replicas: 2,
    });
    expect(() => Testing.synth(chart)).toThrow(/the largest, a100, is short by 8 nvidia.com\/gpu/);
  });

  test('init containers count as the scheduler counts them: max(init, sum of containers)', () => {
    const { schedulerRequests } = require('../src/core/node-pools');
    const c = (cpu: string) => ({ resources: { requests: { cpu, memory: '1Gi' } } });
    expect(schedulerRequests({ containers: [c('1'), c('1')], initContainers: [c('3')], overhead: { cpu: '250m' } }).cpu).toBe(3.25);
    expect(schedulerRequests({ containers: [c('2'), c('2')], initContainers: [c('3')] }).cpu).toBe(4);
  });

  test('a workload whose pods live in a CRD (ScaledJob, JobSet, LeaderWorkerSet) is placed too, never on every pool by default', () => {
    const { podSpecsOf } = require('../src/core/node-pools');
    const { configurePlatform } = require('../examples/platform');
    const { llmChart } = require('../examples/llm');
    const app = Testing.app();
    configurePlatform(app);
    llmChart(app);
    const rows = capacityReport(app);
    const lws = rows.find((r) => r.workload === 'llama-405b')!;
    expect(lws.pools).toEqual(['h100']);
    expect(podSpecsOf(app).some((p: any) => p.object.startsWith('LeaderWorkerSet/'))).toBe(true);
  });

  test('without declared pools nothing is checked and CAPACITY.md has no pool column', () => {
    const chart = testChart();
    new OnlineInference(chart, 'huge', { image, resources: { cpu: '400', memory: '2000Gi' }, replicas: 2 });
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(formatCapacityReport(capacityReport(chart))).not.toContain('node pools');
  });
});
