import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BatchScoringJob, MlEnvValue, OnlineInference, OnlineInferenceProps } from '../src';
import { runScript, selfSignedCertificate, serve } from './fixtures/loopback';
import { one, podSpec, synthValid, testChart } from './helpers';

const SHA = 'c'.repeat(64);
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const egress = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };
type Model = NonNullable<OnlineInferenceProps['model']>;
const props = (model: Partial<Model>, extra: Partial<OnlineInferenceProps> = {}): OnlineInferenceProps => ({
  image: 'registry.example.com/s:v1',
  resources: { cpu: '1', memory: '4Gi' },
  networkPolicy: egress,
  model: { name: 'm', version: 'v1', uri: 'https://models.example.com/m/v1/model.onnx', sha256: SHA, size: '2Gi', ...model } as Model,
  ...extra,
});
function inits(model: Partial<Model>, extra: Partial<OnlineInferenceProps> = {}) {
  const chart = testChart();
  new OnlineInference(chart, 'svc', props(model, extra));
  const spec = podSpec(one(synthValid(chart), 'Deployment'));
  return {
    spec,
    fetch: spec.initContainers[0],
    verify: spec.initContainers[1],
    env: (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom])),
  };
}
const s3 = { image: 'registry.example.com/aws-cli:2.17.0', command: ['sh', '-c', 'aws s3 cp "$MODEL_URI" "$MODEL_TARGET"'] };
const gs = { image: 'registry.example.com/gcloud:480.0.0', command: ['sh', '-c', 'gcloud storage cp "$MODEL_URI" "$MODEL_TARGET"'] };

describe('every scheme ends with the sha256 check before the server starts', () => {
  test.each([
    ['https (default curl fetcher)', { uri: 'https://models.example.com/m/v1/model.onnx' }],
    ['s3 with an AWS CLI fetcher', { uri: 's3://models/m/v1/model.onnx', fetcher: s3 }],
    ['gs with a gcloud fetcher', { uri: 'gs://models/m/v1/model.onnx', fetcher: gs }],
  ])('%s: fetch-model, then verify-model with the same image (model.fetcher.image when set)', (_n, model) => {
    const { spec, fetch, verify, env } = inits(model);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['fetch-model', 'verify-model']);
    expect(verify.image).toBe((model as { fetcher?: { image: string } }).fetcher?.image ?? 'curlimages/curl:8.10.1');
    expect(verify.image).toBe(fetch.image);
    expect(verify.command[2]).toMatch(/echo "\$MODEL_SHA256 {2}\$MODEL_FILE" \| sha256sum -c - \|\| fail "sha256 mismatch"/);
    expect(env(verify)).toMatchObject({ MODEL_SHA256: SHA, MODEL_FILE: 'model.onnx', MODEL_URI: model.uri });
    expect(env(fetch)).toMatchObject({ MODEL_URI: model.uri, MODEL_TARGET: '/models/model.onnx', HOME: '/tmp' });
    expect(verify.securityContext).toMatchObject({ runAsUser: 65532, readOnlyRootFilesystem: true });
    expect(spec.containers[0].env).toContainEqual({ name: 'MODEL_FILE', value: 'model.onnx' });
  });

  test('a batch job verifies an s3 model too', () => {
    const chart = testChart();
    new BatchScoringJob(chart, 'scorer', {
      image: 'registry.example.com/s:v1',
      resources: { cpu: '1', memory: '2Gi' },
      networkPolicy: egress,
      model: { name: 'm', version: 'v1', uri: 's3://models/m.bin', sha256: SHA, size: '1Gi', fetcher: s3 },
    });
    expect(podSpec(one(synthValid(chart), 'Job')).initContainers.map((c: any) => c.name)).toEqual(['fetch-model', 'verify-model']);
  });

  test('http:// is allowed only when asked for, and still verified', () => {
    expect(() => inits({ uri: 'http://models.internal/m.bin' })).toThrow(
      /OnlineInference 'test\/svc': model.uri \(http:\/\/models.internal\/m.bin\) uses http:\/\/, which anyone on the path can read or replace; use https:\/\/, or set model.allowInsecureHttp: true/,
    );
    expect(inits({ uri: 'http://models.internal/m.bin', allowInsecureHttp: true }).verify.name).toBe('verify-model');
  });

  test('a bearer token comes from a Secret and never appears on the command line', () => {
    const { fetch, env } = inits({ token: { secretName: 'model-store', key: 'bearer' } });
    expect(env(fetch).MODEL_TOKEN).toEqual({ secretKeyRef: { name: 'model-store', key: 'bearer' } });
    expect(fetch.command[2]).toMatch(/auth="\$\{TMPDIR:-\/tmp\}\/.auth"[^]*opts="\$opts --header @\$auth"/);
    expect(fetch.command[2]).toMatch(/trap 'rm -f "\$auth"' EXIT/);
  });
});

