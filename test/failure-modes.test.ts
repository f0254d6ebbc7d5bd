import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import {
  Accelerator,
  BatchScoringJob,
  MlEnvValue,
  GpuTrainingJob,
  MlNamespace,
  ModelCache,
  OnlineInference,
  OnlineInferenceProps,
  Platform,
  ProbeHandler,
  QueueTrigger,
  QueueWorker,
  QueueWorkerProps,
  ScalingMetric,
  ServingRuntime,
} from '../src';
import { container, one, podSpec, synthValid, testChart } from './helpers';

/**
 * The reference's failure modes that were still open (issue 21): each describe block fails on the library
 * before the fix and passes after.
 */

const SHA = 'c'.repeat(64);
const EGRESS = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };
const serving = (over: Partial<OnlineInferenceProps> = {}): OnlineInferenceProps => ({
  image: 'registry.example.com/scorer:v1.0.0',
  resources: { cpu: '1', memory: '2Gi' },
  ...over,
});
const build =
  (props: OnlineInferenceProps, chart = testChart()) =>
  () => {
    new OnlineInference(chart, 'scorer', props);
    return synthValid(chart);
  };

describe('OOM below the load peak: the memory limit covers the model loaded into host memory', () => {
  const model = (size: string, file = 'model.onnx') => ({
    name: 'scorer',
    version: 'v1',
    uri: `https://models.example.com/scorer/v1/${file}`,
    sha256: SHA,
    size,
  });

  test('a 40Gi model with a 512Mi limit is refused, with the numbers', () => {
    expect(build(serving({ resources: { cpu: '1', memory: '512Mi' }, model: model('40Gi'), replicas: 2, networkPolicy: EGRESS }))).toThrow(
      "OnlineInference 'test/scorer': resources.memory (512Mi) is below the load peak in host memory: the 40Gi model (model.size) loaded whole into host memory + 256Mi generic server = 40.25Gi; the kernel OOM-kills the server while it loads, on every start; set resources.memory to at least 41Gi, or serve a smaller (quantized) model",
    );
  });

  test('the memory limit counts, not the request; enough room passes', () => {
    expect(
      build(
        serving({ resources: { cpu: '1', memory: '2Gi', memoryLimit: '8Gi' }, model: model('6Gi'), replicas: 2, networkPolicy: EGRESS }),
      ),
    ).not.toThrow();
    expect(
      build(
        serving({ resources: { cpu: '1', memory: '2Gi', memoryLimit: '4Gi' }, model: model('6Gi'), replicas: 2, networkPolicy: EGRESS }),
      ),
    ).toThrow(/resources.memoryLimit \(4Gi\) is below the load peak in host memory: the 6Gi model/);
  });

  test('a tarball counts its content (half the declared archive + content)', () => {
    const tar = { ...model('20Gi', 'model.tar'), format: 'tar' as const };
    expect(build(serving({ resources: { cpu: '1', memory: '11Gi' }, model: tar, replicas: 2, networkPolicy: EGRESS }))).not.toThrow();
    expect(build(serving({ resources: { cpu: '1', memory: '8Gi' }, model: tar, replicas: 2, networkPolicy: EGRESS }))).toThrow(
      /the 10Gi model \(model.size\) loaded whole/,
    );
  });

  describe('on an accelerator the runtime decides', () => {
    const gpu = (over: Partial<OnlineInferenceProps>) =>
      serving({
        accelerator: Accelerator.nvidiaGpu(1),
        replicas: 2,
        availability: 'best-effort',
        rollout: { maxSurge: 0, maxUnavailable: 1 },
        networkPolicy: false,
        ...over,
      });
    const weights = { name: 'llama', version: 'v1', claimName: 'llama-v1' };

    test('vLLM streams safetensors to the GPUs: a 140Gi model in a 64Gi limit is fine, 1Gi is not (the server itself)', () => {
      const runtime = ServingRuntime.vllm({ modelSize: '140Gi' });
      expect(build(gpu({ runtime, model: weights, resources: { cpu: '16', memory: '64Gi' } }))).not.toThrow();
      expect(build(gpu({ runtime, model: weights, resources: { cpu: '16', memory: '1Gi' } }))).toThrow(
        /resources.memory \(1Gi\) is below the load peak in host memory: 2Gi for the vllm server \(its weights go to the accelerator without being held in host memory\)/,
      );
    });

    test('Triton deserializes its model files in host memory', () => {
      const runtime = ServingRuntime.triton({ modelSize: '40Gi' });
      expect(build(gpu({ runtime, model: weights, resources: { cpu: '16', memory: '32Gi' } }))).toThrow(
        /the 40Gi model \(runtime.modelSize\) loaded whole into host memory \+ 512Mi triton server = 40.5Gi/,
      );
    });

    test('a generic server: a PyTorch checkpoint loads whole, safetensors are memory-mapped', () => {
      const checkpoint = { ...model('40Gi', 'model.pt') };
      const safetensors = { ...model('40Gi', 'model.safetensors') };
      const over = { resources: { cpu: '16', memory: '32Gi' }, networkPolicy: EGRESS, rollout: { maxSurge: 0, maxUnavailable: 1 } };
      expect(build(gpu({ ...over, model: checkpoint }))).toThrow(/the 40Gi model \(model.size\) loaded whole into host memory/);
      expect(build(gpu({ ...over, model: safetensors }))).not.toThrow();
    });
  });

  test('a canary with a bigger model is checked too', () => {
    expect(
      build(
        serving({
          resources: { cpu: '1', memory: '4Gi' },
          model: { ...model('2Gi'), claimName: undefined },
          autoscaling: { minReplicas: 9, maxReplicas: 9 },
          canary: {
            weight: 10,
            model: { version: 'v2', uri: 'https://models.example.com/scorer/v2/model.onnx', sha256: 'd'.repeat(64), size: '8Gi' },
          },
          networkPolicy: EGRESS,
        }),
      ),
    ).toThrow(/resources.memory \(4Gi\) is below the load peak in host memory: the 8Gi model \(canary.model.size\)/);
  });

  test('a batch scorer too', () => {
    const chart = testChart();
    expect(
      () =>
        new BatchScoringJob(chart, 'nightly', {
          image: 'registry.example.com/scorer:v1.0.0',
          resources: { cpu: '1', memory: '1Gi' },
          model: model('4Gi'),
          networkPolicy: EGRESS,
        }),
    ).toThrow(/BatchScoringJob 'test\/nightly': resources.memory \(1Gi\) is below the load peak in host memory: the 4Gi model/);
  });
});

