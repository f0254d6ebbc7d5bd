import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { Accelerator, GpuTrainingJob, MlApp, Platform, PlatformConventions, SpotCapacity, reviewOnSynth } from '../src';
import { batchChart } from './fixtures/release-0.2.0/examples/batch';
import { observabilityChart } from './fixtures/release-0.2.0/examples/observability';
import { configurePlatform, platformChart } from './fixtures/release-0.2.0/examples/platform';
import { queueChart } from './fixtures/release-0.2.0/examples/queue';
import { servingChart } from './fixtures/release-0.2.0/examples/serving';
import { PropsFix, README_EXAMPLES } from './fixtures/release-0.2.0/readme';

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
    .map((b) => b.replace(/\n\s+/g, ' '))
    .filter((b) => b.includes(phrase))
    .some((b) => /(Fix: | -> )\S/.test(b));

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
  {
    entry: 'no longer sets `ttlSecondsAfterFinished` on its Jobs',
    covers: (c) => c.object.startsWith('CronJob/') && c.path === 'spec.jobTemplate.spec.ttlSecondsAfterFinished' && c.after === undefined,
  },
  {
    entry: 'quota without `accelerators` now caps `nvidia.com/gpu` at 0',
    covers: (c) => c.object.startsWith('ResourceQuota/') && c.path === 'spec.hard.requests.nvidia.com/gpu' && c.after === '0',
  },
  {
    entry: 'the default window follows the startup',
    covers: (c) => c.path.endsWith('scaleDown.stabilizationWindowSeconds') && c.before === 300 && Number(c.after) > 300,
  },
  {
    entry: 'set `HF_HUB_CACHE` and `HUGGINGFACE_HUB_CACHE`',
    covers: (c) => /\.env\[(HF_HUB_CACHE|HUGGINGFACE_HUB_CACHE)\]$/.test(c.path) && c.before === undefined,
  },
  {
    entry: 'The `batch-preemptible` PriorityClass',
    covers: (c) => c.object === 'PriorityClass/batch-preemptible' && c.path === 'description',
  },
  {
    entry: 'JobSet training: a disruption restarts the group with `RestartJobSetAndIgnoreMaxRestarts`',
    covers: (c) =>
      c.object.startsWith('JobSet/') &&
      ((c.path === 'spec.failurePolicy.rules[RestartGroupOnDisruption].action' && c.after === 'RestartJobSetAndIgnoreMaxRestarts') ||
        (c.path === 'spec.failurePolicy.rules[FailOnNonRetryableExit].onJobFailureMessagePatterns' && c.before === undefined) ||
        (c.path === 'spec.replicatedJobs[workers].template.spec.backoffLimit' && c.before === 0 && c.after === undefined) ||
        (c.path === 'spec.replicatedJobs[workers].template.spec.backoffLimitPerIndex' && c.before === undefined) ||
        (c.path === 'spec.replicatedJobs[workers].template.spec.maxFailedIndexes' && c.after === 0) ||
        (/^spec\.replicatedJobs\[workers\]\.template\.spec\.podFailurePolicy\.rules\.\d+$/.test(c.path) &&
          c.after === undefined &&
          JSON.stringify(c.before) ===
            JSON.stringify({ action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'NotIn', values: [0] } }))),
  },
  {
    entry: 'The KEDA scaler alerts (`MlScalerFailing`, `MlQueueBacklogHigh`) match `exported_namespace`',
    covers: (c) =>
      c.object.startsWith('PrometheusRule/') &&
      c.path.endsWith('.expr') &&
      typeof c.before === 'string' &&
      c.before.includes('keda_') &&
      c.after === c.before.replace(/\bnamespace\b/g, 'exported_namespace'),
  },
  {
    entry: 'LLM servers get `USER`/`LOGNAME=model-server`',
    covers: (c) => {
      const server = 'spec.template.spec.containers[server]';
      const mi = (q: unknown) => (typeof q === 'string' && q.endsWith('Mi') ? Number(q.slice(0, -2)) : NaN);
      return (
        (/^spec\.template\.spec\.containers\[server\]\.env\[(USER|LOGNAME|XDG_CACHE_HOME)\]$/.test(c.path) && c.before === undefined) ||
        (c.path === `${server}.env[HOME].value` && c.before === '/tmp' && c.after === '/home/model-server') ||
        (c.path === `${server}.volumeMounts[home]` && c.before === undefined) ||
        (c.path === 'spec.template.spec.volumes[home]' && c.before === undefined) ||
        (/^spec\.template\.spec\.containers\[server\]\.resources\.(requests|limits)\.ephemeral-storage$/.test(c.path) &&
          mi(c.after) - mi(c.before) === 8192)
      );
    },
  },
  {
    entry: 'Download budgets derive from `size`',
    // The default follows the model's download budget (the frozen 0.2.0 default was 10 minutes for any size).
    covers: (c) =>
      c.object.startsWith('Deployment/') &&
      c.path === 'spec.progressDeadlineSeconds' &&
      typeof c.before === 'number' &&
      typeof c.after === 'number',
  },
];

function manifestsIn(dir: string): Map<string, any[]> {
  return new Map(
    fs.readdirSync(dir).map((f) => [f, YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON())]),
  );
}

/** A fix a "Breaking" entry gives, as the upgrade test applies it when an app fails with `error`. */
interface DocumentedFix {
  /** A phrase of the entry. */
  readonly entry: string;
  readonly error: RegExp;
  /** Props edits (README examples). */
  readonly props?: (props: any) => any;
  /** Platform settings, configured first. */
  readonly platform?: PlatformConventions;
  /** The output differences the fix itself makes. */
  readonly changes?: (c: Change) => boolean;
}

