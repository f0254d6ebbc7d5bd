import { Duration } from 'cdk8s';
import { Accelerator, OnlineInference, OnlineInferenceProps, ScalingMetric, ServingRuntime } from '../src';
import { container, one, podSpec, synthValid, testChart, yamlOf } from './helpers';

const GPU = (n: number, gpusPerNode?: number) => Accelerator.nvidiaGpu(n, { gpusPerNode });
const base = {
  resources: { cpu: '8', memory: '64Gi' },
  autoscaling: { minReplicas: 1, maxReplicas: 2, metrics: [ScalingMetric.podsAverage('inflight_requests', 4)] },
  availability: 'best-effort' as const,
  networkPolicy: false as const,
};

function serve(props: Partial<OnlineInferenceProps> & Pick<OnlineInferenceProps, 'image'>, id = 'llm') {
  const chart = testChart('llm');
  const svc = new OnlineInference(chart, id, { ...base, ...props } as OnlineInferenceProps);
  const objects = synthValid(chart);
  return { svc, objects, deploy: one(objects, 'Deployment'), server: container(one(objects, 'Deployment'), 'server') };
}

const mounted = { name: 'llama-3-8b', version: 'v1', claimName: 'llama-weights-v1', size: '16Gi' };

describe('vLLM preset', () => {
  const { objects, deploy, server } = serve({
    image: 'vllm/vllm-openai:v0.11.0',
    runtime: ServingRuntime.vllm({ maxModelLen: 8192, dtype: 'bfloat16', gpuMemoryUtilization: 0.9 }),
    model: mounted,
    accelerator: GPU(2, 8),
  });

  test('matches the snapshot', () => {
    expect(yamlOf(objects)).toMatchSnapshot();
  });

  test('runs `vllm serve` on the mounted weights with tensor parallelism = the GPU count', () => {
    expect(server.command).toEqual(['vllm', 'serve']);
    expect(server.args).toEqual([
      '/models',
      '--port',
      '8000',
      '--served-model-name',
      'llama-3-8b',
      '--tensor-parallel-size',
      '2',
      '--max-model-len',
      '8192',
      '--dtype',
      'bfloat16',
      '--gpu-memory-utilization',
      '0.9',
    ]);
  });

  test('listens on 8000 with /health for readiness and startup, TCP for liveness; metrics on the serving port', () => {
    expect(server.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(server.readinessProbe.httpGet).toEqual({ path: '/health', port: 8000 });
    expect(server.startupProbe.httpGet).toEqual({ path: '/health', port: 8000 });
    expect(server.livenessProbe.tcpSocket).toEqual({ port: 8000 });
    expect(one(objects, 'Service').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8000 }]);
  });

  test("local weights: offline, HF_HOME in the server's writable home", () => {
    const env = Object.fromEntries(server.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ HF_HUB_OFFLINE: '1', HF_HOME: '/home/model-server/.cache/huggingface' });
  });

  test('tensor parallelism gets a 16Gi memory-backed /dev/shm', () => {
    const shm = podSpec(deploy).volumes.find((v: any) => v.name === 'dshm');
    expect(shm.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '16384Mi' });
  });

  test('the startup budget comes from the model size: 16Gi at 200 MiB/s + 3 min warm-up', () => {
    const p = server.startupProbe;
    expect(p.periodSeconds * p.failureThreshold).toBeGreaterThanOrEqual(Math.ceil((16 * 1024) / 200) + 180);
    expect(p.periodSeconds * (p.failureThreshold - 1)).toBeLessThan(Math.ceil((16 * 1024) / 200) + 180);
  });
});

describe('vLLM with a Hugging Face repo id', () => {
  test('read offline from a mounted shared cache: HF_HOME is the model volume', () => {
    const { server } = serve({
      image: 'vllm/vllm-openai:v0.11.0',
      model: mounted,
      accelerator: GPU(1),
      runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', hfToken: { secretName: 'hf' } }),
    });
    expect(server.args[0]).toBe('meta-llama/Llama-3.1-8B-Instruct');
    const env = Object.fromEntries(server.env.map((e: any) => [e.name, e]));
    expect(env.HF_HOME.value).toBe('/models');
    expect(env.HF_HUB_CACHE.value).toBe('/models/hub');
    expect(env.HUGGINGFACE_HUB_CACHE.value).toBe('/models/hub');
    expect(env.HF_HUB_OFFLINE.value).toBe('1');
    expect(env.HF_TOKEN).toEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } });
  });

  test('downloaded at start into a cache volume sized from the model, with egress declared', () => {
    const { deploy, server } = serve({
      image: 'vllm/vllm-openai:v0.11.0',
      accelerator: GPU(1),
      networkPolicy: { egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
      runtime: ServingRuntime.vllm({
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        modelSize: '16Gi',
        hfToken: { secretName: 'hf', key: 'HF_TOKEN' },
        unverifiedDownload: true,
      }),
    });
    const cache = podSpec(deploy).volumes.find((v: any) => v.name === 'hf-cache');
    expect(cache.emptyDir.sizeLimit).toBe(`${Math.ceil(16 * 1024 * 1.1)}Mi`);
    expect(server.volumeMounts).toContainEqual({ name: 'hf-cache', mountPath: '/var/cache/huggingface' });
    expect(server.env.find((e: any) => e.name === 'HF_HOME').value).toBe('/var/cache/huggingface');
  });
});

