import {
  ANNOTATION_RULE_ID,
  DISABLE_ANNOTATION,
  INPUT_RULE_ID,
  SEVERITY_ANNOTATION,
  Rule,
  compareFindings,
  defaultRules,
  formatJson,
  formatTable,
  review,
  reviewDocuments,
} from '../../src/review';
import { deployment, digest, findingsOf, firstContainer, netpol, reviewWithPolicy } from './helpers';

/** A Deployment with `image: model:latest` (ML006 error) and no readiness probe (ML002 error). */
function flawed(annotations?: Record<string, unknown>): Record<string, any> {
  const d = deployment();
  firstContainer(d).image = 'model:latest';
  delete firstContainer(d).readinessProbe;
  if (annotations) d.metadata.annotations = annotations;
  return d;
}

describe('suppression annotation', () => {
  test('a suppression with a reason silences the rule on that object and is kept for audit', () => {
    const report = reviewWithPolicy([flawed({ [DISABLE_ANNOTATION]: 'ML006=internal mirror re-tags nightly, ML002=sidecar-only pod' })]);
    expect(digest(report)).toEqual([]);
    expect(report.suppressed.map((s) => `${s.ruleId} ${s.reason}`)).toEqual([
      'ML002 sidecar-only pod',
      'ML006 internal mirror re-tags nightly',
    ]);
    expect(report.counts).toMatchObject({ total: 0, suppressed: 2 });
  });

  test('reasons may contain commas', () => {
    const report = reviewWithPolicy([flawed({ [DISABLE_ANNOTATION]: 'ML006=pinned later, see TICKET-1,ML002=no traffic, batch only' })]);
    expect(report.suppressed.map((s) => s.reason)).toEqual(['no traffic, batch only', 'pinned later, see TICKET-1']);
  });

  test('a suppression without a reason is not applied and is itself a finding', () => {
    const report = reviewWithPolicy([flawed({ [DISABLE_ANNOTATION]: 'ML006, ML002=' })]);
    expect(digest(report)).toEqual([
      'ML002 error Deployment/server',
      'ML006 error Deployment/server',
      `${ANNOTATION_RULE_ID} warning Deployment/server`,
      `${ANNOTATION_RULE_ID} warning Deployment/server`,
    ]);
    expect(findingsOf(report, ANNOTATION_RULE_ID).map((f) => f.message)).toEqual([
      expect.stringContaining('disables ML002 without a reason; the suppression is not applied'),
      expect.stringContaining('disables ML006 without a reason'),
    ]);
    expect(report.suppressed).toEqual([]);
  });

  test('unknown ids, malformed entries, non-string values and unused suppressions are reported', () => {
    const unknown = reviewWithPolicy([flawed({ [DISABLE_ANNOTATION]: 'everything, ML999=x', [SEVERITY_ANNOTATION]: 42 })]);
    const messages = findingsOf(unknown, ANNOTATION_RULE_ID).map((f) => f.message);
    expect(messages).toHaveLength(3);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining("malformed entry 'everything'"),
        expect.stringContaining('names unknown rule ML999'),
        expect.stringContaining(`annotation ${SEVERITY_ANNOTATION} is not a string`),
      ]),
    );
    const unused = reviewWithPolicy([
      { ...deployment(), metadata: { name: 'server', namespace: 'ml', annotations: { [DISABLE_ANNOTATION]: 'ML003=slow model' } } },
    ]);
    expect(digest(unused)).toEqual([`${ANNOTATION_RULE_ID} info Deployment/server`]);
    expect(unused.findings[0].message).toContain('suppression of ML003 matches no finding');
  });

  test('only the annotated object is affected', () => {
    const other = flawed();
    other.metadata.name = 'other';
    const report = reviewWithPolicy([flawed({ [DISABLE_ANNOTATION]: 'ML006=accepted' }), other]);
    expect(findingsOf(report, 'ML006').map((f) => f.name)).toEqual(['other']);
  });
});

describe('severity re-grading', () => {
  test('per-object annotation', () => {
    const report = reviewWithPolicy([flawed({ [SEVERITY_ANNOTATION]: 'ML006=info,ML002=warning' })]);
    expect(digest(report)).toEqual(['ML002 warning Deployment/server', 'ML006 info Deployment/server']);
    expect(report.counts).toMatchObject({ error: 0, warning: 1, info: 1 });
  });

  test('an invalid level is reported and ignored', () => {
    const report = reviewWithPolicy([flawed({ [SEVERITY_ANNOTATION]: 'ML006=fatal' })]);
    expect(findingsOf(report, 'ML006')[0].severity).toBe('error');
    expect(findingsOf(report, ANNOTATION_RULE_ID)[0].message).toContain("invalid severity 'fatal'");
  });

  test('global overrides apply to every object; the object annotation wins over them', () => {
    const other = flawed();
    other.metadata.name = 'other';
    const report = reviewWithPolicy([flawed({ [SEVERITY_ANNOTATION]: 'ML006=error' }), other], { severityOverrides: { ML006: 'warning' } });
    expect(findingsOf(report, 'ML006').map((f) => `${f.name} ${f.severity}`)).toEqual(['other warning', 'server error']);
  });
});

