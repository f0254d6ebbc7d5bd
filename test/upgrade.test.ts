import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { Accelerator, GpuTrainingJob, MlApp, OnlineInference, ServingRuntime, SpotCapacity, reviewOnSynth } from '../src';
import { batchChart } from './fixtures/release-0.2.0/examples/batch';
import { observabilityChart } from './fixtures/release-0.2.0/examples/observability';
import { configurePlatform, platformChart } from './fixtures/release-0.2.0/examples/platform';
import { queueChart } from './fixtures/release-0.2.0/examples/queue';
import { servingChart } from './fixtures/release-0.2.0/examples/serving';
import { README_EXAMPLES } from './fixtures/release-0.2.0/readme';

/*
 * Upgrade discipline: an app written against the last release (0.2.0, commit 3a795a3) synthesizes with this
 * version, or fails only with an error CHANGELOG.md lists under "Breaking"; every difference in its output is
 * listed there too. The apps are the 0.2.0 examples and the 0.2.0 README's examples, frozen in
 * test/fixtures/release-0.2.0/ with the manifests 0.2.0 wrote for them (output/). They also type-check against
 * the current API (`npm test` runs tsc over test/).
 */

const FIXTURE = path.join(__dirname, 'fixtures', 'release-0.2.0', 'output');
const changelog = fs.readFileSync(path.join(__dirname, '..', 'CHANGELOG.md'), 'utf8');
const section = (heading: string) => {
  const start = changelog.indexOf(heading);
  const next = changelog.indexOf('\n## ', start + heading.length);
  return changelog.slice(start, next < 0 ? undefined : next);
};
const unreleased = section('## Unreleased');
const breaking = unreleased.slice(unreleased.indexOf('### Breaking'), unreleased.indexOf('\n### ', unreleased.indexOf('### Breaking') + 1));
/** A "Breaking" bullet that mentions `phrase` and gives a fix. */
const listed = (within: string, phrase: string) =>
  within
    .split(/\n- /)
    .filter((b) => b.includes(phrase))
    .some((b) => /Fix: \S/.test(b.replace(/\n\s+/g, ' ')));

type Change = { file: string; object: string; path: string; before: unknown; after: unknown };

/** The differences between two manifest sets, per object and field (list items with a `name` matched by name). */
function differences(file: string, before: any[], after: any[]): Change[] {
  const key = (o: any) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
  const out: Change[] = [];
  const walk = (object: string, at: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const named = (x: unknown) => Array.isArray(x) && x.every((i) => i && typeof i === 'object' && typeof i.name === 'string');
    if (named(a) && named(b)) {
      const names = [...new Set([...(a as any[]), ...(b as any[])].map((i) => i.name))];
      for (const n of names)
        walk(
          object,
          `${at}[${n}]`,
          (a as any[]).find((i) => i.name === n),
          (b as any[]).find((i) => i.name === n),
        );
    } else if (a && b && typeof a === 'object' && typeof b === 'object') {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(object, at ? `${at}.${k}` : k, (a as any)[k], (b as any)[k]);
    } else out.push({ file, object, path: at, before: a, after: b });
  };
  const old = new Map(before.map((o) => [key(o), o]));
  const now = new Map(after.map((o) => [key(o), o]));
  for (const k of new Set([...old.keys(), ...now.keys()])) walk(k, '', old.get(k), now.get(k));
  return out;
}

/** Each kind of difference an app sees after the upgrade, and the phrase of its "Breaking" entry. */
const KNOWN: { entry: string; covers: (c: Change) => boolean }[] = [
  {
    entry: 'imagePullPolicy: Always',
    covers: (c) => c.path.endsWith('.imagePullPolicy') && c.before === 'IfNotPresent' && c.after === 'Always',
  },
  {
    entry: 'unhealthyPodEvictionPolicy: AlwaysAllow',
    covers: (c) => c.object.startsWith('PodDisruptionBudget/') && c.path === 'spec.unhealthyPodEvictionPolicy' && c.after === 'AlwaysAllow',
  },
  {
    entry: 'verified by a second init container, `verify-model`',
    covers: (c) =>
      /\.initContainers\[(fetch-model|verify-model)\]/.test(c.path) ||
      (c.object.startsWith('PrometheusRule/') && /verify-model|init container/.test(JSON.stringify(c.after))),
  },
];

function manifestsIn(dir: string): Map<string, any[]> {
  return new Map(
    fs.readdirSync(dir).map((f) => [f, YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON())]),
  );
}

