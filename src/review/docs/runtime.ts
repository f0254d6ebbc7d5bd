/** Documentation of the runtime rules: shared memory, processes per GPU, model-load budgets, host access, HTTP scale to zero (ML033, ML035-ML038). */
import { RuleDocs } from '../types';

const gpuPod = (container: string, pod = '', kind = 'Deployment'): string => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: llm, namespace: ml}
spec:
  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec:
${pod}      containers:
${container}`;

const vllm = (args: string, gpus: number, extra = ''): string =>
  `        - name: vllm
          image: vllm/vllm-openai:v0.8.5@sha256:0d2b6e1c8e1e1b2a4c2e1f9d3b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b
          args: [${args}]
          resources: {requests: {cpu: 8, memory: 64Gi}, limits: {nvidia.com/gpu: ${gpus}, memory: 96Gi}}
${extra}`;

const shm = '          volumeMounts: [{name: dshm, mountPath: /dev/shm}]\n';
const shmVolume = '      volumes: [{name: dshm, emptyDir: {medium: Memory, sizeLimit: 16Gi}}]\n';

const job = (container: string): string => `apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: ml}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
${container}`;

const trainer = (nproc: string, gpus: number): string =>
  `        - name: trainer
          image: registry.example.com/trainer:v1
          command: [torchrun, --nproc-per-node, "${nproc}", train.py]
          resources: {requests: {cpu: 8, memory: 64Gi}, limits: {nvidia.com/gpu: ${gpus}}}
          volumeMounts: [{name: dshm, mountPath: /dev/shm}]
`;

const httpScaledObject = (min: string): string => `---
apiVersion: http.keda.sh/v1alpha1
kind: HTTPScaledObject
metadata: {name: llm, namespace: ml}
spec:
  hosts: [llm.example.com]
  scaleTargetRef: {name: llm, kind: Deployment, apiVersion: apps/v1, service: llm, port: 8000}
  replicas: {min: ${min}, max: 4}
`;

const probes = (startupFailures: number): string =>
  `          readinessProbe: {httpGet: {path: /health, port: 8000}}
          startupProbe: {httpGet: {path: /health, port: 8000}, periodSeconds: 10, failureThreshold: ${startupFailures}}
          livenessProbe: {httpGet: {path: /health, port: 8000}, periodSeconds: 10}
`;

export const RUNTIME_DOCS: Readonly<Record<string, RuleDocs>> = {
  ML033: {
    rationale:
      'Several GPUs of one pod (a model split by tensor parallelism, torchrun with several processes per node) exchange data through NCCL and data loaders through /dev/shm. The container runtime gives /dev/shm 64 MiB: NCCL fails with bus errors or hangs at the first large all-reduce. Set NCCL_SHM_DISABLE=1 to opt out deliberately.',
    fix: 'Mount a memory-backed emptyDir (medium: Memory, with a sizeLimit within the memory limit) at /dev/shm in the container.',
    bad: gpuPod(vllm('--model, meta-llama/Llama-3.1-8B-Instruct, --tensor-parallel-size, "2"', 2)),
    good: gpuPod(vllm('--model, meta-llama/Llama-3.1-8B-Instruct, --tensor-parallel-size, "2"', 2, shm), shmVolume),
  },
  ML035: {
    rationale:
      'torchrun starts --nproc-per-node processes (or PET_NPROC_PER_NODE), each binding the GPU of its local rank; a model server splits the model over tensor × pipeline × data-parallel GPUs. More processes than GPUs requested fail at start (an invalid device ordinal, or the engine refusing the world size); fewer leave requested GPUs idle.',
    fix: 'Make the processes per node (or the parallel sizes of a single-node server) equal the GPUs in resources.limits.',
    bad: job(trainer('4', 1)).replace('      containers:', '      volumes: [{name: dshm, emptyDir: {medium: Memory, sizeLimit: 8Gi}}]\n      containers:'),
    good: job(trainer('4', 4)).replace('      containers:', '      volumes: [{name: dshm, emptyDir: {medium: Memory, sizeLimit: 8Gi}}]\n      containers:'),
  },
  ML036: {
    rationale:
      'A model server answers only once its weights are downloaded or read and the engine has warmed up. If the startupProbe (or, without one, the livenessProbe) gives up sooner, the kubelet kills the container while it is still loading, and it restarts forever. The load is taken from the cdk8s-ml.io/model-load-seconds or cdk8s-ml.io/model-size annotation, else estimated from the parameter count in the model name (16-bit weights, 8- and 4-bit when the name or flags say so), downloaded at 200 MiB/s when the server fetches a model id or read at 1 GiB/s from a path, plus the runtime\'s warm-up floor; else the floor alone (vLLM, SGLang and TensorRT-LLM 60 s, TGI 45 s, Triton, TorchServe and KServe servers 30 s, others 20 s). The figures are lower bounds on purpose: the rule flags probes that are surely too short.',
    fix: 'Give the server a startupProbe whose periodSeconds × failureThreshold covers the model load; state the real load time with the cdk8s-ml.io/model-load-seconds annotation when it is shorter than the estimate.',
    bad: gpuPod(vllm('--model, meta-llama/Llama-3.1-70B-Instruct, --tensor-parallel-size, "4"', 4, shm + probes(30)), shmVolume),
    good: gpuPod(vllm('--model, meta-llama/Llama-3.1-70B-Instruct, --tensor-parallel-size, "4"', 4, shm + probes(120)), shmVolume),
  },
  ML037: {
    rationale:
      'The KEDA HTTP add-on scales its target to zero unless spec.replicas.min says otherwise (the default is 0). Its interceptor holds the first request after an idle period only until its condition-wait timeout, far shorter than a model load, so the request fails while the model loads. A cold-start failover service (spec.coldStartTimeoutFailoverRef) that answers meanwhile is accepted.',
    fix: 'Keep one warm replica (spec.replicas.min: 1), or route to a failover service while the model loads (spec.coldStartTimeoutFailoverRef).',
    bad: gpuPod(vllm('--model, meta-llama/Llama-3.1-8B-Instruct', 1, probes(60))) + httpScaledObject('0'),
    good: gpuPod(vllm('--model, meta-llama/Llama-3.1-8B-Instruct', 1, probes(60))) + httpScaledObject('1'),
  },
  ML038: {
    rationale:
      'hostNetwork, hostPID or hostIPC share the node\'s network, processes or shared memory with the pod, and a hostPath of / mounts the node\'s whole filesystem: whoever controls a container controls the node. The restricted (and baseline) Pod Security profile forbids them. Settings hidden behind a YAML merge key count, as kubectl applies them. DaemonSets get a warning: some node agents need host access, and belong in a separately reviewed namespace.',
    fix: 'Remove the host namespaces and the root hostPath; use a Service for networking, a memory-backed emptyDir at /dev/shm for shared memory, and a PVC or an object store for files.',
    bad: job('        - name: trainer\n          image: registry.example.com/trainer:v1\n').replace('      restartPolicy: Never\n', '      restartPolicy: Never\n      <<: {hostIPC: true}\n'),
    good: job('        - name: trainer\n          image: registry.example.com/trainer:v1\n'),
  },
};
