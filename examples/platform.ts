import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MlNamespace, Platform } from '../src';

/** The platform team's conventions, set once for the whole app; product teams inherit them. */
export function configurePlatform(app: Construct): void {
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
      // What one node of each pool can give pods (allocatable); every pod must fit one it can use.
      nodePools: [
        { name: 'general', cpu: '15890m', memory: '58Gi', ephemeralStorage: '90Gi', labels: { 'karpenter.sh/capacity-type': 'on-demand' } },
        { name: 'general-spot', cpu: '15890m', memory: '58Gi', ephemeralStorage: '90Gi', labels: { 'karpenter.sh/capacity-type': 'spot' } },
        gpuPool('a100-40gb', 'NVIDIA-A100-SXM4-40GB', { accelerator: 'nvidia-a100' }),
        gpuPool('h100', 'NVIDIA-H100-80GB-HBM3', {}),
      ],
    },
    { locked: ['allowedRegistries', 'acceleratorTaint', 'acceleratorNodeLabel'] },
  );
}

/** An 8-GPU node pool (allocatable of one node), tainted so only GPU pods land there. */
function gpuPool(name: string, product: string, labels: Record<string, string>) {
  return {
    name,
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
