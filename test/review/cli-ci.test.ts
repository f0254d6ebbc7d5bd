import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/review/cli';

/**
 * SARIF 2.1.0 schema (rtm.5, the final 2.1.0 schema), vendored from the npm package
 * @microsoft/jest-sarif@1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json, MIT).
 */
function sarifValidator(): (value: unknown) => string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  delete schema.$schema; // draft-04 header: ajv 8 validates its keywords the same way
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

function run(argv: string[], stdin?: string, cwd?: string): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const previous = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = main(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      ...(stdin !== undefined ? { readStdin: () => stdin } : {}),
    });
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

/** What `helm template` prints: comments naming the source template, then documents. */
const HELM_OUTPUT = `---
# Source: llm/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
  namespace: ml
spec:
  replicas: 2
  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:latest
          resources: {limits: {nvidia.com/gpu: 1}}
---
# Source: llm/templates/service.yaml
apiVersion: v1
kind: Service
metadata: {name: llm, namespace: ml}
spec:
  selector: {app: llm}
  ports: [{port: 80, targetPort: 8000}]
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-ci-'));
  fs.mkdirSync(path.join(dir, 'app', 'tests'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app', 'rendered.yaml'), HELM_OUTPUT);
  fs.writeFileSync(
    path.join(dir, 'app', 'tests', 'broken.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata: {name: t}\nspec: {containers: [{name: x, image: x:latest}]}\n',
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('CI-ready CLI', () => {
  test('helm template x | cdk8s-ml-review - --format sarif: valid SARIF 2.1.0 with rules, levels and locations', () => {
    const { code, stdout } = run(['-', '--format', 'sarif', '--stdin-name', 'charts/llm/rendered.yaml', '--no-config'], HELM_OUTPUT);
    expect(code).toBe(1);
    const log = JSON.parse(stdout);
    expect(sarifValidator()(log)).toEqual([]);
    const run0 = log.runs[0];
    const ruleIds = run0.tool.driver.rules.map((r: any) => r.id);
    for (const r of run0.tool.driver.rules) {
      expect(r).toMatchObject({
        shortDescription: { text: expect.any(String) },
        helpUri: expect.stringMatching(/docs\/rules\/ML\d{3}\.md$/),
        defaultConfiguration: { level: expect.stringMatching(/^(error|warning|note)$/) },
      });
    }
    const ml006 = run0.results.find((r: any) => r.ruleId === 'ML006');
    // The region is the offending field (the `image:` key on line 16), not the object.
    expect(ml006).toMatchObject({
      level: 'error',
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'charts/llm/rendered.yaml' }, region: { startLine: 16, startColumn: 11 } },
          logicalLocations: [{ fullyQualifiedName: 'Deployment/ml/llm:spec.template.spec.containers[0].image', kind: 'member' }],
        },
      ],
    });
    expect(run0.results.every((r: any) => r.locations[0].physicalLocation.region.startLine > 1)).toBe(true);
    expect(run0.tool.driver.rules[ml006.ruleIndex].id).toBe('ML006');
    expect(run0.results.every((r: any) => ruleIds.includes(r.ruleId))).toBe(true);
    // The Service starts on line 21 of the stream.
    expect(run0.results.filter((r: any) => r.ruleId === 'ML021' || r.ruleId === 'ML007')).toEqual([]);
    const ml002 = run0.results.find((r: any) => r.ruleId === 'ML002');
    expect(ml002.message.text).toContain("receives traffic from Service 'llm'");
  });

  test('the validator catches a broken log (the schema check can fail)', () => {
    expect(sarifValidator()({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ level: 'fatal' }] }] }).length).toBeGreaterThan(
      0,
    );
  });

  test('json findings carry the path of the field and its file, line and column; the table shows file:line:column', () => {
    const file = path.join(dir, 'positions.yaml');
    fs.writeFileSync(
      file,
      `${HELM_OUTPUT}---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p, namespace: ml}\n    spec: {containers: [{name: x, image: x}]}\n`,
    );
    const { stdout } = run(['--json', '--no-config', file]);
    const findings = JSON.parse(stdout).findings;
    const at = (kind: string, ruleId: string): any => findings.find((f: any) => f.kind === kind && f.ruleId === ruleId);
    expect(at('Deployment', 'ML006')).toMatchObject({ file, path: 'spec.template.spec.containers[0].image', line: 16, column: 11 });
    // A missing field points at the deepest ancestor written in the file (the container).
    expect(at('Deployment', 'ML002')).toMatchObject({ path: 'spec.template.spec.containers[0].readinessProbe', line: 15, column: 11 });
    expect(at('Pod', 'ML006')).toMatchObject({ file, path: 'spec.containers[0].image', line: 33, column: 35 });
    expect(findings.filter((f: any) => f.kind !== '').every((f: any) => typeof f.path === 'string' && f.line > 0)).toBe(true);
    const table = run(['--no-config', file]).stdout;
    const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(table).toMatch(new RegExp(`${escaped}:16:11 +Deployment/ml/llm +ML006`));
    expect(table).toMatch(new RegExp(`${escaped}:33:35 +Pod/ml/p +ML006`));
  });

  test('--per-file reviews each file on its own: no matching across files', () => {
    const split = fs.mkdtempSync(path.join(os.tmpdir(), 'review-split-'));
    const [deploy, svc] = HELM_OUTPUT.split('---\n# Source: llm/templates/service.yaml\n');
    fs.writeFileSync(path.join(split, 'a.yaml'), deploy);
    fs.writeFileSync(path.join(split, 'b.yaml'), svc);
    const ml002 = (argv: string[]): string[] =>
      JSON.parse(run(argv).stdout)
        .findings.filter((f: any) => f.ruleId === 'ML002')
        .map((f: any) => f.message);
    // Together, the Service in b.yaml selects the pods of a.yaml; apart, only the vLLM image says it serves.
    expect(ml002(['--json', '--no-config', split])).toEqual([expect.stringContaining("receives traffic from Service 'llm'")]);
    expect(ml002(['--json', '--no-config', '--per-file', split])).toEqual([
      expect.stringContaining('runs a model server (vLLM: the entrypoint of vllm/vllm-openai)'),
    ]);
    expect(ml002(['--json', '--no-config', '--group', 'file', split])).toEqual(ml002(['--json', '--no-config', '--per-file', split]));
    fs.rmSync(split, { recursive: true, force: true });
  });

  test('--fail-on warning and --max-warnings', () => {
    const file = path.join(dir, 'warn.yaml');
    fs.writeFileSync(
      file,
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: ml}\nspec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {containers: []}}}}}\n',
    );
    const base = run(['--no-config', '--json', file]);
    const counts = JSON.parse(base.stdout).counts;
    expect(counts.error).toBe(0);
    expect(counts.warning).toBeGreaterThan(0);
    expect(base.code).toBe(0);
    expect(run(['--no-config', '--fail-on', 'warning', file]).code).toBe(1);
    expect(run(['--no-config', '--max-warnings', String(counts.warning), file]).code).toBe(0);
    expect(run(['--no-config', '--max-warnings', String(counts.warning - 1), file]).code).toBe(1);
    expect(run(['--no-config', '--max-warnings', 'many', file]).code).toBe(2);
  });

  test('--write-baseline records today; --baseline fails only on new findings', () => {
    const file = path.join(dir, 'app', 'rendered.yaml');
    const baseline = path.join(dir, 'baseline.json');
    expect(run(['--no-config', '--write-baseline', baseline, file]).code).toBe(0);
    const recorded = JSON.parse(fs.readFileSync(baseline, 'utf8'));
    expect(recorded.version).toBe(1);
    expect(run(['--no-config', '--baseline', baseline, file]).code).toBe(0);
    // Moving the objects down keeps their fingerprints; a new problem fails.
    const moved = path.join(dir, 'app', 'moved.yaml');
    fs.writeFileSync(moved, HELM_OUTPUT);
    fs.writeFileSync(file, `# a comment\n\n${HELM_OUTPUT}`);
    expect(run(['--no-config', '--baseline', baseline, file]).code).toBe(0);
    fs.writeFileSync(
      file,
      HELM_OUTPUT.replace('replicas: 2', 'replicas: 2\n  minReadySeconds: 0').replace('vllm/vllm-openai:latest', 'other:latest'),
    );
    const after = run(['--no-config', '--json', '--baseline', baseline, file]);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout).findings.map((f: any) => f.ruleId)).toEqual(['ML006']);
    expect(after.stderr).toMatch(/findings recorded in .* not shown/);
    fs.writeFileSync(file, HELM_OUTPUT);
    fs.rmSync(moved);
    expect(run(['--no-config', '--baseline', path.join(dir, 'app', 'tests', 'broken.yaml'), file]).code).toBe(2);
  });

  test('a config file found upward sets platform, rule levels, ignored paths and thresholds; flags win', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'review-config-'));
    fs.mkdirSync(path.join(project, 'deploy', 'generated'), { recursive: true });
    fs.writeFileSync(path.join(project, 'deploy', 'gpu.yaml'), HELM_OUTPUT.split('---\n# Source: llm/templates/service.yaml\n')[0]);
    fs.writeFileSync(
      path.join(project, 'deploy', 'generated', 'junk.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: junk}\nspec: {containers: [{name: x, image: x}]}\n',
    );
    fs.writeFileSync(
      path.join(project, '.cdk8s-ml-review.yaml'),
      [
        'platform:',
        '  admissionAddsAcceleratorTolerations: true',
        '  allowedRegistries: [registry.example.com]',
        'rules:',
        '  ML006: warning',
        '  ML015: off',
        'ignore: ["deploy/generated/**"]',
        'failOn: warning',
        '',
      ].join('\n'),
    );
    const { code, stdout } = run(['--json', path.join(project, 'deploy')]);
    const findings = JSON.parse(stdout).findings;
    expect(findings.every((f: any) => !f.file.includes('generated'))).toBe(true);
    const ids = findings.map((f: any) => `${f.ruleId} ${f.severity}`);
    expect(ids).toContain('ML006 warning');
    expect(ids).not.toContain('ML004 error'); // the admission plugin adds the toleration
    expect(ids.some((x: string) => x.startsWith('ML015'))).toBe(false);
    expect(code).toBe(1); // failOn: warning
    const flagged = run([
      '--json',
      '--severity',
      'ML006=info',
      '--fail-on',
      'error',
      '--disable',
      'ML001,ML002,ML022,ML016,ML014,ML032',
      path.join(project, 'deploy'),
    ]);
    expect(JSON.parse(flagged.stdout).findings.map((f: any) => `${f.ruleId} ${f.severity}`)).toContain('ML006 info');
    expect(flagged.code).toBe(0);
    fs.writeFileSync(path.join(project, '.cdk8s-ml-review.yaml'), 'rules:\n  ML777: off\n');
    const bad = run([path.join(project, 'deploy')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown rule id 'ML777'");
    fs.rmSync(project, { recursive: true, force: true });
  });
});
