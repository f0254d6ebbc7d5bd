import { Accelerator, OnlineInference, OnlineInferenceProps, Platform, ProbeHandler, ScalingMetric, ServingRuntime } from '../src';
import { one, synthValid, testChart, yamlOf } from './helpers';

const PICKER = { 'app.kubernetes.io/name': 'llama-epp', 'app.kubernetes.io/instance': 'llama-epp' };
const SERVERS = { 'app.kubernetes.io/name': 'llama', 'app.kubernetes.io/instance': 'llama' };

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
  const policy = one(objects, 'NetworkPolicy', 'llama');

  test('matches the snapshot', () => {
    expect(yamlOf(objects.filter((o) => o.kind !== 'Deployment' || o.metadata.name === 'llama-epp'))).toMatchSnapshot();
  });

  test("the pool selects the workload's pods (stable identity only) on the serving port and references the picker", () => {
    expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
    expect(pool.metadata).toMatchObject({ name: 'llama', namespace: 'llm' });
    expect(pool.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'llama', 'app.kubernetes.io/instance': 'llama' } },
      targetPorts: [{ number: 8000 }],
      endpointPickerRef: { kind: 'Service', name: 'llama-epp', port: { number: 9002 }, failureMode: 'FailClose' },
    });
  });

  test("the HTTPRoute's only backend is the pool (no per-track Services)", () => {
    expect(route.spec.parentRefs).toEqual([{ name: 'inference-gateway', namespace: 'gateways' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama' }]);
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['llama', 'llama-epp']);
  });

  test('the NetworkPolicy admits the gateway namespace and the endpoint picker pods on the serving port', () => {
    const peers = policy.spec.ingress.map((r: any) => ({ from: r.from, ports: r.ports.map((p: any) => p.port) }));
    expect(peers).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: {} }],
      ports: [8000],
    });
    expect(peers).toContainEqual({ from: [{ podSelector: { matchLabels: PICKER } }], ports: [8000] });
  });

  test('the endpoint picker is created with the pool: pinned image, Deployment, Service, RBAC, vLLM config, NetworkPolicy', () => {
    const names = objects
      .filter((o) => o.metadata.name === 'llama-epp')
      .map((o) => o.kind)
      .sort();
    expect(names).toEqual([
      'ConfigMap',
      'Deployment',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    const deploy = one(objects, 'Deployment', 'llama-epp');
    const epp = deploy.spec.template.spec.containers[0];
    expect(epp.image).toBe('registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0');
    expect(epp.args.slice(0, 6)).toEqual([
      '--pool-name',
      'llama',
      '--pool-namespace',
      'llm',
      '--pool-group',
      'inference.networking.k8s.io',
    ]);
    expect(epp.ports.map((p: any) => p.containerPort)).toEqual([9002, 9003, 9090]);
    expect(deploy.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(deploy.spec.template.metadata.labels).toMatchObject(PICKER);
    expect(deploy.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(one(objects, 'Service', 'llama-epp').spec.ports.map((p: any) => p.port)).toEqual([9002, 9090]);
    expect(one(objects, 'Role', 'llama-epp').rules).toContainEqual({
      apiGroups: ['inference.networking.k8s.io'],
      resources: ['inferencepools'],
      verbs: ['get', 'watch', 'list'],
    });
    expect(one(objects, 'RoleBinding', 'llama-epp').subjects).toEqual([{ kind: 'ServiceAccount', name: 'llama-epp', namespace: 'llm' }]);
    expect(one(objects, 'ConfigMap', 'llama-epp').data['plugins.yaml']).toMatch(/type: core-metrics-extractor\nschedulingProfiles/);
    const np = one(objects, 'NetworkPolicy', 'llama-epp').spec;
    const ingress = np.ingress.map((r: any) => ({ from: r.from, ports: r.ports.map((p: any) => p.port) }));
    expect(ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: {} }],
      ports: [9002],
    });
    expect(np.egress).toContainEqual({ to: [{ podSelector: { matchLabels: SERVERS } }], ports: [{ port: 8000, protocol: 'TCP' }] });
  });
});

