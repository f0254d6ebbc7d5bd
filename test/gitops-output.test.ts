import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { MlApp, MlAppProps } from '../src';
import { KUSTOMIZATION_FILE } from '../src/app/kustomization';
import { collectManifestFiles } from '../src/review/load';
import { readTree, tempDir } from './app-output';
import { buildPlatformApp } from './fixtures/platform-app';

const ROOT = path.join(__dirname, '..');

/** What `kubectl apply -R -f <dir>` reads: every .yaml, .yml and .json file below `dir`. */
function kubectlFiles(dir: string): string[] {
  return [...readTree(dir).keys()].filter((p) => /\.(ya?ml|json)$/.test(p));
}

/** The documents of a manifest file; null documents (an empty `---`) are skipped, as kubectl does. */
function documents(file: string): any[] {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return [JSON.parse(text)];
  return parseAllDocuments(text)
    .map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS();
    })
    .filter((d) => d !== null);
}

/** Fails unless every file kubectl would read holds only Kubernetes objects (apiVersion, kind, metadata.name). */
function expectOnlyKubernetesObjects(dir: string): any[] {
  const objects: any[] = [];
  for (const file of kubectlFiles(dir)) {
    for (const doc of documents(path.join(dir, file))) {
      expect({ file, apiVersion: typeof doc.apiVersion, kind: typeof doc.kind, name: typeof doc.metadata?.name }).toEqual({
        file,
        apiVersion: 'string',
        kind: 'string',
        name: 'string',
      });
      expect(`${file}: ${doc.apiVersion}`).not.toMatch(/kustomize\.config\.k8s\.io/);
      objects.push(doc);
    }
  }
  return objects;
}

function synth(props: MlAppProps): { outdir: string; tree: Map<string, Buffer> } {
  const outdir = path.join(tempDir('gitops'), 'dist');
  const app = new MlApp({ ...props, outdir });
  buildPlatformApp(app);
  app.synth();
  return { outdir, tree: readTree(outdir) };
}

const identity = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('the manifests folder holds only manifests', () => {
  test('`cdk8s synth` of the examples, validation plugin on: only Kubernetes objects in dist/, reports beside it', () => {
    const parent = tempDir('gitops-cli');
    const outdir = path.join(parent, 'dist');
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', outdir],
      {
        cwd: ROOT,
        stdio: 'pipe',
        env: { ...process.env, CDK8S_RECORD_CONSTRUCT_METADATA: undefined },
      },
    );
    const files = [...readTree(outdir).keys()];
    expect(files.filter((f) => !f.endsWith('.k8s.yaml'))).toEqual([]); // no construct-metadata.json, no Markdown
    expect(expectOnlyKubernetesObjects(outdir).length).toBeGreaterThan(50);
    // beside the reports: the app's platform assumptions, which the validation plugin reads (allowed registries)
    expect(fs.readdirSync(path.join(parent, 'reports')).sort()).toEqual([
      'CAPACITY.md',
      'RELEASES.md',
      'RUNBOOK.md',
      'cdk8s-ml-platform.json',
    ]);
  });

  test('MlApp writes no construct-metadata.json when CDK8S_RECORD_CONSTRUCT_METADATA is set, only when asked in props', () => {
    const saved = process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
    try {
      expect([...synth({}).tree.keys()].filter((f) => !f.endsWith('.k8s.yaml'))).toEqual([]);
      expect([...synth({ recordConstructMetadata: true }).tree.keys()]).toContain('construct-metadata.json');
    } finally {
      if (saved === undefined) delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
      else process.env.CDK8S_RECORD_CONSTRUCT_METADATA = saved;
    }
  });

  test('reports go to a sibling folder by default, never inside outdir', () => {
    const parent = tempDir('gitops-reports');
    const app = new MlApp({ outdir: path.join(parent, 'dist') });
    expect(app.writeReport('CAPACITY.md', '# Capacity\n')).toBe(path.join(parent, 'reports', 'CAPACITY.md'));
    expect(fs.readFileSync(path.join(parent, 'reports', 'CAPACITY.md'), 'utf8')).toBe('# Capacity\n');
    expect(new MlApp({ outdir: 'dist' }).reportsDir).toBe('reports');
    expect(() => new MlApp({ outdir: path.join(parent, 'dist'), reportsDir: path.join(parent, 'dist', 'docs') })).toThrow(
      /reportsDir \(.*dist\/docs\) is inside outdir .*; choose a folder outside outdir/,
    );
  });
});

