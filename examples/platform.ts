import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MlNamespace, NodePool, Platform, PlatformConventions } from '../src';

/**
 * The clusters' node pools: how many nodes each has and what one node gives pods (allocatable). Every pod
 * must fit a node of a pool it can use, and the floors of all workloads must fit the pools together (CAPACITY.md
 * shows the headroom). H100: the 405B model's 2 groups of 2 nodes and the 70B model's 2 replicas of 4 GPUs fit 5
 * nodes packed; the scheduler spreads the 70B replicas over 2 nodes (6), and a drain restarts a 405B group on 2 free
 * nodes (7: CAPACITY.md's "one node can drain" says no below 7).
 */
export const NODE_POOLS: NodePool[] = [
  {
    name: 'general',
    count: 6,
    cpu: '15890m',
    memory: '58Gi',
    ephemeralStorage: '90Gi',
    labels: { 'karpenter.sh/capacity-type': 'on-demand' },
  },
  {
    name: 'general-spot',
    count: 6,
    cpu: '15890m',
    memory: '58Gi',
    ephemeralStorage: '90Gi',
    labels: { 'karpenter.sh/capacity-type': 'spot' },
  },
  gpuPool('a100-40gb', 3, 'NVIDIA-A100-SXM4-40GB', { accelerator: 'nvidia-a100' }),
  gpuPool('h100', 7, 'NVIDIA-H100-80GB-HBM3', {}),
];

/** The platform team's conventions, set once for the whole app; product teams inherit them (`overrides`: for tests). */
export function configurePlatform(app: Construct, overrides: PlatformConventions = {}): void {
  Platform.configure(
    app,
    {
      allowedRegistries: ['registry.example.com', 'docker.io/curlimages'],
      requiredLabels: ['team', 'cost-center'],
      labels: { 'cost-center': 'ml-platform' },
      // Queue workers are deferrable and drain on preemption (their messages are redelivered): preemptible.
      priorityClasses: {
        serving: 'serving-critical',
        batch: 'batch-preemptible',
        training: 'batch-preemptible',
        queue: 'batch-preemptible',
      },
      acceleratorTaint: { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
      monitoring: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      nodePools: NODE_POOLS,
      ...overrides,
    },
    { locked: ['allowedRegistries', 'acceleratorTaint', 'acceleratorNodeLabel'] },
  );
}

/** An 8-GPU node pool (allocatable of one node), tainted so only GPU pods land there. */
function gpuPool(name: string, count: number, product: string, labels: Record<string, string>): NodePool {
  return {
    name,
    count,
    cpu: '94',
    memory: '1800Gi',
    ephemeralStorage: '3000Gi',
    accelerators: { 'nvidia.com/gpu': 8 },
    labels: { 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': product, ...labels },
    taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' as const }],
  };
}

/** Namespaces with guardrails: quotas sized for the workloads' worst case, checked at synth. */
export function platformChart(scope: Construct): Chart {
  const chart = new Chart(scope, 'platform');
  new MlNamespace(chart, 'ml-serving', {
    quota: { requestsCpu: '80', requestsMemory: '320Gi', limitsMemory: '640Gi', accelerators: { 'nvidia.com/gpu': 8 }, pods: 80 },
    priorityClasses: true,
  });
  new MlNamespace(chart, 'ml-fraud', {
    quota: { requestsCpu: '40', requestsMemory: '80Gi', limitsMemory: '160Gi', pods: 40 },
  });
  new MlNamespace(chart, 'ml-batch', {
    quota: {
      requestsCpu: '64',
      requestsMemory: '320Gi',
      accelerators: { 'nvidia.com/gpu': 8 },
      pods: 40,
      persistentVolumeClaims: 4,
      requestsStorage: '500Gi',
    },
  });
  return chart;
}