describe('pull secrets: the platform says which registry needs which secret', () => {
  const platformed = (conventions: Parameters<typeof Platform.configure>[1]) => {
    const chart = testChart();
    Platform.configure(chart, conventions);
    return chart;
  };

  test('an image from such a registry without the secret is an error; the workload or platform secret fixes it', () => {
    const registry = { registryPullSecrets: { 'registry.example.com': 'registry-credentials' } };
    expect(build(serving({ replicas: 2 }), platformed(registry))).toThrow(
      "OnlineInference 'test/scorer': image (registry.example.com/scorer:v1.0.0) comes from registry.example.com, which needs the pull secret 'registry-credentials' (platform registryPullSecrets), but the pod's imagePullSecrets are empty: the pod would stay in ImagePullBackOff; add imagePullSecrets: ['registry-credentials'] to the workload, or to the platform's imagePullSecrets for every pod",
    );
    const objects = build(serving({ replicas: 2, imagePullSecrets: ['registry-credentials'] }), platformed(registry))();
    expect(podSpec(one(objects, 'Deployment')).imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    expect(build(serving({ replicas: 2 }), platformed({ ...registry, imagePullSecrets: ['registry-credentials'] }))).not.toThrow();
  });

  test("the library's own helper images too (a mirrored fetcher), the longest registry prefix wins", () => {
    const chart = platformed({
      registryPullSecrets: { 'mirror.example.com': 'mirror-pull', 'mirror.example.com/private': 'private-pull' },
      modelFetcher: { image: 'mirror.example.com/private/curl:8.10.1' },
    });
    const props = serving({
      replicas: 2,
      imagePullSecrets: ['mirror-pull'],
      model: { name: 'm', version: 'v1', uri: 'https://models.example.com/m.onnx', sha256: SHA, size: '1Gi' },
      networkPolicy: EGRESS,
    });
    expect(build(props, chart)).toThrow(
      /image of init container 'fetch-model' \(mirror.example.com\/private\/curl:8.10.1\) comes from mirror.example.com\/private, which needs the pull secret 'private-pull'/,
    );
  });

  test('a secret name the API server would refuse is an error', () => {
    expect(build(serving({ replicas: 2, imagePullSecrets: ['Registry_Creds'] }))).toThrow(
      /imagePullSecrets\[0\] \(Registry_Creds\) is not a valid Secret name, which the API server refuses; use lowercase letters/,
    );
    expect(() => Platform.configure(Testing.app(), { imagePullSecrets: ['ok', 'Not OK'] })).toThrow(
      /platform imagePullSecrets\[1\] \(Not OK\) is not a valid Secret name/,
    );
    expect(() => Platform.configure(Testing.app(), { registryPullSecrets: { 'registry.example.com': 'creds!' } })).toThrow(
      /platform registryPullSecrets\['registry.example.com'\]\[0\] \(creds!\) is not a valid Secret name/,
    );
    expect(() => Platform.configure(Testing.app(), { registryPullSecrets: { 'https://registry.example.com': 'creds' } })).toThrow(
      /platform registryPullSecrets \(https:\/\/registry.example.com\) is not a registry host/,
    );
  });
});

describe('a bare TCP readiness check on a model server', () => {
  test('is an error, from the probes or from a generic runtime', () => {
    expect(build(serving({ replicas: 2, probes: { readiness: { handler: ProbeHandler.tcpSocket() } } }))).toThrow(
      /probes.readiness.handler \(tcp serving port\) is a bare TCP check: it passes once the server listens, which many servers do before the model is loaded/,
    );
    expect(build(serving({ replicas: 2, runtime: ServingRuntime.generic({ readiness: ProbeHandler.tcpSocket() }) }))).toThrow(
      /runtime \(readiness\) \(tcp serving port\) is a bare TCP check/,
    );
  });
  test('liveness may stay a TCP check (process alive)', () => {
    expect(build(serving({ replicas: 2, probes: { liveness: { handler: ProbeHandler.tcpSocket() } } }))).not.toThrow();
  });
});

describe('GPU services and queue workers scaled on CPU only', () => {
  const gpu = (autoscaling: NonNullable<OnlineInferenceProps['autoscaling']>) =>
    serving({ accelerator: Accelerator.nvidiaGpu(1), autoscaling, rollout: { spareAccelerators: 1 } });

  test('an accelerator service on cpuUtilization only is an error; an explicit resourceBound passes and answers ML020', () => {
    expect(build(gpu({ minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.cpuUtilization(60)] }))).toThrow(
      /autoscaling.metrics \(cpu\) scale an accelerator service on CPU\/memory only: CPU stays low while the GPU saturates.*or set autoscaling.resourceBound: true/,
    );
    const objects = build(gpu({ minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.cpuUtilization(60)], resourceBound: true }))();
    expect(one(objects, 'HorizontalPodAutoscaler').metadata.annotations).toEqual({
      'cdk8s-ml.io/review-disable': 'ML020=declared resource-bound (autoscaling.resourceBound)',
    });
    expect(build(gpu({ minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.podsAverage('inflight_requests', 4)] }))).not.toThrow();
  });

  const worker = (over: Partial<QueueWorkerProps>) => () =>
    new QueueWorker(testChart(), 'w', {
      image: 'registry.example.com/worker:v1.0.0',
      resources: { cpu: '1', memory: '1Gi' },
      maxProcessingTime: Duration.minutes(1),
      minReplicas: 1,
      maxReplicas: 5,
      triggers: [QueueTrigger.cpuUtilization(70)],
      networkPolicy: { egressTo: [{ to: { namespace: 'queues' } }] },
      ...over,
    });
  test('a queue worker on CPU only is an error unless resourceBound', () => {
    expect(worker({})).toThrow(
      /QueueWorker 'test\/w': triggers \(cpu\) scale the worker on CPU\/memory only: the backlog waiting in the broker is invisible to them/,
    );
    expect(worker({ resourceBound: true })).not.toThrow();
  });
});

