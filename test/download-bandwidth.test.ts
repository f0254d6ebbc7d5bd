import { Chart, Duration, Testing } from 'cdk8s';
import { Accelerator, MultiHostInference, OnlineInference, OnlineInferenceProps, Platform, ServingRuntime } from '../src';
import { container, one, synthValid } from './helpers';

/*
 * One download rate: every startup and budget estimate (a fetch's timeout, a cache fill's deadline, the
 * scale-down window, the startup probe of a server that downloads its weights) uses the platform's
 * `downloadBandwidthMiBps` (default 100 MiB/s), never a rate of its own.
 */

const SHA = 'c'.repeat(64);
const EGRESS = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };

function chartWith(bandwidth?: number): Chart {
  const app = Testing.app();
  if (bandwidth !== undefined) Platform.configure(app, { downloadBandwidthMiBps: bandwidth });
  return new Chart(app, 'test', { namespace: 'ml' });
}

describe('the scale-down window counts the per-pod download at the platform bandwidth', () => {
  // 8Gi fetched by every new pod, 480 s of load.
  const props = (window?: Duration): OnlineInferenceProps => ({
    image: 'registry.example.com/scorer:v1.0.0',
    resources: { cpu: '1', memory: '12Gi' },
    modelLoadTimeout: Duration.minutes(8),
    model: { name: 'm', version: 'v1', uri: 'https://models.example.com/m.onnx', sha256: SHA, size: '8Gi' },
    autoscaling: { minReplicas: 2, maxReplicas: 4, behavior: window ? { scaleDown: { stabilizationWindow: window } } : undefined },
    networkPolicy: EGRESS,
  });
  const window = (bandwidth?: number) => {
    const chart = chartWith(bandwidth);
    new OnlineInference(chart, 'scorer', props());
    return one(synthValid(chart), 'HorizontalPodAutoscaler').spec.behavior.scaleDown.stabilizationWindowSeconds;
  };

  test('the default bandwidth (100 MiB/s): 8 GiB in 82 s + 480 s of load', () => {
    expect(window()).toBe(82 + 480);
  });

  test('a declared bandwidth: 8 GiB at 50 MiB/s in 164 s, at 400 MiB/s in 21 s', () => {
    expect(window(50)).toBe(164 + 480);
    expect(window(400)).toBe(21 + 480);
  });

  test('the error states the rate and where it comes from', () => {
    expect(() => new OnlineInference(chartWith(50), 'scorer', props(Duration.minutes(10)))).toThrow(
      "autoscaling.behavior.scaleDown.stabilizationWindow (600s) is shorter than the workload's startup (644s: a 164s model download at 50 MiB/s (platform downloadBandwidthMiBps) + 480s model load)",
    );
  });
});

describe("a server that downloads its weights at start: the startup probe covers the download at the platform's bandwidth", () => {
  // 16 GiB: at 100 MiB/s 164 s of transfer, a download budget of 205 + 5 x 70 + 60 = 615 s; read at 200 MiB/s 82 s; vLLM's warm-up 180 s.
  const probeSeconds = (bandwidth?: number) => {
    const chart = chartWith(bandwidth);
    new OnlineInference(chart, 'llm', {
      image: 'vllm/vllm-openai:v0.11.0',
      resources: { cpu: '8', memory: '64Gi' },
      accelerator: Accelerator.nvidiaGpu(1),
      replicas: 2,
      networkPolicy: { egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
      runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', modelSize: '16Gi', unverifiedDownload: true }),
    });
    const p = container(one(synthValid(chart), 'Deployment'), 'server').startupProbe;
    return p.periodSeconds * p.failureThreshold;
  };

  test('default bandwidth: download budget + load + warm-up', () => {
    const seconds = probeSeconds();
    expect(seconds).toBeGreaterThanOrEqual(615 + 82 + 180);
    expect(seconds - 10).toBeLessThan(615 + 82 + 180);
  });

  test('a slower store lengthens it (25 MiB/s: 656 s of transfer, a budget of 820 + 410 = 1230 s)', () => {
    const seconds = probeSeconds(25);
    expect(seconds).toBeGreaterThanOrEqual(1230 + 82 + 180);
    expect(seconds - 10).toBeLessThan(1230 + 82 + 180);
  });

  test('MultiHostInference: the leader waits for the download too', () => {
    const startup = (bandwidth?: number) => {
      const chart = chartWith(bandwidth);
      new MultiHostInference(chart, 'llm', {
        image: 'vllm/vllm-openai:v0.11.0',
        groupSize: 2,
        replicas: 2,
        accelerator: Accelerator.nvidiaGpu(8),
        resources: { cpu: '32', memory: '512Gi' },
        networkPolicy: { egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
        vllm: { model: 'meta-llama/Llama-3.1-405B-Instruct', modelSize: '16Gi', unverifiedDownload: true },
      });
      const lws = synthValid(chart).find((o) => o.kind === 'LeaderWorkerSet')!;
      const p = lws.spec.leaderWorkerTemplate.leaderTemplate.spec.containers.find((c: any) => c.name === 'server').startupProbe;
      return p.periodSeconds * p.failureThreshold;
    };
    expect(startup(25) - startup()).toBeGreaterThanOrEqual(1230 - 615);
  });
});
