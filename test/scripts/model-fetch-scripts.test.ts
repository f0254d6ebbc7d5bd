import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { ModelCache, ModelCacheProps } from '../../src';
import { Manifest, one, podSpec, testChart } from '../helpers';
import { Sandbox, containerEnv, fixtureServer, hasBinary } from './sandbox';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const WEIGHTS = Buffer.alloc(256 * 1024, 7);
const STORE = 'https://models.example.com';
const egress = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };

/** The fill Job's two steps of a ModelCache, as rendered. */
function fillSteps(props: Partial<ModelCacheProps>) {
  const chart = testChart();
  const cache = new ModelCache(chart, 'w', { size: '1Gi', networkPolicy: egress, ...props } as ModelCacheProps);
  // Schemas are checked elsewhere (model-cache.test.ts); here only the scripts run.
  const spec = podSpec(one(Testing.synth(chart) as Manifest[], 'Job'));
  return { cache, fetch: spec.initContainers[0], verify: spec.containers[0] };
}

/** Runs a rendered container in the sandbox: /models → `dir`, the store → the fixture server. */
function runStep(box: Sandbox, container: any, dir: string, store: string) {
  const env = containerEnv(container);
  const mapped = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v.replace(/^\/models/, dir).replace(/^https:\/\/[^/]+/, store)]),
  );
  return box.run(container.command, mapped);
}

const describeWithCurl = hasBinary('curl') && hasBinary('sha256sum') && hasBinary('openssl') ? describe : describe.skip;

describeWithCurl('the cache fill Job, executed against a loopback store (curl, sh, sha256sum)', () => {
  let box: Sandbox;
  let store: Awaited<ReturnType<typeof fixtureServer>>;
  beforeAll(async () => {
    const tarDir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'tar-'));
    fs.writeFileSync(path.join(tarDir, 'config.json'), '{"model_type":"llama"}');
    fs.writeFileSync(path.join(tarDir, 'model.safetensors'), WEIGHTS);
    execFileSync('tar', ['-cf', path.join(tarDir, 'm.tar'), '-C', tarDir, 'config.json', 'model.safetensors']);
    const tar = fs.readFileSync(path.join(tarDir, 'm.tar'));
    fs.rmSync(tarDir, { recursive: true, force: true });
    store = await fixtureServer({
      '/ok/model.bin': { body: WEIGHTS },
      '/flaky/model.bin': { body: WEIGHTS, cutFirstAt: 100_000 },
      '/stall/model.bin': { stallAfter: 1000, length: WEIGHTS.length },
      '/pkg/model.tar': { body: tar },
      '/dir/config.json': { body: Buffer.from('{"model_type":"llama"}') },
      '/dir/model.safetensors': { body: WEIGHTS },
    });
    (global as any).tarSha = sha(tar);
  });
  afterAll(() => store.close());
  beforeEach(() => {
    box = new Sandbox();
    box.caBundle = store.caBundle;
    box.fastClock(0);
  });
  afterEach(() => box.dispose());

  async function fill(props: Partial<ModelCacheProps>) {
    const { cache, fetch, verify } = fillSteps(props);
    const dir = box.dir('models');
    const fetched = await runStep(box, fetch, dir, store.url);
    const verified = fetched.code === 0 ? await runStep(box, verify, dir, store.url) : undefined;
    return { cache, dir, fetched, verified };
  }

  test('success: downloaded, verified, marked with the digest; a second run skips both steps', async () => {
    const { cache, dir, fetched, verified } = await fill({ uri: `${STORE}/ok/model.bin`, sha256: sha(WEIGHTS) });
    expect(fetched.code).toBe(0);
    expect(verified).toMatchObject({ code: 0 });
    expect(sha(fs.readFileSync(path.join(dir, 'model.bin')))).toBe(sha(WEIGHTS));
    expect(fs.readFileSync(path.join(dir, '.verified'), 'utf8').trim()).toBe(cache.digest);
    const again = await runStep(box, fillSteps({ uri: `${STORE}/ok/model.bin`, sha256: sha(WEIGHTS) }).fetch, dir, store.url);
    expect(again.stdout).toMatch(/already verified/);
  });

  test('checksum mismatch: the verification fails and wipes the volume', async () => {
    const { dir, fetched, verified } = await fill({ uri: `${STORE}/ok/model.bin`, sha256: 'e'.repeat(64) });
    expect(fetched.code).toBe(0);
    expect(verified!.code).toBe(1);
    expect(verified!.stderr).toMatch(/model verification failed: sha256 mismatch/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('an interrupted download resumes where it stopped (Range), then verifies', async () => {
    const before = store.seen.length;
    const { dir, fetched, verified } = await fill({ uri: `${STORE}/flaky/model.bin`, sha256: sha(WEIGHTS) });
    expect(fetched.code).toBe(0);
    expect(fetched.stderr).toMatch(/resuming .*flaky\/model.bin at 100000 bytes \(attempt 2 of 5\)/);
    const requests = store.seen.slice(before).filter((r) => r.url === '/flaky/model.bin');
    expect(requests.map((r) => r.range)).toEqual([undefined, 'bytes=100000-']);
    expect(verified!.code).toBe(0);
    expect(sha(fs.readFileSync(path.join(dir, 'model.bin')))).toBe(sha(WEIGHTS));
    expect(box.calls()).toContain('sleep 10');
  });

  test('a stalled download stops at the download budget with a message naming it', async () => {
    box.dispose();
    box = new Sandbox();
    box.caBundle = store.caBundle;
    box.stub('sleep');
    const { fetched } = await fill({
      uri: `${STORE}/stall/model.bin`,
      sha256: sha(WEIGHTS),
      fetcher: { timeout: Duration.seconds(1) },
      size: '1Mi',
    });
    expect(fetched.code).not.toBe(0);
    expect(fetched.stderr).toMatch(/did not finish within 1s \(fetcher.timeout\)/);
  });

  test('a tar archive: verified, extracted, the archive removed', async () => {
    const { dir, verified } = await fill({ uri: `${STORE}/pkg/model.tar`, sha256: (global as any).tarSha, format: 'tar' });
    expect(verified!.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['.verified', 'config.json', 'model.safetensors']);
  });

  test('a file list with a bearer token: every file fetched and verified, the token sent as a header', async () => {
    const { fetch, verify } = fillSteps({
      uri: `${STORE}/dir`,
      files: { 'config.json': sha('{"model_type":"llama"}'), 'model.safetensors': sha(WEIGHTS) },
      token: { secretName: 'store' },
    });
    const dir = box.dir('models');
    const fetched = await box.run(fetch.command, { ...mapEnv(fetch, dir), MODEL_TOKEN: 's3cr3t' });
    expect(fetched.code).toBe(0);
    expect(store.seen.filter((r) => r.url.startsWith('/dir/')).map((r) => r.authorization)).toContain('Bearer s3cr3t');
    expect(fs.readdirSync(box.tmp)).toEqual([]); // the header file is removed
    expect((await box.run(verify.command, mapEnv(verify, dir))).code).toBe(0);
  });

  function mapEnv(container: any, dir: string) {
    const env = containerEnv(container);
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/^\/models/, dir).replace(/^https:\/\/[^/]+/, store.url)]));
  }
});