const FIXES: DocumentedFix[] = [
  {
    entry: 'Availability is `continuous` by default',
    error: /availability \(continuous\) cannot be kept/,
    props: (p) => (p.autoscaling?.minReplicas === 1 ? { ...p, autoscaling: { ...p.autoscaling, minReplicas: 2 } } : p),
    changes: (c) => /minReplicaCount|minReplicas|maxUnavailable|minAvailable/.test(c.path),
  },
  {
    entry: '`model.claimName` must name the model version',
    error: /does not name the model version/,
    props: (p) => (p.model?.claimName ? { ...p, model: { ...p.model, claimName: `${p.model.claimName}-${p.model.version}` } } : p),
    changes: (c) => /claimName|model-claim/.test(c.path) || JSON.stringify(c.after ?? '').includes('hf-cache-'),
  },
  {
    entry: "platform's `maxPerPodDownload`",
    error: /above the platform's maxPerPodDownload/,
    platform: { maxPerPodDownload: '20Gi' },
  },
];

/**
 * What the current library writes for the app `build` makes (MlApp writes the same bytes as cdk8s's App), with
 * the documented fixes applied, one per error, until it synthesizes.
 */
function currentManifests(build: (app: App, fix: PropsFix) => void): { manifests: Map<string, any[]>; fixes: DocumentedFix[] } {
  const fixes: DocumentedFix[] = [];
  for (;;) {
    const app = new MlApp();
    for (const f of fixes) if (f.platform) Platform.configure(app, f.platform);
    const fix = ((props: any) => fixes.reduce((p, f) => (f.props ? f.props(p) : p), props)) as PropsFix;
    try {
      build(app, fix);
      const files = app.synthFiles();
      return { manifests: new Map(files.map((f) => [f.path, YAML.parseAllDocuments(f.yaml).map((d) => d.toJSON())])), fixes };
    } catch (e) {
      const message = (e as Error).message;
      const known = FIXES.find((f) => f.error.test(message) && !fixes.includes(f));
      if (!known) throw new Error(`an error no "Breaking" fix covers: ${message}`);
      fixes.push(known);
    }
  }
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
  const apps: Record<string, (app: App, fix: PropsFix) => void> = { examples: examplesApp, ...README_EXAMPLES };
  const results: Record<string, { changes: Change[]; fixes: DocumentedFix[] }> = {};
  beforeAll(() => {
    for (const [name, build] of Object.entries(apps)) {
      const { manifests, fixes } = currentManifests(build);
      const dir = path.join(FIXTURE, name === 'examples' ? 'examples' : path.join('readme', name));
      results[name] = { changes: compare(manifestsIn(dir), manifests), fixes };
    }
  });
  const unexplained = (name: string) =>
    results[name].changes.filter((c) => !KNOWN.some((k) => k.covers(c)) && !results[name].fixes.some((f) => f.changes?.(c)));

  test.each(Object.keys(apps))('%s synthesizes (with the fixes "Breaking" gives); every difference in its manifests is listed', (name) => {
    expect(unexplained(name)).toEqual([]);
    for (const f of results[name].fixes)
      expect({ fix: f.entry, listed: listed(breaking, f.entry) }).toEqual({ fix: f.entry, listed: true });
  });

  test('every kind of difference is listed under Breaking with its fix, and every entry of the table occurs', () => {
    const all = Object.values(results).flatMap((r) => r.changes);
    for (const k of KNOWN) {
      expect({ entry: k.entry, listed: listed(breaking, k.entry) }).toEqual({ entry: k.entry, listed: true });
      expect({ entry: k.entry, occurs: all.some((c) => k.covers(c)) }).toEqual({ entry: k.entry, occurs: true });
    }
  });

  test('Breaking describes changes to what 0.2.0 had: no class 0.2.0 did not export is the subject of an entry (only of a fix)', () => {
    const released = new Set<string>(require('./fixtures/release-0.2.0/exported-names.json').names);
    const report = fs.readFileSync(path.join(__dirname, '..', 'api', 'cdk8s-ml.api.md'), 'utf8');
    const newClasses = [...report.matchAll(/^export declare class (\w+)/gm)].map((m) => m[1]).filter((n) => !released.has(n));
    expect(newClasses).toEqual(expect.arrayContaining(['ModelCache', 'MultiHostInference']));
    const subjects = breaking
      .split(/\n- /)
      .slice(1)
      .map((b) => b.replace(/\n\s+/g, ' '))
      .flatMap((b) => {
        const problem = b.split(/Fix: | -> /)[0];
        return [...problem.matchAll(/`([A-Za-z_]\w*)/g)].filter((m) => newClasses.includes(m[1])).map((m) => `${m[1]}: ${b.slice(0, 60)}`);
      });
    expect(subjects).toEqual([]);
  });

  test("the run-time export count under Changed is the API report's", () => {
    const report = fs.readFileSync(path.join(__dirname, '..', 'api', 'cdk8s-ml.api.md'), 'utf8');
    const runTime = /(\d+) at run time/.exec(report)![1];
    expect(/public API has (\d+) run-time exports/.exec(unreleased)?.[1]).toBe(runTime);
  });

  test("the README's LLM example needs the availability fix (the issue's case)", () => {
    expect(results.llmServing.fixes.map((f) => f.entry)).toContain('Availability is `continuous` by default');
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