describe('a pod bigger than any node, without declared node pools', () => {
  const gpus = (n: number, product: string, gpusPerNode?: number) =>
    build(
      serving({
        accelerator: Accelerator.nvidiaGpu(n, { product, gpusPerNode }),
        replicas: 2,
        availability: 'best-effort',
        rollout: { maxSurge: 0, maxUnavailable: 1 },
        autoscaling: undefined,
        resources: { cpu: '1', memory: '64Gi' },
      }),
    );
  test('more GPUs than an HGX baseboard of that product carries is an error', () => {
    expect(gpus(16, 'NVIDIA-H100-80GB-HBM3')).toThrow(
      /accelerator.count \(16\) is more than any node with NVIDIA-H100-80GB-HBM3 has \(8: HGX H100\/H200.*\), so the pod can never be scheduled/,
    );
    expect(gpus(8, 'NVIDIA-H100-80GB-HBM3')).not.toThrow();
    expect(gpus(16, 'NVIDIA-A100-SXM4-40GB')).not.toThrow(); // GCP a2-megagpu-16g
  });
  test('PCIe products are not guessed; a declared gpusPerNode wins', () => {
    expect(gpus(10, 'NVIDIA-L4')).not.toThrow();
    expect(gpus(12, 'NVIDIA-H100-80GB-HBM3', 16)).not.toThrow();
  });
});

