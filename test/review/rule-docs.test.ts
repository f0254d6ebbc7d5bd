import * as fs from 'fs';
import * as path from 'path';
import { defaultRules, parseManifests, review } from '../../src/review';
import { usage } from '../../src/review/cli';
import { renderRuleIndex, renderRulePage } from '../../src/review/rule-pages';
import { severityRows, severitySummary } from '../../src/review/severity-table';

/** Reviews a documentation example; ML032 needs an allowed-registry list to apply. */
function findingsOf(yaml: string, id: string): string[] {
  const parsed = parseManifests(yaml, 'example.yaml');
  expect(parsed.problems).toEqual([]);
  const report = review(
    parsed.documents.map((d) => d.object),
    { platform: { allowedRegistries: ['registry.example.com'] } },
  );
  return report.findings.filter((f) => f.ruleId === id).map((f) => f.message);
}

describe('rule documentation', () => {
  test.each(defaultRules.map((r) => [r.id, r] as const))('%s: the bad example is flagged, the good one is not', (id, rule) => {
    expect(rule.docs).toBeDefined();
    expect(rule.docs!.rationale.length).toBeGreaterThan(40);
    expect(rule.docs!.fix.length).toBeGreaterThan(20);
    expect(findingsOf(rule.docs!.bad, id).length).toBeGreaterThan(0);
    expect(findingsOf(rule.docs!.good, id)).toEqual([]);
  });

  test('docs/rules holds one page per rule, in sync with the metadata (run scripts/rule-docs.ts)', () => {
    const dir = path.join(__dirname, '..', '..', 'docs', 'rules');
    for (const rule of defaultRules) {
      expect(fs.readFileSync(path.join(dir, `${rule.id}.md`), 'utf8')).toBe(renderRulePage(rule));
    }
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe(renderRuleIndex(defaultRules));
    const pages = fs.readdirSync(dir).filter((f) => /^ML\d{3}\.md$/.test(f));
    expect(pages.sort()).toEqual(defaultRules.map((r) => `${r.id}.md`).sort());
  });

  test('every rule page lists its severity per workload kind (one row per role or kind) and the conditional severities', () => {
    for (const rule of defaultRules) {
      const page = renderRulePage(rule);
      expect(page).toContain('## Severity by workload kind');
      for (const row of severityRows(rule)) expect(page).toContain(`| ${row.kinds} | ${row.severity} |`);
      for (const c of rule.conditions ?? []) expect(page).toContain(`Also **${c.severity}** when ${c.when}.`);
    }
    expect(renderRulePage(defaultRules.find((r) => r.id === 'ML001')!)).toMatch(
      /\| Deployment, StatefulSet, .*\(serving\) \| error \|\n\| ReplicaSet, RayCluster \(long-running\) \| warning \|/,
    );
    expect(renderRulePage(defaultRules.find((r) => r.id === 'ML038')!)).toContain('| DaemonSet (daemon) | warning |');
  });

  test('--help lists every rule with its severity per kind', () => {
    const help = usage().replace(/\s+/g, ' ');
    for (const rule of defaultRules) expect(help).toContain(severitySummary(rule).replace(/\s+/g, ' '));
    expect(help).toContain('Severity: error for serving; warning for long-running, daemon, pod, batch, training, generic;');
  });

  test('--help lists every rule with its rationale and fix', () => {
    const help = usage().replace(/\s+/g, ' ');
    for (const rule of defaultRules) {
      expect(help).toContain(`${rule.id} ${rule.severity} ${rule.title}`);
      expect(help).toContain(`Why: ${rule.docs!.rationale.replace(/\s+/g, ' ')}`);
      expect(help).toContain(`Fix: ${rule.docs!.fix.replace(/\s+/g, ' ')}`);
    }
  });
});
