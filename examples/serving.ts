import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, MlEnvValue, ModelCache, OnlineInference, Platform, ScalingMetric } from '../src';

/** The reference's sentiment service and a GPU-backed LLM service. */
export function servingChart(scope: Construct): Chart {
  const chart = new Chart(scope, 'serving', { namespace: 'ml-serving' });
  // Model caches are read by replicas on several nodes: a shared filesystem (block storage attaches to one node).
  Platform.configure(chart, { labels: { team: 'nlp' }, modelCacheStorage: { storageClass: 'shared-rwx', readWriteMany: true } });

  // kubernetes-for-ml sections 2, 3 and 5: 3-20 replicas on CPU 65 %, 500m/1Gi requests, 2Gi limit.
  new OnlineInference(chart, 'sentiment-inference', {
    image: 'registry.example.com/sentiment-inference:v2.1.0',
    resources: { cpu: '500m', memory: '1Gi', memoryLimit: '2Gi' },
    model: { name: 'sentiment-bert', version: 'v2.1.0' },
    metricsPort: 9090,
    autoscaling: { minReplicas: 3, maxReplicas: 20, metrics: [ScalingMetric.cpuUtilization(65)] },
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
  });

  // One GPU per replica, a 10-minute model load, scaled on in-flight requests per pod. The 20Gi model is
  // fetched from object storage and verified once into a shared claim: a scale-up from 2 to 8 replicas
  // would otherwise pull it 6 times at once.
  const llmChatWeights = new ModelCache(chart, 'llama-chat-3-1-8b-q4', {
    uri: 'https://models.example.com/llama-chat/3.1-8b-q4/model.gguf',
    sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    size: '20Gi',
    networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
  });
  new OnlineInference(chart, 'llm-chat', {
    image: 'registry.example.com/llm-server@sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904e1b2c3d4e5f60718293a4b5c',
    resources: { cpu: '4', memory: '24Gi', memoryLimit: '32Gi' },
    accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-40GB', sharedMemory: '4Gi' }),
    modelLoadTimeout: Duration.minutes(10),
    model: { name: 'llama-chat', version: '3.1-8b-q4', cache: llmChatWeights },
    metricsPort: 9090,
    autoscaling: {
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [ScalingMetric.podsAverage('inflight_requests', 4)],
    },
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
  });
  // A directory model from the Hugging Face Hub (through the company's Hub mirror), at a pinned commit,
  // every file checked against its sha256: fetched once into a shared read-only claim by a Job, then
  // mounted by every replica and every rollout without another download.
  const rerankerWeights = new ModelCache(chart, 'bge-reranker-base-weights', {
    huggingFace: {
      repo: 'BAAI/bge-reranker-base',
      revision: '2cfc18c9415c912f9d8155881c133215df768a70',
      endpoint: 'https://hf-mirror.example.com',
    },
    files: {
      'config.json': '5a2b1fa7e2b9a5e4c16d0bd3d7b9b1e1d1b8bd5a0a2a5e0d9cd0f6b0e7e8a1c2',
      'model.safetensors': 'c0e5f7b0a1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
      'special_tokens_map.json': '3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b',
      'tokenizer.json': '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b',
      'tokenizer_config.json': '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988',
    },
    size: '2Gi',
    token: { secretName: 'hf-mirror-token' },
    networkPolicy: { egressTo: [{ to: { cidr: '10.30.0.0/16' }, ports: [443] }] },
  });
  new OnlineInference(chart, 'reranker', {
    image: 'registry.example.com/reranker-server:v1.2.0',
    resources: { cpu: '2', memory: '4Gi', memoryLimit: '6Gi' },
    model: { name: 'bge-reranker-base', version: '2cfc18c', cache: rerankerWeights },
    env: { RERANKER_API_KEY: MlEnvValue.fromSecret('reranker', 'api-key') },
    autoscaling: { minReplicas: 2, maxReplicas: 6, metrics: [ScalingMetric.cpuUtilization(70)] },
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
  });
  return chart;
}