describe('a model mounted from a plain claim names its version or lists its hashes', () => {
  test('an unversioned claim without hashes is an error; a versioned one passes', () => {
    expect(build(serving({ replicas: 2, model: { name: 'fraud-gbm', version: 'v3.2.0', claimName: 'fraud-models' } }))).toThrow(
      /model.claimName \(fraud-models\) does not name the model version \(v3.2.0\) and no files with their sha256 are given: whatever is on the claim serves as v3.2.0.*name the claim after the version \(e.g. 'fraud-gbm-v3-2-0'/,
    );
    expect(
      build(serving({ replicas: 2, model: { name: 'fraud-gbm', version: 'v3.2.0', claimName: 'fraud-models-v3-2-0' } })),
    ).not.toThrow();
    // A version that is only a prefix of the claim's token does not count.
    expect(build(serving({ replicas: 2, model: { name: 'm', version: 'v1', claimName: 'models-v10' } }))).toThrow(
      /does not name the model version/,
    );
  });

  test('with files, a read-only check runs before the server: a changed file stops the pod (the script, run)', () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const objects = build(
      serving({ replicas: 2, model: { name: 'm', version: 'v7', claimName: 'shared-models', files: { 'model.onnx': sha('weights') } } }),
    )();
    const init = podSpec(one(objects, 'Deployment')).initContainers[0];
    expect(init).toMatchObject({ name: 'verify-model', volumeMounts: [{ name: 'model', mountPath: '/models', readOnly: true }] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claim-'));
    try {
      const env = Object.fromEntries(init.env.map((e: any) => [e.name, e.value]));
      const run = () =>
        execFileSync('sh', ['-c', init.command[2]], { env: { PATH: process.env.PATH, ...env, MODEL_DIR: dir }, stdio: 'pipe' });
      fs.writeFileSync(path.join(dir, 'model.onnx'), 'weights');
      expect(run).not.toThrow();
      fs.writeFileSync(path.join(dir, 'model.onnx'), 'other weights');
      expect(run).toThrow(/model claim shared-models does not hold m v7: sha256 mismatch or missing file/);
      expect(fs.readFileSync(path.join(dir, 'model.onnx'), 'utf8')).toBe('other weights'); // nothing wiped: not ours
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('accelerators are never unlimited in an MlNamespace', () => {
  const namespaced = (quota: ConstructorParameters<typeof MlNamespace>[2]['quota'], accelerator: Accelerator) => {
    const app = new App();
    new MlNamespace(new Chart(app, 'platform'), 'ml', { quota });
    new OnlineInference(new Chart(app, 'serving', { namespace: 'ml' }), 'llm', {
      ...serving({ accelerator, replicas: 2, availability: 'best-effort', rollout: { maxSurge: 0, maxUnavailable: 1 } }),
    });
    return () => Testing.synth(app.charts[0]);
  };
  test('a quota that omits them caps nvidia.com/gpu at 0', () => {
    const app = new App();
    const ns = new MlNamespace(new Chart(app, 'platform'), 'ml', { quota: { requestsCpu: '8' } });
    expect(ApiObject.of(ns.resourceQuota).toJson().spec.hard).toEqual({ 'requests.cpu': '8', 'requests.nvidia.com/gpu': '0' });
    expect(namespaced({ requestsCpu: '64' }, Accelerator.nvidiaGpu(1))).toThrow(
      /quota requests.nvidia.com\/gpu \(0\) is below the worst case/,
    );
  });
  test('an accelerator the workloads use but the quota does not list is an error', () => {
    expect(namespaced({ requestsCpu: '64', accelerators: { 'nvidia.com/gpu': 8 } }, Accelerator.nvidiaMig('1g.5gb', 1))).toThrow(
      /quota.accelerators \(\{ nvidia.com\/gpu: 8 \}\) does not list nvidia.com\/mig-1g.5gb, which llm requests: its use in the namespace would be unlimited/,
    );
  });
});

describe('a scale-down cooldown shorter than the known startup', () => {
  const slow = (behavior?: NonNullable<OnlineInferenceProps['autoscaling']>['behavior']) =>
    build(
      serving({
        resources: { cpu: '1', memory: '12Gi' },
        modelLoadTimeout: Duration.minutes(8),
        model: { name: 'm', version: 'v1', uri: 'https://models.example.com/m.onnx', sha256: SHA, size: '8Gi' },
        autoscaling: { minReplicas: 2, maxReplicas: 4, behavior },
        networkPolicy: EGRESS,
      }),
    );
  test('an explicit window shorter than download + load is an error', () => {
    expect(slow({ scaleDown: { stabilizationWindow: Duration.minutes(5) } })).toThrow(
      /autoscaling.behavior.scaleDown.stabilizationWindow \(300s\) is shorter than the workload's startup \(562s: a 82s model download at 100 MiB\/s \(platform downloadBandwidthMiBps\) \+ 480s model load\)/,
    );
  });
  test('the default window follows the startup', () => {
    expect(one(slow()(), 'HorizontalPodAutoscaler').spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(562);
  });
  test("a queue worker's window covers its startupTime", () => {
    const worker = (window?: Duration) => () =>
      new QueueWorker(testChart(), 'w', {
        image: 'registry.example.com/worker:v1.0.0',
        resources: { cpu: '1', memory: '1Gi' },
        env: { RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq', 'url') },
        maxProcessingTime: Duration.minutes(1),
        startupTime: Duration.minutes(8),
        cooldownPeriod: Duration.minutes(10),
        maxReplicas: 5,
        behavior: window ? { scaleDown: { stabilizationWindow: window } } : undefined,
        triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'RABBITMQ_URL' })],
        networkPolicy: { egressTo: [{ to: { namespace: 'queues' } }] },
      });
    expect(worker(Duration.minutes(1))).toThrow(
      /behavior.scaleDown.stabilizationWindow \(60s\) is shorter than the workload's startup \(480s: startupTime\)/,
    );
    expect(
      worker()().scaledObject!.toJson().spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds,
    ).toBe(480);
  });
});

describe("a namespace default CPU limit below a server's request", () => {
  const app = (cpuLimit?: string) => {
    const a = new App();
    new MlNamespace(new Chart(a, 'platform'), 'ml', { quota: { requestsCpu: '64' }, containerDefaults: { cpuLimit: '1' } });
    new OnlineInference(
      new Chart(a, 'serving', { namespace: 'ml' }),
      'llm',
      serving({ resources: { cpu: '4', memory: '4Gi', cpuLimit }, replicas: 2 }),
    );
    return () => Testing.synth(a.charts[0]);
  };
  test('is an error naming both; a CPU limit of its own fixes it', () => {
    expect(app()).toThrow(
      /OnlineInference 'serving\/llm': resources.cpu \(4\) is above the default cpu limit \(1\) that LimitRange 'ml' \(platform\/ml\/LimitRange\) gives a container without one: admission gives the container that limit, below its request, and the API server rejects every pod; set a cpu limit of at least 4 on the container \(resources.cpuLimit of a cdk8s-ml workload\), or raise containerDefaults.cpuLimit of MlNamespace 'platform\/ml' to at least 4/,
    );
    expect(app('4')).not.toThrow();
  });
});

describe('multi-worker training without a queue where the platform uses Kueue', () => {
  const trainer = (workers: number, queueName?: string) => () => {
    const chart = testChart();
    Platform.configure(chart, { kueue: true });
    new GpuTrainingJob(chart, 'trainer', {
      image: 'registry.example.com/trainer:v1.0.0',
      resources: { cpu: '8', memory: '32Gi' },
      accelerator: Accelerator.nvidiaGpu(1),
      workers,
      queueName,
    });
  };
  test('is an error; a queue or a single worker is fine', () => {
    expect(trainer(4)).toThrow(
      /GpuTrainingJob 'test\/trainer': queueName \(unset\) is unset on a 4-worker job, but the platform admits jobs through Kueue: without a queue the workers start one by one/,
    );
    expect(trainer(4, 'training')).not.toThrow();
    expect(trainer(1)).not.toThrow();
  });
});

describe('one replica owner per Deployment: no KEDA beside an HPA, no resizing VPA', () => {
  const hpa = (chart: Chart, target: string) =>
    new ApiObject(chart, `hpa-${target}`, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: `${target}-extra` },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 1, maxReplicas: 3 },
    });
  const vpa = (chart: Chart, target: string, updateMode: string) =>
    new ApiObject(chart, `vpa-${target}`, {
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata: { name: `${target}-vpa` },
      spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, updatePolicy: { updateMode } },
    });

  test("an HPA beside a queue-scaled (KEDA) LLM server's ScaledObject", () => {
    const chart = testChart();
    new OnlineInference(chart, 'llm', {
      image: 'registry.example.com/vllm:v0.11.0',
      runtime: ServingRuntime.vllm(),
      model: { name: 'llama', version: 'v1', claimName: 'llama-v1' },
      resources: { cpu: '8', memory: '64Gi' },
      accelerator: Accelerator.nvidiaGpu(1),
      autoscaling: { minReplicas: 2, maxReplicas: 4, queue: { waitingPerReplica: 8 } },
      monitoring: {},
      rollout: { spareAccelerators: 1 },
    });
    hpa(chart, 'llm');
    expect(() => Testing.synth(chart)).toThrow(
      /OnlineInference 'test\/llm': deployment \(llm\) is also scaled by HorizontalPodAutoscaler 'llm-extra' \(test\/hpa-llm\); two autoscalers overwrite each other's replica count; remove the other autoscaler: this workload's ScaledObject owns the replica count/,
    );
  });

  test('an HPA on a fixed-replica service, and on its canary', () => {
    const fixed = testChart();
    new OnlineInference(fixed, 'scorer', serving({ replicas: 3 }));
    hpa(fixed, 'scorer');
    expect(() => Testing.synth(fixed)).toThrow(
      /deployment \(scorer\) has a fixed replica count but is also scaled by HorizontalPodAutoscaler 'scorer-extra'/,
    );
    const canary = testChart();
    new OnlineInference(
      canary,
      'scorer',
      serving({
        model: { name: 'm', version: 'v1', claimName: 'm-v1' },
        autoscaling: { minReplicas: 9, maxReplicas: 12 },
        canary: { weight: 10, model: { version: 'v2', claimName: 'm-v2' } },
      }),
    );
    hpa(canary, 'scorer-canary');
    expect(() => Testing.synth(canary)).toThrow(
      /deployment \(scorer-canary\) is also scaled by HorizontalPodAutoscaler 'scorer-canary-extra'/,
    );
  });

  test('a VPA that resizes (Auto) an autoscaled Deployment; Off (recommendations) and a fixed count are fine', () => {
    const auto = testChart();
    new OnlineInference(auto, 'scorer', serving({ autoscaling: { minReplicas: 2, maxReplicas: 4 } }));
    vpa(auto, 'scorer', 'Auto');
    expect(() => Testing.synth(auto)).toThrow(
      /deployment \(scorer\) is also resized by VerticalPodAutoscaler 'scorer-vpa' \(test\/vpa-scorer\), which evicts pods to change their requests while the HorizontalPodAutoscaler scales on those requests; set the VerticalPodAutoscaler's updatePolicy.updateMode to 'Off'/,
    );
    const off = testChart();
    new OnlineInference(off, 'scorer', serving({ autoscaling: { minReplicas: 2, maxReplicas: 4 } }));
    vpa(off, 'scorer', 'Off');
    expect(() => Testing.synth(off)).not.toThrow();
    const fixed = testChart();
    new OnlineInference(fixed, 'scorer', serving({ replicas: 2 }));
    vpa(fixed, 'scorer', 'Auto');
    expect(() => Testing.synth(fixed)).not.toThrow();
  });

  test("a VPA on a queue worker's Deployment", () => {
    const chart = testChart();
    new QueueWorker(chart, 'w', {
      image: 'registry.example.com/worker:v1.0.0',
      resources: { cpu: '1', memory: '1Gi' },
      env: { RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq', 'url') },
      maxProcessingTime: Duration.minutes(1),
      maxReplicas: 5,
      triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'RABBITMQ_URL' })],
      networkPolicy: { egressTo: [{ to: { namespace: 'queues' } }] },
    });
    vpa(chart, 'w', 'Recreate');
    expect(() => Testing.synth(chart)).toThrow(
      /deployment \(w\) is also resized by VerticalPodAutoscaler 'w-vpa'.*while the ScaledObject scales/,
    );
  });
});

