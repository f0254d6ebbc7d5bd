import { App, Chart, Size, Testing } from 'cdk8s';
import { Accelerator, BatchScoringJob, MlNamespace, OnlineInference, OnlineInferenceProps, Platform, ScalingMetric } from '../src';
import { modelSource, modelVolumeBytes } from '../src/core/model';
import { parseQuantity } from '../src/core/quantity';
import { exampleApp } from './example-app';
import { one, podSpec, synthValid, testChart } from './helpers';

const SHA = 'c'.repeat(64);
const egress = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };
const llm = (model: Partial<NonNullable<OnlineInferenceProps['model']>> = {}): OnlineInferenceProps => ({
  image: 'registry.example.com/llm:v1',
  resources: { cpu: '4', memory: '24Gi', memoryLimit: '32Gi' },
  accelerator: Accelerator.nvidiaGpu(1),
  replicas: 2,
  networkPolicy: egress,
  model: {
    name: 'llama',
    version: '3.1-70b',
    uri: 'https://models.example.com/llama/model.safetensors',
    sha256: SHA,
    size: '40Gi',
    ...model,
  },
});

/** Every pod spec in `obj`, wherever it is embedded (Deployment, Job, CronJob, ScaledJob). */
function podSpecs(obj: unknown, out: any[] = []): any[] {
  if (obj && typeof obj === 'object') {
    if (Array.isArray((obj as any).containers)) out.push(obj);
    for (const v of Object.values(obj)) podSpecs(v, out);
  }
  return out;
}
const allContainers = (spec: any): any[] => [...(spec.initContainers ?? []), ...spec.containers];
const mi = (q: string) => parseQuantity(q)! / 2 ** 20;

describe('identity a kubelet can verify', () => {
  test('every container of every example workload runs as a numeric non-root uid/gid, with a matching fsGroup', () => {
    const app = exampleApp();
    const specs = app.charts.flatMap((c) => podSpecs(synthValid(c)));
    expect(specs.length).toBeGreaterThanOrEqual(7);
    for (const spec of specs) {
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        fsGroup: 65532,
        fsGroupChangePolicy: 'OnRootMismatch',
      });
      for (const c of allContainers(spec)) {
        expect({ name: c.name, ...c.securityContext }).toMatchObject({
          name: c.name,
          runAsNonRoot: true,
          runAsUser: expect.any(Number),
          runAsGroup: expect.any(Number),
        });
        expect(c.securityContext.runAsUser).toBeGreaterThan(10000);
      }
    }
  });

  test('the default model fetcher (curlimages/curl, whose USER is the named curl_user) runs as the pinned numeric uid 65532', () => {
    const chart = testChart();
    new OnlineInference(chart, 'llm', { ...llm(), runAs: { runAsUser: 1000, runAsGroup: 1000 } });
    const spec = podSpec(one(synthValid(chart), 'Deployment'));
    const fetch = spec.initContainers.find((c: any) => c.name === 'fetch-model');
    expect(fetch.image).toBe('curlimages/curl:8.10.1');
    expect(fetch.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true });
    expect(spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000 });
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
  });

  test('the platform sets the default identity and a mirrored fetcher image with its uid; a workload overrides runAs', () => {
    const app = Testing.app();
    Platform.configure(app, {
      runAs: { runAsUser: 20000, runAsGroup: 20001, fsGroup: 20002 },
      modelFetcher: { image: 'mirror.example.com/tools/curl:8.10.1', runAsUser: 30000, runAsGroup: 30001 },
    });
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new OnlineInference(chart, 'llm', llm());
    new BatchScoringJob(chart, 'scorer', {
      image: 'registry.example.com/s:v1',
      resources: { cpu: '1', memory: '1Gi' },
      runAs: { runAsUser: 40000 },
    });
    const objects = synthValid(chart);
    const serving = podSpec(one(objects, 'Deployment'));
    expect(serving.securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 20001, fsGroup: 20002 });
    expect(serving.initContainers[0]).toMatchObject({
      image: 'mirror.example.com/tools/curl:8.10.1',
      securityContext: { runAsUser: 30000, runAsGroup: 30001 },
    });
    expect(podSpec(one(objects, 'Job')).securityContext).toMatchObject({ runAsUser: 40000, runAsGroup: 20001, fsGroup: 20002 });
  });

  test.each([
    [
      'root',
      { runAsUser: 0 },
      /OnlineInference 'test\/llm': runAs.runAsUser \(0\) is root, which runAsNonRoot forbids; use a non-root numeric id, e.g. 65532/,
    ],
    ['a fractional gid', { runAsGroup: 1.5 }, /runAs.runAsGroup \(1.5\) is not a numeric id from 0 to 2147483647/],
    ['a negative fsGroup', { fsGroup: -1 }, /runAs.fsGroup \(-1\) is not a numeric id/],
  ])('throws on %s', (_n, runAs, message) => {
    expect(() => new OnlineInference(testChart(), 'llm', { ...llm(), runAs })).toThrow(message);
  });

  test('throws on a mutable platform fetcher image', () => {
    expect(() => Platform.configure(Testing.app(), { modelFetcher: { image: 'mirror.example.com/curl:latest' } })).toThrow(
      /platform modelFetcher.image \(mirror.example.com\/curl:latest\) uses the mutable tag 'latest'; pin a release tag/,
    );
  });

  test('a locked platform fetcher image cannot be swapped by a workload', () => {
    const app = Testing.app();
    Platform.configure(app, { modelFetcher: { image: 'mirror.example.com/curl:8.10.1' } }, { locked: ['modelFetcher'] });
    expect(() => new OnlineInference(new Chart(app, 'c'), 'llm', llm({ fetcher: { image: 'docker.io/evil/curl:1.0' } }))).toThrow(
      /model.fetcher.image \(docker.io\/evil\/curl:1.0\) overrides the platform's modelFetcher, which Platform.configure at the app \(root scope\) locked; remove model.fetcher.image to inherit/,
    );
  });

  test('a locked platform identity cannot be overridden by a workload', () => {
    const app = Testing.app();
    Platform.configure(app, { runAs: { runAsUser: 20000 } }, { locked: ['runAs'] });
    expect(() => new OnlineInference(new Chart(app, 'c'), 'llm', { ...llm(), runAs: { runAsUser: 1000 } })).toThrow(
      /runAs \(\{"runAsUser":1000\}\) overrides the platform's runAs, which Platform.configure at the app \(root scope\) locked; remove runAs to inherit .*, or ask the platform team to remove 'runAs' from locked there/,
    );
  });
});

