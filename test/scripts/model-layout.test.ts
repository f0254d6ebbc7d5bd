import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Accelerator, ModelCache, ModelProps, OnlineInference, ServingRuntime } from '../../src';
import { Manifest, container, one, podSpec, testChart } from '../helpers';
import { Sandbox, containerEnv, fixtureServer, hasBinary } from './sandbox';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const STORE = 'https://models.example.com';
const egress = { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] };
const HF = { repo: 'meta-llama/Llama-3.2-1B', revision: '4e20de362430cd3b72f300e6b0f18e50e7166e08' };

/** What each runtime reads: an HF-style model directory, or a Triton model repository. */
const CONTENT: Record<string, Record<string, string>> = {
  hf: { 'config.json': '{"model_type":"llama"}', 'tokenizer.json': '{}', 'model.safetensors': 'weights' },
  triton: { 'llama/config.pbtxt': 'name: "llama"', 'llama/1/model.onnx': 'weights' },
};
/** The file that proves the runtime finds its model at the path it is given. */
const PROOF: Record<string, string> = { vllm: 'config.json', tgi: 'config.json', triton: 'llama/config.pbtxt' };
const RUNTIMES = { vllm: () => ServingRuntime.vllm(), tgi: () => ServingRuntime.tgi(), triton: () => ServingRuntime.triton() };

type Source = 'file' | 'tar' | 'files' | 'huggingFace';
const SOURCES: Source[] = ['file', 'tar', 'files', 'huggingFace'];

function tarOf(files: Record<string, string>): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-'));
  for (const [p, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), c);
  }
  execFileSync('tar', ['-cf', path.join(dir, '.a.tar'), '-C', dir, ...Object.keys(files)]);
  const tar = fs.readFileSync(path.join(dir, '.a.tar'));
  fs.rmSync(dir, { recursive: true, force: true });
  return tar;
}

/** The fetch props of `source` for content `kind`, served by the fixture under /<kind>/<source>/. */
function fetchProps(source: Source, kind: string, tars: Record<string, Buffer>): Partial<ModelProps> {
  const files = CONTENT[kind];
  const manifest = Object.fromEntries(Object.entries(files).map(([p, c]) => [p, sha(c)]));
  switch (source) {
    case 'file':
      return { uri: `${STORE}/${kind}/file/model.gguf`, sha256: sha('gguf weights'), size: '1Mi' };
    case 'tar':
      return { uri: `${STORE}/${kind}/tar/model.tar`, sha256: sha(tars[kind]), format: 'tar', size: '1Mi' };
    case 'files':
      return { uri: `${STORE}/${kind}/files`, files: manifest, size: '1Mi' };
    case 'huggingFace':
      return { huggingFace: HF, files: manifest, size: '1Mi' };
  }
}

const describeWithTools =
  hasBinary('curl') && hasBinary('tar') && hasBinary('sha256sum') && hasBinary('openssl') ? describe : describe.skip;

