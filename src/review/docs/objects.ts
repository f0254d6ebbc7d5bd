/** Documentation of the cross-object and workload rules (ML007-ML014, ML020, ML021, ML034). */
import { RuleDocs } from '../types';

const server = (extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: ml}
spec:
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers:
        - name: server
          image: registry.example.com/scorer:v1
          ports: [{name: http, containerPort: 8000}]
          resources: {requests: {cpu: 500m, memory: 1Gi}${extra}}
`;

const service = (selector: string, targetPort = '8000'): string => `---
apiVersion: v1
kind: Service
metadata: {name: scorer, namespace: ml}
spec:
  selector: ${selector}
  ports: [{port: 80, targetPort: ${targetPort}}]
`;

const hpa = (metric: string): string => `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: scorer, namespace: ml}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scorer}
  minReplicas: 2
  maxReplicas: 10
  metrics: [${metric}]
`;

const cpu = '{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}';
const queue = '{type: External, external: {metric: {name: queue_depth}, target: {type: AverageValue, averageValue: "5"}}}';

const job = (spec: string, pod = ''): string => `apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: ml}
spec:
${spec}  template:
    spec:
      restartPolicy: Never
      containers:
        - name: trainer
          image: registry.example.com/trainer:v1
${pod}`;

export const OBJECT_DOCS: Readonly<Record<string, RuleDocs>> = {
  ML007: {
    rationale: 'A Service whose selector matches no pod has no endpoints: clients get connection errors. Labels that controllers add to the pods they create (job-name and batch.kubernetes.io/job-name for Jobs, jobset.sigs.k8s.io/*, leaderworkerset.sigs.k8s.io/*, ray.io/*, training.kubeflow.org/*, statefulset.kubernetes.io/pod-name, pod-template-hash, ...) count as selectable.',
    fix: 'Select labels the pods carry: the pod template\'s labels, or labels their controller adds (e.g. job-name for the headless Service of a multi-node training Job).',
    bad: server() + service('{app: scoring}'),
    good: server() + service('{app: scorer}'),
  },
  ML008: {
    rationale: 'A PodDisruptionBudget that allows no eviction (maxUnavailable 0, minAvailable 100% or at least the replica count) blocks node drains and cluster upgrades; one that selects nothing protects nothing.',
    fix: 'Allow at least one disruption (maxUnavailable: 1, or minAvailable below the lowest replica count) and select the workload\'s pod labels.',
    bad: `${server()}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: scorer, namespace: ml}\nspec: {maxUnavailable: 0, selector: {matchLabels: {app: scorer}}}\n`,
    good: `${server()}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: scorer, namespace: ml}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: scorer}}}\n`,
  },
  ML009: {
    rationale: 'An HPA scaling on CPU or memory utilization computes it against requests: without them it cannot compute utilization and never scales. minReplicas above maxReplicas is rejected; a target that does not exist scales nothing.',
    fix: 'Set requests on every container of the target (or scale on an AverageValue), keep minReplicas <= maxReplicas, and point scaleTargetRef at the workload.',
    bad: server().replace('{requests: {cpu: 500m, memory: 1Gi}}', '{requests: {memory: 1Gi}}') + hpa(cpu),
    good: server() + hpa(cpu),
  },
  ML010: {
    rationale: 'A run without a deadline keeps a hung run (and its GPUs) until someone notices; without a TTL finished runs and their pods pile up. Applies to Jobs, CronJobs (a deadline only: their history limits delete older runs, and a TTL would delete the kept ones first), Kubeflow training jobs (spec.runPolicy), JobSets (a deadline on every Job template, spec.ttlSecondsAfterFinished) and RayJobs (spec.activeDeadlineSeconds, shutdownAfterJobFinishes).',
    fix: 'Set activeDeadlineSeconds to the longest expected run plus a margin, and ttlSecondsAfterFinished once logs and artifacts are shipped.',
    bad: job(''),
    good: job('  activeDeadlineSeconds: 14400\n  ttlSecondsAfterFinished: 86400\n'),
  },
  ML011: {
    rationale: 'With concurrencyPolicy Allow (the default) a run that outlasts the schedule overlaps the next one: both compete for the same GPUs and write the same outputs.',
    fix: 'Set spec.concurrencyPolicy: Forbid (or Replace when only the latest run matters).',
    bad: 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: retrain, namespace: ml}\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: t, image: registry.example.com/t:v1}]}}}}\n',
    good: 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: retrain, namespace: ml}\nspec:\n  schedule: "0 3 * * *"\n  concurrencyPolicy: Forbid\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: t, image: registry.example.com/t:v1}]}}}}\n',
  },
  ML012: {
    rationale: 'A training step that saturates the process fails a liveness probe; the run is killed and restarted, losing the progress since the last checkpoint. Applies to Jobs and to training custom resources (PyTorchJob, JobSet, RayJob, ...).',
    fix: 'Remove liveness probes from training and batch pods; bound the run with activeDeadlineSeconds instead.',
    bad: job('', '          livenessProbe: {httpGet: {path: /live, port: 8000}}\n'),
    good: job(''),
  },
  ML013: {
    rationale: 'API versions removed from Kubernetes are rejected by current API servers (extensions/v1beta1, policy/v1beta1, autoscaling/v2beta2, ...).',
    fix: 'Move to the replacement API version (and its field changes, e.g. spec.selector in apps/v1).',
    bad: 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: scorer, namespace: ml}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: scorer}}}\n',
    good: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: scorer, namespace: ml}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: scorer}}}\n',
  },
  ML014: {
    rationale: 'Without a NetworkPolicy every pod of the namespace accepts traffic from any namespace and can reach any backend; in a shared cluster a model server becomes a pivot.',
    fix: 'Add a default-deny NetworkPolicy per namespace plus policies allowing only the required paths (gateway ingress, DNS, feature and object stores).',
    bad: server(),
    good: `${server()}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: ml}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n`,
  },
  ML020: {
    rationale: 'CPU does not show accelerator saturation: an HPA scaling a GPU server on CPU alone adds replicas too late or never.',
    fix: 'Scale on a metric that matches the bottleneck: queue depth, p95 latency, in-flight requests or GPU utilization (Pods/External metrics, or KEDA).',
    bad: server(', limits: {nvidia.com/gpu: 1}') + hpa(cpu),
    good: server(', limits: {nvidia.com/gpu: 1}') + hpa(queue),
  },
  ML021: {
    rationale: 'A Service port whose named targetPort no selected container declares has no endpoints for that port.',
    fix: 'Name the container port as the targetPort says (ports[].name), or use the numeric containerPort.',
    bad: server() + service('{app: scorer}', 'web'),
    good: server() + service('{app: scorer}', 'http'),
  },
  ML034: {
    rationale: 'A Service port whose numeric targetPort (or its port, when targetPort is unset) no selected container listens on sends every connection to a closed port: clients get "connection refused" although the Service has endpoints. Judged only when the selected containers declare their ports (or start a known server with --port).',
    fix: 'Point targetPort at the port the server listens on (a declared containerPort), or declare the port the server really uses.',
    bad: server() + service('{app: scorer}', '8080'),
    good: server() + service('{app: scorer}', '8000'),
  },
};
