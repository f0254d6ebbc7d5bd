import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  Accelerator,
  BatchScoringJob,
  MlNamespace,
  ModelCache,
  ModelCacheProps,
  OnlineInference,
  OnlineInferenceProps,
  Platform,
  ScalingMetric,
  reviewApp,
} from '../src';
import { Manifest, one, podSpec, synthValid, testChart } from './helpers';

const FILES = {
  'config.json': 'a'.repeat(64),
  'model-00001-of-00002.safetensors': 'b'.repeat(64),
  'model-00002-of-00002.safetensors': 'c'.repeat(64),
};
const HF = { repo: 'meta-llama/Llama-3.1-70B-Instruct', revision: '1605565b47bb9346c5515c34102e054115b4f98b' };
const storeEgress = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };
const cacheProps: ModelCacheProps = {
  huggingFace: HF,
  files: FILES,
  size: '140Gi',
  token: { secretName: 'hf-token' },
  networkPolicy: storeEgress,
  fetcher: { timeout: Duration.minutes(40) },
  accessMode: 'ReadWriteMany',
  storageClass: 'shared-rwx',
};
const server = (cache: ModelCache, extra: Partial<OnlineInferenceProps> = {}): OnlineInferenceProps => ({
  image: 'vllm/vllm-openai:v0.11.0',
  args: ['--model', '/models'],
  resources: { cpu: '16', memory: '200Gi' },
  accelerator: Accelerator.nvidiaGpu(4),
  autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.podsAverage('vllm:num_requests_waiting', 8)] },
  rollout: { spareAccelerators: 4 },
  model: { name: 'llama-3-1-70b', version: HF.revision.slice(0, 12), cache },
  ...extra,
});
const podSpecsIn = (objects: Manifest[]) =>
  objects.filter((o) => ['Deployment', 'Job'].includes(o.kind)).map((o) => [o, podSpec(o)] as const);