describe('folder per workload', () => {
  const { tree } = synth({ folderPerWorkload: true });

  test('stable paths: <namespace>/<workload>/<Kind>.<name>, other objects as with folderPerNamespace', () => {
    const files = [...tree.keys()].filter((p) => !p.endsWith('/'));
    expect(files.filter((f) => f.startsWith('team-a/'))).toEqual([
      'team-a/ConfigMap.model-config.k8s.yaml',
      'team-a/model-0/Deployment.model-0.k8s.yaml',
      'team-a/model-0/HorizontalPodAutoscaler.model-0.k8s.yaml',
      'team-a/model-0/NetworkPolicy.model-0.k8s.yaml',
      'team-a/model-0/PodDisruptionBudget.model-0.k8s.yaml',
      'team-a/model-0/Service.model-0.k8s.yaml',
      'team-a/model-0/ServiceAccount.model-0.k8s.yaml',
      'team-a/model-1/Deployment.model-1.k8s.yaml',
      'team-a/model-1/HorizontalPodAutoscaler.model-1.k8s.yaml',
      'team-a/model-1/NetworkPolicy.model-1.k8s.yaml',
      'team-a/model-1/PodDisruptionBudget.model-1.k8s.yaml',
      'team-a/model-1/Service.model-1.k8s.yaml',
      'team-a/model-1/ServiceAccount.model-1.k8s.yaml',
      'team-a/model-2/Deployment.model-2.k8s.yaml',
      'team-a/model-2/HorizontalPodAutoscaler.model-2.k8s.yaml',
      'team-a/model-2/NetworkPolicy.model-2.k8s.yaml',
      'team-a/model-2/PodDisruptionBudget.model-2.k8s.yaml',
      'team-a/model-2/Service.model-2.k8s.yaml',
      'team-a/model-2/ServiceAccount.model-2.k8s.yaml',
    ]);
    expect(files.filter((f) => f.startsWith('_unnamespaced/'))).toEqual([
      '_unnamespaced/Namespace.team-a.k8s.yaml',
      '_unnamespaced/Namespace.team-b.k8s.yaml',
    ]);
  });

  test('the same objects as one file per chart, byte for byte', () => {
    const docsOf = (t: Map<string, Buffer>) =>
      [...t.values()]
        .flatMap((b) => b.toString('utf8').split('---\n'))
        .filter((d) => d)
        .sort();
    expect(docsOf(tree)).toEqual(docsOf(synth({}).tree));
  });

  test('cannot be combined with yamlOutputType', () => {
    expect(() => new MlApp({ folderPerWorkload: true, yamlOutputType: 0 })).toThrow(
      /yamlOutputType \(0\) is set together with folderPerWorkload/,
    );
  });
});

describe('kustomization.yaml per folder', () => {
  const layouts: [string, MlAppProps][] = [
    ['one file per chart', { kustomization: true }],
    ['folder per namespace', { folderPerNamespace: true, kustomization: true }],
    ['folder per workload', { folderPerWorkload: true, kustomization: true }],
  ];

  test.each(layouts)('%s: from the root kustomization every manifest is reached exactly once, and nothing else', (_, props) => {
    const { outdir, tree } = synth(props);
    const reached: string[] = [];
    const walk = (folder: string): void => {
      const [k, ...rest] = documents(path.join(outdir, folder, KUSTOMIZATION_FILE));
      expect(rest).toEqual([]);
      expect(Object.keys(k)).toEqual(['apiVersion', 'kind', 'resources']);
      expect([k.apiVersion, k.kind]).toEqual(['kustomize.config.k8s.io/v1beta1', 'Kustomization']);
      const entries = fs
        .readdirSync(path.join(outdir, folder))
        .filter((e) => e !== KUSTOMIZATION_FILE)
        .sort();
      expect(k.resources).toEqual(entries); // each folder lists all its files and sub-folders, sorted
      for (const r of k.resources as string[]) {
        const p = folder ? `${folder}/${r}` : r;
        if (fs.statSync(path.join(outdir, p)).isDirectory()) walk(p);
        else reached.push(p);
      }
    };
    walk('');
    const manifests = [...tree.keys()].filter((p) => p.endsWith('.k8s.yaml'));
    expect(reached.sort()).toEqual(manifests.sort());
    const objects = manifests.flatMap((f) => documents(path.join(outdir, f)));
    expect(new Set(objects.map(identity)).size).toBe(objects.length);
    expect(objects.map(identity).sort()).toEqual(expectOnlyKubernetesObjects(synth({}).outdir).map(identity).sort());
  });

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  })();
  // kubectl's own kustomize (offline) where the machine has kubectl; the walk above holds everywhere.
  (kubectl ? test : test.skip)('`kubectl kustomize` builds every object of the folder-per-workload output', () => {
    const { outdir } = synth({ folderPerWorkload: true, kustomization: true });
    const built = parseAllDocuments(execFileSync('kubectl', ['kustomize', outdir], { encoding: 'utf8' })).map((d) => d.toJS());
    expect(built.map(identity).sort()).toEqual(expectOnlyKubernetesObjects(synth({}).outdir).map(identity).sort());
  });

  test('the review CLI and plugin skip kustomization files (they list manifests, they are none)', () => {
    const { outdir, tree } = synth({ folderPerWorkload: true, kustomization: true });
    const files = collectManifestFiles([outdir]).map((f) => path.relative(outdir, f).split(path.sep).join('/'));
    expect(files.sort()).toEqual([...tree.keys()].filter((p) => p.endsWith('.k8s.yaml')).sort());
  });

  test('without the option there is no kustomization file', () => {
    expect([...synth({ folderPerWorkload: true }).tree.keys()].filter((p) => p.endsWith(KUSTOMIZATION_FILE))).toEqual([]);
  });
});
