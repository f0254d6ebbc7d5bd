import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/review/cli';
import { fixturePath } from './helpers';

/** Runs the CLI in-process, capturing its output. */
function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-review-'));
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write('a-broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [unclosed\n');
  write('b-empty.yml', '');
  write('c-unknown.yaml', 'apiVersion: example.com/v1\nkind: ModelServer\nmetadata:\n  name: m\n---\n- just\n- a list\n---\n42\n');
  write(
    'd/deploy.json',
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'api', namespace: 'ml' },
          spec: { template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:latest' }] } } },
        },
      ],
    }),
  );
  write('d/bad.json', '{ "apiVersion": ');
  write('notes.txt', 'not a manifest');
  write('.hidden/ignored.yaml', 'apiVersion: v1\nkind: Pod\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cdk8s-ml-review CLI', () => {
  test('reviews a folder without crashing on malformed, empty, unknown and non-object documents', () => {
    const { code, stdout, stderr } = run('--json', dir);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const input = report.findings
      .filter((f: any) => f.ruleId === 'ML000')
      .map((f: any) => `${path.relative(dir, f.file)} ${f.severity} ${f.message}`);
    expect(input).toEqual([
      expect.stringMatching(
        /^a-broken.yaml error YAML parse error in the document: .* at line \d+, column \d+; the document is not reviewed$/,
      ),
      'b-empty.yml info file is empty (no documents)',
      'c-unknown.yaml warning document 2 is a list, not a Kubernetes object; it is not reviewed',
      'c-unknown.yaml warning document 3 is a number, not a Kubernetes object; it is not reviewed',
      "c-unknown.yaml info ModelServer 'm': kind ModelServer of example.com/v1 is not known to the reviewer; no pod template was found in it (nothing shaped like metadata + spec.containers, at any depth), so none of the containers it creates were reviewed",
      expect.stringMatching(/^d\/bad.json error JSON parse error: /),
    ]);
    // The Deployment inside the JSON List is reviewed; notes.txt and .hidden/ are not read.
    expect(report.findings.some((f: any) => f.ruleId === 'ML006' && f.name === 'api' && f.severity === 'error')).toBe(true);
    expect(report.findings.some((f: any) => /notes\.txt|\.hidden/.test(f.file ?? ''))).toBe(false);
  });

  test('table output and exit code 0 for a clean-enough manifest', () => {
    const { code, stdout } = run(fixturePath('sentiment-inference.yaml'));
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^FILE\s+OBJECT\s+RULE\s+SEVERITY\s+MESSAGE\s+FIX$/);
    expect(stdout).toContain('Deployment/sentiment-inference  ML014  warning');
    expect(stdout.trimEnd().split('\n').pop()).toBe('0 errors, 5 warnings, 1 info in 3 objects.');
  });

  test('exit code 1 on error findings; --severity and --disable change the outcome', () => {
    const manifest = path.join(dir, 'd', 'deploy.json');
    expect(run(manifest).code).toBe(1);
    expect(run('--severity', 'ML006=warning', '--severity=ML001=info', manifest).code).toBe(0);
    const disabled = run('--json', '--disable', 'ml006,ML001', manifest);
    expect(disabled.code).toBe(0);
    expect(JSON.parse(disabled.stdout).findings.map((f: any) => f.ruleId)).not.toContain('ML006');
  });

  test('usage errors exit 2', () => {
    for (const argv of [
      [],
      ['--disable'],
      ['--disable', 'ML404', 'x.yaml'],
      ['--severity', 'ML001=fatal', 'x.yaml'],
      ['--frobnicate', 'x.yaml'],
      [path.join(dir, 'missing.yaml')],
    ]) {
      const { code, stderr, stdout } = run(...argv);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(stderr).toMatch(/^cdk8s-ml-review: /);
      expect(stdout).toBe('');
    }
  });

  test('--help lists the options and every rule', () => {
    const { code, stdout } = run('--help');
    expect(code).toBe(0);
    for (const text of ['--json', '--disable', '--severity', 'ML000', 'ML001  error    Container without CPU/memory requests', 'ML021'])
      expect(stdout).toContain(text);
  });

  test('the executable runs through the transpile-only loader', () => {
    const bin = path.join(__dirname, '..', '..', 'bin', 'cdk8s-ml-review');
    const result = spawnSync(process.execPath, [bin, '--json', fixturePath('embedding-trainer.yaml')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ error: 0, warning: 5, info: 1 });
  });

  test('helm template x | cdk8s-ml-review - --format sarif: the executable reads real standard input', () => {
    const bin = path.join(__dirname, '..', '..', 'bin', 'cdk8s-ml-review');
    const input = fs.readFileSync(fixturePath('sentiment-inference.yaml'), 'utf8');
    const result = spawnSync(process.execPath, [bin, '-', '--format', 'sarif', '--no-config'], { encoding: 'utf8', input });
    expect(result.stderr).toBe('');
    const log = JSON.parse(result.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.length).toBeGreaterThan(0);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('%3Cstdin%3E');
  });
});
