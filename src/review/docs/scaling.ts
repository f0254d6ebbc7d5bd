/** Documentation of the scaling rules (ML023-ML028). */
import { RuleDocs } from '../types';

const llm = (replicas = '', probe = '          startupProbe: {httpGet: {path: /health, port: 8000}, periodSeconds: 10, failureThreshold: 60}\n'): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: llm, namespace: ml}
spec:
${replicas}  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec:
      containers:
        - name: vllm
          image: registry.example.com/vllm:v0.6.0
          resources: {requests: {cpu: 4, memory: 32Gi}, limits: {nvidia.com/gpu: 1}}
${probe}`;

const scaledObject = (spec: string, query = 'sum(vllm:num_requests_waiting{model_name="llm"})'): string => `---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: llm, namespace: ml}
spec:
  scaleTargetRef: {name: llm}
${spec}  triggers:
    - type: prometheus
      metadata: {serverAddress: "http://prometheus.monitoring:9090", threshold: "5", query: '${query}'}
`;

const pdb = '---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: llm, namespace: ml}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: llm}}}\n';

export const SCALING_DOCS: Readonly<Record<string, RuleDocs>> = {
  ML023: {
    rationale: 'KEDA scales to zero by default (minReplicaCount 0). In front of a model that takes minutes to load (a long startupProbe budget or readiness delay, or an init container fetching weights) the first request after an idle period waits for a full model load and usually times out.',
    fix: 'Keep a warm replica (spec.minReplicaCount: 1), or put a queue in front and accept the delay explicitly.',
    bad: llm() + scaledObject('  minReplicaCount: 0\n'),
    good: llm() + scaledObject('  minReplicaCount: 1\n'),
  },
  ML024: {
    rationale: 'KEDA\'s Prometheus scaler expects one value; a query returning one series per pod (a bare metric, or an aggregation by pod) makes it scale on the first series only: one replica\'s load, not the service\'s.',
    fix: 'Aggregate the query to a single series without pod labels: sum(...), max(...), avg(...), with the threshold per replica.',
    bad: llm('', '') + scaledObject('  minReplicaCount: 1\n', 'vllm:num_requests_waiting{model_name="llm"}'),
    good: llm('', '') + scaledObject('  minReplicaCount: 1\n'),
  },
  ML025: {
    rationale: 'cooldownPeriod is how long KEDA waits after the last activity before scaling to zero (default 300 s). Shorter than the cold start, a brief lull costs an outage longer than the lull.',
    fix: 'Raise spec.cooldownPeriod well above the cold start, or keep minReplicaCount: 1.',
    bad: llm() + scaledObject('  minReplicaCount: 0\n  cooldownPeriod: 120\n'),
    good: llm() + scaledObject('  minReplicaCount: 0\n  cooldownPeriod: 1800\n'),
  },
  ML026: {
    rationale: 'A ScaledObject whose scaleTargetRef names no workload (the kind defaults to Deployment, a common slip for StatefulSets and custom resources) scales nothing. A warning when other workloads of the namespace are reviewed with it (likely a typo), info when it is reviewed alone.',
    fix: 'Fix scaleTargetRef kind and name, or review the ScaledObject together with its target.',
    bad: llm('', '') + scaledObject('  minReplicaCount: 1\n').replace('{name: llm}', '{name: llm-server}'),
    good: llm('', '') + scaledObject('  minReplicaCount: 1\n'),
  },
  ML027: {
    rationale: 'A workload that pins spec.replicas while an HPA or KEDA scales it is reset to that count on every kubectl apply or GitOps sync: a scale-down in the middle of a load peak.',
    fix: 'Remove spec.replicas from the manifest (the autoscaler owns it; its minimum sets the floor).',
    bad: llm('  replicas: 2\n', '') + scaledObject('  minReplicaCount: 1\n'),
    good: llm('', '') + scaledObject('  minReplicaCount: 1\n'),
  },
  ML028: {
    rationale: 'A server running several replicas without a PodDisruptionBudget may lose all of them in one node drain or cluster upgrade.',
    fix: 'Add a policy/v1 PodDisruptionBudget selecting the pods with maxUnavailable: 1.',
    bad: llm('  replicas: 3\n', ''),
    good: llm('  replicas: 3\n', '') + pdb,
  },
};
