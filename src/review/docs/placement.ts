/** Documentation of the accelerator rules (ML004, ML005, ML019, ML022). */
import { RuleDocs } from '../types';

const job = (pod: string, limits = '{nvidia.com/gpu: 1}'): string => `apiVersion: batch/v1
kind: Job
metadata: {name: finetune, namespace: ml}
spec:
  template:
    spec:
      restartPolicy: Never
${pod}      containers:
        - name: trainer
          image: registry.example.com/trainer:v1
          resources: {requests: {cpu: 4, memory: 32Gi}, limits: ${limits}}
`;

export const PLACEMENT_DOCS: Readonly<Record<string, RuleDocs>> = {
  ML004: {
    rationale: 'GPU node pools are tainted so that ordinary pods stay off them; a pod requesting GPUs without a matching toleration stays Pending. Not reported when the platform adds the toleration: GKE does for pods selecting cloud.google.com/gke-accelerator or cloud.google.com/gke-tpu-* nodes, and the ExtendedResourceToleration admission plugin does for every pod requesting an extended resource (platform.autoTolerationSelectors / platform.admissionAddsAcceleratorTolerations).',
    fix: 'Add a toleration for the accelerator taint (e.g. {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}), or declare in .cdk8s-ml-review.yaml that your platform adds it.',
    bad: job('      nodeSelector: {accelerator: nvidia-a100}\n'),
    good: job('      nodeSelector: {accelerator: nvidia-a100}\n      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]\n'),
  },
  ML022: {
    rationale: 'Without a nodeSelector or required node affinity a GPU pod lands on any node advertising the resource: a T4 instead of an A100, or a pool without the memory the model needs. Separate from ML004 so each can be controlled on its own.',
    fix: 'Add a nodeSelector (e.g. cloud.google.com/gke-accelerator: nvidia-h100-80gb, or your pool\'s accelerator label) or a required nodeAffinity for the intended accelerator pool.',
    bad: job('      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]\n'),
    good: job('      nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}\n'),
  },
  ML005: {
    rationale: 'A pod that requests no accelerator but tolerates the accelerator taint can be scheduled onto GPU nodes and keep them from GPU work (or keep them from scaling down).',
    fix: 'Remove the accelerator toleration from pods that do not request accelerators.',
    bad: job('      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]\n', '{memory: 32Gi}'),
    good: job('', '{memory: 32Gi}'),
  },
  ML019: {
    rationale: 'Extended resources such as GPUs cannot be overcommitted: they belong in resources.limits, and a request must equal the limit; otherwise the API server rejects the pod.',
    fix: 'Set the accelerator in resources.limits (drop the request, or keep it equal to the limit).',
    bad: job('      nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}\n', '{memory: 32Gi}').replace('requests: {cpu: 4, memory: 32Gi}', 'requests: {cpu: 4, memory: 32Gi, nvidia.com/gpu: 1}'),
    good: job('      nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}\n'),
  },
};
