import { App } from 'cdk8s';
import { Accelerator, MultiHostInference, MultiHostInferenceProps, reviewApp } from '../src';
import { one, synthValid, testChart, yamlOf } from './helpers';

const props = (over: Partial<MultiHostInferenceProps> = {}): MultiHostInferenceProps => ({
  image: 'vllm/vllm-openai:v0.11.0',
  groupSize: 2,
  replicas: 2,
  vllm: { model: 'meta-llama/Llama-3.1-405B-Instruct', maxModelLen: 16384, hfToken: { secretName: 'hf-token' } },
  model: { name: 'llama-3-1-405b', version: '2024-07', claimName: 'hf-cache-405b-2024-07', size: '800Gi' },
  resources: { cpu: '32', memory: '512Gi' },
  accelerator: Accelerator.nvidiaGpu(8, { gpusPerNode: 8 }),
  ...over,
});

function synth(p: MultiHostInferenceProps) {
  const chart = testChart('llm');
  const w = new MultiHostInference(chart, 'llama-405b', p);
  return { w, objects: synthValid(chart) };
}

describe('vLLM across two nodes on a LeaderWorkerSet', () => {
  const { w, objects } = synth(props());
  const lws = one(objects, 'LeaderWorkerSet');
  const t = lws.spec.leaderWorkerTemplate;
  const leader = t.leaderTemplate.spec.containers[0];
  const worker = t.workerTemplate.spec.containers[0];

  test('matches the snapshot', () => {
    expect(yamlOf(objects)).toMatchSnapshot();
  });

  test("one headless Service per group: the workload's own Service is ClusterIP, so LWS's shared one would never be made", () => {
    const lws = one(objects, 'LeaderWorkerSet', 'llama-405b');
    expect(lws.spec.networkConfig).toEqual({ subdomainPolicy: 'UniquePerReplica' });
    expect(one(objects, 'Service', 'llama-405b').spec.type).toBe('ClusterIP');
  });

  test('objects named after the workload', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'LeaderWorkerSet/llama-405b',
      'NetworkPolicy/llama-405b',
      'PodDisruptionBudget/llama-405b',
      'Service/llama-405b',
      'ServiceAccount/llama-405b',
    ]);
  });

  test('groups of groupSize pods, recreated together, workers started with the leader', () => {
    expect(lws.apiVersion).toBe('leaderworkerset.x-k8s.io/v1');
    expect(lws.spec.replicas).toBe(2);
    expect(t.size).toBe(2);
    expect(t.restartPolicy).toBe('RecreateGroupOnPodRestart');
    expect(lws.spec.startupPolicy).toBe('LeaderCreated');
    expect(lws.spec.rolloutStrategy).toEqual({ type: 'RollingUpdate', rollingUpdateConfiguration: { maxSurge: 0, maxUnavailable: 1 } });
  });

  test('the leader starts the Ray head for the group, then vllm serve with TP = GPUs per pod and PP = group size', () => {
    expect(leader.command[0]).toBe('sh');
    // The script itself is executed in test/scripts/multi-host-start.test.ts.
    expect(leader.command[2]).toMatch(/^ray start --head --port=6379$/m);
    expect(leader.command[2].split('\n').pop()).toBe(
      'exec vllm serve meta-llama/Llama-3.1-405B-Instruct --port 8000 --served-model-name llama-3-1-405b --tensor-parallel-size 8 --pipeline-parallel-size 2 --max-model-len 16384',
    );
    expect(leader.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(leader.readinessProbe.httpGet).toEqual({ path: '/health', port: 8000 });
  });

  test("workers join the leader's Ray head and serve no HTTP", () => {
    expect(worker.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(worker.command[2]).toMatch(/until ray start --address="\$LWS_LEADER_ADDRESS:6379" --block; do/);
    expect(worker.ports).toBeUndefined();
    expect(worker.readinessProbe).toBeUndefined();
  });

  test('both templates get the platform pod rules: GPUs, node selection, tolerations, identity, shm, model, token by reference', () => {
    for (const tpl of [t.leaderTemplate, t.workerTemplate]) {
      const spec = tpl.spec;
      const c = spec.containers[0];
      expect(c.resources.limits['nvidia.com/gpu']).toBe('8');
      expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(spec.serviceAccountName).toBe('llama-405b');
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16384Mi' } });
      expect(spec.volumes).toContainEqual({ name: 'model', persistentVolumeClaim: { claimName: 'hf-cache-405b-2024-07', readOnly: true } });
      expect(c.volumeMounts).toContainEqual({ name: 'ray', mountPath: '/tmp/ray' });
      expect(c.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } });
      expect(tpl.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'llama-405b', 'app.kubernetes.io/instance': 'llama-405b' });
    }
    expect(t.leaderTemplate.metadata.labels['cdk8s-ml.io/role']).toBe('leader');
    expect(t.workerTemplate.metadata.labels['cdk8s-ml.io/role']).toBe('worker');
  });

  test('the Service selects only the leaders (worker index 0)', () => {
    expect(one(objects, 'Service').spec.selector).toEqual({
      'app.kubernetes.io/name': 'llama-405b',
      'app.kubernetes.io/instance': 'llama-405b',
      'cdk8s-ml.io/role': 'leader',
      'leaderworkerset.sigs.k8s.io/worker-index': '0',
    });
    expect(one(objects, 'Service').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8000 }]);
  });

  test('group members reach each other on every port; clients reach the serving port', () => {
    const policy = one(objects, 'NetworkPolicy');
    const self = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'llama-405b', 'app.kubernetes.io/instance': 'llama-405b' } } };
    expect(policy.spec.ingress).toContainEqual({ from: [self], ports: [] });
    expect(policy.spec.egress).toContainEqual({ to: [self], ports: [] });
    expect(policy.spec.ingress).toContainEqual({ from: [{ podSelector: {} }], ports: [{ port: 8000, protocol: 'TCP' }] });
    // Without monitoring, no scraper is admitted.
    expect(policy.spec.ingress.flatMap((r: any) => r.from)).not.toContainEqual(
      expect.objectContaining({ namespaceSelector: expect.anything() }),
    );
  });

  test('one pod (so one group) disrupted at a time', () => {
    expect(one(objects, 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'llama-405b', 'app.kubernetes.io/instance': 'llama-405b' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('capacity counts every pod of every group', () => {
    expect(w.capacity().maxPods).toBe(4);
    expect(w.capacity().perPod.requests['nvidia.com/gpu']).toBe(8);
  });
});

test('a surge group when the pool has room for one, then no group goes down', () => {
  const { w, objects } = synth(props({ rollout: { spareAccelerators: 16 } }));
  expect(one(objects, 'LeaderWorkerSet').spec.rolloutStrategy.rollingUpdateConfiguration).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  expect(w.capacity().maxPods).toBe(6);
});

test("behind an InferencePool over the leaders, with monitoring on the leaders' serving port", () => {
  const { objects } = synth(
    props({ route: { gateway: { name: 'inference-gateway', namespace: 'gateways' } }, inferencePool: {}, monitoring: {} }),
  );
  expect(one(objects, 'InferencePool').spec.selector.matchLabels).toMatchObject({
    'leaderworkerset.sigs.k8s.io/worker-index': '0',
    'cdk8s-ml.io/role': 'leader',
  });
  expect(one(objects, 'HTTPRoute').spec.rules[0].backendRefs).toEqual([
    { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama-405b' },
  ]);
  expect(one(objects, 'ServiceMonitor').spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
  const rules = one(objects, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
  expect(rules).not.toContain('MlJobFailed');
  expect(rules).toContain('MlCrashLooping');
});

test('one group is allowed when outages are accepted', () => {
  const { objects } = synth(props({ replicas: 1, availability: 'best-effort' }));
  expect(one(objects, 'LeaderWorkerSet').spec.replicas).toBe(1);
});

describe('host memory for the load: each rank streams its weights to its GPUs, so the vLLM server floor counts', () => {
  // An explicit shm leaves the memory limit to this check alone (the 16Gi default shm needs twice that).
  const gpus = Accelerator.nvidiaGpu(8, { gpusPerNode: 8, sharedMemory: '1Gi' });
  test('a limit below the server floor (2Gi) is refused with the numbers, whatever the model size', () => {
    expect(() => synth(props({ accelerator: gpus, resources: { cpu: '32', memory: '1536Mi' } }))).toThrow(
      "MultiHostInference 'test/llama-405b': resources.memory (1536Mi) is below the load peak in host memory: 2Gi for the vllm server (its weights go to the accelerator without being held in host memory); the kernel OOM-kills the server while it loads, on every start; set resources.memory to at least 2Gi",
    );
    expect(() =>
      synth(
        props({
          accelerator: gpus,
          resources: { cpu: '32', memory: '1Gi', memoryLimit: '1536Mi' },
          vllm: { ...props().vllm, modelSize: '800Gi' },
        }),
      ),
    ).toThrow(/resources.memoryLimit \(1536Mi\) is below the load peak in host memory: 2Gi for the vllm server/);
  });
  test('the floor, not the 800Gi model, is what the limit must hold', () => {
    expect(() => synth(props({ accelerator: gpus, resources: { cpu: '32', memory: '2Gi' } }))).not.toThrow();
  });
});

describe('impossible combinations', () => {
  test.each([
    ['a group of one', props({ groupSize: 1 }), /groupSize \(1\) is below 2/],
    ['no accelerator', props({ accelerator: undefined }), /accelerator \(unset\) is required/],
    [
      'tensor parallel other than the GPUs of a pod',
      props({ vllm: { model: 'a/b', tensorParallelSize: 4 } }),
      /vllm.tensorParallelSize \(4\) differs from the GPUs of one pod \(8\)/,
    ],
    [
      'more GPUs per pod than a node has',
      props({ accelerator: Accelerator.nvidiaGpu(16, { gpusPerNode: 8 }) }),
      /accelerator.count \(16\) is more than one node has/,
    ],
    [
      'workers waiting for a ready leader',
      props({ startupPolicy: 'LeaderReady' as any }),
      /startupPolicy \(LeaderReady\) would never start the workers/,
    ],
    ['an InferencePool without a route', props({ inferencePool: {} }), /inferencePool \(\{\}\) has no route/],
    [
      'no group may go down and none can surge',
      props({ rollout: { maxUnavailable: 0 } }),
      /rollout.maxUnavailable \(0\) is 0 without room for a surge group \(16 accelerators\)/,
    ],
    [
      'one group with continuous availability',
      props({ replicas: 1 }),
      /availability \(continuous\) cannot be kept: a node drain may evict the only replica .* set replicas: 2/,
    ],
    [
      'a download with a deny-all policy',
      props({ model: undefined, vllm: { model: 'a/b', modelSize: '800Gi', unverifiedDownload: true } }),
      /networkPolicy.egressTo \(unset\) allows no destination, so the group could not download/,
    ],
  ] as [string, MultiHostInferenceProps, RegExp][])('%s', (_n, p, message) => {
    expect(() => synth(p)).toThrow(message);
  });
});

test('the review engine raises no error or warning on a group behind a Service on its leaders', () => {
  const chart = testChart('llm');
  new MultiHostInference(chart, 'llama-405b', props({ route: { gateway: { name: 'inference-gateway' } }, inferencePool: {} }));
  const report = reviewApp(chart.node.root as App);
  expect(report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.ruleId} ${f.name}: ${f.message}`)).toEqual([]);
});