describe('TGI preset', () => {
  const { server } = serve({
    image: 'ghcr.io/huggingface/text-generation-inference:3.3.4',
    runtime: ServingRuntime.tgi({ maxModelLen: 8192, maxInputTokens: 6144, dtype: 'bfloat16', gpuMemoryUtilization: 0.95 }),
    model: mounted,
    accelerator: GPU(2),
  });

  test('the launcher gets the model, port 8080, one shard per GPU and the token limits', () => {
    expect(server.command).toBeUndefined();
    expect(server.args).toEqual([
      '--model-id',
      '/models',
      '--port',
      '8080',
      '--num-shard',
      '2',
      '--max-input-tokens',
      '6144',
      '--max-total-tokens',
      '8192',
      '--dtype',
      'bfloat16',
      '--cuda-memory-fraction',
      '0.95',
    ]);
  });

  test('/health for readiness, metrics on the serving port', () => {
    expect(server.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(server.readinessProbe.httpGet).toEqual({ path: '/health', port: 8080 });
    expect(server.livenessProbe.tcpSocket).toEqual({ port: 8080 });
  });
});

describe('Triton preset', () => {
  const { objects, server } = serve({
    image: 'nvcr.io/nvidia/tritonserver:25.01-py3',
    runtime: ServingRuntime.triton(),
    model: mounted,
    accelerator: GPU(1),
  });

  test('HTTP 8000, gRPC 8001, metrics 8002, on the pod and the Service', () => {
    expect(server.ports).toEqual([
      { name: 'http', containerPort: 8000, protocol: 'TCP' },
      { name: 'grpc', containerPort: 8001, protocol: 'TCP' },
      { name: 'metrics', containerPort: 8002, protocol: 'TCP' },
    ]);
    expect(one(objects, 'Service').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 8000 },
      { name: 'grpc', port: 8001, targetPort: 8001 },
      { name: 'metrics', port: 8002, targetPort: 8002 },
    ]);
  });

  test('KServe v2 health endpoints and the model repository argument', () => {
    expect(server.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 8000 });
    expect(server.livenessProbe.httpGet).toEqual({ path: '/v2/health/live', port: 8000 });
    expect(server.command).toEqual(['tritonserver']);
    expect(server.args).toEqual(['--model-repository=/models', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002']);
  });
});

test("the generic runtime is today's default: /ready and /live on 8000", () => {
  const { server } = serve({ image: 'registry.example.com/scorer:v1', runtime: ServingRuntime.generic() });
  expect(server.readinessProbe.httpGet.path).toBe('/ready');
  expect(server.livenessProbe.httpGet.path).toBe('/live');
  expect(server.args).toBeUndefined();
});

describe('queue-depth autoscaling', () => {
  const cases = [
    ['vllm', ServingRuntime.vllm(), 'sum(vllm:num_requests_waiting{namespace="llm",service="llm"})'],
    ['tgi', ServingRuntime.tgi(), 'sum(tgi_queue_size{namespace="llm",service="llm"})'],
    ['triton', ServingRuntime.triton(), 'sum(nv_inference_pending_request_count{namespace="llm",service="llm"})'],
  ] as const;
  test.each(cases)('%s: a KEDA Prometheus trigger on the queue summed over the workload, per replica', (_n, runtime, query) => {
    const { svc, objects, deploy } = serve({
      image: 'registry.example.com/llm:v1',
      runtime,
      model: mounted,
      accelerator: GPU(1),
      monitoring: {},
      autoscaling: { minReplicas: 1, maxReplicas: 6, queue: { waitingPerReplica: 4 } },
    });
    const so = one(objects, 'ScaledObject');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' });
    expect(so.spec.triggers).toEqual([
      {
        type: 'prometheus',
        name: 'queue-depth',
        metricType: 'AverageValue',
        metadata: { serverAddress: 'http://prometheus-operated.monitoring.svc:9090', query, threshold: '4' },
      },
    ]);
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([1, 6]);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(deploy.spec.replicas).toBeUndefined();
    expect(svc.autoscaler).toBeUndefined();
  });
});

