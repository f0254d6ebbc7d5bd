import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { INPUT_RULE_ID, loadManifests, parseManifests, review } from '../../src/review';
import { findingsOf } from './helpers';

/** The first object of `text`, parsed as the reviewer parses it. */
function parseOne(text: string): any {
  const result = parseManifests(text, 'x.yaml');
  expect(result.problems).toEqual([]);
  return result.documents[0].object;
}

/** A restricted pod whose dangerous host settings hide behind a merge key. */
const EVASION = `
apiVersion: v1
kind: Pod
metadata: {name: sneaky, namespace: ml}
spec:
  <<: &host
    hostNetwork: true
    hostPID: true
    volumes:
      - name: root
        hostPath: {path: /}
  automountServiceAccountToken: false
  containers:
    - name: app
      image: registry.example.com/app:v1@sha256:0123
      resources: {requests: {cpu: 100m, memory: 128Mi}}
      securityContext:
        allowPrivilegeEscalation: false
        runAsNonRoot: true
        capabilities: {drop: [ALL]}
        seccompProfile: {type: RuntimeDefault}
`;

describe('parse as the cluster parses (YAML 1.1 as read by sigs.k8s.io/yaml + go-yaml v2)', () => {
  test('hostNetwork, hostPID and a hostPath of / hidden behind a merge key are seen', () => {
    const pod = parseOne(EVASION);
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.hostPID).toBe(true);
    expect(pod.spec.volumes[0].hostPath.path).toBe('/');
    expect(pod.spec['<<']).toBeUndefined();
    const ml038 = findingsOf(review([pod]), 'ML038');
    expect(ml038.map((f) => [f.severity, f.path])).toEqual([
      ['error', 'spec.hostNetwork'],
      ['error', 'spec.hostPID'],
      ['error', 'spec.volumes[0].hostPath.path'],
    ]);
  });

  test('keys are applied in document order: a merge after an explicit key overrides it, an explicit key after a merge wins', () => {
    const obj = parseOne('base: &b {a: 1, b: 1}\nbefore:\n  a: 2\n  <<: *b\nafter:\n  <<: *b\n  a: 2\n');
    expect(obj.before).toEqual({ a: 1, b: 1 });
    expect(obj.after).toEqual({ a: 2, b: 1 });
  });

  test('in a sequence of merged maps the earlier map takes precedence', () => {
    const obj = parseOne('x: &x {k: x, only-x: 1}\ny: &y {k: y, only-y: 1}\nm:\n  <<: [*x, *y]\n');
    expect(obj.m).toEqual({ k: 'x', 'only-x': 1, 'only-y': 1 });
  });

  test('a quoted "<<" is an ordinary key; YAML 1.1 booleans are booleans', () => {
    const obj = parseOne('a: {"<<": {x: 1}}\nb: yes\nc: off\nd: "yes"\n');
    expect(obj.a).toEqual({ '<<': { x: 1 } });
    expect([obj.b, obj.c, obj.d]).toEqual([true, false, 'yes']);
  });

  test('hostNetwork: yes is hostNetwork: true', () => {
    const pod = parseOne(EVASION.replace(/ {2}<<: &host\n {4}hostNetwork: true\n {4}hostPID: true\n/, '  hostNetwork: yes\n  <<: &host\n'));
    expect(pod.spec.hostNetwork).toBe(true);
  });

  test('a merge value that is not a map is a parse error, not a silently dropped key', () => {
    const result = parseManifests('a: &s text\nb:\n  <<: *s\n', 'x.yaml');
    expect(result.documents).toEqual([]);
    expect(result.problems[0]).toMatchObject({ ruleId: INPUT_RULE_ID, severity: 'error' });
    expect(result.problems[0].message).toContain('merge');
  });

  test('alias bombs are refused quickly', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const started = Date.now();
    const result = parseManifests(levels.join('\n'), 'bomb.yaml');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.documents).toEqual([]);
    expect(result.problems[0].message).toMatch(/alias/);
  });

  test('merge-key bombs are refused too', () => {
    const lines = ['a0: &a0 {k0: 0}'];
    for (let i = 1; i < 40; i++)
      lines.push(
        `a${i}: &a${i} {<<: [*a${i - 1}], k${i}: [${Array(20)
          .fill(`*a${i - 1}`)
          .join(', ')}]}`,
      );
    const result = parseManifests(lines.join('\n'), 'bomb.yaml');
    expect(result.documents).toEqual([]);
    expect(result.problems[0].message).toMatch(/alias/);
  });

  test('each object carries the line and column where it starts', () => {
    const result = parseManifests(
      '# head\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n',
      'x.yaml',
    );
    expect(result.documents.map((d) => [d.line, d.column])).toEqual([
      [2, 1],
      [7, 1],
    ]);
    const report = review(result.documents.map((d) => d.object));
    expect(report.counts.objects).toBe(2);
  });
});

describe('symlinks', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'review-root-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'review-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n');
    fs.mkdirSync(path.join(outside, 'dir'));
    fs.writeFileSync(path.join(outside, 'dir', 'more.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside-dir}\n');
    fs.writeFileSync(path.join(root, 'inside.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside}\n');
    fs.mkdirSync(path.join(root, 'sub'));
    fs.symlinkSync(path.join(root, 'inside.yaml'), path.join(root, 'sub', 'alias.yaml'));
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'link.yaml'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(root, 'linked-dir'));
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('links leaving the reviewed folder are not followed and are reported', () => {
    const loaded = loadManifests([root]);
    const names = loaded.documents.map((d) => (d.object as any).metadata.name);
    expect(names).toEqual(['inside']); // sub/alias.yaml is the same file: read once
    const skipped = loaded.problems.filter((p) => p.message.includes('outside the reviewed folder'));
    expect(skipped.map((p) => path.basename(p.file ?? ''))).toEqual(['link.yaml', 'linked-dir']);
    expect(skipped.every((p) => p.severity === 'warning')).toBe(true);
  });
});

describe('merge keys: property against a model of go-yaml v2', () => {
  const KEYS = ['a', 'b', 'c', 'd'];
  const smallMap = fc.dictionary(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 9 }), { maxKeys: 4 });

  test('pairs apply in document order; in a merged sequence the earlier map wins', () => {
    fc.assert(
      fc.property(
        fc.array(smallMap, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 4 }),
        fc.array(fc.integer({ min: 10, max: 99 }), { minLength: 4, maxLength: 4 }),
        fc.nat(),
        (anchors, explicitKeys, values, where) => {
          const position = where % (explicitKeys.length + 1);
          const defs = anchors.map(
            (m, i) =>
              `  m${i}: &m${i} {${Object.entries(m)
                .map(([k, v]) => `${k}: ${v}`)
                .join(', ')}}`,
          );
          const pairs = explicitKeys.map((k, i) => `  ${k}: ${values[i]}`);
          const merge = `  <<: [${anchors.map((_, i) => `*m${i}`).join(', ')}]`;
          pairs.splice(position, 0, merge);
          const obj = parseOne(`defs:\n${defs.join('\n')}\nobj:\n${pairs.join('\n')}\n`).obj;
          const model: Record<string, number> = {};
          explicitKeys.forEach((k, i) => {
            if (i < position) model[k] = values[i];
          });
          for (let i = anchors.length - 1; i >= 0; i--) Object.assign(model, anchors[i]);
          explicitKeys.forEach((k, i) => {
            if (i >= position) model[k] = values[i];
          });
          expect(obj).toEqual(model);
        },
      ),
      { numRuns: 150 },
    );
  });
});
