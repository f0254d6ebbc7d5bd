import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, MlNamespace, ModelCache, MultiHostInference, OnlineInference, Platform, ServingRuntime } from '../src';

const VLLM = 'registry.example.com/vllm/vllm-openai:v0.11.0';
const GATEWAY = { name: 'inference-gateway', namespace: 'gateways' };
const MODEL_STORE = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };
// The endpoint picker created with each InferencePool, from the platform's mirror of registry.k8s.io.
const PICKER = { endpointPicker: { image: 'registry.example.com/gateway-api-inference-extension/epp:v1.5.0' } };

/**
 * An LLM platform: a 70B-class model on vLLM with tensor parallelism 4 behind an InferencePool, scaled
 * on requests waiting; and a 405B model across two 8-GPU nodes per replica on a LeaderWorkerSet.
 * Weights come once into shared read-only caches (a verified tarball from the model store).
 */
export function llmChart(scope: Construct): Chart {
  const chart = new Chart(scope, 'llm', { namespace: 'ml-llm' });
  Platform.configure(chart, {
    labels: { team: 'genai' },
    // Weights are shared by replicas on several nodes: a filesystem every node mounts (block storage attaches to one).
    modelCacheStorage: { storageClass: 'shared-rwx', readWriteMany: true },
    // What the model store sustains to one pod; download, fill and startup budgets are derived from it.
    downloadBandwidthMiBps: 500,
  });
  new MlNamespace(chart, 'ml-llm', {
    quota: {
      requestsCpu: '256',
      requestsMemory: '2600Gi',
      limitsMemory: '3200Gi',
      accelerators: { 'nvidia.com/gpu': 48 },
      pods: 24,
      persistentVolumeClaims: 2,
      requestsStorage: '2Ti',
      requestsEphemeralStorage: '200Gi',
    },
  });

  const llama70b = new ModelCache(chart, 'llama-3-1-70b-weights', {
    uri: 'https://models.example.com/llama-3.1-70b-instruct/2024-07.tar',
    format: 'tar',
    sha256: '3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8556',
    size: '290Gi',
    networkPolicy: MODEL_STORE,
  });
  // Tensor parallelism 4 = the pod's 4 GPUs (of an 8-GPU node); 2-4 replicas on requests waiting per replica;
  // the endpoint picker behind the InferencePool routes each request to the least loaded replica.
  new OnlineInference(chart, 'llama-70b', {
    image: VLLM,
    // modelSize: the weights (bf16), not the cache's archive + extracted size; it sizes the startup budget.
    runtime: ServingRuntime.vllm({
      maxModelLen: 16384,
      dtype: 'bfloat16',
      gpuMemoryUtilization: 0.92,
      attentionHeads: 64,
      modelSize: '132Gi',
    }),
    model: { name: 'llama-3.1-70b-instruct', version: '2024-07', cache: llama70b },
    resources: { cpu: '16', memory: '160Gi', memoryLimit: '192Gi' },
    accelerator: Accelerator.nvidiaGpu(4, { product: 'NVIDIA-H100-80GB-HBM3', gpusPerNode: 8 }),
    autoscaling: { minReplicas: 2, maxReplicas: 4, queue: { waitingPerReplica: 8 } },
    route: { gateway: GATEWAY },
    inferencePool: PICKER,
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
  });

  const llama405b = new ModelCache(chart, 'llama-3-1-405b-weights', {
    uri: 'https://models.example.com/llama-3.1-405b-instruct-fp8/2024-07.tar',
    format: 'tar',
    sha256: 'ef97418fcd2c74283094cdd4febf02c2a9d31a020452f11e60799fa54a0f89da',
    size: '900Gi',
    networkPolicy: MODEL_STORE,
  });
  // 405B in FP8 does not fit one 8-GPU node: each replica is a leader and a worker node, tensor
  // parallelism 8 inside each pod and a 2-stage pipeline across them; a lost pod restarts its group.
  new MultiHostInference(chart, 'llama-405b', {
    image: VLLM,
    groupSize: 2,
    replicas: 2,
    vllm: { maxModelLen: 16384, attentionHeads: 128, modelSize: '380Gi' },
    model: { name: 'llama-3.1-405b-instruct-fp8', version: '2024-07', cache: llama405b },
    resources: { cpu: '32', memory: '400Gi', memoryLimit: '480Gi' },
    accelerator: Accelerator.nvidiaGpu(8, { product: 'NVIDIA-H100-80GB-HBM3', gpusPerNode: 8 }),
    route: { gateway: GATEWAY, pathPrefix: '/405b' },
    inferencePool: PICKER,
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
  });
  return chart;
}