describe('a shared read-only model cache filled once by a verifying Job', () => {
  const chart = testChart('ml-serving');
  const cache = new ModelCache(chart, 'llama-70b-weights', cacheProps);
  new OnlineInference(chart, 'llama', server(cache));
  const objects = synthValid(chart);
  const job = one(objects, 'Job', 'llama-70b-weights');
  const fill = podSpec(job);
  const deploy = one(objects, 'Deployment', 'llama');
  const serving = podSpec(deploy);

  test('the claim: one access mode a CSI driver attaches (ReadWriteMany on a shared filesystem), sized from model.size with headroom', () => {
    const pvc = one(objects, 'PersistentVolumeClaim', 'llama-70b-weights');
    expect(pvc.spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
      storageClassName: 'shared-rwx',
      resources: { requests: { storage: '154Gi' } },
      volumeMode: 'Filesystem',
    });
  });

  test('the fill Job fetches the pinned Hub revision with the token by Secret, then verifies every file', () => {
    expect(fill.initContainers.map((c: any) => c.name)).toEqual(['fetch-model']);
    expect(fill.containers.map((c: any) => c.name)).toEqual(['verify-model']);
    const env = Object.fromEntries(fill.initContainers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      MODEL_URI: `https://huggingface.co/${HF.repo}/resolve/${HF.revision}`,
      MODEL_TOKEN: { secretKeyRef: { name: 'hf-token', key: 'token' } },
    });
    expect(fill.containers[0].command[2]).toMatch(/sha256sum -c -[^]*files not in the manifest/);
    expect(fill.volumes).toContainEqual({ name: 'model', persistentVolumeClaim: { claimName: 'llama-70b-weights', readOnly: false } });
    // The download budget, sha256 of 140 GiB at 400 MiB/s, and 10 minutes.
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: 2400 + Math.ceil((140 * 1024) / 400) + 600, backoffLimit: 3 });
  });

  test('the fill pod follows the platform rules: numeric identity, requests, bounded disk, NetworkPolicy with egress to the store and DNS only', () => {
    expect(fill.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 });
    for (const c of [...fill.initContainers, ...fill.containers]) {
      expect(c.securityContext).toMatchObject({ runAsUser: 65532, runAsNonRoot: true, readOnlyRootFilesystem: true });
      expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    }
    expect(fill.volumes.find((v: any) => v.name === 'tmp').emptyDir.sizeLimit).toBe('1024Mi');
    const np = one(objects, 'NetworkPolicy', 'llama-70b-weights').spec;
    expect(np.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'llama-70b-weights',
      'app.kubernetes.io/instance': 'llama-70b-weights',
    });
    expect([...np.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(np.ingress ?? []).toEqual([]);
    expect(np.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(np.egress).toHaveLength(2);
  });

  test('serving pods mount the claim read-only and only wait for the verified marker: no download, no egress needed', () => {
    expect(serving.volumes).toContainEqual({ name: 'model', persistentVolumeClaim: { claimName: 'llama-70b-weights', readOnly: true } });
    expect(serving.containers[0].volumeMounts).toContainEqual({ name: 'model', mountPath: '/models', readOnly: true });
    expect(serving.initContainers.map((c: any) => c.name)).toEqual(['wait-model']);
    const wait = serving.initContainers[0];
    expect(wait.env).toContainEqual({ name: 'MODEL_DIGEST', value: cache.digest });
    expect(wait.volumeMounts).toEqual([{ name: 'model', mountPath: '/models', readOnly: true }]);
    expect(JSON.stringify(serving)).not.toMatch(/MODEL_URI|hf-token|fetch-model|huggingface.co/);
    // /tmp and logs only: the model is on the claim, not on node disk.
    expect(serving.containers[0].resources.requests['ephemeral-storage']).toBe('1280Mi');
    expect(deploy.spec.template.metadata.annotations).toMatchObject({
      'cdk8s-ml.io/model-cache': 'llama-70b-weights',
      'cdk8s-ml.io/model-digest': cache.digest,
    });
  });

  test('the serving startup budget waits for the fill', () => {
    expect(deploy.spec.progressDeadlineSeconds).toBeGreaterThan(2400 + Math.ceil((140 * 1024) / 400) + 600);
  });

  test('a new image rolls out without touching the cache', () => {
    const c2 = testChart('ml-serving');
    const cache2 = new ModelCache(c2, 'llama-70b-weights', cacheProps);
    new OnlineInference(c2, 'llama', server(cache2, { image: 'vllm/vllm-openai:v0.11.1' }));
    const after = synthValid(c2);
    for (const kind of ['Job', 'PersistentVolumeClaim', 'NetworkPolicy']) {
      expect(one(after, kind, 'llama-70b-weights')).toEqual(one(objects, kind, 'llama-70b-weights'));
    }
  });

  test('the review engine finds no error or warning on the cache and its server', () => {
    const app = Testing.app();
    const c = new Chart(app, 'serving', { namespace: 'ml-serving' });
    new OnlineInference(c, 'llama', server(new ModelCache(c, 'llama-70b-weights', cacheProps)));
    const findings = reviewApp(app).findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
    expect(findings.map((f) => `${f.ruleId} ${f.kind}/${f.name}: ${f.message}`)).toEqual([]);
  });

  test('every pod template is valid and every object passes its schema', () => {
    expect(podSpecsIn(objects)).toHaveLength(2);
  });
});

describe('the cache counts against the namespace quota', () => {
  test('claim storage and the fill pod', () => {
    const app = new App();
    new MlNamespace(new Chart(app, 'platform'), 'ml-serving', { quota: { requestsStorage: '100Gi', persistentVolumeClaims: 5 } });
    new ModelCache(new Chart(app, 'serving', { namespace: 'ml-serving' }), 'llama-70b-weights', cacheProps);
    expect(() => Testing.synth(app.charts[0])).toThrow(
      /quota requests.storage \(100Gi\) is below the worst case of its workloads \(154Gi = llama-70b-weights 1 × 154Gi\), short by 54Gi/,
    );
  });
});