describe('a scale-up that downloads the model once per new pod (stampede)', () => {
  const fetched = (size: string, over: Partial<OnlineInferenceProps> = {}, chart = testChart()) =>
    build(
      serving({
        resources: { cpu: '1', memory: '64Gi' },
        model: { name: 'm', version: 'v1', uri: 'https://models.example.com/m.onnx', sha256: SHA, size },
        autoscaling: { minReplicas: 2, maxReplicas: 10 },
        networkPolicy: EGRESS,
        ...over,
      }),
      chart,
    );
  test('a large model fetched per pod under an autoscaler is an error, with the burst', () => {
    expect(fetched('40Gi')).toThrow(
      /model.uri \(40Gi \(model.size\)\) is downloaded by every new pod: scaling from 2 to 10 replicas pulls it up to 8 times at once \(320Gi\) from the store, above the platform's maxPerPodDownload \(10Gi\); fill a ModelCache once/,
    );
  });
  test('a small model, a fixed count, a ModelCache, or a platform that serves it are fine', () => {
    expect(fetched('4Gi')).not.toThrow();
    expect(fetched('40Gi', { autoscaling: undefined, replicas: 3 })).not.toThrow();
    const raised = testChart();
    Platform.configure(raised, { maxPerPodDownload: '50Gi' });
    expect(fetched('40Gi', {}, raised)).not.toThrow();
    const cached = testChart();
    const cache = new ModelCache(cached, 'm-v1', {
      uri: 'https://models.example.com/m.onnx',
      sha256: SHA,
      size: '40Gi',
      networkPolicy: EGRESS,
      accessMode: 'ReadWriteMany',
    });
    expect(fetched('40Gi', { model: { name: 'm', version: 'v1', cache } }, cached)).not.toThrow();
  });
});

