import { execFileSync } from 'child_process';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { MlApp, MlAppProps, OnlineInference } from '../src';
import { expectSameTree, readTree, tempDir } from './app-output';
import { buildPlatformApp } from './fixtures/platform-app';

const ROOT = path.join(__dirname, '..');
const FIXTURE = 'test/fixtures/platform-app.ts';

/** Builds a fresh app and synthesizes it into a fresh directory; returns the written tree. */
function synthOnce(props: MlAppProps, build: (app: App) => void = buildPlatformApp): Map<string, Buffer> {
  const outdir = tempDir('determinism');
  const app = new MlApp({ ...props, outdir });
  build(app);
  app.synth();
  return readTree(outdir);
}

describe('determinism', () => {
  test.each<[string, MlAppProps]>([
    ['one file per chart', {}],
    ['one folder per namespace, one file per workload', { folderPerNamespace: true }],
    ['one folder per chart, one file per object', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE }],
  ])('two synths of the same app are byte-identical: %s', (_, props) => {
    const first = synthOnce(props);
    const second = synthOnce(props);
    expect(first.size).toBeGreaterThan(3);
    expectSameTree(second, first);
    for (const [file, bytes] of first) {
      expect(`${file}: ${bytes}`).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/); // no timestamps
    }
  });

  test('a synth in another process, time zone and locale is byte-identical', () => {
    const inProcess = synthOnce({ folderPerNamespace: true });
    const outdir = tempDir('determinism-child');
    execFileSync(process.execPath, ['-r', './scripts/register.js', FIXTURE, '--folder-per-namespace'], {
      cwd: ROOT,
      env: { ...process.env, CDK8S_OUTDIR: outdir, TZ: 'Pacific/Kiritimati', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' },
    });
    expectSameTree(readTree(outdir), inProcess);
  });

  test('the order labels are given in does not change the output', () => {
    const build = (labels: Record<string, string>) => (app: App) =>
      new OnlineInference(new Chart(app, 'c', { namespace: 'ml' }), 'svc', {
        image: 'registry.example.com/svc:v1',
        resources: { cpu: '1', memory: '1Gi' },
        labels,
      });
    expectSameTree(
      synthOnce({}, build({ team: 'search', 'cost-center': 'cc-42', tier: 'gold' })),
      synthOnce({}, build({ tier: 'gold', 'cost-center': 'cc-42', team: 'search' })),
    );
  });
});

describe('one folder per namespace, one file per workload', () => {
  const tree = synthOnce({ folderPerNamespace: true });
  const yaml = (file: string) => tree.get(file)!.toString('utf8');

  test('file names are stable: <namespace>/<workload>, <namespace>/<Kind>.<name>, _unnamespaced/<Kind>.<name>', () => {
    expect([...tree.keys()].filter((p) => !p.endsWith('/')).sort()).toEqual([
      '_unnamespaced/Namespace.team-a.k8s.yaml',
      '_unnamespaced/Namespace.team-b.k8s.yaml',
      'ml-serving/bge-reranker-base-weights.k8s.yaml',
      'ml-serving/llama-chat-3-1-8b-q4.k8s.yaml',
      'ml-serving/llm-chat.k8s.yaml',
      'ml-serving/reranker.k8s.yaml',
      'ml-serving/sentiment-inference.k8s.yaml',
      'team-a/ConfigMap.model-config.k8s.yaml',
      'team-a/model-0.k8s.yaml',
      'team-a/model-1.k8s.yaml',
      'team-a/model-2.k8s.yaml',
      'team-b/model-0.k8s.yaml',
      'team-b/model-1.k8s.yaml',
      'team-b/model-2.k8s.yaml',
    ]);
  });

  test('a workload file holds exactly the objects of that workload, in synthesis order', () => {
    const docs = yaml('team-b/model-1.k8s.yaml').split('---\n');
    expect(docs.map((d) => /^kind: (\w+)$/m.exec(d)![1])).toEqual([
      'ServiceAccount',
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
    ]);
    for (const d of docs) {
      expect(d).toMatch(/^ {2}name: model-1$/m);
      expect(d).toMatch(/^ {2}namespace: team-b$/m);
    }
  });

  test('the same objects as one file per chart, byte for byte', () => {
    const perChart = synthOnce({});
    const docsOf = (t: Map<string, Buffer>) =>
      [...t.values()]
        .flatMap((b) => b.toString('utf8').split('---\n'))
        .filter((d) => d)
        .sort();
    expect(docsOf(tree)).toEqual(docsOf(perChart));
  });

  test('the cdk8s CLI synthesizes an MlApp into nested folders', () => {
    const outdir = tempDir('cli');
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'),
        'synth',
        '--no-check-upgrade',
        '--no-validate',
        '--app',
        `${process.execPath} -r ./scripts/register.js ${FIXTURE} --folder-per-namespace`,
        '--output',
        outdir,
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
    expectSameTree(readTree(outdir), tree);
  });
});
