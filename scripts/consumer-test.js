// The package as a user gets it: `npm pack`, a fresh consumer project outside the repository with
// only the tarball and its peer dependencies from the registry (production install: no dev
// dependency), a plain-JavaScript app synthesized by `cdk8s synth` with the validation plugin loaded
// by package name and by path, the review CLI on the output, and the types checked by tsc.
//
//   npm run test:consumer        (CI: a step of .ci/run; about 30-60 s, offline once the npm cache is warm)
//
// Prints one line per check and "consumer test: passed" or "consumer test: FAILED"; exit code 1 on failure.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const YAML = require('yaml');

const ROOT = path.join(__dirname, '..');
const pkg = require('../package.json');
const started = Date.now();
const MAX_PACKED_BYTES = 1.5e6;
const MAX_UNPACKED_BYTES = 10e6;
// What the tarball may hold: the compiled library and its types, the CLI, the plugin entry, docs.
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^bin\/cdk8s-ml-review$/,
  /^review-plugin\/index\.js$/,
  /^lib\/(src|imports)\/.+\.(js|d\.ts)$/,
];
const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'bin/cdk8s-ml-review',
  'review-plugin/index.js',
  'lib/src/index.js',
  'lib/src/index.d.ts',
  'lib/src/review/cli.js',
  'lib/src/review/plugin.js',
];

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
  return ok;
}

function run(command, args, options = {}) {
  const t = Date.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options, env: { ...cleanEnv(), ...options.env } });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t, error: r.error };
}

/** The environment without anything that would let the consumer reach the repository's modules or hooks. */
function cleanEnv() {
  // `npm run` exports its settings (npm_config_local_prefix = this repository, ...): none may leak into the consumer's npm.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  for (const k of ['NODE_OPTIONS', 'NODE_PATH', 'CDK8S_OUTDIR', 'CDK8S_RECORD_CONSTRUCT_METADATA', 'INIT_CWD']) delete env[k];
  return { ...env, CDK8S_CHECK_UPGRADE: 'false', npm_config_update_notifier: 'false' };
}

function installedVersion(name) {
  return require(path.join(ROOT, 'node_modules', name, 'package.json')).version;
}

function filesBelow(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? filesBelow(dir, p) : [p];
  });
}