describe('options', () => {
  test('disabled rules do not run', () => {
    const report = reviewWithPolicy([flawed()], { disabled: ['ML006'] });
    expect(digest(report)).toEqual(['ML002 error Deployment/server']);
  });

  test('invalid options throw', () => {
    expect(() => review([], { disabled: ['ML404'] })).toThrow(/unknown rule id 'ML404'/);
    expect(() => review([], { severityOverrides: { ML001: 'fatal' as never } })).toThrow(/invalid severity/);
  });

  test('a custom rule set replaces the defaults', () => {
    const rule: Rule = {
      id: 'TEAM001',
      title: 'Deployments must carry a team label',
      severity: 'warning',
      kinds: ['Deployment'],
      reference: 'team policy',
      check: (obj) => ((obj.metadata as any)?.labels?.team ? [] : [{ message: 'has no team label', fix: 'add metadata.labels.team' }]),
    };
    const report = review([deployment()], { rules: [rule] });
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: 'TEAM001', severity: 'warning', message: "Deployment 'ml/server': has no team label" }),
    ]);
    expect(defaultRules.map((r) => r.id)).toEqual(
      Array.from({ length: defaultRules.length }, (_, i) => `ML${String(i + 1).padStart(3, '0')}`),
    );
    expect(defaultRules.length).toBeGreaterThanOrEqual(22);
  });

  test('a throwing rule becomes a finding and the review goes on', () => {
    const broken: Rule = {
      id: 'BAD1',
      title: 'broken',
      severity: 'error',
      kinds: ['*'],
      reference: '-',
      check: () => {
        throw new Error('boom');
      },
    };
    const report = review([deployment()], { rules: [broken, ...defaultRules] });
    expect(report.findings.find((f) => f.ruleId === 'ML099')?.message).toContain('rule BAD1 failed: boom');
  });
});

describe('input handling', () => {
  test('non-objects, objects without kind, unknown kinds and duplicates are reported', () => {
    const crd = { apiVersion: 'example.com/v1', kind: 'ModelServer', metadata: { name: 'm' } };
    const report = review([null, 'text', [1], { foo: 1 }, crd, deployment(), deployment(), netpol()]);
    expect(findingsOf(report, INPUT_RULE_ID).map((f) => `${f.severity}: ${f.message}`)).toEqual([
      'warning: document 2 is a string, not a Kubernetes object; it is not reviewed',
      'warning: document 3 is a list, not a Kubernetes object; it is not reviewed',
      'warning: document 4 has no apiVersion/kind strings; it is not a Kubernetes object and is not reviewed',
      "info: ModelServer 'm': kind ModelServer of example.com/v1 is not known to the reviewer; no pod template was found in it (nothing shaped like metadata + spec.containers, at any depth), so none of the containers it creates were reviewed",
      "warning: Deployment 'ml/server': defined more than once in the reviewed set; the last definition applied wins",
    ]);
    expect(report.counts.objects).toBe(4);
  });

  test('List kinds are expanded', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [flawed(), { apiVersion: 'v1', kind: 'DeploymentList', items: [netpol()] }] };
    const report = review([list]);
    expect(report.counts.objects).toBe(2);
    expect(findingsOf(report, 'ML006')).toHaveLength(1);
    expect(findingsOf(report, 'ML014')).toEqual([]);
  });

  test('file names flow into findings and order them', () => {
    const report = reviewDocuments([
      { object: flawed(), file: 'b.yaml' },
      { object: netpol(), file: 'a.yaml' },
      { object: 'junk', file: 'a.yaml', index: 3 },
    ]);
    expect(report.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['a.yaml ML000', 'b.yaml ML002', 'b.yaml ML006']);
    expect(report.findings[0].message).toBe('document 3 is a string, not a Kubernetes object; it is not reviewed');
  });

  test('findings are sorted deterministically whatever the input order', () => {
    const objects = [
      flawed(),
      { ...flawed(), metadata: { name: 'a', namespace: 'ml' } },
      netpol(),
      { ...flawed(), metadata: { name: 'z', namespace: 'dev' } },
    ];
    const forward = review(objects);
    const backward = review([...objects].reverse());
    expect(backward.findings).toEqual(forward.findings);
    expect([...forward.findings].sort(compareFindings)).toEqual(forward.findings);
  });
});

describe('output', () => {
  test('formatTable shows file, object, rule, severity, message without the object prefix, fix and a summary', () => {
    const report = reviewDocuments([{ object: flawed(), file: 'deploy.yaml' }, { object: netpol() }]);
    const table = formatTable(report);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^FILE\s+OBJECT\s+RULE\s+SEVERITY\s+MESSAGE\s+FIX$/);
    expect(table).toContain("deploy.yaml  Deployment/ml/server  ML002  error     container 'server' serves on port 8000");
    expect(table).not.toContain("Deployment 'ml/server':");
    expect(lines.every((l) => l.length <= 200)).toBe(true);
    expect(table.trimEnd().split('\n').pop()).toBe('2 errors, 0 warnings, 0 info in 2 objects.');
    expect(formatTable(review([]))).toBe('No findings in 0 objects.\n');
  });

  test('formatJson round-trips the report', () => {
    const report = reviewWithPolicy([flawed({ [DISABLE_ANNOTATION]: 'ML002=reason' })]);
    expect(JSON.parse(formatJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(JSON.parse(formatJson(report)).suppressed[0]).toMatchObject({ ruleId: 'ML002', reason: 'reason' });
  });
});
