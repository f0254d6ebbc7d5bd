/** The rules added by issue 23: ML033-ML038. */
import { parseManifests, review } from '../../src/review';
import { KubeObject } from '../../src/review/types';
import { bytesPerParameter, expectedLoad, parametersOf } from '../../src/review/rules/model-load';
import { Manifest, deployment, findingsOf, firstContainer, job, podSpecOf, reviewWithPolicy, service } from './helpers';

const yaml = (text: string): Manifest[] => parseManifests(text, 'x.yaml').documents.map((d) => d.object as Manifest);

/** A Deployment running `vllm serve` with the given extra args on `gpus` GPUs. */
function vllm(args: string[], gpus: number): Manifest {
  const d = deployment();
  const c = firstContainer(d);
  c.command = ['vllm', 'serve', 'meta-llama/Llama-3.1-8B-Instruct', ...args];
  c.resources = { requests: { cpu: '8', memory: '64Gi' }, limits: { 'nvidia.com/gpu': gpus, memory: '96Gi' } };
  podSpecOf(d).tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
  podSpecOf(d).nodeSelector = { pool: 'gpu' };
  return d;
}

function withShm(d: Manifest, medium = 'Memory'): Manifest {
  podSpecOf(d).volumes = [{ name: 'dshm', emptyDir: { medium, sizeLimit: '16Gi' } }];
  firstContainer(d).volumeMounts = [{ name: 'dshm', mountPath: '/dev/shm' }];
  return d;
}

const ids = (objects: Manifest[], id: string): string[] => findingsOf(reviewWithPolicy(objects), id).map((f) => `${f.severity} ${f.path}`);

describe('ML033 memory-backed /dev/shm for multi-GPU and multi-process work', () => {
  test('tensor parallelism, several GPUs or torchrun processes without /dev/shm are flagged at the container', () => {
    expect(ids([vllm(['--tensor-parallel-size', '2'], 2)], 'ML033')).toEqual(['warning spec.template.spec.containers[0].volumeMounts']);
    expect(ids([vllm([], 4)], 'ML033')).toHaveLength(1);
    const train = job();
    firstContainer(train).command = ['torchrun', '--nproc-per-node=2', 'train.py'];
    expect(ids([train], 'ML033')).toHaveLength(1);
  });
  test('a memory-backed emptyDir (or the host IPC namespace) at /dev/shm, one GPU, or NCCL_SHM_DISABLE=1 pass', () => {
    expect(ids([withShm(vllm(['-tp', '2'], 2))], 'ML033')).toEqual([]);
    expect(ids([withShm(vllm(['-tp', '2'], 2), 'disk')], 'ML033')).toHaveLength(1);
    expect(ids([vllm([], 1)], 'ML033')).toEqual([]);
    const opted = vllm(['-tp', '2'], 2);
    firstContainer(opted).env = [{ name: 'NCCL_SHM_DISABLE', value: '1' }];
    expect(ids([opted], 'ML033')).toEqual([]);
  });
});

describe('ML034 numeric targetPort against the ports the pods listen on', () => {
  test('a targetPort no container declares (nor starts a server on) is flagged; a matching one is not', () => {
    const svc = service();
    svc.spec.ports = [{ port: 80, targetPort: 8080 }];
    expect(ids([deployment(), svc], 'ML034')).toEqual(['warning spec.ports[0].targetPort']);
    svc.spec.ports = [{ port: 8000 }];
    expect(ids([deployment(), svc], 'ML034')).toEqual([]);
  });
  test("a known server's --port counts; a container that declares no port leaves the question open", () => {
    const d = vllm(['--port', '7080'], 1);
    const svc = service();
    svc.spec.ports = [{ port: 80, targetPort: 7080 }];
    expect(ids([d, svc], 'ML034')).toEqual([]);
    delete firstContainer(d).ports;
    firstContainer(d).command = ['python', 'app.py'];
    expect(ids([d, svc], 'ML034')).toEqual([]);
  });
});