function main() {
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-consumer-')));
  check(path.relative(ROOT, work).startsWith('..'), 'the consumer project lies outside the repository', work);
  for (let dir = work; ; dir = path.dirname(dir)) {
    if (!check(!fs.existsSync(path.join(dir, 'node_modules')) || dir === work, `no node_modules above the consumer at ${dir}`)) return;
    if (dir === path.dirname(dir)) break;
  }

  // 1. Pack (prepack builds lib/ from src/ with tsconfig.build.json).
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  if (!check(pack.code === 0, 'npm pack (prepack builds lib/)', `${pack.ms} ms`)) return console.log(pack.stderr.slice(-3000));
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  const files = info.files.map((f) => f.path);
  const stray = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
  check(
    stray.length === 0,
    'the tarball holds only lib/ (.js + .d.ts), bin/, review-plugin/, README, LICENSE, CHANGELOG',
    stray.slice(0, 10).join(', '),
  );
  const missing = REQUIRED.filter((f) => !files.includes(f));
  check(missing.length === 0, 'the tarball holds the entry points', missing.join(', '));
  check(
    !files.some((f) => /^(src|test|bench|examples|scripts|imports)\//.test(f) || /\.ts$/.test(f.replace(/\.d\.ts$/, ''))),
    'no sources, tests, benchmarks or examples',
  );
  check(
    info.size <= MAX_PACKED_BYTES && info.unpackedSize <= MAX_UNPACKED_BYTES,
    'tarball size',
    `${files.length} files, ${(info.size / 1e3).toFixed(0)} kB packed (max ${MAX_PACKED_BYTES / 1e3}), ${(info.unpackedSize / 1e6).toFixed(2)} MB unpacked (max ${MAX_UNPACKED_BYTES / 1e6})`,
  );
  const tarball = path.join(work, info.filename);

  // 2. A fresh consumer: the tarball plus the peer dependencies (the versions this repository tests with), production install.
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  const peers = Object.keys(pkg.peerDependencies);
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'ml-deploy',
        version: '1.0.0',
        private: true,
        dependencies: { 'cdk8s-ml': `file:${tarball}`, ...Object.fromEntries(peers.map((p) => [p, installedVersion(p)])) },
      },
      null,
      2,
    ),
  );
  const install = run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
  if (!check(install.code === 0, 'npm install --omit=dev --prefer-offline <tarball> + peers', `${install.ms} ms`))
    return console.log(install.stderr.slice(-3000));
  const devOnly = Object.keys(pkg.devDependencies).filter((d) => !peers.includes(d));
  const present = [...devOnly, 'typescript', 'ts-node'].filter((d) => fs.existsSync(path.join(app, 'node_modules', d)));
  check(
    present.length === 0,
    `no dev dependency installed (${devOnly.length} checked, typescript and ts-node included)`,
    present.join(', '),
  );
  check(
    !fs.existsSync(path.join(app, 'node_modules', 'cdk8s-ml', 'src')),
    'the installed package has no src/ (the CLI and plugin run lib/)',
  );
  // The entry point loads each module on first use (scripts/lazy-index.js): loading it pulls in no workload
  // family, and every export still resolves to what the module exports.
  const lazy = run(
    'node',
    [
      '-e',
      `const before = new Set(Object.keys(require.cache));
       const ml = require('cdk8s-ml');
       const loaded = Object.keys(require.cache).filter((f) => !before.has(f) && f.includes('/cdk8s-ml/lib/'));
       const families = loaded.filter((f) => /\\/lib\\/src\\/(serving|llm|batch|training|queue|app|platform|review)\\//.test(f));
       const undef = Object.keys(ml).filter((k) => ml[k] === undefined);
       console.log(JSON.stringify({ loaded: loaded.length, families, exports: Object.keys(ml).length, undef }));`,
    ],
    { cwd: app },
  );
  const lazyResult = lazy.code === 0 ? JSON.parse(lazy.stdout.trim()) : undefined;
  // As many as the API report counts at run time (classes, functions, constants): none lost to the lazy entry point.
  const RUNTIME_EXPORTS = Number(/(\d+) at run time/.exec(fs.readFileSync(path.join(ROOT, 'api', 'cdk8s-ml.api.md'), 'utf8'))?.[1]);
  check(
    lazyResult !== undefined && lazyResult.families.length === 0 && lazyResult.undef.length === 0 && lazyResult.exports === RUNTIME_EXPORTS,
    'require("cdk8s-ml") loads no workload family; every export resolves on first use',
    lazyResult
      ? `${lazyResult.loaded} files at load, ${lazyResult.exports} exports (API report: ${RUNTIME_EXPORTS}), undefined: ${lazyResult.undef.join(', ') || 'none'}`
      : lazy.stderr.slice(-2000),
  );

  // ES modules: Node's loader reads the named exports of the CommonJS entry point statically (cjs-module-lexer).
  fs.writeFileSync(
    path.join(app, 'esm-check.mjs'),
    "import { MlApp, OnlineInference, review } from 'cdk8s-ml';\nconsole.log([MlApp, OnlineInference, review].map((x) => typeof x).join(' '));\n",
  );
  const esm = run('node', ['esm-check.mjs'], { cwd: app });
  check(esm.code === 0 && esm.stdout.trim() === 'function function function', 'an ES module imports named exports', esm.stderr.slice(-500));

  // 3. A plain-JavaScript app, the plugin enabled twice: by package name (cdk8s-cli's plugins folder, filled
  // the way cdk8s-cli's own `npm install --prefix` would, from the installed copy) and by path.
  fs.writeFileSync(
    path.join(app, 'main.js'),
    `
const { Chart } = require('cdk8s');
const { MlApp, MlNamespace, OnlineInference, BatchScoringJob, Platform } = require('cdk8s-ml');

const app = new MlApp({ folderPerNamespace: true });
Platform.configure(app, { allowedRegistries: ['registry.example.com'] });
const platform = new Chart(app, 'platform');
new MlNamespace(platform, 'ml-serving', { quota: { requestsCpu: '16', requestsMemory: '64Gi', pods: 40 } });
const serving = new Chart(app, 'serving', { namespace: 'ml-serving' });
new OnlineInference(serving, 'sentiment', {
  image: 'registry.example.com/sentiment:v2.1.0',
  resources: { cpu: '500m', memory: '1Gi', memoryLimit: '2Gi' },
});
new BatchScoringJob(serving, 'nightly-scores', {
  image: 'registry.example.com/scorer:v1.4.0',
  resources: { cpu: '1', memory: '2Gi' },
  schedule: '0 2 * * *',
});
app.synth();
app.writeReport('NOTES.md', '# written beside dist/\\n');
`,
  );
  const pluginDir = path.join(app, '.cdk8s-plugins', pkg.name, pkg.version, 'node_modules');
  fs.mkdirSync(pluginDir, { recursive: true });
  fs.symlinkSync(path.join(app, 'node_modules', pkg.name), path.join(pluginDir, pkg.name), 'dir');
  fs.writeFileSync(
    path.join(app, 'cdk8s.yaml'),
    YAML.stringify({
      language: 'javascript',
      app: 'node main.js',
      output: 'dist',
      pluginsDirectory: path.join(app, '.cdk8s-plugins'), // absolute: cdk8s-cli requires it as given
      validations: [
        { package: pkg.name, version: pkg.version, class: 'MlReviewValidation', properties: { failOn: 'error' } },
        { package: `./node_modules/${pkg.name}/review-plugin`, version: pkg.version, class: 'MlReviewValidation' },
      ],
    }),
  );
  const cdk8s = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'); // the developer's tool, not a runtime dependency
  const synth = run(process.execPath, [cdk8s, 'synth', '--no-check-upgrade'], { cwd: app });
  const synthOut = synth.stdout + synth.stderr;
  if (!check(synth.code === 0, 'cdk8s synth with both plugins', `${synth.ms} ms`)) return console.log(synthOut.slice(-4000));
  check(synthOut.includes(`Validation Report (${pkg.name}@${pkg.version})`), 'the plugin loaded by package name reported');
  check(synthOut.includes(`review-plugin@${pkg.version})`), 'the plugin loaded by path reported');
  check((synthOut.match(/Status\s*│\s*success/g) ?? []).length === 2 && !/Status\s*│\s*failure/.test(synthOut), 'both validations passed');

  // 4. The output: only Kubernetes objects in dist/, the report beside it.
  const dist = path.join(app, 'dist');
  const out = filesBelow(dist).sort();
  const objects = out.flatMap((f) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8'))
      .map((d) => d.toJS())
      .filter((d) => d !== null),
  );
  check(
    out.length > 0 && out.every((f) => f.endsWith('.k8s.yaml')),
    'dist/ holds only manifests (no construct-metadata.json)',
    out.join(', '),
  );
  check(
    objects.every((o) => typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof o.metadata?.name === 'string'),
    'every document is a Kubernetes object',
    `${objects.length} objects`,
  );
  check(
    objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'sentiment') &&
      objects.some((o) => o.kind === 'CronJob' && o.metadata.name === 'nightly-scores'),
    'the workloads are there',
  );
  check(out.includes('ml-serving/sentiment.k8s.yaml'), 'folder per namespace, file per workload');
  check(fs.existsSync(path.join(app, 'reports', 'NOTES.md')), 'reports/ beside dist/');

  // 5. The CLI, through the bin link npm made (shebang, plain node).
  const cli = path.join(app, 'node_modules', '.bin', 'cdk8s-ml-review');
  const help = run(cli, ['--help'], { cwd: app });
  check(help.code === 0 && /cdk8s-ml-review/.test(help.stdout + help.stderr), 'cdk8s-ml-review --help', `${help.ms} ms`);
  const clean = run(cli, ['dist'], { cwd: app });
  check(
    clean.code === 0 && /0 errors/.test(clean.stdout),
    'cdk8s-ml-review dist/ passes the synthesized output',
    `${clean.ms} ms; ${clean.stdout.trim().split('\n').pop()}`,
  );
  fs.writeFileSync(
    path.join(app, 'hand-written.yaml'),
    YAML.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'legacy', namespace: 'ml-serving' },
      spec: {
        selector: { matchLabels: { app: 'legacy' } },
        template: {
          metadata: { labels: { app: 'legacy' } },
          spec: { containers: [{ name: 'server', image: 'registry.example.com/legacy:latest' }] },
        },
      },
    }),
  );
  const bad = run(cli, ['hand-written.yaml'], { cwd: app });
  check(
    bad.code === 1 && /ML0\d\d/.test(bad.stdout),
    'cdk8s-ml-review flags a hand-written manifest (exit 1)',
    bad.stdout.trim().split('\n').pop(),
  );

  // 6. The types: a TypeScript consumer compiles against the .d.ts (node16 resolution reads `exports`).
  fs.writeFileSync(
    path.join(app, 'check.ts'),
    `
import { App, Chart } from 'cdk8s';
import { MlApp, OnlineInference, OnlineInferenceProps, MlReviewValidation } from 'cdk8s-ml';
const props: OnlineInferenceProps = { image: 'registry.example.com/s:v1', resources: { cpu: '1', memory: '1Gi' } };
const app: App = new MlApp();
const svc = new OnlineInference(new Chart(app, 'c'), 's', props);
export const names: string[] = [svc.deployment.name, typeof MlReviewValidation];
`,
  );
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'node16',
        moduleResolution: 'node16',
        target: 'ES2022',
        skipLibCheck: false,
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['check.ts'],
    }),
  );
  const tsc = run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app });
  check(
    tsc.code === 0,
    'a TypeScript consumer type-checks against the shipped .d.ts (skipLibCheck off)',
    `${tsc.ms} ms ${tsc.stdout.slice(0, 2000)}`,
  );

  if (failures === 0) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`left for inspection: ${work}`);
}

try {
  main();
} catch (error) {
  check(false, 'consumer test ran', error && error.stack ? error.stack : String(error));
}
console.log(`consumer test: ${failures === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failures === 0 ? 0 : 1;
