import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph, Lazy, Testing, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { Accelerator, MlApp, OnlineInference, reviewOnSynth } from '../src';
import { SubtreeCache, dependencyOrder } from '../src/app/app-synthesis';
import { releaseChildShapes } from '../src/app/construct-shapes';
import * as fastJson from '../src/app/fast-object-json';
import { expectSameTree, readTree, tempDir } from './app-output';
import { buildPlatformApp } from './fixtures/platform-app';

type Build = (app: App) => void;

function service(scope: Construct, id: string, gpu = false): OnlineInference {
  return new OnlineInference(scope, id, {
    image: `registry.example.com/${id}:v1.0.0`,
    resources: { cpu: '500m', memory: '1Gi' },
    ...(gpu
      ? {
          accelerator: Accelerator.nvidiaGpu(1),
          replicas: 2,
          model: { name: id, version: 'v1', uri: `https://models.example.com/${id}.bin`, sha256: 'a'.repeat(64), size: '512Mi' },
          networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0/8' } }] },
        }
      : {}),
  });
}

/** A chart that post-processes its manifests: cdk8s asks it through chart.toJson(). */
class LabelledChart extends Chart {
  public toJson(): any[] {
    return super.toJson().map((m) => ({ ...m, metadata: { ...m.metadata, annotations: { reviewed: 'true' } } }));
  }
}

const LAYOUTS: Record<string, Build> = {
  'charts per namespace': (app) => {
    for (const ns of ['team-a', 'team-b']) {
      const chart = new Chart(app, ns, { namespace: ns });
      service(chart, 'alpha');
      service(chart, 'beta', ns === 'team-b');
    }
  },
  'chart per service, an empty chart and odd strings': (app) => {
    for (let i = 0; i < 6; i++) service(new Chart(app, `svc-${i}`, { namespace: 'ml' }), `model-${i}`);
    new Chart(app, 'empty');
    new ApiObject(new Chart(app, 'raw', { namespace: 'ml' }), 'odd', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'odd' },
      data: {
        yes: 'yes',
        octal: '010',
        script: 'set -eu\necho "$X"\n',
        spaced: ' a ',
        colon: 'a: b',
        empty: '',
        lazy: Lazy.any({ produce: () => 'late' }),
      },
    });
  },
  'chart, construct and object dependencies with nested charts': (app) => {
    const base = new Chart(app, 'base');
    const ns = new k8s.KubeNamespace(base, 'ns', { metadata: { name: 'apps' } });
    const apps = new Chart(app, 'apps', { namespace: 'apps' });
    const api = service(apps, 'api');
    const config = new k8s.KubeConfigMap(apps, 'config', { metadata: { name: 'config' }, data: { a: '1' } });
    api.node.addDependency(ns); // construct dependency across charts
    api.service.node.addDependency(config); // object dependency inside a chart
    const nested = new Chart(apps, 'nested', { namespace: 'apps' });
    service(nested, 'worker');
    const late = new Chart(app, 'late', { namespace: 'apps' });
    late.addDependency(apps);
    new k8s.KubeConfigMap(late, 'late-config', { metadata: { name: 'late-config' } });
  },
  'a chart that overrides toJson': (app) => {
    service(new LabelledChart(app, 'labelled', { namespace: 'ml' }), 'svc');
    service(new Chart(app, 'plain', { namespace: 'ml' }), 'other');
  },
  'the platform fixture': buildPlatformApp,
  'more charts than V8 shares shapes for (child maps released)': (app) => {
    for (let i = 0; i < 520; i++) {
      const chart = new Chart(app, i % 7 ? `c-${i}` : String(i), { namespace: 'ml' });
      new k8s.KubeConfigMap(chart, i % 5 ? `cm-${i}` : String(i), { metadata: { name: `cm-${i}` }, data: { i: String(i) } });
      if (i % 3 === 0) new k8s.KubeConfigMap(chart, '1', { metadata: { name: `extra-${i}` } });
    }
  },
};