describe('queue worker probes', () => {
  const worker = (over: Partial<QueueWorkerProps>) => () => {
    const chart = testChart();
    new QueueWorker(chart, 'w', {
      image: 'registry.example.com/worker:v1.0.0',
      resources: { cpu: '1', memory: '1Gi' },
      env: { RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq', 'url') },
      maxProcessingTime: Duration.minutes(1),
      maxReplicas: 5,
      triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'RABBITMQ_URL' })],
      networkPolicy: { egressTo: [{ to: { namespace: 'queues' } }] },
      ...over,
    });
    return container(one(synthValid(chart), 'Deployment'), 'worker');
  };
  test('liveness and readiness on the endpoint the worker serves; a startup probe covers startupTime', () => {
    const c = worker({
      startupTime: Duration.minutes(2),
      probes: {
        liveness: { handler: ProbeHandler.httpGet('/healthz', { port: 8080 }) },
        readiness: { handler: ProbeHandler.exec(['cat', '/tmp/connected']) },
      },
    })();
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 8080 },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(c.readinessProbe).toMatchObject({ exec: { command: ['cat', '/tmp/connected'] }, periodSeconds: 5 });
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10, failureThreshold: 12 });
  });
  test('a port-based check needs a port (or metricsPort)', () => {
    expect(worker({ probes: { liveness: { handler: ProbeHandler.httpGet('/healthz') } } })).toThrow(
      /probes.liveness.handler \(http \/healthz\) names no port, and the worker has no metricsPort to probe/,
    );
    expect(
      worker({ metricsPort: 9100, probes: { liveness: { handler: ProbeHandler.httpGet('/healthz') } } })().livenessProbe.httpGet,
    ).toEqual({
      path: '/healthz',
      port: 9100,
    });
  });
});
