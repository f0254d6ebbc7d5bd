import { Chart, Testing } from 'cdk8s';
import { Accelerator, OnlineInference, OnlineInferenceProps, ScalingMetric, formatReleaseReport, releaseReport } from '../src';
import { Manifest, container, one, synthValid, testChart, yamlOf } from './helpers';

const SHA_V1 = '1'.repeat(64);
const SHA_V2 = '2'.repeat(64);
const stable: OnlineInferenceProps = {
  image: 'registry.example.com/sentiment:v2.1.0',
  resources: { cpu: '500m', memory: '1Gi' },
  model: { name: 'sentiment-bert', version: 'v7', uri: 'https://models.example.com/sentiment/v7/model.bin', sha256: SHA_V1, size: '512Mi' },
  autoscaling: { minReplicas: 10, maxReplicas: 20, metrics: [ScalingMetric.cpuUtilization(65)] },
  networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
};
const canaryModel = { version: 'v8', uri: 'https://models.example.com/sentiment/v8/model.bin', sha256: SHA_V2 };

function synth(props: OnlineInferenceProps): { objects: Manifest[]; svc: OnlineInference; chart: Chart } {
  const chart = testChart('ml-serving');
  const svc = new OnlineInference(chart, 'sentiment', props);
  return { objects: synthValid(chart), svc, chart };
}

describe('replica-weighted canary at 10 %', () => {
  const { objects, svc } = synth({ ...stable, canary: { weight: 10, model: canaryModel } });
  const canaryDeploy = one(objects, 'Deployment', 'sentiment-canary');
  const stableDeploy = one(objects, 'Deployment', 'sentiment');

  test('matches the snapshot', () => expect(yamlOf(objects)).toMatchSnapshot());

  test('a second Deployment whose pods the Service selects, told apart by the track label', () => {
    const serviceSelector = one(objects, 'Service', 'sentiment').spec.selector;
    for (const d of [stableDeploy, canaryDeploy]) {
      for (const [k, v] of Object.entries(serviceSelector)) expect(d.spec.template.metadata.labels[k]).toBe(v);
    }
    expect(stableDeploy.spec.selector.matchLabels['cdk8s-ml.io/track']).toBe('stable');
    expect(canaryDeploy.spec.selector.matchLabels['cdk8s-ml.io/track']).toBe('canary');
    expect(canaryDeploy.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('v8');
    expect(stableDeploy.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('v7');
  });

  test('replicas from the share, stable floor untouched: 10 stable + 1 canary = 9.1 %', () => {
    expect(svc.canary!.plan).toEqual({
      strategy: 'replica-weighted',
      weight: 10,
      stableReplicas: 10,
      canaryReplicas: 1,
      canaryMaxReplicas: 3,
      achievedShare: 9.1,
    });
    expect(one(objects, 'HorizontalPodAutoscaler', 'sentiment').spec).toMatchObject({ minReplicas: 10, maxReplicas: 20 });
    expect(one(objects, 'HorizontalPodAutoscaler', 'sentiment-canary').spec).toMatchObject({
      minReplicas: 1,
      maxReplicas: 3,
      scaleTargetRef: { name: 'sentiment-canary' },
      metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 65 } } }],
    });
  });

  test('no PDB for the canary; the stable PDB selects only stable pods', () => {
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(pdbs.map((p) => p.metadata.name)).toEqual(['sentiment']);
    expect(pdbs[0].spec.selector.matchLabels['cdk8s-ml.io/track']).toBe('stable');
  });

  test('the canary fetches and verifies its own artifact', () => {
    const init = canaryDeploy.spec.template.spec.initContainers[0];
    expect(init.env).toContainEqual({ name: 'MODEL_SHA256', value: SHA_V2 });
    expect(canaryDeploy.spec.template.metadata.annotations).toMatchObject({
      'cdk8s-ml.io/model-version': 'v8',
      'cdk8s-ml.io/model-uri': canaryModel.uri,
    });
  });

  test('the release report states the achieved share and the rollback commands', () => {
    const text = formatReleaseReport(releaseReport(svc));
    expect(text).toContain(
      '| ml-serving | sentiment | v7 (registry.example.com/sentiment:v2.1.0) | v8 (registry.example.com/sentiment:v2.1.0) | replica-weighted | 10 % | 9.1 % | 10 + 1 |',
    );
    expect(text).toContain('kubectl rollout undo deploy/sentiment -n ml-serving');
  });

  test('the worst case counts canary pods against the quota', () => {
    expect(svc.capacity().maxPods).toBe(20 + 1 + 3 + 1);
  });
});

