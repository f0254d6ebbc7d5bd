import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, OnlineInference, Platform, ScalingMetric } from '../src';

/** The reference's sentiment service and a GPU-backed LLM service. */
export function servingChart(scope: Construct): Chart {
  const chart = new Chart(scope, 'serving', { namespace: 'ml-serving' });
  Platform.configure(chart, { labels: { team: 'nlp' } });

  // kubernetes-for-ml sections 2, 3 and 5: 3-20 replicas on CPU 65 %, 500m/1Gi requests, 2Gi limit.
  new OnlineInference(chart, 'sentiment-inference', {
    image: 'registry.example.com/sentiment-inference:v2.1.0',
    resources: { cpu: '500m', memory: '1Gi', memoryLimit: '2Gi' },
    model: { name: 'sentiment-bert', version: 'v2.1.0' },
    metricsPort: 9090,
    autoscaling: { minReplicas: 3, maxReplicas: 20, metrics: [ScalingMetric.cpuUtilization(65)] },
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
  });

  // One GPU per replica, a 10-minute model load, scaled on in-flight requests per pod,
  // model fetched from object storage and verified before the server starts.
  new OnlineInference(chart, 'llm-chat', {
    image: 'registry.example.com/llm-server@sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904e1b2c3d4e5f60718293a4b5c',
    resources: { cpu: '4', memory: '24Gi', memoryLimit: '32Gi' },
    accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-40GB', sharedMemory: '4Gi' }),
    modelLoadTimeout: Duration.minutes(10),
    model: {
      name: 'llama-chat',
      version: '3.1-8b-q4',
      uri: 'https://models.example.com/llama-chat/3.1-8b-q4/model.gguf',
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      size: '20Gi',
    },
    metricsPort: 9090,
    autoscaling: {
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [ScalingMetric.podsAverage('inflight_requests', 4)],
    },
    networkPolicy: {
      ingressFrom: [{ namespace: 'api-gateway' }],
      egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }],
    },
  });
  return chart;
}