describe('the wait for a cache, executed with a fast clock', () => {
  const chart = testChart();
  const cache = new ModelCache(chart, 'w', { uri: `${STORE}/m.bin`, sha256: 'a'.repeat(64), size: '1Gi', networkPolicy: egress });
  const { OnlineInference } = require('../../src');
  new OnlineInference(chart, 'llm', {
    image: 'registry.example.com/server:1.0',
    resources: { cpu: '1', memory: '4Gi' },
    replicas: 1,
    availability: 'best-effort',
    rollout: { maxSurge: 0, maxUnavailable: 1 },
    model: { name: 'm', version: '1', cache },
  });
  const wait = podSpec(one(Testing.synth(chart) as Manifest[], 'Deployment')).initContainers[0];
  let box: Sandbox;
  beforeEach(() => (box = new Sandbox()));
  afterEach(() => box.dispose());

  test('returns once the fill wrote the verified marker', async () => {
    box.fastClock(10);
    const dir = box.dir('models');
    fs.writeFileSync(path.join(dir, '.verified'), `${cache.digest}\n`);
    expect((await box.run(wait.command, containerEnv(wait, { MODEL_DIR: dir }))).code).toBe(0);
  });

  test('gives up after the fill deadline, naming the cache', async () => {
    box.fastClock(600);
    const r = await box.run(wait.command, containerEnv(wait, { MODEL_DIR: box.dir('models') }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`model cache w is not filled and verified after ${cache.fillTimeout.toSeconds()}s`));
  });
});