const OUTPUT_TYPES: [string, Partial<AppProps>][] = [
  ['FILE_PER_CHART (default)', {}],
  ['FILE_PER_APP', { yamlOutputType: YamlOutputType.FILE_PER_APP }],
  ['FILE_PER_RESOURCE', { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE }],
  ['FOLDER_PER_CHART_FILE_PER_RESOURCE', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE }],
  ['a custom extension with construct metadata', { outputFileExtension: '.yml', recordConstructMetadata: true }],
];

/** Synthesizes the tree `build` makes with `App` and with `MlApp`; returns both output trees. */
function synthBoth(build: Build, props: Partial<AppProps>) {
  const trees = [App, MlApp].map((AppClass) => {
    const outdir = tempDir('ml-app');
    const app = new AppClass({ ...props, outdir });
    build(app);
    app.synth();
    return readTree(outdir);
  });
  return { cdk8s: trees[0], ours: trees[1] };
}

describe('MlApp writes exactly what cdk8s App writes', () => {
  describe.each(Object.entries(LAYOUTS))('%s', (_, build) => {
    test.each(OUTPUT_TYPES)('%s', (__, props) => {
      const { cdk8s, ours } = synthBoth(build, props);
      expect(cdk8s.size).toBeGreaterThan(0);
      expectSameTree(ours, cdk8s);
    });

    test('synthYaml()', () => {
      const [a, b] = [new App({ outdir: tempDir('yaml') }), new MlApp({ outdir: tempDir('yaml') })];
      build(a);
      build(b);
      expect(b.synthYaml()).toBe(a.synthYaml());
    });

    test('Testing.synth(chart) for every chart', () => {
      const [a, b] = [Testing.app(), new MlApp({ outdir: tempDir('testing') })];
      build(a);
      build(b);
      expect(b.charts.map((c) => Testing.synth(c))).toEqual(a.charts.map((c) => Testing.synth(c)));
    });
  });

  test('synthFiles() returns what synth() writes', () => {
    const outdir = tempDir('files');
    const app = new MlApp({ outdir });
    buildPlatformApp(app);
    const files = app.synthFiles();
    app.synth();
    const written = readTree(outdir);
    expect(files.map((f) => f.path)).toEqual([...written.keys()].filter((p) => !p.endsWith('/')));
    for (const f of files) expect(written.get(f.path)!.toString('utf8')).toBe(f.yaml);
  });
});