describe('disk that is accounted for', () => {
  test('a 40 GiB model gets an emptyDir sizeLimit with 10% headroom, and the server requests it as ephemeral-storage', () => {
    const chart = testChart();
    const svc = new OnlineInference(chart, 'llm', llm());
    const spec = podSpec(one(synthValid(chart), 'Deployment'));
    const volumes = Object.fromEntries(spec.volumes.map((v: any) => [v.name, v]));
    expect(volumes.model.emptyDir).toEqual({ sizeLimit: '45056Mi' });
    expect(volumes.tmp.emptyDir).toEqual({ sizeLimit: '1024Mi' });
    expect(volumes.dshm.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1024Mi' });
    const server = spec.containers[0];
    // 44Gi (model + 10%) + 1Gi (/tmp) + 256Mi (logs)
    expect(server.resources.requests['ephemeral-storage']).toBe('46336Mi');
    expect(server.resources.limits['ephemeral-storage']).toBe('46336Mi');
    expect(mi(server.resources.requests['ephemeral-storage'])).toBe(
      mi(volumes.model.emptyDir.sizeLimit) + mi(volumes.tmp.emptyDir.sizeLimit) + 256,
    );
    expect(svc.capacity().perPod.requests['ephemeral-storage']).toBe(46336 * 2 ** 20);
  });

  test('every container of every example declares ephemeral-storage, and every emptyDir has a sizeLimit', () => {
    const app = exampleApp();
    for (const spec of app.charts.flatMap((c) => podSpecs(synthValid(c)))) {
      for (const c of allContainers(spec))
        expect({ name: c.name, r: c.resources.requests['ephemeral-storage'] }).toEqual({
          name: c.name,
          r: expect.stringMatching(/^\d+Mi$/),
        });
      for (const v of spec.volumes.filter((x: any) => x.emptyDir))
        expect({ name: v.name, sizeLimit: v.emptyDir.sizeLimit }).toEqual({ name: v.name, sizeLimit: expect.any(String) });
    }
  });

  test('model.size takes a Size too', () => {
    const chart = testChart();
    new OnlineInference(chart, 'llm', llm({ size: Size.gibibytes(40) }));
    expect(podSpec(one(synthValid(chart), 'Deployment')).volumes.find((v: any) => v.name === 'model').emptyDir.sizeLimit).toBe('45056Mi');
  });

  test('small models get at least 256Mi of headroom', () => {
    expect(modelVolumeBytes(100 * 2 ** 20)).toBe(356 * 2 ** 20);
    expect(modelVolumeBytes(40 * 2 ** 30)).toBe(44 * 2 ** 30);
  });

  test('the ephemeral-storage of model pods counts against the namespace quota', () => {
    const app = new App();
    Platform.configure(app, { maxPerPodDownload: '40Gi' });
    new MlNamespace(new Chart(app, 'platform'), 'ml-serving', { quota: { requestsEphemeralStorage: '100Gi' } });
    new OnlineInference(new Chart(app, 'serving', { namespace: 'ml-serving' }), 'llm', {
      ...llm(),
      replicas: undefined,
      autoscaling: { minReplicas: 1, maxReplicas: 2, metrics: [ScalingMetric.podsAverage('inflight', 4)] },
      rollout: { spareAccelerators: 1 },
      availability: 'best-effort',
    });
    expect(() => Testing.synth(app.charts[0])).toThrow(
      /quota requests.ephemeral-storage \(100Gi\) is below the worst case of its workloads \(135.75Gi = llm 3 × 45.25Gi\), short by 35.75Gi/,
    );
  });

  test.each([
    [
      'a fetch without size',
      { size: undefined },
      /OnlineInference 'test\/llm': model.size \(unset\) is required to fetch model.uri; declare the model's size on disk \(e.g. size: '40Gi'\)/,
    ],
    ['a size that is not a quantity', { size: '40GB' }, /model.size \(40GB\) is not a Kubernetes quantity; use a quantity such as '40Gi'/],
    ['a zero size', { size: '0' }, /model.size \(0\) is zero; declare the model's size on disk/],
  ])('throws on %s', (_n, model, message) => {
    expect(() => new OnlineInference(testChart(), 'llm', llm(model))).toThrow(message);
  });
});

describe('modelSource: where the model is, from props alone', () => {
  test('a fetched file, an existing claim, a baked-in model', () => {
    expect(modelSource({ name: 'm', version: '1', uri: 'https://x.example.com/a/model.gguf?x=1', sha256: SHA, size: '1Gi' })).toEqual({
      mountPath: '/models',
      layout: 'file',
      modelPath: '/models/model.gguf',
      sizeBytes: 2 ** 30,
      contentBytes: 2 ** 30,
    });
    expect(modelSource({ name: 'm', version: '1', claimName: 'weights', mountPath: '/weights' })).toEqual({
      mountPath: '/weights',
      layout: 'directory',
      modelPath: '/weights',
    });
  });
});

describe('invariants over generated props', () => {
  const fc = require('fast-check') as typeof import('fast-check');

  test('ephemeral-storage = own + /tmp + model sizeLimit, the sizeLimit holds the model with >= 10% headroom, every container runs as the chosen ids', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 * 1024 * 1024 }),
        fc.integer({ min: 0, max: 4096 }),
        fc.integer({ min: 1, max: 2147483647 }),
        fc.integer({ min: 1, max: 2147483647 }),
        (sizeMi, ownMi, uid, gid) => {
          const chart = testChart();
          new OnlineInference(chart, 'llm', {
            ...llm({ size: `${sizeMi}Mi` }),
            resources: { cpu: '1', memory: '1Gi', ephemeralStorage: `${ownMi}Mi` },
            runAs: { runAsUser: uid, runAsGroup: gid },
          });
          const spec = podSpec(one(Testing.synth(chart) as any, 'Deployment'));
          const limit = mi(spec.volumes.find((v: any) => v.name === 'model').emptyDir.sizeLimit);
          expect(limit * 10).toBeGreaterThanOrEqual(sizeMi * 11);
          expect(limit - sizeMi).toBeGreaterThanOrEqual(256);
          expect(mi(spec.containers[0].resources.requests['ephemeral-storage'])).toBe(ownMi + 1024 + limit);
          expect(spec.securityContext).toMatchObject({ runAsUser: uid, runAsGroup: gid, fsGroup: gid });
          expect(spec.containers[0].securityContext).toMatchObject({ runAsUser: uid, runAsGroup: gid });
          for (const c of spec.initContainers)
            expect(c.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true });
        },
      ),
      { numRuns: 25 },
    );
  });
});
