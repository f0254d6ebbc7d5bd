/** Findings that point at the field: JSON paths and the field's line and column (issue 23). */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadManifests, parseManifests, review, reviewCli } from '../../src/review';
import { PathSegment, formatPath, parsePath } from '../../src/review/paths';
import { fieldPositionOf } from '../../src/review/yaml';
import { findingsOf } from './helpers';

function parseOne(text: string): any {
  const result = parseManifests(text, 'x.yaml');
  expect(result.problems).toEqual([]);
  return result.documents[0].object;
}

describe('JSON paths', () => {
  test('identifiers are dotted, other keys quoted in brackets, indexes bracketed', () => {
    expect(formatPath(['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'nvidia.com/gpu'])).toBe(
      'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]',
    );
    expect(parsePath('metadata.annotations["cdk8s-ml.io/review-disable"]')).toEqual([
      'metadata',
      'annotations',
      'cdk8s-ml.io/review-disable',
    ]);
    expect(parsePath('spec.replicatedJobs[].template')).toEqual(['spec', 'replicatedJobs']); // a description, not a path: read up to it
  });

  test('parsePath reverses formatPath for any keys and indexes', () => {
    const segment = fc.oneof(fc.nat(1000), fc.string({ minLength: 1, maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 8 }), (segments: PathSegment[]) => {
        expect(parsePath(formatPath(segments))).toEqual(segments);
      }),
    );
  });
});

describe('positions kept by the YAML loader', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  <<: &host
    hostNetwork: true
  containers:
    - name: a
      image: x:latest
    - name: b
      image: y
`;

  test('a key, a list item, a key brought in by a merge, and the deepest ancestor of a missing field', () => {
    const pod = parseOne(text);
    expect(fieldPositionOf(pod, ['spec', 'containers', 1, 'image'])).toEqual({ line: 11, column: 7 });
    expect(fieldPositionOf(pod, ['spec', 'containers', 1])).toEqual({ line: 10, column: 7 });
    expect(fieldPositionOf(pod, ['spec', 'hostNetwork'])).toEqual({ line: 6, column: 5 });
    expect(fieldPositionOf(pod, ['spec', 'containers', 0, 'readinessProbe', 'httpGet'])).toEqual({ line: 8, column: 7 });
    expect(fieldPositionOf(pod, ['nothing'])).toEqual({ line: 1, column: 1 });
  });

  test("every finding of a review carries the path of its field and that field's line", () => {
    const report = (() => {
      const { documents } = parseManifests(text, 'x.yaml');
      const { reviewDocuments } = jest.requireActual('../../src/review/engine');
      return reviewDocuments(documents);
    })();
    const ml038 = findingsOf(report, 'ML038');
    expect(ml038.map((f: any) => [f.path, f.line, f.column])).toEqual([['spec.hostNetwork', 6, 5]]);
    const ml006 = findingsOf(report, 'ML006').map((f: any) => [f.path, f.line, f.column]);
    expect(ml006).toEqual([
      ['spec.containers[0].image', 9, 7],
      ['spec.containers[1].image', 11, 7],
    ]);
    for (const f of report.findings) {
      expect({ rule: f.ruleId, path: typeof f.path, line: typeof f.line }).toEqual({ rule: f.ruleId, path: 'string', line: 'number' });
    }
  });

  test('JSON files keep positions too (JSON read as YAML when both readings agree)', () => {
    const json =
      '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "p"},\n  "spec": {"containers": [{"name": "a", "image": "x:latest"}]}\n}\n';
    const [doc] = parseManifests(json, 'p.json').documents;
    expect(fieldPositionOf(doc.object, ['spec', 'containers', 0, 'image'])).toEqual({ line: 5, column: 41 });
    // Duplicate keys: JSON.parse keeps the last, YAML refuses; the JSON reading wins, without positions.
    const [dup] = parseManifests('{"apiVersion": "v1", "kind": "Pod", "kind": "Pod", "metadata": {"name": "p"}}', 'd.json').documents;
    expect((dup.object as any).kind).toBe('Pod');
    expect(fieldPositionOf(dup.object, ['kind'])).toBeUndefined();
  });

  test('objects reviewed without a source (plain objects) get paths but no lines', () => {
    const [f] = findingsOf(review([parseOne(text)].map((o) => JSON.parse(JSON.stringify(o)))), 'ML038');
    expect(f.path).toBe('spec.hostNetwork');
    expect(f.line).toBeUndefined();
  });
});

describe('folder review groups files', () => {
  let dir: string;
  const write = (name: string, body: string): void => fs.writeFileSync(path.join(dir, name), body);
  const run = (args: string[]): any[] => {
    let out = '';
    reviewCli(['--json', '--no-config', ...args, dir], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => undefined },
    });
    return JSON.parse(out).findings;
  };
  const workload = (name: string, extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}${extra}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: "r.example.com/${name}:v1", ports: [{containerPort: 8000}]}]}
`;
  const svc = (name: string): string =>
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {selector: {app: ${name}}, ports: [{port: 80, targetPort: 8000}]}\n`;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-group-'));
    write('a.yaml', workload('a', ', labels: {app.kubernetes.io/part-of: shop}'));
    write('b.yaml', workload('b', ', labels: {app.kubernetes.io/part-of: shop}'));
    write('c.yaml', workload('c'));
    write('d.yaml', svc('c'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ml014 = (findings: any[]): string[] => findings.filter((f) => f.ruleId === 'ML014').map((f) => path.basename(f.file));
  const ml002 = (findings: any[]): string[] =>
    findings
      .filter((f) => f.ruleId === 'ML002')
      .map((f) => `${f.name} ${f.severity} ${/receives traffic/.test(f.message) ? 'service' : 'port'}`);

  test('by default unrelated files are reviewed alone and related files together', () => {
    const findings = run([]);
    // One namespace note per set: a.yaml, b.yaml, and c.yaml with the Service of d.yaml.
    expect(ml014(findings)).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    expect(ml002(findings)).toEqual(['a warning port', 'b warning port', 'c error service']);
  });

  test('--group all reviews everything as one set; --group file each file alone; --group app by declared app', () => {
    expect(ml014(run(['--group', 'all']))).toEqual(['a.yaml']);
    expect(ml002(run(['--group', 'file']))).toEqual(['a warning port', 'b warning port', 'c warning port']);
    expect(ml014(run(['--group', 'app']))).toEqual(['a.yaml', 'c.yaml']); // a and b are one app; unlabelled objects stay with their file
  });

  test('the config file can set the grouping; the flag wins', () => {
    write('.cdk8s-ml-review.yaml', 'group: all\n');
    const withConfig = (args: string[]): any[] => {
      let out = '';
      reviewCli(['--json', ...args, dir], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } });
      return JSON.parse(out).findings;
    };
    expect(ml014(withConfig([]))).toEqual(['a.yaml']);
    expect(ml014(withConfig(['--group', 'auto']))).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
  });

  test('loadManifests keeps document order, so sets come out deterministic', () => {
    expect(loadManifests([dir]).documents.map((d) => path.basename(d.file!))).toEqual(['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml']);
  });
});
