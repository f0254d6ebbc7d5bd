/** Documentation of the pod-spec rules: resources, probes, images, security (ML001-ML003, ML006, ML015-ML018, ML029-ML032). */
import { RuleDocs } from '../types';

const deployment = (container: string, pod = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: ml}
spec:
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
${pod}      containers:
${container}`;

const scorerService = '---\napiVersion: v1\nkind: Service\nmetadata: {name: scorer, namespace: ml}\nspec: {selector: {app: scorer}, ports: [{port: 80, targetPort: 8000}]}\n';

export const POD_DOCS: Readonly<Record<string, RuleDocs>> = {
  ML001: {
    rationale: 'A container without CPU and memory requests is scheduled without reserving capacity: the pod lands on a full node, gets starved, and is the first evicted under memory pressure (BestEffort QoS).',
    fix: 'Set resources.requests.cpu and resources.requests.memory on every long-running container to its measured steady-state use (a limit alone counts: the request defaults to it).',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 2Gi}}\n'),
  },
  ML002: {
    rationale: 'Without a readiness probe a Service sends requests as soon as the process starts, long before the model is loaded; clients get errors on every rollout and scale-up. A container needs one when it answers requests, judged by behaviour, not by image name: a Service, InferencePool or route targets a port it declares, its kind routes traffic to it (a LeaderWorkerSet leader), or it runs a known model server (vllm serve, text-generation-launcher, tritonserver, sglang.launch_server, ...) whether or not it declares a containerPort. Benchmark clients and pods that only sleep never serve; a proxy sidecar in front of a model server whose readiness gates the pod is fine. A port declared in a Deployment that nothing in the reviewed set targets is reported as a warning.',
    fix: 'Add a readinessProbe on an endpoint that succeeds only once the model is loaded and can answer (e.g. httpGet /ready), distinct from the liveness check.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          ports: [{containerPort: 8000}]\n') + scorerService,
    good:
      deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          ports: [{containerPort: 8000}]\n          readinessProbe: {httpGet: {path: /ready, port: 8000}}\n') +
      scorerService,
  },
  ML003: {
    rationale: 'A liveness probe that gives up within a minute and no startup probe restarts a model server that takes longer to load, forever (CrashLoopBackOff on every deploy).',
    fix: 'Add a startupProbe whose periodSeconds x failureThreshold covers the worst-case model load, or raise the liveness initialDelaySeconds.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          livenessProbe: {httpGet: {path: /live, port: 8000}, periodSeconds: 10}\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          startupProbe: {httpGet: {path: /ready, port: 8000}, periodSeconds: 10, failureThreshold: 60}\n          livenessProbe: {httpGet: {path: /live, port: 8000}, periodSeconds: 10}\n'),
  },
  ML006: {
    rationale: 'A mutable tag (:latest, or no tag) lets nodes run different builds of "the same" version and makes rollback guesswork; a tag without a digest can be re-pushed.',
    fix: 'Pin images to a release tag and digest (name:v1.2.3@sha256:...), tied to the model-registry version.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:latest\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1.2.3@sha256:4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0\n'),
  },
  ML015: {
    rationale: 'Every pod gets a Kubernetes API token unless told otherwise; a model server rarely calls the API, and whoever compromises the container gets the token.',
    fix: 'Set automountServiceAccountToken: false on the pod spec (or its ServiceAccount); mount a projected token only where the pod calls the API.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n', '      automountServiceAccountToken: false\n'),
  },
  ML016: {
    rationale:
      "Containers that run as root, keep capabilities, allow privilege escalation or use host namespaces and hostPath volumes turn a compromised model server into a compromised node. An error when the reviewed set holds the pod's Namespace with pod-security.kubernetes.io/enforce: restricted, whose pods the API server refuses.",
    fix: 'Meet the restricted Pod Security profile: allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities.drop: [ALL], seccompProfile RuntimeDefault; no hostNetwork/hostPID/hostIPC/hostPath.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n', '      hostNetwork: true\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}\n'),
  },
  ML017: {
    rationale: 'A limit below its request is rejected by the API server; the manifest never runs.',
    fix: 'Raise the limit to at least the request (covering the model-loading peak for memory), or lower the request.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          resources: {requests: {memory: 4Gi}, limits: {memory: 2Gi}}\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          resources: {requests: {memory: 4Gi}, limits: {memory: 6Gi}}\n'),
  },
  ML018: {
    rationale: 'A serving container without a liveness probe that deadlocks keeps its place in the Service forever (readiness may keep failing, but nothing restarts it).',
    fix: 'Add a cheap process-alive livenessProbe (e.g. httpGet /live) with a generous failureThreshold, distinct from readiness.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          ports: [{containerPort: 8000}]\n          readinessProbe: {httpGet: {path: /ready, port: 8000}}\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          ports: [{containerPort: 8000}]\n          readinessProbe: {httpGet: {path: /ready, port: 8000}}\n          livenessProbe: {httpGet: {path: /live, port: 8000}, failureThreshold: 6}\n'),
  },
  ML029: {
    rationale: 'PyTorch data loaders, vLLM and NCCL use /dev/shm, usually a memory-backed emptyDir; without sizeLimit what they write is RAM charged to the pod without bound, ending in OOM kills or a starved node.',
    fix: 'Set emptyDir.sizeLimit on memory-backed volumes (e.g. 8Gi for /dev/shm), within the container memory limit.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          volumeMounts: [{name: shm, mountPath: /dev/shm}]\n', '      volumes: [{name: shm, emptyDir: {medium: Memory}}]\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          volumeMounts: [{name: shm, mountPath: /dev/shm}]\n', '      volumes: [{name: shm, emptyDir: {medium: Memory, sizeLimit: 8Gi}}]\n'),
  },
  ML030: {
    rationale: 'NVIDIA_VISIBLE_DEVICES=all makes the NVIDIA runtime expose every GPU of the node to the container, including GPUs the scheduler gave to other pods: jobs collide and accounting is wrong. Node agents (device plugin, DCGM exporter DaemonSets) are exempt.',
    fix: 'Remove the variable and request GPUs through resources.limits["nvidia.com/gpu"]; the device plugin sets the visible devices.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          env: [{name: NVIDIA_VISIBLE_DEVICES, value: all}]\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          resources: {limits: {nvidia.com/gpu: 1}}\n'),
  },
  ML031: {
    rationale: 'A probe on a port another container of the pod declares checks the wrong process: a named port is resolved in the probed container only, so the probe always fails and the pod never becomes ready; a numeric port checks the sidecar instead.',
    fix: 'Probe a port the container itself declares, or move the probe to the container that serves that port.',
    bad: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          readinessProbe: {httpGet: {path: /ready, port: metrics}}\n        - name: exporter\n          image: registry.example.com/exporter:v1\n          ports: [{name: metrics, containerPort: 9090}]\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n          ports: [{name: http, containerPort: 8000}]\n          readinessProbe: {httpGet: {path: /ready, port: http}}\n        - name: exporter\n          image: registry.example.com/exporter:v1\n          ports: [{name: metrics, containerPort: 9090}]\n'),
  },
  ML032: {
    rationale: 'When the platform lists allowed registries (platform.allowedRegistries in .cdk8s-ml-review.yaml, or --allow-registry), an image from elsewhere bypasses scanning and provenance checks, and is often blocked by admission at deploy time.',
    fix: 'Mirror the image into an allowed registry and reference it there, or add its registry to platform.allowedRegistries.',
    bad: deployment('        - name: server\n          image: docker.io/someone/scorer:v1\n'),
    good: deployment('        - name: server\n          image: registry.example.com/scorer:v1\n'),
  },
};