describe('impossible combinations', () => {
  const vllm = { image: 'vllm/vllm-openai:v0.11.0', model: mounted };
  test.each([
    [
      'tensor parallel larger than one node',
      { ...vllm, accelerator: GPU(8, 4), runtime: ServingRuntime.vllm({ tensorParallelSize: 8 }) },
      /runtime.tensorParallelSize \(8\) is larger than the GPUs of one node \(4\)/,
    ],
    [
      'tensor parallel different from the GPU count',
      { ...vllm, accelerator: GPU(2), runtime: ServingRuntime.vllm({ tensorParallelSize: 4 }) },
      /runtime.tensorParallelSize \(4\) differs from the pod's GPU count \(2\)/,
    ],
    [
      'tensor parallel without an accelerator',
      { ...vllm, runtime: ServingRuntime.vllm({ tensorParallelSize: 2 }) },
      /is above 1 but the pod has no accelerator/,
    ],
    [
      'pipeline parallel in one pod',
      { ...vllm, accelerator: GPU(1), runtime: ServingRuntime.vllm({ pipelineParallelSize: 2 }) },
      /pipelineParallelSize \(2\) spans several nodes/,
    ],
    [
      'no model at all',
      { image: vllm.image, accelerator: GPU(1), runtime: ServingRuntime.vllm() },
      /runtime.model \(unset\) is not set and no model is mounted/,
    ],
    [
      'a download with a deny-all policy',
      {
        image: vllm.image,
        accelerator: GPU(1),
        networkPolicy: {},
        runtime: ServingRuntime.vllm({ model: 'org/model', modelSize: '10Gi', unverifiedDownload: true }),
      },
      /networkPolicy.egressTo \(unset\) allows no destination, so the vllm server could not download its model/,
    ],
    [
      'a download of unknown size',
      { image: vllm.image, accelerator: GPU(1), runtime: ServingRuntime.vllm({ model: 'org/model', unverifiedDownload: true }) },
      /runtime.modelSize \(unset\) is needed to size the download cache/,
    ],
    [
      'an unverified download not opted into',
      { image: vllm.image, accelerator: GPU(1), runtime: ServingRuntime.tgi({ model: 'org/model', modelSize: '10Gi' }) },
      /runtime.model \(org\/model\) would be downloaded from the Hub at start by every replica, at whatever revision is newest, with no checksum; fill a ModelCache .* or set unverifiedDownload: true/,
    ],
    [
      "a port other than the runtime's",
      { ...vllm, port: 9000, accelerator: GPU(1), runtime: ServingRuntime.vllm() },
      /port \(9000\) differs from the port the vllm runtime is started on \(8000\)/,
    ],
    [
      'TGI input tokens not below the total',
      { ...vllm, accelerator: GPU(1), runtime: ServingRuntime.tgi({ maxModelLen: 4096, maxInputTokens: 4096 }) },
      /maxInputTokens \(4096\) is not below maxModelLen/,
    ],
    [
      'tensor parallel not dividing the attention heads',
      { ...vllm, accelerator: GPU(8), runtime: ServingRuntime.vllm({ attentionHeads: 28 }) },
      /runtime.tensorParallelSize \(8\) does not divide the model's 28 attention heads, so the server refuses to shard it; use a tensor-parallel size \(and GPU count\) that divides 28: 1, 2, 4/,
    ],
    [
      'a memory limit with no room beside the tensor-parallel /dev/shm',
      { ...vllm, accelerator: GPU(2), resources: { cpu: '8', memory: '24Gi' }, runtime: ServingRuntime.vllm() },
      /resources.memoryLimit \(24Gi\) leaves too little room beside the 16Gi memory-backed \/dev\/shm/,
    ],
    [
      'a GPU memory share above 1',
      { ...vllm, accelerator: GPU(1), runtime: ServingRuntime.vllm({ gpuMemoryUtilization: 90 }) },
      /gpuMemoryUtilization \(90\) is not in \(0, 1\]/,
    ],
    [
      'queue scaling without a runtime',
      { image: vllm.image, monitoring: {}, autoscaling: { minReplicas: 1, maxReplicas: 2, queue: { waitingPerReplica: 4 } } },
      /autoscaling.queue .* needs a runtime that exposes a queue metric \(no runtime is set\)/,
    ],
    [
      'queue scaling without monitoring',
      {
        ...vllm,
        accelerator: GPU(1),
        runtime: ServingRuntime.vllm(),
        autoscaling: { minReplicas: 1, maxReplicas: 2, queue: { waitingPerReplica: 4 } },
      },
      /needs the queue metric in Prometheus, but monitoring is off/,
    ],
  ] as [string, any, RegExp][])('%s', (_name, props, message) => {
    expect(() => serve(props)).toThrow(message);
  });

  test('an explicit modelLoadTimeout still wins over the size-based budget', () => {
    const { server } = serve({ ...vllm, accelerator: GPU(1), runtime: ServingRuntime.vllm(), modelLoadTimeout: Duration.minutes(30) });
    expect(server.startupProbe.failureThreshold * server.startupProbe.periodSeconds).toBe(1800);
  });
});

test('LLM servers write their caches under a writable HOME of its own, the root filesystem being read-only', () => {
  for (const runtime of [ServingRuntime.vllm(), ServingRuntime.tgi()]) {
    const { server } = serve({ image: 'registry.example.com/llm:v1', runtime, model: mounted, accelerator: GPU(1) });
    expect(server.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(server.env).toContainEqual({ name: 'HOME', value: '/home/model-server' });
    expect(server.volumeMounts).toContainEqual({ name: 'home', mountPath: '/home/model-server' });
    expect(server.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  }
});
