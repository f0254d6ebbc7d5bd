/**
 * Serving detected by behaviour, not image name (issue 23): clients and sleeping pods in model-server
 * images, management sidecars, proxies in front of a server, pipeline stages of one model instance.
 */
import { review } from '../../src/review';
import { processOf } from '../../src/review/process';
import { Manifest, deployment, findingsOf, firstContainer, pdb, podSpecOf, reviewWithPolicy, service } from './helpers';

/** A Deployment whose only container runs `image` with `command` (no ports, no probes). */
function bare(image: string, command?: string[], args?: string[]): Manifest {
  const d = deployment();
  const c = firstContainer(d);
  c.image = image;
  delete c.ports;
  delete c.readinessProbe;
  delete c.livenessProbe;
  if (command) c.command = command;
  if (args) c.args = args;
  return d;
}

function pod(image: string, command: string[]): Manifest {
  const d = bare(image, command);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ml' }, spec: podSpecOf(d) };
}

const ml002 = (objects: Manifest[]): string[] => findingsOf(reviewWithPolicy(objects), 'ML002').map((f) => `${f.severity} ${f.message}`);

describe('clients are not servers, whatever the image', () => {
  test.each([
    ['a bare pod that sleeps in the vLLM image', pod('vllm/vllm-openai:v0.8.5', ['sleep', 'infinity'])],
    [
      'a Triton SDK pod in a sleep loop',
      bare('nvcr.io/nvidia/tritonserver:24.06-py3-sdk', ['/bin/bash', '-c', '--'], ['while true; do sleep 30; done;']),
    ],
    [
      'a genai-perf client',
      pod('nvcr.io/nvidia/vllm:25.09-py3', ['/bin/sh', '-c', 'pip install genai-perf && genai-perf profile -m m --url llm:8000']),
    ],
    ['vllm bench', bare('vllm/vllm-openai:v0.8.5', ['vllm', 'bench', 'serve', '--model', 'm'])],
    ['benchmark_serving.py', bare('vllm/vllm-openai:v0.8.5', ['python3', 'benchmarks/benchmark_serving.py', '--backend', 'vllm'])],
    ['perf_analyzer', bare('nvcr.io/nvidia/tritonserver:24.06-py3-sdk', ['perf_analyzer', '-m', 'model'])],
    ['tail -f /dev/null', bare('ghcr.io/huggingface/text-generation-inference:2.0.4', ['tail', '-f', '/dev/null'])],
  ])('%s: no ML002', (_, obj) => {
    expect(ml002([obj])).toEqual([]);
  });

  test('the same images serve when they start the server (command, or the image entrypoint)', () => {
    expect(ml002([bare('registry.example.com/base:v1', ['vllm', 'serve', 'meta-llama/Llama-3.1-8B'])])).toEqual([
      expect.stringMatching(/^error .*runs a model server \(vLLM: vllm serve\)/),
    ]);
    expect(ml002([bare('vllm/vllm-openai:v0.8.5', undefined, ['--model', 'm'])])).toEqual([
      expect.stringContaining('runs a model server (vLLM: the entrypoint of vllm/vllm-openai)'),
    ]);
    expect(ml002([bare('nvcr.io/nvidia/tritonserver:24.06-py3', ['tritonserver', '--model-repository=/models'])])).toHaveLength(1);
    // The Triton image has no server entrypoint: without a command it starts nothing.
    expect(ml002([bare('nvcr.io/nvidia/tritonserver:24.06-py3')])).toEqual([]);
  });

  test('a pod whose containers are all clients gets ML001 as a warning, a server as an error', () => {
    const client = bare('nvcr.io/nvidia/tritonserver:24.06-py3-sdk', ['sleep', 'infinity']);
    delete firstContainer(client).resources;
    const server = bare('registry.example.com/base:v1', ['vllm', 'serve', 'm']);
    delete firstContainer(server).resources;
    expect(findingsOf(reviewWithPolicy([client]), 'ML001').map((f) => f.severity)).toEqual(['warning']);
    expect(findingsOf(reviewWithPolicy([server]), 'ML001').map((f) => f.severity)).toEqual(['error']);
  });

  test('processOf recognises `bash -c -- script` and recomputes when the command changes', () => {
    const c: Manifest = { name: 'x', image: 'i', command: ['/bin/bash', '-c', '--'], args: ['sleep 3600'] };
    expect(processOf(c).client).toBe('a placeholder that only sleeps');
    c.args = ['python3 -m vllm.entrypoints.openai.api_server --model m'];
    expect(processOf(c).client).toBeUndefined();
    expect(processOf(c).server?.name).toBe('vLLM');
  });
});

