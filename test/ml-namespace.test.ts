import { App, Chart, Testing } from 'cdk8s';
import { Accelerator, MlNamespace, OnlineInference, Platform, ScalingMetric, capacityReport, formatCapacityReport } from '../src';
import { one, synthValid, yamlOf } from './helpers';

const quota = { requestsCpu: '20', requestsMemory: '64Gi', limitsMemory: '128Gi', accelerators: { 'nvidia.com/gpu': 4 }, pods: 40 };

function setup(serving: (chart: Chart) => void, props: Partial<ConstructorParameters<typeof MlNamespace>[2]> = {}) {
  const app = Testing.app();
  const platform = new Chart(app, 'platform');
  const ns = new MlNamespace(platform, 'ml-serving', { quota, ...props });
  const chart = new Chart(app, 'serving', { namespace: 'ml-serving' });
  serving(chart);
  return { app, ns, platform, chart };
}

describe('MlNamespace', () => {
  const { ns, platform } = setup(() => undefined, { priorityClasses: true });
  const objects = synthValid(platform);

  test('matches the snapshot', () => expect(yamlOf(objects)).toMatchSnapshot());

  test('enforces the restricted Pod Security profile, with audit and warn', () => {
    const n = one(objects, 'Namespace');
    expect(n.metadata.namespace).toBeUndefined();
    expect(n.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('quota covers CPU, memory, accelerators and pods', () => {
    expect(one(objects, 'ResourceQuota').spec.hard).toEqual({
      'requests.cpu': '20',
      'requests.memory': '64Gi',
      'limits.memory': '128Gi',
      'requests.nvidia.com/gpu': '4',
      pods: '40',
    });
  });

  test('LimitRange gives containers default requests and a memory limit, no CPU limit', () => {
    expect(one(objects, 'LimitRange').spec.limits).toEqual([
      { type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { memory: '512Mi' } },
    ]);
  });

  test('default-deny NetworkPolicy for every pod, DNS allowed', () => {
    const np = one(objects, 'NetworkPolicy');
    expect(np.spec.podSelector).toEqual({});
    expect(np.spec.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toHaveLength(1);
  });

  test('cluster-wide PriorityClasses, unnamespaced, emitted once per app', () => {
    const pcs = objects.filter((o) => o.kind === 'PriorityClass');
    expect(pcs.map((p) => [p.metadata.name, p.value, p.preemptionPolicy])).toEqual([
      ['serving-critical', 100000, 'PreemptLowerPriority'],
      ['batch-preemptible', -100, 'Never'],
    ]);
    for (const p of pcs) expect(p.metadata.namespace).toBeUndefined();
    const second = new MlNamespace(platform, 'ml-batch', { quota, priorityClasses: true });
    expect(second.priorityClasses?.priorityClasses).toEqual([]);
    expect(ns.priorityClasses?.priorityClasses).toHaveLength(2);
  });
});

describe('quota check at synth', () => {
  const gpuService = (chart: Chart, maxReplicas: number) =>
    new OnlineInference(chart, 'llm', {
      image: 'registry.example.com/llm:v1',
      resources: { cpu: '4', memory: '16Gi' },
      accelerator: Accelerator.nvidiaGpu(1),
      autoscaling: { minReplicas: 1, maxReplicas, metrics: [ScalingMetric.podsAverage('inflight', 4)] },
      availability: 'best-effort',
    });

  test('a worst case that fits synthesizes', () => {
    const { app } = setup((c) => gpuService(c, 4));
    expect(() => app.synth()).not.toThrow();
  });

  test('a worst case beyond the quota fails with the shortfall per resource', () => {
    const { app } = setup((c) => gpuService(c, 6));
    expect(() => app.synth()).toThrow(
      /MlNamespace 'platform\/ml-serving': quota requests.cpu \(20\) is below the worst case of its workloads \(24 = llm 6 × 4\), short by 4; raise the quota or lower maxReplicas/,
    );
    expect(() => app.synth()).toThrow(
      /quota requests.nvidia.com\/gpu \(4\) is below the worst case of its workloads \(6 = llm 6 × 1\), short by 2/,
    );
    expect(() => app.synth()).toThrow(
      /quota requests.memory \(64Gi\) is below the worst case of its workloads \(96Gi = llm 6 × 16Gi\), short by 32Gi/,
    );
  });

  test('the rollout surge counts: 20 replicas + 1 surge pod of 1 CPU do not fit 20 CPU', () => {
    const { app } = setup(
      (c) =>
        new OnlineInference(c, 'cpu', {
          image: 'registry.example.com/m:v1',
          resources: { cpu: '1', memory: '1Gi' },
          replicas: 20,
        }),
    );
    expect(() => app.synth()).toThrow(/quota requests.cpu \(20\) is below the worst case of its workloads \(21 = cpu 21 × 1\), short by 1/);
  });

  test('a CPU-limit quota needs a LimitRange default CPU limit', () => {
    const chart = Testing.chart();
    expect(() => new MlNamespace(chart, 'ns', { quota: { limitsCpu: '10' } })).toThrow(
      /MlNamespace 'test\/ns': containerDefaults.cpuLimit \(unset\) is unset while quota.limitsCpu is set, so every pod without a CPU limit would be rejected/,
    );
  });

  test('the LimitRange default CPU limit counts against a CPU-limit quota for pods without one', () => {
    const app = Testing.app();
    new MlNamespace(new Chart(app, 'p'), 'ns', { quota: { limitsCpu: '3' }, containerDefaults: { cpuLimit: '1' } });
    new OnlineInference(new Chart(app, 's', { namespace: 'ns' }), 'svc', {
      image: 'registry.example.com/m:v1',
      resources: { cpu: '500m', memory: '1Gi' },
      replicas: 3,
    });
    expect(() => app.synth()).toThrow(/quota limits.cpu \(3\) is below the worst case of its workloads \(4 = svc 4 × 1\), short by 1/);
  });

  test('bad quota values are rejected at construction', () => {
    const app = Testing.chart();
    expect(() => new MlNamespace(app, 'a', { quota: { requestsCpu: 'lots' } })).toThrow(
      /MlNamespace 'test\/a': quota.requestsCpu \(lots\) is not a Kubernetes quantity/,
    );
    expect(() => new MlNamespace(app, 'b', { quota: {} })).toThrow(/quota \(\{\}\) limits nothing/);
    expect(() => new MlNamespace(app, 'c', { quota: { accelerators: { 'nvidia.com/gpu': 1.5 } } })).toThrow(
      /quota.accelerators\['nvidia.com\/gpu'\] \(1.5\) is not a whole number/,
    );
  });
});

describe('platform defaults', () => {
  test("the capacity report lists each workload's maximum accelerator count", () => {
    const { app } = setup((c) => {
      new OnlineInference(c, 'llm', {
        image: 'registry.example.com/llm:v1',
        resources: { cpu: '2', memory: '8Gi' },
        accelerator: Accelerator.nvidiaGpu(2),
        replicas: 2,
        rollout: { spareAccelerators: 2 },
      });
      new OnlineInference(c, 'cpu', { image: 'registry.example.com/m:v1', resources: { cpu: '250m', memory: '512Mi' }, replicas: 2 });
    });
    const rows = capacityReport(app);
    expect(rows).toEqual([
      // disk: 1Gi /tmp + 256Mi logs per pod
      {
        workload: 'cpu',
        namespace: 'ml-serving',
        kind: 'serving',
        maxPods: 3,
        cpu: 0.75,
        memory: 3 * 512 * 2 ** 20,
        ephemeralStorage: 3 * 1280 * 2 ** 20,
        accelerators: {},
      },
      {
        workload: 'llm',
        namespace: 'ml-serving',
        kind: 'serving',
        maxPods: 3,
        cpu: 6,
        memory: 24 * 2 ** 30,
        ephemeralStorage: 3 * 1280 * 2 ** 20,
        accelerators: { 'nvidia.com/gpu': 6 },
      },
    ]);
    expect(formatCapacityReport(rows)).toContain('| ml-serving | llm | serving | 3 | 6 | 24Gi | 3.75Gi | 6 × nvidia.com/gpu |');
  });

  test('locked conventions cannot be overridden below, neither by configure nor by props', () => {
    const app = new App();
    Platform.configure(
      app,
      { priorityClasses: { serving: 'serving-critical' }, defaultNamespace: 'ml', labels: { 'cost-center': 'cc-1' } },
      { locked: ['priorityClasses', 'defaultNamespace'] },
    );
    const chart = new Chart(app, 'team');
    expect(() => Platform.configure(chart, { priorityClasses: { serving: 'mine' } })).toThrow(
      /Chart 'team': platform priorityClasses \(\{"serving":"mine"\}\) is locked by Platform.configure at the app \(root scope\) \(locked: \['priorityClasses'\]\); keep the platform's value \(\{"serving":"serving-critical".*\}\), or ask the platform team to remove 'priorityClasses' from locked there/,
    );
    Platform.configure(chart, { labels: { team: 'nlp' } });
    const base = { image: 'registry.example.com/m:v1', resources: { cpu: '1', memory: '1Gi' } };
    expect(() => new OnlineInference(chart, 'a', { ...base, priorityClassName: 'best-effort' })).toThrow(
      /OnlineInference 'team\/a': priorityClassName \(best-effort\) overrides the platform's priorityClasses, which Platform.configure at the app \(root scope\) locked; remove priorityClassName to inherit serving-critical/,
    );
    expect(() => new OnlineInference(chart, 'b', { ...base, namespace: 'elsewhere' })).toThrow(
      /namespace \(elsewhere\) overrides the platform's defaultNamespace/,
    );
    const ok = new OnlineInference(chart, 'c', base);
    const objects = synthValid(chart);
    expect(ok.namespace).toBe('ml');
    expect(one(objects, 'Deployment').spec.template.spec.priorityClassName).toBe('serving-critical');
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ 'cost-center': 'cc-1', team: 'nlp' });
  });
});