describe('credentials are never literals in the manifest', () => {
  test.each([
    [
      'user:password in the URI',
      { uri: 'https://bob:hunter2@models.example.com/m.bin' },
      /model.uri \(https:\/\/\*\*\*@models.example.com\/m.bin\) carries credentials in its user-info \(user:password@\); remove them from the URI and give them by Secret reference \(model.token/,
    ],
    [
      'a presigned S3 URL',
      { uri: 'https://b.s3.amazonaws.com/m.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA&X-Amz-Signature=abc' },
      /model.uri \(https:\/\/b.s3.amazonaws.com\/m.bin\?X-Amz-Algorithm=\*\*\*&X-Amz-Credential=\*\*\*&X-Amz-Signature=\*\*\*\) has a presigned or credential query string \(x-amz-credential, x-amz-signature\); use the plain object URI and give the credential by Secret reference/,
    ],
    [
      'a signed GCS URL',
      { uri: 'https://storage.googleapis.com/b/m.bin?X-Goog-Signature=abc' },
      /has a presigned or credential query string \(x-goog-signature\)/,
    ],
    [
      'an Azure SAS',
      { uri: 'https://acct.blob.core.windows.net/c/m.bin?sv=2022&sig=abc' },
      /has a presigned or credential query string \(sig\)/,
    ],
    ['a token parameter', { uri: 'https://models.example.com/m.bin?token=abc' }, /has a presigned or credential query string \(token\)/],
  ])('%s', (_n, model, message) => {
    expect(() => inits(model as Partial<Model>)).toThrow(message);
  });

  test.each([
    [
      'an AWS access key id',
      'AWS_ACCESS_KEY_ID',
      'AKIAIOSFODNN7EXAMPLE',
      /env\['AWS_ACCESS_KEY_ID'\] \(AKIAIOSF…\(20 chars\)\) is a literal that looks like an AWS access key id, so it would be written into the manifest; store it in a Secret and reference it: \{ AWS_ACCESS_KEY_ID: MlEnvValue.fromSecret/,
    ],
    ['a Hugging Face token', 'DOWNLOAD_AUTH', `hf_${'a'.repeat(34)}`, /env\['DOWNLOAD_AUTH'\] .* looks like a Hugging Face token/],
    [
      'a secret by its name',
      'AWS_SECRET_ACCESS_KEY',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      /looks like a credential \(by its name AWS_SECRET_ACCESS_KEY\)/,
    ],
    ['a URL with a password', 'DATABASE_URL', 'postgres://app:s3cret@db:5432/app', /looks like a URL with a password/],
  ])('a literal env value that is %s', (_n, name, value, message) => {
    expect(
      () =>
        new OnlineInference(testChart(), 'svc', {
          image: 'registry.example.com/s:v1',
          resources: { cpu: '1', memory: '1Gi' },
          env: { [name]: value },
        }),
    ).toThrow(message);
    expect(
      () =>
        new OnlineInference(testChart(), 'svc', {
          image: 'registry.example.com/s:v1',
          resources: { cpu: '1', memory: '1Gi' },
          env: { [name]: MlEnvValue.fromSecret('s', 'k') },
        }),
    ).not.toThrow();
  });

  test('a literal secret in the fetcher environment', () => {
    expect(() => inits({ uri: 's3://m/m.bin', fetcher: { ...s3, env: { AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) } } })).toThrow(
      /model.fetcher.env\['AWS_SECRET_ACCESS_KEY'\] .* looks like a credential/,
    );
  });

  test('ordinary values pass', () => {
    expect(
      () =>
        new OnlineInference(testChart(), 'svc', {
          image: 'registry.example.com/s:v1',
          resources: { cpu: '1', memory: '1Gi' },
          env: { MAX_TOKENS: '4096', TOKENIZER: 'bert-base', LOG_LEVEL: 'info', REDIS_URL: 'redis://cache:6379/0' },
        }),
    ).not.toThrow();
  });
});

describe('directory models', () => {
  const files = { 'config.json': sha('{}'), 'model-00001-of-00002.safetensors': 'a'.repeat(64), 'original/params.json': 'b'.repeat(64) };

  test('a checksummed file list: every file fetched from <uri>/<path> and verified, extra files rejected', () => {
    const { fetch, verify, env, spec } = inits({
      uri: 's3://models/llama/v1',
      sha256: undefined,
      files,
      fetcher: { ...s3, command: ['sh', '-c', 'aws s3 sync "$MODEL_URI" "$MODEL_DIR"'] },
    });
    const manifest = Object.keys(files)
      .sort()
      .map((p) => `${(files as any)[p]}  ${p}`)
      .join('\n');
    expect(env(fetch)).toMatchObject({ MODEL_FILES: manifest, MODEL_TARGET: '/models' });
    expect(env(verify)).toMatchObject({ MODEL_FILES: manifest, MODEL_DIGEST: sha(manifest) });
    expect(verify.command[2]).toMatch(/printf '%s\\n' "\$MODEL_FILES" \| sha256sum -c -/);
    expect(verify.command[2]).toMatch(/cmp -s "\$tmp\/have" "\$tmp\/want" \|\| fail "files not in the manifest/);
    expect(spec.containers[0].env.find((e: any) => e.name === 'MODEL_FILE')).toBeUndefined();
  });

  test('a tarball: the archive sha256 is checked, then it is extracted', () => {
    const { verify, fetch, env } = inits({ uri: 'https://models.example.com/m/v1/model.tar.gz', format: 'tar' });
    expect(env(fetch).MODEL_TARGET).toBe('/models/.archive');
    expect(verify.command[2]).toMatch(/echo "\$MODEL_SHA256 {2}.archive" \| sha256sum -c -[^]*tar -xzf .archive -C "\$MODEL_DIR"/);
  });

  test.each([
    [
      'a path that climbs out',
      { files: { '../etc/passwd': SHA } },
      /model.files\['..\/etc\/passwd'\] \(..\/etc\/passwd\) is not a relative path inside the model directory/,
    ],
    ['an absolute path', { files: { '/etc/passwd': SHA } }, /model.files\['\/etc\/passwd'\] .* is not a relative path/],
    ['a path with a space', { files: { 'my model.bin': SHA } }, /model.files\['my model.bin'\] .* is not a relative path/],
    ['a bad file checksum', { files: { 'config.json': 'abc' } }, /model.files\['config.json'\] \(abc\) is not a SHA-256/],
    ['no files', { files: {} }, /model.files \(\{\}\) lists no file/],
    ['files and sha256', { files: { 'a.bin': SHA }, sha256: SHA }, /model.files \(1 files\) is set together with model.sha256/],
    [
      'a tarball without a tar name',
      { format: 'tar', uri: 'https://m.example.com/model.zip', sha256: SHA },
      /model.uri \(https:\/\/m.example.com\/model.zip\) is a tarball without a '.tar', '.tar.gz' or '.tgz' name/,
    ],
  ])('throws on %s', (_n, model, message) => {
    expect(() => inits({ sha256: undefined, ...(model as Partial<Model>) })).toThrow(message);
  });
});

describe('Hugging Face repositories', () => {
  const hf = { repo: 'meta-llama/Llama-3.1-8B-Instruct', revision: '0e9e39f249a16976918f6564b8830bc894c89659' };
  const files = { 'config.json': 'a'.repeat(64), 'model.safetensors': 'b'.repeat(64) };

  test('fetched file by file from the pinned commit, with the token by Secret', () => {
    const { fetch, env, spec } = inits({
      uri: undefined,
      sha256: undefined,
      huggingFace: hf,
      files,
      token: { secretName: 'hf' },
      size: '2Gi',
    });
    expect(env(fetch)).toMatchObject({
      MODEL_URI: `https://huggingface.co/${hf.repo}/resolve/${hf.revision}`,
      MODEL_TOKEN: { secretKeyRef: { name: 'hf', key: 'token' } },
    });
    expect(fetch.command[2]).toMatch(/fetch "\$MODEL_URI\/\$path" "\$MODEL_DIR\/\$path"/);
    expect(spec.containers[0].env).toContainEqual({ name: 'MODEL_DIR', value: '/models' });
  });

  test.each([
    [
      'a branch instead of a commit',
      { huggingFace: { ...hf, revision: 'main' }, files },
      /model.huggingFace.revision \(main\) is not a commit hash \(40 lowercase hex digits\); pin the commit/,
    ],
    [
      'a bad repo id',
      { huggingFace: { ...hf, repo: 'llama' }, files },
      /model.huggingFace.repo \(llama\) is not a Hugging Face repository id/,
    ],
    ['no file list', { huggingFace: hf }, /model.files \(unset\) is required to verify meta-llama\/Llama-3.1-8B-Instruct; list every file/],
    ['no size', { huggingFace: hf, files, size: undefined }, /model.size \(unset\) is required to fetch model.huggingFace/],
    [
      'a uri too',
      { huggingFace: hf, files, uri: 'https://x.example.com/m' },
      /model.huggingFace \(meta-llama\/Llama-3.1-8B-Instruct\) is set together with model.uri/,
    ],
  ])('throws on %s', (_n, model, message) => {
    expect(() => inits({ uri: undefined, sha256: undefined, ...(model as Partial<Model>) })).toThrow(message);
  });
});

/** The generated scripts, run with the local shell tools on a temp directory, downloading from a loopback HTTPS server. */
describe('the fetch and verify scripts do what they say', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const scriptEnv = (container: any, modelDir: string) =>
    Object.fromEntries(
      container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value.replace(/^\/models/, modelDir)]),
    );

  /** Runs the fetch script against files under `root`, served over HTTPS on loopback. */
  async function fetchFrom(root: string, fetch: any, modelDir: string, file = ''): Promise<{ ok: boolean; err: string }> {
    const tls = selfSignedCertificate(dir);
    const server = await serve((p) => (fs.existsSync(path.join(root, p)) ? { body: fs.readFileSync(path.join(root, p)) } : undefined), tls);
    try {
      return await runScript(fetch.command[2].replace(/\/tmp\//g, `${dir}/`), {
        PATH: process.env.PATH,
        ...scriptEnv(fetch, modelDir),
        MODEL_DIR: modelDir,
        MODEL_URI: `${server.url}${file}`,
        CURL_CA_BUNDLE: tls.cert,
      });
    } finally {
      await server.close();
    }
  }

  function run(container: any, modelDir: string, env: Record<string, string> = {}): { ok: boolean; err: string } {
    const vars = scriptEnv(container, modelDir);
    try {
      execFileSync('sh', ['-c', container.command[2].replace(/\/tmp\//g, `${dir}/`)], {
        env: { PATH: process.env.PATH, ...vars, MODEL_DIR: modelDir, ...env },
        stdio: 'pipe',
      });
      return { ok: true, err: '' };
    } catch (e: any) {
      return { ok: false, err: String(e.stderr) };
    }
  }

  test('a file: a match is marked verified, a mismatch wipes the volume and fails', async () => {
    const src = path.join(dir, 'src.bin');
    fs.writeFileSync(src, 'weights');
    const model = fs.mkdirSync(path.join(dir, 'models'), { recursive: true })!;
    const { fetch, verify } = inits({ uri: `https://x.example.com/src.bin`, sha256: sha('weights') });
    expect(await fetchFrom(dir, fetch, model, '/src.bin')).toEqual({ ok: true, err: '' });
    expect(run(verify, model).ok).toBe(true);
    expect(fs.readFileSync(path.join(model, '.verified'), 'utf8').trim()).toBe(sha('weights'));
    fs.writeFileSync(path.join(model, 'src.bin'), 'tampered');
    const bad = run(verify, model);
    expect(bad.ok).toBe(false);
    expect(bad.err).toMatch(/model verification failed: sha256 mismatch/);
    expect(fs.readdirSync(model)).toEqual([]);
  });

  test('a directory: fetched file by file, verified, and an extra file fails', async () => {
    const src = path.join(dir, 'repo');
    fs.mkdirSync(path.join(src, 'original'), { recursive: true });
    fs.writeFileSync(path.join(src, 'config.json'), '{}');
    fs.writeFileSync(path.join(src, 'original', 'params.json'), '{"dim":1}');
    const model = fs.mkdirSync(path.join(dir, 'models'), { recursive: true })!;
    const { fetch, verify } = inits({ sha256: undefined, files: { 'config.json': sha('{}'), 'original/params.json': sha('{"dim":1}') } });
    expect(await fetchFrom(src, fetch, model)).toEqual({ ok: true, err: '' });
    expect(run(verify, model)).toEqual({ ok: true, err: '' });
    fs.writeFileSync(path.join(model, 'unexpected.py'), 'import os');
    const extra = run(verify, model);
    expect(extra.err).toMatch(/files not in the manifest: unexpected.py/);
  });

  test('a tarball: extracted after its checksum; members that climb out are refused', () => {
    const content = path.join(dir, 'content');
    fs.mkdirSync(content);
    fs.writeFileSync(path.join(content, 'weights.bin'), 'w');
    const good = path.join(dir, 'good.tar');
    execFileSync('tar', ['-cf', good, '-C', content, 'weights.bin']);
    const model = fs.mkdirSync(path.join(dir, 'models'), { recursive: true })!;
    const { verify } = inits({ uri: 'https://x.example.com/good.tar', format: 'tar', sha256: sha(fs.readFileSync(good)) });
    fs.copyFileSync(good, path.join(model, '.archive'));
    expect(run(verify, model)).toEqual({ ok: true, err: '' });
    expect(fs.readdirSync(model).sort()).toEqual(['.verified', 'weights.bin']);

    const evil = path.join(dir, 'evil.tar');
    execFileSync('tar', ['-cf', evil, '-C', content, '--transform', 's|^|../|', 'weights.bin']);
    const evilDir = fs.mkdirSync(path.join(dir, 'models2'), { recursive: true })!;
    fs.copyFileSync(evil, path.join(evilDir, '.archive'));
    const { verify: v2 } = inits({ uri: 'https://x.example.com/evil.tar', format: 'tar', sha256: sha(fs.readFileSync(evil)) });
    expect(run(v2, evilDir).err).toMatch(/archive members escape the model directory/);
  });
});