describe('the created picker keeps a ready replica through rollouts and drains (availability continuous)', () => {
  const objects = synth(llama());
  const deploy = one(objects, 'Deployment', 'llama-epp');
  const epp = deploy.spec.template.spec.containers[0];

  test('two active pickers: no leader election, so each is Ready once it has synced the pool', () => {
    expect(deploy.spec.replicas).toBe(2);
    expect(epp.args).not.toContain('--ha-enable-leader-election');
    expect(epp.readinessProbe.grpc).toEqual({ port: 9003, service: 'inference-extension' });
  });

  test('a rollout starts the new picker before it stops an old one', () => {
    expect(deploy.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('a drain stops one picker at a time, and a broken picker never blocks it', () => {
    expect(one(objects, 'PodDisruptionBudget', 'llama-epp').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: PICKER },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('spread over nodes and zones, as a preference (a small pool still takes the surge pod)', () => {
    const spread = deploy.spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.labelSelector.matchLabels])).toEqual([
      ['kubernetes.io/hostname', 'ScheduleAnyway', PICKER],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', PICKER],
    ]);
  });

  test('a stopping picker keeps answering while the gateway stops calling it, then finishes its open streams', () => {
    expect(epp.lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(deploy.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
    // Before Kubernetes 1.30 the kubelet cannot sleep, and the distroless image has no `sleep` to exec.
    const chart = testChart('llm');
    Platform.configure(chart, { kubernetesVersion: '1.29' });
    new OnlineInference(chart, 'llama', llama());
    const older = one(synthValid(chart), 'Deployment', 'llama-epp').spec.template.spec;
    expect(older.containers[0].lifecycle).toBeUndefined();
    expect(older.terminationGracePeriodSeconds).toBe(30);
  });

  test('the capacity counts both pickers and the surge pod', () => {
    const chart = testChart('llm');
    const svc = new OnlineInference(chart, 'llama', llama());
    expect(svc.endpointPicker!.capacity().maxPods).toBe(3);
    expect(svc.endpointPicker!.replicas).toBe(2);
    expect(svc.endpointPicker!.disruptionBudget).toBeDefined();
  });
});

describe("a single picker (the upstream chart's choice: the best prefix-cache hit rate)", () => {
  test.each<[string, Partial<OnlineInferenceProps>]>([
    [
      "with failureMode 'FailOpen': the gateway picks a pod itself while the picker is away",
      { inferencePool: { endpointPicker: { replicas: 1, failureMode: 'FailOpen' } } },
    ],
    ['for a best-effort service (by default)', { availability: 'best-effort' }],
    ['for a parked service (by default)', { autoscaling: undefined, replicas: 0 }],
  ])('%s', (_name, over) => {
    const objects = synth(llama(over));
    const deploy = one(objects, 'Deployment', 'llama-epp');
    expect(deploy.spec.replicas).toBe(1);
    expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deploy.spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'llama-epp')).toEqual([]);
  });

  test('three pickers for more routing throughput', () => {
    const objects = synth(llama({ inferencePool: { endpointPicker: { replicas: 3 } } }));
    expect(one(objects, 'Deployment', 'llama-epp').spec.replicas).toBe(3);
    expect(one(objects, 'PodDisruptionBudget', 'llama-epp').spec.maxUnavailable).toBe(1);
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

test('your own server names the engine the picker reads', () => {
  const objects = synth(
    llama({
      image: 'registry.example.com/sglang:0.5.0',
      runtime: ServingRuntime.generic({ port: 30000, readiness: ProbeHandler.httpGet('/health'), liveness: ProbeHandler.tcpSocket() }),
      inferencePool: { modelServer: 'sglang' },
    }),
  );
  expect(one(objects, 'ConfigMap', 'llama-epp').data['plugins.yaml']).toMatch(/defaultEngine: sglang/);
  expect(one(objects, 'InferencePool').spec.targetPorts).toEqual([{ number: 30000 }]);
});

test('appProtocol only where needed: h2c for a gRPC server, on Inference Extension v1.4.0 or later', () => {
  const grpc = (over: Partial<OnlineInferenceProps> = {}) =>
    llama({
      image: 'registry.example.com/grpc-server:1.0',
      runtime: ServingRuntime.generic({ readiness: ProbeHandler.grpc(), liveness: ProbeHandler.tcpSocket() }),
      inferencePool: { modelServer: 'vllm', appProtocol: 'kubernetes.io/h2c' },
      ...over,
    });
  expect(one(synth(grpc()), 'InferencePool').spec.appProtocol).toBe('kubernetes.io/h2c');
  const chart = testChart('llm');
  Platform.configure(chart, { addons: { inferenceExtension: 'v1.2.0' } });
  expect(() => new OnlineInference(chart, 'llama', grpc())).toThrow(
    /inferencePool.appProtocol \(kubernetes.io\/h2c\) needs InferencePool spec.appProtocol, available from inferenceExtension v1.4.0, but the platform states inferenceExtension v1.2.0/,
  );
});

test('a route under a prefix replaces it with the server root (URLRewrite ReplacePrefixMatch)', () => {
  const route = one(synth(llama({ route: { gateway: { name: 'inference-gateway' }, pathPrefix: '/llama' } })), 'HTTPRoute');
  expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/llama' } }]);
  expect(route.spec.rules[0].filters).toEqual([
    { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
  ]);
  expect(one(synth(llama()), 'HTTPRoute').spec.rules[0].filters).toBeUndefined();
});

test('a replica-weighted canary stays behind the pool', () => {
  const objects = synth(
    llama({
      autoscaling: { minReplicas: 3, maxReplicas: 3, metrics: [ScalingMetric.podsAverage('inflight_requests', 4)] },
      rollout: { spareAccelerators: 2 },
      canary: { weight: 25, model: { version: 'v2', claimName: 'llama-weights-v2' } },
    }),
  );
  expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['llama', 'llama-canary', 'llama-epp']);
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
    [
      'a picker selecting every pod',
      llama({ inferencePool: { endpointPicker: { serviceName: 'epp', podLabels: {} } } }),
      /podLabels \(\{\}\) is empty/,
    ],
    [
      'a picker on a bad port',
      llama({ inferencePool: { endpointPicker: { serviceName: 'epp', port: 70000 } } }),
      /inferencePool.endpointPicker.port \(70000\) is outside 1-65535/,
    ],
    [
      'a single picker that fails closed under continuous availability',
      llama({ inferencePool: { endpointPicker: { replicas: 1 } } }),
      /inferencePool.endpointPicker.replicas \(1\) leaves the pool without a ready picker while it is replaced \(Recreate\) or its node is drained, and failureMode FailClose makes the gateway drop every request meanwhile, so availability 'continuous' cannot be kept; run 2 pickers \(remove replicas\), or set failureMode: 'FailOpen'/,
    ],
    [
      'no picker at all',
      llama({ inferencePool: { endpointPicker: { replicas: 0, failureMode: 'FailOpen' } } }),
      /inferencePool.endpointPicker.replicas \(0\) is not a whole number from 1 to 2147483647/,
    ],
    [
      'replicas for your own picker',
      llama({ inferencePool: { endpointPicker: { serviceName: 'epp', replicas: 3 } } }),
      /inferencePool.endpointPicker.replicas \(3\) configures the picker the library creates, but serviceName \(epp\) names your own/,
    ],
    [
      'a port for the created picker',
      llama({ inferencePool: { endpointPicker: { port: 9010 } } }),
      /endpointPicker.port \(9010\) describes your own picker, but no serviceName says where it is/,
    ],
    [
      'a pool in front of TGI',
      llama({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', runtime: ServingRuntime.tgi() }),
      /inferencePool \(tgi\) is in front of tgi, whose metrics the endpoint picker .* cannot read.*; serve with ServingRuntime.vllm/,
    ],
    [
      'a pool in front of Triton',
      llama({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', runtime: ServingRuntime.triton() }),
      /inferencePool \(triton\) is in front of triton/,
    ],
    [
      'a pool in front of your own server without its engine',
      llama({ image: 'registry.example.com/server:1', runtime: undefined }),
      /inferencePool.modelServer \(unset\) is required in front of your own server/,
    ],
    [
      'HTTP/2 to vLLM',
      llama({ inferencePool: { appProtocol: 'kubernetes.io/h2c' } }),
      /inferencePool.appProtocol \(kubernetes.io\/h2c\) is HTTP\/2, but the vllm server speaks HTTP\/1.1/,
    ],
    [
      'a prefix forwarded to vLLM unchanged',
      llama({ route: { gateway: { name: 'inference-gateway' }, pathPrefix: '/llama', rewritePrefix: false } }),
      /route.rewritePrefix \(false\) forwards \/llama\/... unchanged, but the vllm server serves its API at \//,
    ],
  ] as [string, OnlineInferenceProps, RegExp][])('%s', (_n, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