describeWithTools('the path each runtime reads resolves to the files the fill wrote (runtime × source × cache or per-pod fetch)', () => {
  let store: Awaited<ReturnType<typeof fixtureServer>>;
  const tars = { hf: tarOf(CONTENT.hf), triton: tarOf(CONTENT.triton) };
  beforeAll(async () => {
    const routes: Record<string, { body: Buffer }> = {};
    for (const kind of Object.keys(CONTENT)) {
      routes[`/${kind}/file/model.gguf`] = { body: Buffer.from('gguf weights') };
      routes[`/${kind}/tar/model.tar`] = { body: tars[kind as 'hf' | 'triton'] };
      for (const [p, c] of Object.entries(CONTENT[kind])) {
        routes[`/${kind}/files/${p}`] = { body: Buffer.from(c) };
        routes[`/${HF.repo}/resolve/${HF.revision}/${p}`] = { body: Buffer.from(c) };
      }
    }
    store = await fixtureServer(routes);
  });
  afterAll(() => store.close());

  // A Hub repository holds model directories, not Triton repositories: Triton reads a URI, an archive or a file list.
  const cases = Object.keys(RUNTIMES).flatMap((runtime) =>
    SOURCES.filter((source) => !(runtime === 'triton' && source === 'huggingFace')).flatMap((source) =>
      (['cache', 'fetch'] as const).map((origin) => [runtime, source, origin] as const),
    ),
  );

  test.each(cases)('%s reading a %s model through a %s', async (runtime, source, origin) => {
    const kind = runtime === 'triton' ? 'triton' : 'hf';
    const chart = testChart();
    const fetch = fetchProps(source, kind, tars);
    const model: ModelProps =
      origin === 'cache'
        ? {
            name: 'm',
            version: '1',
            cache: new ModelCache(chart, 'weights', { ...fetch, networkPolicy: egress, accessMode: 'ReadWriteMany' }),
          }
        : ({ name: 'm', version: '1', ...fetch } as ModelProps);
    const build = () =>
      new OnlineInference(chart, 'llm', {
        image: 'registry.example.com/server:1.0',
        resources: { cpu: '4', memory: '32Gi' },
        replicas: 1,
        availability: 'best-effort',
        accelerator: Accelerator.nvidiaGpu(1),
        runtime: RUNTIMES[runtime as keyof typeof RUNTIMES](),
        model,
        networkPolicy: origin === 'fetch' ? egress : undefined,
      });
    if (source === 'file' && runtime !== 'vllm') {
      expect(build).toThrow(runtime === 'tgi' ? /TGI loads a model directory/ : /Triton reads a model repository/);
      return;
    }
    build();
    const objects = Testing.synth(chart) as Manifest[];
    const server = container(one(objects, 'Deployment'), 'server');
    const steps =
      origin === 'cache'
        ? [podSpec(one(objects, 'Job')).initContainers[0], podSpec(one(objects, 'Job')).containers[0]]
        : podSpec(one(objects, 'Deployment')).initContainers;
    const box = new Sandbox();
    box.caBundle = store.caBundle;
    try {
      const dir = box.dir('models');
      for (const step of steps) {
        const env = Object.fromEntries(
          Object.entries(containerEnv(step)).map(([k, v]) => [k, v.replace(/^\/models/, dir).replace(/^https:\/\/[^/]+/, store.url)]),
        );
        const r = await box.run(step.command, env);
        expect(`${step.name}: ${r.code} ${r.stderr}`).toBe(`${step.name}: 0 `);
      }
      const arg =
        runtime === 'vllm'
          ? server.args[0]
          : runtime === 'tgi'
            ? server.args[server.args.indexOf('--model-id') + 1]
            : server.args.find((a: string) => a.startsWith('--model-repository=')).split('=')[1];
      const resolved = arg.replace(/^\/models/, dir);
      expect(arg.startsWith('/models')).toBe(true);
      if (source === 'file') expect(fs.readFileSync(resolved, 'utf8')).toBe('gguf weights');
      else expect(fs.existsSync(path.join(resolved, PROOF[runtime]))).toBe(true);
    } finally {
      box.dispose();
    }
  });

  test('a repo id with a filled cache: the server reads the directory, the repo id is the served name', () => {
    const chart = testChart();
    const cache = new ModelCache(chart, 'weights', {
      ...fetchProps('huggingFace', 'hf', tars),
      networkPolicy: egress,
      accessMode: 'ReadWriteMany',
    });
    new OnlineInference(chart, 'llm', {
      image: 'registry.example.com/server:1.0',
      resources: { cpu: '4', memory: '32Gi' },
      replicas: 1,
      availability: 'best-effort',
      accelerator: Accelerator.nvidiaGpu(1),
      runtime: ServingRuntime.vllm({ model: HF.repo }),
      model: { name: 'm', version: '1', cache },
    });
    const server = container(one(Testing.synth(chart) as Manifest[], 'Deployment'), 'server');
    expect(server.args.slice(0, 1)).toEqual(['/models']);
    expect(server.args[server.args.indexOf('--served-model-name') + 1]).toBe(HF.repo);
    expect(server.env.find((e: any) => e.name === 'HF_HUB_OFFLINE').value).toBe('1');
    expect(server.env.find((e: any) => e.name === 'HF_HUB_CACHE').value).not.toMatch(/^\/models/);
  });
});