describe('ML035 processes per node against GPUs', () => {
  const trainer = (command: string[], gpus: number, env?: Manifest[]): Manifest => {
    const j = job();
    const c = firstContainer(j);
    c.command = command;
    c.resources = { requests: { cpu: '4', memory: '16Gi' }, limits: { 'nvidia.com/gpu': gpus } };
    if (env) c.env = env;
    return j;
  };
  test('more torchrun processes than GPUs is an error, fewer a warning; every spelling counts', () => {
    expect(ids([trainer(['torchrun', '--nproc_per_node', '4', 't.py'], 1)], 'ML035')).toEqual([
      'error spec.template.spec.containers[0].resources.limits',
    ]);
    expect(ids([trainer(['torchrun', '--nproc-per-node=2', 't.py'], 4)], 'ML035')).toEqual([
      'warning spec.template.spec.containers[0].resources.limits',
    ]);
    expect(
      ids([trainer(['python', '-m', 'torch.distributed.run', 't.py'], 1, [{ name: 'PET_NPROC_PER_NODE', value: '8' }])], 'ML035'),
    ).toHaveLength(1);
    expect(ids([trainer(['torchrun', '--nproc_per_node=gpu', 't.py'], 4)], 'ML035')).toEqual([]);
    expect(ids([trainer(['torchrun', '--nproc_per_node=4', 't.py'], 4)], 'ML035')).toEqual([]);
  });
  test("a PyTorchJob's nprocPerNode is torchrun's", () => {
    const [pj] = yaml(`apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: t, namespace: ml}
spec:
  nprocPerNode: "4"
  pytorchReplicaSpecs:
    Worker:
      replicas: 2
      template:
        spec:
          containers:
            - {name: pytorch, image: registry.example.com/t:v1, command: [torchrun, train.py], resources: {limits: {nvidia.com/gpu: 1}}}
`);
    expect(findingsOf(review([pj]), 'ML035').map((f) => f.message)).toEqual([
      expect.stringContaining('starts 4 processes (spec.nprocPerNode 4) but requests 1 GPU'),
    ]);
  });
  test('a single-node server needs tensor × pipeline GPUs; servers spread over nodes are not judged per pod', () => {
    expect(ids([vllm(['--tensor-parallel-size', '4'], 2)], 'ML035')).toEqual(['error spec.template.spec.containers[0].resources.limits']);
    expect(ids([vllm(['-tp', '2', '-pp', '2'], 4)], 'ML035')).toEqual([]);
    expect(ids([vllm(['-tp', '8', '--distributed-executor-backend', 'ray'], 4)], 'ML035')).toEqual([]);
  });
});

describe('ML036 probes against the model load', () => {
  test('model size from the name, quantization from the name or flags', () => {
    expect(parametersOf('meta-llama/Llama-3.1-70B-Instruct')).toBe(70e9);
    expect(parametersOf('google/gemma-3-1b-it')).toBe(1e9);
    expect(parametersOf('mistralai/Mixtral-8x7B-Instruct-v0.1')).toBe(56e9);
    expect(parametersOf('Qwen/Qwen2.5-0.5B')).toBe(0.5e9);
    expect(parametersOf('facebook/opt-125m')).toBeUndefined();
    expect(bytesPerParameter('TheBloke/Llama-2-70B-AWQ')).toBe(0.5);
    expect(bytesPerParameter('m --quantization fp8')).toBe(1);
    expect(bytesPerParameter('meta-llama/Llama-3.1-8B')).toBe(2);
  });

  test('a liveness shorter than a 70B download is flagged; a startupProbe covering it passes', () => {
    const d = vllm([], 8);
    firstContainer(d).command = ['vllm', 'serve', 'meta-llama/Llama-3.1-70B-Instruct', '-tp', '8'];
    firstContainer(d).livenessProbe = { httpGet: { path: '/health', port: 8000 }, initialDelaySeconds: 300, periodSeconds: 10 };
    const [f] = findingsOf(reviewWithPolicy([withShm(d)]), 'ML036');
    expect(f).toMatchObject({ severity: 'warning', path: 'spec.template.spec.containers[0].livenessProbe' });
    expect(f.message).toContain('kills the container after 330 s');
    expect(f.message).toContain(
      'loading the model takes at least 728 s (meta-llama/Llama-3.1-70B-Instruct is about 140 GB of weights, 668 s downloaded at 200 MiB/s',
    );
    firstContainer(d).startupProbe = { httpGet: { path: '/health', port: 8000 }, periodSeconds: 10, failureThreshold: 80 };
    expect(findingsOf(reviewWithPolicy([withShm(d)]), 'ML036')).toEqual([]);
  });

  test('a local path reads fast; the annotations state the load; unknown models fall back to the floor', () => {
    const d = vllm([], 1);
    const c = firstContainer(d);
    c.command = ['vllm', 'serve', '/models/llama-70b'];
    const t = () => ({
      podSpec: podSpecOf(d),
      podLabels: new Map(),
      workloadKind: 'Deployment',
      path: 'spec.template.spec',
      role: 'serving' as const,
    });
    const info = { container: c, name: 'server', role: 'container' as const, path: 'containers[0]' };
    expect(expectedLoad(info, t(), d as KubeObject)?.seconds).toBe(Math.ceil(140e9 / 2 ** 30) + 60);
    d.metadata.annotations = { 'cdk8s-ml.io/model-load-seconds': '900' };
    expect(expectedLoad(info, t(), d as KubeObject)).toEqual({ seconds: 900, evidence: 'cdk8s-ml.io/model-load-seconds: 900' });
    d.metadata.annotations = { 'cdk8s-ml.io/model-size': '20Gi' };
    expect(expectedLoad(info, t(), d as KubeObject)?.seconds).toBe(20 + 60);
    delete d.metadata.annotations;
    c.command = ['vllm', 'serve', '/models/custom'];
    expect(expectedLoad(info, t(), d as KubeObject)).toEqual({
      seconds: 60,
      evidence: 'vLLM needs at least 60 s to load a model and warm up (model size unknown)',
    });
  });
});