describe('version visibility for rollback', () => {
  const { objects } = synth({ ...stable, image: `registry.example.com/sentiment@sha256:${'d'.repeat(64)}` });
  const d = one(objects, 'Deployment');

  test('kubectl rollout history shows the model and image; pods show version, model, uri, sha256 and image', () => {
    expect(d.metadata.annotations!['kubernetes.io/change-cause']).toBe(
      `model sentiment-bert v7, image registry.example.com/sentiment@sha256:${'d'.repeat(64)}`,
    );
    expect(d.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': 'v7', 'cdk8s-ml.io/model': 'sentiment-bert' });
    expect(d.spec.template.metadata.annotations).toEqual({
      'cdk8s-ml.io/model-name': 'sentiment-bert',
      'cdk8s-ml.io/model-version': 'v7',
      'cdk8s-ml.io/model-uri': stable.model!.uri,
      'cdk8s-ml.io/model-sha256': SHA_V1,
      'cdk8s-ml.io/image': `registry.example.com/sentiment@sha256:${'d'.repeat(64)}`,
    });
    expect(d.spec.revisionHistoryLimit).toBe(10);
  });

  test('a version that is not a valid label value stays an annotation only', () => {
    const { objects: o } = synth({ ...stable, model: { ...stable.model!, version: '2024-05-01T10:00:00Z+build/7' } });
    const dep = one(o, 'Deployment');
    expect(dep.spec.template.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    expect(dep.spec.template.metadata.annotations['cdk8s-ml.io/model-version']).toBe('2024-05-01T10:00:00Z+build/7');
  });
});

describe('weighted routing through the Gateway API', () => {
  const route = { gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' }, hostnames: ['sentiment.example.com'] };
  const { objects } = synth({ ...stable, route, canary: { weight: 10, model: canaryModel, strategy: 'gateway' } });

  test('matches the snapshot', () =>
    expect(yamlOf(objects.filter((o) => o.kind === 'HTTPRoute' || o.kind === 'Service'))).toMatchSnapshot());

  test('an HTTPRoute splits 90/10 between the per-track Services', () => {
    const r = one(objects, 'HTTPRoute', 'sentiment');
    expect(r.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(r.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'https' }]);
    expect(r.spec.hostnames).toEqual(['sentiment.example.com']);
    expect(r.spec.rules[0].backendRefs).toEqual([
      { kind: 'Service', name: 'sentiment-stable', port: 80, weight: 90 },
      { kind: 'Service', name: 'sentiment-canary', port: 80, weight: 10 },
    ]);
    expect(one(objects, 'Service', 'sentiment-stable').spec.selector['cdk8s-ml.io/track']).toBe('stable');
    expect(one(objects, 'Service', 'sentiment-canary').spec.selector['cdk8s-ml.io/track']).toBe('canary');
  });

  test('the NetworkPolicy admits the Gateway namespace on the serving port', () => {
    expect(one(objects, 'NetworkPolicy').spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: {} }],
      ports: [{ port: 8000, protocol: 'TCP' }],
    });
  });

  test('the gateway split is exact: achieved share = weight', () => {
    const { svc } = synth({ ...stable, route, canary: { weight: 5, model: canaryModel, strategy: 'gateway' } });
    expect(svc.canary!.plan.achievedShare).toBe(5);
  });
});

describe('promotion: the canary becomes stable by a change of props, with a minimal diff', () => {
  const byKey = (objects: Manifest[]) => new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  const leafDiff = (a: unknown, b: unknown, at = ''): string[] => {
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
      return keys.flatMap((k) => leafDiff((a as any)[k], (b as any)[k], `${at}/${k}`));
    }
    return a === b ? [] : [at];
  };

  for (const strategy of ['replica-weighted', 'gateway'] as const) {
    test(`${strategy}: only version fields change and the canary objects disappear`, () => {
      const route = strategy === 'gateway' ? { gateway: { name: 'public' } } : undefined;
      const before = byKey(synth({ ...stable, route, canary: { weight: 10, model: canaryModel, strategy } }).objects);
      const after = byKey(synth({ ...stable, route, model: { ...stable.model!, ...canaryModel } }).objects);

      const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
      expect([...after.keys()].filter((k) => !before.has(k))).toEqual([]);
      expect(removed).toEqual(
        strategy === 'gateway'
          ? ['Deployment/sentiment-canary', 'HorizontalPodAutoscaler/sentiment-canary', 'Service/sentiment-canary']
          : ['Deployment/sentiment-canary', 'HorizontalPodAutoscaler/sentiment-canary'],
      );

      const changed = [...after.keys()].filter((k) => leafDiff(before.get(k), after.get(k)).length > 0);
      expect(changed.sort()).toEqual(strategy === 'gateway' ? ['Deployment/sentiment', 'HTTPRoute/sentiment'] : ['Deployment/sentiment']);
      const paths = leafDiff(before.get('Deployment/sentiment'), after.get('Deployment/sentiment'));
      expect(paths.sort()).toEqual([
        '/metadata/annotations/kubernetes.io/change-cause',
        '/spec/template/metadata/annotations/cdk8s-ml.io/model-sha256',
        '/spec/template/metadata/annotations/cdk8s-ml.io/model-uri',
        '/spec/template/metadata/annotations/cdk8s-ml.io/model-version',
        '/spec/template/metadata/labels/app.kubernetes.io/version',
        '/spec/template/spec/containers/0/env/3/value', // MODEL_VERSION
        '/spec/template/spec/initContainers/0/env/2/value', // fetch-model MODEL_SHA256
        '/spec/template/spec/initContainers/0/env/4/value', // fetch-model MODEL_URI
        '/spec/template/spec/initContainers/1/env/0/value', // verify-model MODEL_DIGEST
        '/spec/template/spec/initContainers/1/env/3/value', // verify-model MODEL_SHA256
        '/spec/template/spec/initContainers/1/env/5/value', // verify-model MODEL_URI
      ]);
      if (strategy === 'gateway') {
        expect(leafDiff(before.get('HTTPRoute/sentiment'), after.get('HTTPRoute/sentiment')).sort()).toEqual([
          '/spec/rules/0/backendRefs/0/weight',
          '/spec/rules/0/backendRefs/1',
        ]);
      }
      expect(container(after.get('Deployment/sentiment')!).env[3]).toEqual({ name: 'MODEL_VERSION', value: 'v8' });
    });
  }
});