describe('errors', () => {
  test.each([
    [
      'no egress for the fill',
      { networkPolicy: {} },
      /ModelCache 'test\/w': networkPolicy.egressTo \(unset\) allows no destination, so the model fetch would be blocked/,
    ],
    [
      'no source',
      { huggingFace: undefined, files: undefined, uri: undefined },
      /ModelCache 'test\/w': uri \(unset\) is required: a cache is filled from a URI or a Hugging Face repository/,
    ],
    ['no size', { size: undefined }, /ModelCache 'test\/w': cache.size \(unset\) is required to fetch cache.huggingFace/],
    ['an unpinned revision', { huggingFace: { ...HF, revision: 'main' } }, /cache.huggingFace.revision \(main\) is not a commit hash/],
    [
      'a deadline the download at the declared bandwidth cannot fit',
      { fillDeadline: Duration.minutes(5) },
      /ModelCache 'test\/w': fillDeadline \(300s\) cannot fit the fill: 140\.0 GiB at 100 MiB\/s \(platform downloadBandwidthMiBps\) is 1434 s; .* sha256 359 s, together at least 1793 s; allow at least 3359s/,
    ],
    [
      'a download timeout below the transfer time',
      { size: '900Gi', fetcher: { timeout: Duration.minutes(10) } },
      /cache.fetcher.timeout \(600s\) cannot fit the download: 900\.0 GiB at 100 MiB\/s \(platform downloadBandwidthMiBps\) is 9216 s; with 25 % margin, 5 resumed attempts and a minute to connect 11930 s; .*allow at least 11930s/,
    ],
    [
      'ReadOnlyMany, which would ask for ReadWriteOnce and ReadOnlyMany on one claim',
      { accessMode: 'ReadOnlyMany' as any },
      /accessMode \(ReadOnlyMany\) would ask for ReadWriteOnce and ReadOnlyMany on one claim, which the CSI external-attacher refuses to attach/,
    ],
  ])('throws on %s', (_n, props, message) => {
    expect(() => new ModelCache(testChart(), 'w', { ...cacheProps, ...props } as ModelCacheProps)).toThrow(message);
  });

  test('a cache in another namespace', () => {
    const app = Testing.app();
    const cache = new ModelCache(new Chart(app, 'a', { namespace: 'ml-a' }), 'w', cacheProps);
    expect(() => new OnlineInference(new Chart(app, 'b', { namespace: 'ml-b' }), 'llama', server(cache))).toThrow(
      /OnlineInference 'b\/llama': model.cache \(ml-a\/w\) is in another namespace than the workload \(ml-b\); create the ModelCache in namespace 'ml-b'/,
    );
  });

  test('a canary reading a cache from another namespace (the canary track was not checked)', () => {
    const app = Testing.app();
    const cache = new ModelCache(new Chart(app, 'a', { namespace: 'ml-a' }), 'w', cacheProps);
    const b = new Chart(app, 'b', { namespace: 'ml-b' });
    const own = new ModelCache(b, 'own', cacheProps);
    expect(
      () =>
        new OnlineInference(b, 'llama', {
          ...server(own),
          canary: { model: { name: 'llama-3-1-70b', version: 'next', cache }, weight: 50 },
        }),
    ).toThrow(/model.cache \(ml-a\/w\) is in another namespace than the workload \(ml-b\)/);
  });

  test('a cache and a uri', () => {
    const chart = testChart();
    const cache = new ModelCache(chart, 'w', cacheProps);
    expect(
      () =>
        new OnlineInference(
          chart,
          'llama',
          server(cache, { model: { name: 'l', version: '1', cache, uri: 'https://x.example.com/m', sha256: 'a'.repeat(64), size: '1Gi' } }),
        ),
    ).toThrow(/model.cache \(test\/w\) is set together with model.uri/);
  });
});