describe('ML037 KEDA HTTP add-on scale to zero', () => {
  const http = (extra: string): string => `---
apiVersion: http.keda.sh/v1alpha1
kind: HTTPScaledObject
metadata: {name: llm, namespace: ml}
spec:
  hosts: [llm.example.com]
  scaleTargetRef: {name: server, kind: Deployment, apiVersion: apps/v1, service: server, port: 8000}
${extra}`;
  const slow = (): Manifest => {
    const d = deployment();
    firstContainer(d).startupProbe = { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 10, failureThreshold: 60 };
    delete d.spec.replicas;
    return d;
  };
  test('replicas.min 0 (or unset) in front of a slow server is flagged; a warm replica or a failover passes', () => {
    expect(ids([slow(), ...yaml(http('  replicas: {min: 0, max: 2}\n'))], 'ML037')).toEqual(['warning spec.replicas.min']);
    expect(ids([slow(), ...yaml(http(''))], 'ML037')).toEqual(['warning spec.replicas']);
    expect(ids([slow(), ...yaml(http('  replicas: {min: 1, max: 2}\n'))], 'ML037')).toEqual([]);
    expect(
      ids([slow(), ...yaml(http('  replicas: {min: 0}\n  coldStartTimeoutFailoverRef: {service: busy, port: 80}\n'))], 'ML037'),
    ).toEqual([]);
    expect(ids([deployment(), ...yaml(http('  replicas: {min: 0}\n'))], 'ML037')).toEqual([]); // a fast server
  });
  test("the HTTPScaledObject counts as the target's autoscaler (ML027 pinned replicas)", () => {
    expect(ids([deployment(), ...yaml(http('  replicas: {min: 1}\n'))], 'ML027')).toEqual(['warning spec.replicas']);
  });
  test("without the target in the set, Ollama's default port says a model server is behind it", () => {
    const [o] = yaml(http('  replicas: {min: 0}\n').replace('port: 8000', 'port: 11434'));
    expect(findingsOf(review([o]), 'ML037').map((f) => f.message)).toEqual([
      expect.stringContaining("port 11434 is Ollama's default port"),
    ]);
  });
});

describe('ML038 host namespaces and the node root', () => {
  test('errors for workloads, warnings for DaemonSets; a root hostPath however it is spelt', () => {
    const d = deployment();
    podSpecOf(d).hostPID = true;
    podSpecOf(d).volumes = [
      { name: 'root', hostPath: { path: '//' } },
      { name: 'logs', hostPath: { path: '/var/log' } },
    ];
    expect(ids([d], 'ML038')).toEqual(['error spec.template.spec.hostPID', 'error spec.template.spec.volumes[0].hostPath.path']);
    // The other hostPath stays ML016's.
    expect(findingsOf(reviewWithPolicy([d]), 'ML016').map((f) => f.message)).toContainEqual(
      expect.stringContaining("hostPath volume 'logs' (/var/log)"),
    );
    const ds = { ...deployment(), kind: 'DaemonSet' };
    podSpecOf(ds).hostNetwork = true;
    expect(ids([ds], 'ML038')).toEqual(['warning spec.template.spec.hostNetwork']);
  });
});