describe('bad canary input', () => {
  const cases: [string, Partial<OnlineInferenceProps>, RegExp][] = [
    [
      'weight 0',
      { canary: { weight: 0, model: canaryModel } },
      /CanaryRelease 'test\/sentiment\/Canary': canary.weight \(0\) is not strictly between 0 and 100/,
    ],
    [
      'weight 100',
      { canary: { weight: 100, model: canaryModel } },
      /canary.weight \(100\) is not strictly between 0 and 100; give the canary a share such as 10/,
    ],
    ['weight -5', { canary: { weight: -5, model: canaryModel } }, /canary.weight \(-5\) is not strictly between 0 and 100/],
    [
      'a canary identical to stable',
      { canary: { weight: 10 } },
      /canary \(\{"image":"registry.example.com\/sentiment:v2.1.0","version":"v7"\}\) is identical to the stable release; give the canary a new image or model version/,
    ],
    [
      'a new version with the old artifact',
      { canary: { weight: 10, model: { version: 'v8' } } },
      /canary.model.sha256 \(1{64}\) is the stable artifact's checksum under a new version \(v8\)/,
    ],
    [
      'a mutable canary image',
      { canary: { weight: 10, image: 'registry.example.com/sentiment:latest' } },
      /CanaryRelease 'test\/sentiment\/Canary': image \(registry.example.com\/sentiment:latest\) uses the mutable tag 'latest'/,
    ],
    [
      'a share a single fixed replica cannot meet',
      { autoscaling: undefined, replicas: 1, availability: 'best-effort', canary: { weight: 10, model: canaryModel } },
      /canary.weight \(10\) cannot be met by replica weighting next to 1 stable replica\(s\): 1 canary pod gives 50 % \(achievable: 1 canary → 50 %, 2 canary → 66.7 %, 3 canary → 75 %\); run at least 9 stable replicas for ~10 %, accept one of those shares, or use strategy 'gateway'/,
    ],
    [
      'gateway without a route',
      { canary: { weight: 10, model: canaryModel, strategy: 'gateway' } },
      /OnlineInference 'test\/sentiment': canary.strategy \(gateway\) needs a route to split traffic with/,
    ],
  ];
  test.each(cases)('%s', (_n, overrides, message) => {
    expect(() => new OnlineInference(testChart(), 'sentiment', { ...stable, ...overrides })).toThrow(message);
  });

  test('a GPU canary beyond the declared spare accelerators', () => {
    const gpu: OnlineInferenceProps = {
      ...stable,
      accelerator: Accelerator.nvidiaGpu(2),
      autoscaling: { minReplicas: 9, maxReplicas: 18, metrics: [ScalingMetric.podsAverage('inflight', 4)] },
      canary: { weight: 10, model: canaryModel },
    };
    expect(() => new OnlineInference(testChart(), 'llm', { ...gpu, rollout: { spareAccelerators: 2 } })).toThrow(
      /CanaryRelease 'test\/llm\/Canary': canary \(2 pod\(s\) × 2 accelerator\(s\)\) needs 4 accelerator\(s\) beyond the stable replicas, but rollout.spareAccelerators is 2; declare rollout.spareAccelerators >= 4/,
    );
    const ok = new OnlineInference(new Chart(Testing.app(), 'x'), 'llm', { ...gpu, rollout: { spareAccelerators: 4 } });
    expect(ok.canary!.plan.canaryMaxReplicas).toBe(2);
  });
});