describe('storage a CSI driver attaches', () => {
  const rwo: ModelCacheProps = { ...cacheProps, accessMode: undefined, storageClass: undefined };

  test('by default block storage: one ReadWriteOnce access mode, never the [ReadWriteOnce, ReadOnlyMany] pair', () => {
    const chart = testChart();
    const cache = new ModelCache(chart, 'w', rwo);
    new OnlineInference(
      chart,
      'llama',
      server(cache, { autoscaling: undefined, replicas: 1, rollout: undefined, availability: 'best-effort' }),
    );
    expect(one(synthValid(chart), 'PersistentVolumeClaim').spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  test('replicas on several nodes need a volume every node can attach', () => {
    const chart = testChart();
    const cache = new ModelCache(chart, 'w', rwo);
    expect(() => new OnlineInference(chart, 'llama', server(cache))).toThrow(
      /model.cache \(ml\/w\) is on ReadWriteOnce storage, which one node attaches at a time, but the replicas, rollout surge and canary \(5 pods\) may run on several nodes.*readWriteMany: true/,
    );
  });

  test('BatchScoringJob: shards scored in parallel on several nodes need it too; one shard at a time may use block storage', () => {
    const scoring = (parallelism?: number) => () => {
      const chart = testChart();
      const cache = new ModelCache(chart, 'w', rwo);
      new BatchScoringJob(chart, 'score', {
        image: 'registry.example.com/scorer:v1.0.0',
        resources: { cpu: '8', memory: '160Gi' },
        model: { name: 'llama-3-1-70b', version: HF.revision.slice(0, 12), cache },
        shards: 8,
        parallelism,
        networkPolicy: storeEgress,
      });
      return synthValid(chart);
    };
    expect(scoring(4)).toThrow(
      "BatchScoringJob 'test/score': model.cache (ml/w) is on ReadWriteOnce storage, which one node attaches at a time, but the shards scored in parallel (4 pods) may run on several nodes: pods on a second node never start (Multi-Attach error); fill the cache on a shared filesystem (ModelCache accessMode: 'ReadWriteMany', or the platform's modelCacheStorage: { storageClass: '...', readWriteMany: true }), or run a single pod (parallelism: 1)",
    );
    expect(scoring(1)).not.toThrow();
  });

  test("the platform's storage setting decides the access mode and the StorageClass", () => {
    const chart = testChart();
    Platform.configure(chart, { modelCacheStorage: { storageClass: 'filestore', readWriteMany: true } });
    new OnlineInference(chart, 'llama', server(new ModelCache(chart, 'w', rwo)));
    expect(one(synthValid(chart), 'PersistentVolumeClaim').spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
      storageClassName: 'filestore',
    });
  });

  test('the budgets follow the declared bandwidth', () => {
    const at = (mibps: number) => {
      const chart = testChart();
      Platform.configure(chart, { downloadBandwidthMiBps: mibps });
      return new ModelCache(chart, 'w', { ...cacheProps, fetcher: undefined }).fillTimeout.toSeconds();
    };
    expect(at(1000)).toBeLessThan(at(100));
    expect(at(100)).toBe(Math.ceil(1434 * 1.25) + 5 * 70 + 60 + 359 + 600);
    expect(() => at(0)).toThrow(/platform downloadBandwidthMiBps \(0\) is not a positive number/);
  });
});

describe('the fill is idempotent', () => {
  test('a re-created fill Job finds the verified marker and neither downloads nor re-verifies', () => {
    const chart = testChart();
    const cache = new ModelCache(chart, 'w', {
      uri: 'https://x.example.com/m.bin',
      sha256: 'd'.repeat(64),
      size: '1Gi',
      networkPolicy: storeEgress,
    });
    const fill = podSpec(one(synthValid(chart), 'Job'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    try {
      fs.writeFileSync(path.join(dir, '.verified'), `${cache.digest}\n`);
      const env = {
        PATH: process.env.PATH,
        MODEL_DIR: dir,
        MODEL_DIGEST: cache.digest,
        MODEL_URI: 'https://unreachable.invalid/m.bin',
        MODEL_TARGET: `${dir}/m.bin`,
      };
      const fetch = fill.initContainers[0].command;
      expect(execFileSync(fetch[0], fetch.slice(1), { env, stdio: 'pipe' }).toString()).toMatch(/already verified/);
      expect(execFileSync('sh', ['-c', fill.containers[0].command[2]], { env, stdio: 'pipe' }).toString()).toMatch(/already verified/);
      expect(fs.readdirSync(dir)).toEqual(['.verified']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model load alert with a shared cache', () => {
  test('watches the wait-model init container, so a cache that never fills pages', () => {
    const chart = testChart('ml-serving');
    const cache = new ModelCache(chart, 'llama-70b-weights', cacheProps);
    new OnlineInference(chart, 'llama', server(cache, { monitoring: {} }));
    const rule = one(synthValid(chart), 'PrometheusRule')
      .spec.groups.flatMap((g: any) => g.rules)
      .find((r: any) => r.alert === 'MlModelLoadFailing');
    expect(rule.expr).toContain('container="wait-model"');
    expect(rule.annotations.runbook).toContain('-c wait-model');
  });
});