/** What the current library writes for the app `build` makes (MlApp writes the same bytes as cdk8s's App). */
function currentManifests(build: (app: App) => void): Map<string, any[]> {
  const app = new MlApp();
  build(app);
  return new Map(app.synthFiles().map((f) => [f.path, YAML.parseAllDocuments(f.yaml).map((d) => d.toJSON())]));
}

function compare(before: Map<string, any[]>, after: Map<string, any[]>): Change[] {
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  return [...before].flatMap(([file, objects]) => differences(file, objects, after.get(file) ?? []));
}

/** The 0.2.0 examples app (its main.ts, without the reports it writes). */
function examplesApp(app: App): void {
  configurePlatform(app);
  platformChart(app);
  servingChart(app);
  batchChart(app);
  queueChart(app);
  observabilityChart(app);
  reviewOnSynth(app, { log: () => undefined });
}

describe('an app written against 0.2.0', () => {
  // The README examples that still synthesize; the LLM one fails (below).
  const synthesizing = Object.entries(README_EXAMPLES).filter(([name]) => name !== 'llmServing');
  let changes: Record<string, Change[]>;
  beforeAll(() => {
    changes = { examples: compare(manifestsIn(path.join(FIXTURE, 'examples')), currentManifests(examplesApp)) };
    for (const [name, build] of synthesizing)
      changes[name] = compare(manifestsIn(path.join(FIXTURE, 'readme', name)), currentManifests(build));
  });
  const unexplained = (list: Change[]) => list.filter((c) => !KNOWN.some((k) => k.covers(c)));

  test('the 0.2.0 examples synthesize; every difference in their manifests is listed under Breaking', () => {
    expect(changes.examples.length).toBeGreaterThan(0);
    expect(unexplained(changes.examples)).toEqual([]);
  });

  test.each(synthesizing.map(([name]) => name))('README example %s synthesizes; every difference is listed under Breaking', (name) => {
    expect(unexplained(changes[name])).toEqual([]);
  });

  test('every kind of difference is listed under Breaking with its fix, and every entry of the table occurs', () => {
    const all = Object.values(changes).flat();
    for (const k of KNOWN) {
      expect({ entry: k.entry, listed: listed(breaking, k.entry) }).toEqual({ entry: k.entry, listed: true });
      expect({ entry: k.entry, occurs: all.some((c) => k.covers(c)) }).toEqual({ entry: k.entry, occurs: true });
    }
  });

  test("the README's LLM example fails with the error listed under Breaking, and its fix synthesizes", () => {
    const app = Testing.app();
    expect(() => README_EXAMPLES.llmServing(app)).toThrow(
      /availability \(continuous\) cannot be kept: a node drain may evict the only replica/,
    );
    expect(listed(breaking, 'Availability is `continuous` by default')).toBe(true);
    // The fix the entry gives: minReplicas 2.
    const fixed = new Chart(Testing.app(), 'llm', { namespace: 'ml-llm' });
    new OnlineInference(fixed, 'llama', {
      image: 'vllm/vllm-openai:v0.11.0',
      runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-70B-Instruct', maxModelLen: 8192, dtype: 'bfloat16' }),
      model: { name: 'llama-3-1-70b', version: '2024-07', claimName: 'hf-cache', size: '140Gi' },
      accelerator: Accelerator.nvidiaGpu(4, { gpusPerNode: 8 }),
      resources: { cpu: '16', memory: '200Gi' },
      autoscaling: { minReplicas: 2, maxReplicas: 4, queue: { waitingPerReplica: 8 } },
      monitoring: {},
    });
    expect(() => Testing.synth(fixed)).not.toThrow();
  });

  test('the spot multi-worker engine requirement (0.1.0 -> 0.2.0) is listed under 0.2.0 Breaking, and its fix synthesizes', () => {
    const v020 = section('## 0.2.0');
    expect(listed(v020.slice(v020.indexOf('### Breaking'), v020.indexOf('### Added')), 'need an explicit training engine')).toBe(true);
    const job = (engine?: 'jobset') => () =>
      new GpuTrainingJob(new Chart(Testing.app(), 't'), 'train', {
        image: 'registry.example.com/trainer:v1',
        resources: { cpu: '8', memory: '64Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        workers: 4,
        spot: SpotCapacity.gke(),
        checkpoint: { size: '100Gi', accessMode: 'ReadWriteMany' },
        engine,
      });
    expect(job()).toThrow(/engine \(unset\) is not chosen for 4 workers on spot capacity/);
    expect(job('jobset')).not.toThrow();
  });
});