describe('MlApp keeps App semantics', () => {
  function failing(app: App, when: 'validate' | 'render') {
    for (let i = 0; i < 3; i++) service(new Chart(app, `svc-${i}`, { namespace: 'ml' }), `model-${i}`);
    const last = new Chart(app, 'last', { namespace: 'ml' });
    if (when === 'validate') last.node.addValidation({ validate: () => ['replicas must be odd'] });
    else
      new ApiObject(last, 'broken', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        data: {
          x: Lazy.any({
            produce: () => {
              throw new Error('no value');
            },
          }),
        },
      });
  }

  test("a validation error fails synthesis with cdk8s's message, and nothing is written", () => {
    const expected = (() => {
      const app = new App({ outdir: tempDir('fail') });
      failing(app, 'validate');
      try {
        app.synth();
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('App did not fail');
    })();
    expect(expected).toMatch(/Validation failed with the following errors:\n {2}\[last\] replicas must be odd/);
    const outdir = path.join(tempDir('fail'), 'out');
    const app = new MlApp({ outdir });
    failing(app, 'validate');
    expect(() => app.synth()).toThrow(expected);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('an error while rendering a later chart writes nothing (cdk8s would leave earlier files behind)', () => {
    const outdir = path.join(tempDir('fail'), 'out');
    const app = new MlApp({ outdir });
    failing(app, 'render');
    expect(() => app.synth()).toThrow(/Failed serializing construct at path 'last\/broken'.*no value/);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('files are staged beside outdir: a failure leaves an existing outdir untouched, success moves every file in', () => {
    const parent = tempDir('staged');
    const outdir = path.join(parent, 'out');
    fs.mkdirSync(outdir, { recursive: true });
    fs.writeFileSync(path.join(outdir, 'svc-0.k8s.yaml'), 'old\n');
    fs.writeFileSync(path.join(outdir, 'keep.txt'), 'kept\n');
    const broken = new MlApp({ outdir });
    failing(broken, 'render');
    expect(() => broken.synth()).toThrow(/no value/);
    expect(fs.readdirSync(parent)).toEqual(['out']);
    expect(fs.readFileSync(path.join(outdir, 'svc-0.k8s.yaml'), 'utf8')).toBe('old\n');
    const app = new MlApp({ outdir });
    for (let i = 0; i < 3; i++) service(new Chart(app, `svc-${i}`, { namespace: 'ml' }), `model-${i}`);
    app.synth();
    expect(fs.readdirSync(parent)).toEqual(['out']);
    expect(fs.readdirSync(outdir).sort()).toEqual(['keep.txt', 'svc-0.k8s.yaml', 'svc-1.k8s.yaml', 'svc-2.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'svc-0.k8s.yaml'), 'utf8')).toBe(app.synthFiles()[0].yaml);
  });

  test('validates the app a fixed number of times, not once per chart (linear synthesis)', () => {
    const runs = (AppClass: typeof App) => {
      const app = new AppClass({ outdir: tempDir('count') });
      let validations = 0;
      for (let i = 0; i < 30; i++)
        new Chart(app, `c${i}`).node.addValidation({
          validate: () => {
            validations++;
            return [];
          },
        });
      app.synth();
      return validations / 30;
    };
    expect(runs(App)).toBe(31); // once before, then once inside every chart.toJson()
    expect(runs(MlApp)).toBe(1); // once: reviewOnSynth runs (and prints) once per synth
  });

  test.each([
    ['file per chart', {}],
    ['folder per namespace', { folderPerNamespace: true }],
    ['folder per chart, file per resource', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE }],
  ] as [string, object][])('with reviewOnSynth each object is rendered once and written as App writes it (%s)', (_, props) => {
    const build = (app: App) => {
      buildPlatformApp(app);
      reviewOnSynth(app, { log: () => undefined });
    };
    const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
    const render = jest.spyOn(fastJson, 'fastObjectJson');
    try {
      const cdk8sDir = tempDir('review-once');
      const cdk8s = new App({ outdir: cdk8sDir, ...props });
      build(cdk8s);
      if (!('folderPerNamespace' in props)) cdk8s.synth();
      const ours = new MlApp({ outdir: tempDir('review-once'), ...props });
      build(ours);
      const objects = ours.node.findAll().filter((c) => c instanceof ApiObject).length;
      toJson.mockClear();
      render.mockClear();
      ours.synth();
      expect(objects).toBeGreaterThan(10);
      const rendered = render.mock.calls.map(([o]) => o);
      expect(new Set(rendered).size).toBe(objects);
      expect(rendered.length).toBe(objects);
      // Every object of the library's constructs takes the one-pass path: cdk8s's own toJson() is never needed.
      expect(toJson).not.toHaveBeenCalled();
      if (!('folderPerNamespace' in props)) expectSameTree(readTree(ours.outdir), readTree(cdk8sDir));
    } finally {
      toJson.mockRestore();
      render.mockRestore();
    }
  });

  test('a dependency cycle fails as in cdk8s', () => {
    const build = (app: App) => {
      const a = new Chart(app, 'a');
      const b = new Chart(app, 'b');
      a.addDependency(b);
      b.addDependency(a);
    };
    const cdk8s = new App({ outdir: tempDir('cycle') });
    build(cdk8s);
    const ours = new MlApp({ outdir: tempDir('cycle') });
    build(ours);
    expect(() => cdk8s.synth()).toThrow(/Dependency cycle detected/);
    expect(() => ours.synth()).toThrow(/Dependency cycle detected/);
  });

  test('folderPerNamespace and yamlOutputType cannot be combined', () => {
    expect(() => new MlApp({ folderPerNamespace: true, yamlOutputType: YamlOutputType.FILE_PER_APP })).toThrow(
      /MlApp \(the app root\): yamlOutputType \(0\) is set together with folderPerNamespace; choose one output layout/,
    );
  });

  test('outdir defaults to CDK8S_OUTDIR, as the cdk8s CLI sets it', () => {
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = tempDir('cli');
    try {
      expect(new MlApp().outdir).toBe(process.env.CDK8S_OUTDIR);
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
  });
});

describe('releaseChildShapes', () => {
  const tree = (charts: number) => {
    const app = new App({ outdir: tempDir('shapes') });
    for (let i = 0; i < charts; i++) {
      const chart = new Chart(app, `c-${i}`);
      for (const id of [`svc-${i}`, '10', 'b', '2', 'a']) new Construct(chart, id);
    }
    return app;
  };
  const snapshot = (app: App) => app.node.findAll().map((c) => `${c.node.path}:${c.node.children.map((x) => x.node.id).join(',')}`);

  test('keeps every child, its order, lookups and the prototype; construction continues normally', () => {
    const app = tree(600);
    const before = snapshot(app);
    releaseChildShapes(app.node.findAll());
    expect(snapshot(app)).toEqual(before);
    const chart = app.node.findChild('c-7');
    expect(Object.getPrototypeOf((chart.node as any)._children)).toBe(Object.prototype);
    expect(chart.node.tryFindChild('svc-7')).toBeDefined();
    expect(chart.node.tryFindChild('toString')).toBe(Object.prototype.toString); // as before: a plain object
    new Construct(chart, 'late');
    expect(() => new Construct(chart, 'b')).toThrow(/There is already a Construct with name 'b'/);
    expect(chart.node.tryRemoveChild('10')).toBe(true);
    expect(chart.node.children.map((c) => c.node.id)).toEqual(['2', 'svc-7', 'b', 'a', 'late']);
  });

  test('leaves small apps alone', () => {
    const app = tree(50);
    const maps = app.node.findAll().map((c) => (c.node as any)._children);
    releaseChildShapes(app.node.findAll());
    expect(app.node.findAll().map((c) => (c.node as any)._children)).toEqual(maps);
    expect(app.node.findAll().every((c, i) => (c.node as any)._children === maps[i])).toBe(true);
  });
});

describe('dependencyOrder', () => {
  // Random construct trees (ids include array indexes, which order first in cdk8s's graph) with random dependencies.
  const tree = fc.record({
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 25 }),
    ids: fc.array(fc.oneof(fc.constantFrom('0', '1', '7', '10', '01', 'a', 'b', 'x1'), fc.stringMatching(/^[a-z0-9]{1,3}$/)), {
      minLength: 25,
      maxLength: 25,
    }),
    deps: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
  });

  test("orders every subtree exactly as cdk8s's DependencyGraph, and fails on cycles as it does", () => {
    fc.assert(
      fc.property(tree, ({ parents, ids, deps }) => {
        const root = new Construct(undefined as any, '');
        const nodes: Construct[] = [root];
        parents.forEach((p, i) => {
          const parent = nodes[p % nodes.length];
          const id = parent.node.tryFindChild(ids[i]) ? `${ids[i]}-${i}` : ids[i];
          nodes.push(new Construct(parent, id));
        });
        for (const [a, b] of deps) {
          if (a % nodes.length !== b % nodes.length) nodes[a % nodes.length].node.addDependency(nodes[b % nodes.length]);
        }
        for (const scope of nodes.filter((_, i) => i % 4 === 0)) {
          let expected: string[] | Error;
          try {
            expected = new DependencyGraph(scope.node).topology().map((c) => c.node.path);
          } catch (e) {
            expected = e as Error;
          }
          if (expected instanceof Error) {
            expect(() => dependencyOrder(scope.node, new SubtreeCache())).toThrow(expected.message);
          } else {
            expect(dependencyOrder(scope.node, new SubtreeCache()).map((c) => c.node.path)).toEqual(expected);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
