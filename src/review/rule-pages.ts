/** Markdown pages of the rules (`docs/rules/<ID>.md` and `docs/rules/README.md`), rendered from the rule metadata. */
import { ENGINE_RULES } from './engine';
import { severityRows } from './severity-table';
import { Rule } from './types';

const HEADER = '<!-- Generated from the rule metadata by scripts/rule-docs.ts; edit src/review/docs/*.ts, then run it. -->';

/** The page of one rule. */
export function renderRulePage(rule: Rule): string {
  const docs = rule.docs;
  if (!docs) throw new Error(`rule ${rule.id} has no documentation`);
  return [
    HEADER,
    `# ${rule.id}: ${rule.title}`,
    '',
    `Default severity: **${rule.severity}**. Traces to: ${rule.reference}.`,
    '',
    '## Severity by workload kind',
    '',
    '| Kind | Severity |',
    '| --- | --- |',
    ...severityRows(rule).map((r) => `| ${r.kinds} | ${r.severity} |`),
    ...((rule.conditions ?? []).length > 0 ? ['', ...(rule.conditions ?? []).map((c) => `Also **${c.severity}** when ${c.when}.`)] : []),
    '',
    '## Why',
    '',
    docs.rationale,
    '',
    '## Fix',
    '',
    docs.fix,
    '',
    '## Flagged',
    '',
    '```yaml',
    docs.bad.trimEnd(),
    '```',
    '',
    '## Not flagged',
    '',
    '```yaml',
    docs.good.trimEnd(),
    '```',
    '',
    `Silence on one object with the annotation \`cdk8s-ml.io/review-disable: "${rule.id}=<reason>"\`, for a whole review with \`rules: {${rule.id}: off}\` in \`.cdk8s-ml-review.yaml\` or \`--disable ${rule.id}\`.`,
    '',
  ].join('\n');
}

/** The index page listing every rule. */
export function renderRuleIndex(rules: readonly Rule[]): string {
  const rows = [...rules].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => `| [${r.id}](${r.id}.md) | ${r.severity} | ${r.title} |`);
  const engine = [...ENGINE_RULES].map(([id, title]) => `| ${id} | - | ${title} (reported by the engine) |`);
  return [
    HEADER,
    '# Review rules',
    '',
    'Rules of `cdk8s-ml-review` (and of `reviewApp`, `reviewOnSynth` and the cdk8s validation plugin). Each page gives the',
    'rationale, the fix, a flagged and a clean example; the examples are reviewed by the test suite.',
    '',
    '| Rule | Default | Title |',
    '| --- | --- | --- |',
    ...engine,
    ...rows,
    '',
  ].join('\n');
}
