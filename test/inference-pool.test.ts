import { Accelerator, OnlineInference, OnlineInferenceProps, ScalingMetric, ServingRuntime } from '../src';
import { one, synthValid, testChart, yamlOf } from './helpers';

const llama = (over: Partial<OnlineInferenceProps> = {}): OnlineInferenceProps => ({
  image: 'vllm/vllm-openai:v0.11.0',
  runtime: ServingRuntime.vllm(),
  model: { name: 'llama-3-8b', version: 'v1', claimName: 'llama-weights-v1' },
  resources: { cpu: '8', memory: '64Gi' },
  accelerator: Accelerator.nvidiaGpu(1),
  autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.podsAverage('inflight_requests', 4)] },
  route: { gateway: { name: 'inference-gateway', namespace: 'gateways' } },
  inferencePool: {},
  ...over,
});

function synth(props: OnlineInferenceProps) {
  const chart = testChart('llm');
  new OnlineInference(chart, 'llama', props);
  return synthValid(chart);
}

describe('an LLM server behind an InferencePool', () => {
  const objects = synth(llama());
  const pool = one(objects, 'InferencePool');
  const route = one(objects, 'HTTPRoute');
  const policy = one(objects, 'NetworkPolicy');

  test('matches the snapshot', () => {
    expect(yamlOf(objects.filter((o) => ['InferencePool', 'HTTPRoute', 'NetworkPolicy'].includes(o.kind)))).toMatchSnapshot();
  });

  test("the pool selects the workload's pods (stable identity only) on the serving port and references the picker", () => {
    expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
    expect(pool.metadata).toMatchObject({ name: 'llama', namespace: 'llm' });
    expect(pool.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'llama', 'app.kubernetes.io/instance': 'llama' } },
      targetPorts: [{ number: 8000 }],
      appProtocol: 'http',
      endpointPickerRef: { kind: 'Service', name: 'llama-epp', port: { number: 9002 }, failureMode: 'FailClose' },
    });
  });

  test("the HTTPRoute's only backend is the pool (no per-track Services)", () => {
    expect(route.spec.parentRefs).toEqual([{ name: 'inference-gateway', namespace: 'gateways' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama' }]);
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['llama']);
  });

  test('the NetworkPolicy admits the gateway namespace and the endpoint picker pods on the serving port', () => {
    const peers = policy.spec.ingress.map((r: any) => ({ from: r.from, ports: r.ports.map((p: any) => p.port) }));
    expect(peers).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: {} }],
      ports: [8000],
    });
    expect(peers).toContainEqual({ from: [{ podSelector: { matchLabels: { inferencepool: 'llama-epp' } } }], ports: [8000] });
  });
});

test('a picker of your own: name, port, labels and fail-open', () => {
  const objects = synth(
    llama({
      inferencePool: { endpointPicker: { serviceName: 'shared-epp', port: 9010, podLabels: { app: 'epp' }, failureMode: 'FailOpen' } },
    }),
  );
  expect(one(objects, 'InferencePool').spec.endpointPickerRef).toEqual({
    kind: 'Service',
    name: 'shared-epp',
    port: { number: 9010 },
    failureMode: 'FailOpen',
  });
  const from = one(objects, 'NetworkPolicy').spec.ingress.flatMap((r: any) => r.from);
  expect(from).toContainEqual({ podSelector: { matchLabels: { app: 'epp' } } });
});

test('with Triton the picker reads the metrics port', () => {
  const objects = synth(llama({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', runtime: ServingRuntime.triton() }));
  const rule = one(objects, 'NetworkPolicy').spec.ingress.find((r: any) => r.from[0].podSelector?.matchLabels?.inferencepool);
  expect(rule.ports.map((p: any) => p.port)).toEqual([8002]);
});

test('a replica-weighted canary stays behind the pool', () => {
  const objects = synth(
    llama({
      autoscaling: { minReplicas: 3, maxReplicas: 3, metrics: [ScalingMetric.podsAverage('inflight_requests', 4)] },
      rollout: { spareAccelerators: 2 },
      canary: { weight: 25, model: { version: 'v2', claimName: 'llama-weights-v2' } },
    }),
  );
  expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['llama', 'llama-canary']);
  expect(one(objects, 'InferencePool').spec.selector.matchLabels).not.toHaveProperty('cdk8s-ml.io/track');
});

describe('impossible combinations', () => {
  test.each([
    [
      'an InferencePool without a route',
      llama({ route: undefined }),
      /inferencePool \(\{\}\) has no route: nothing sends traffic to an InferencePool but a Gateway route/,
    ],
    [
      'a gateway canary with a pool',
      llama({
        rollout: { spareAccelerators: 2 },
        canary: { weight: 10, strategy: 'gateway', model: { version: 'v2', claimName: 'llama-weights-v2' } },
      }),
      /canary.strategy \(gateway\) splits the route between two Services/,
    ],
    ['a picker selecting every pod', llama({ inferencePool: { endpointPicker: { podLabels: {} } } }), /podLabels \(\{\}\) is empty/],
    [
      'a picker on a bad port',
      llama({ inferencePool: { endpointPicker: { port: 70000 } } }),
      /inferencePool.endpointPicker.port \(70000\) is outside 1-65535/,
    ],
  ] as [string, OnlineInferenceProps, RegExp][])('%s', (_n, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