describe('which container of a pod serves', () => {
  test('a Service targeting a numeric port picks the container declaring it, not the first', () => {
    const d = deployment();
    const exporter: Manifest = { ...firstContainer(d), name: 'exporter', ports: [{ containerPort: 9400 }] };
    delete exporter.readinessProbe;
    podSpecOf(d).containers = [exporter, firstContainer(d)];
    const svc = service();
    svc.spec.ports = [{ port: 80, targetPort: 9400 }];
    expect(ml002([d, svc])).toEqual([expect.stringContaining("container 'exporter' receives traffic from Service 'server' on port 9400")]);
    svc.spec.ports = [{ port: 80, targetPort: 8000 }];
    expect(ml002([d, svc])).toEqual([]);
  });

  test('a proxy sidecar receiving traffic is fine when the model server behind it gates readiness', () => {
    const d = bare('registry.example.com/base:v1', ['vllm', 'serve', 'm', '--port', '8200']);
    firstContainer(d).readinessProbe = { httpGet: { path: '/health', port: 8200 } };
    podSpecOf(d).initContainers = [
      { name: 'routing-proxy', image: 'registry.example.com/proxy:v1', restartPolicy: 'Always', ports: [{ containerPort: 8000 }] },
    ];
    const svc = service();
    expect(ml002([d, svc])).toEqual([]);
    delete firstContainer(d).readinessProbe;
    // The fix belongs on the model server: its readiness is what gates the pod.
    expect(ml002([d, svc])).toEqual([
      expect.stringContaining(
        "container 'server' is behind sidecar container 'routing-proxy', which receives traffic from Service 'server' on port 8000, but has no readinessProbe",
      ),
    ]);
  });

  test('a port declared in a Deployment that nothing targets is a warning; its own probe on it proves it serves', () => {
    const d = deployment();
    delete firstContainer(d).readinessProbe;
    delete firstContainer(d).livenessProbe;
    expect(ml002([d])).toEqual([expect.stringMatching(/^warning .*declares port 8000 in a Deployment/)]);
    firstContainer(d).livenessProbe = { httpGet: { path: '/live', port: 8000 } };
    expect(ml002([d])).toEqual([expect.stringMatching(/^error .*serves on port 8000 \(its livenessProbe targets it\)/)]);
  });
});

describe('model loading belongs to the model server, not to its management sidecar', () => {
  test('ML003 skips a sidecar with a fast liveness next to a known server; ML036 judges the server', () => {
    const d = bare('registry.example.com/base:v1', ['vllm', 'serve', '/models/llama-7b']);
    const server = firstContainer(d);
    server.readinessProbe = { httpGet: { path: '/health', port: 8000 } };
    server.livenessProbe = { httpGet: { path: '/live', port: 8000 }, initialDelaySeconds: 10, periodSeconds: 5 };
    podSpecOf(d).containers.push({
      name: 'aibrix-runtime',
      image: 'registry.example.com/runtime:v1',
      command: ['aibrix_runtime', '--port', '8080'],
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 3, periodSeconds: 2 },
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    });
    const report = reviewWithPolicy([d]);
    expect(findingsOf(report, 'ML003')).toEqual([]);
    expect(findingsOf(report, 'ML036').map((f) => f.message)).toEqual([
      expect.stringContaining("container 'server': the livenessProbe kills the container after 25 s"),
    ]);
  });

  test('without a known server, ML003 still holds the main container and never a helper', () => {
    const d = deployment();
    firstContainer(d).livenessProbe = { httpGet: { path: '/live', port: 8000 }, periodSeconds: 10 };
    podSpecOf(d).containers.push({ ...firstContainer(d), name: 'metrics-exporter', ports: [{ containerPort: 9090 }] });
    expect(findingsOf(reviewWithPolicy([d]), 'ML003').map((f) => f.message)).toEqual([expect.stringContaining("container 'server':")]);
  });
});

describe('ML028: pipeline stages of one model instance are not replicas', () => {
  const group = (nodes: number, replicas: number): Manifest => {
    const d = bare('registry.example.com/llama:v1', [
      '/bin/sh',
      '-c',
      `torchrun --nnodes ${nodes} --nproc_per_node 1 --node_rank $RANK inference.py`,
    ]);
    d.kind = 'StatefulSet';
    d.spec.replicas = replicas;
    return d;
  };
  test('a StatefulSet whose 2 pods are one torchrun group is not asked for a PDB', () => {
    expect(findingsOf(reviewWithPolicy([group(2, 2)]), 'ML028')).toEqual([]);
  });
  test('independent replicas (or more replicas than one group) still are', () => {
    expect(findingsOf(reviewWithPolicy([group(1, 2)]), 'ML028')).toHaveLength(1);
    expect(findingsOf(reviewWithPolicy([group(2, 4)]), 'ML028')).toHaveLength(1);
    expect(findingsOf(reviewWithPolicy([group(1, 2), pdb({ maxUnavailable: 1 })]), 'ML028')).toEqual([]);
  });
  test('a vLLM server spanning nodes with pipeline stages (Ray executor) counts as one instance', () => {
    const d = bare('registry.example.com/base:v1', [
      'vllm',
      'serve',
      'm',
      '--pipeline-parallel-size',
      '2',
      '--distributed-executor-backend',
      'ray',
    ]);
    d.kind = 'StatefulSet';
    d.spec.replicas = 2;
    expect(findingsOf(review([d]), 'ML028')).toEqual([]);
  });
});
