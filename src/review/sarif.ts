/** SARIF 2.1.0 output, as GitHub code scanning accepts it. */
import * as path from 'path';
import { fingerprintsOf } from './baseline';
import { Finding, ReviewReport, Rule, Severity } from './types';

/** Where the rule documentation pages are published (`<base>/ML004.md`). */
export const RULE_DOCS_BASE_URL = 'https://github.com/cdk8s-ml/cdk8s-ml/blob/main/docs/rules/';

/** The documentation page of a rule. */
export function ruleHelpUri(id: string): string {
  return `${RULE_DOCS_BASE_URL}${id}.md`;
}

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { error: 'error', warning: 'warning', info: 'note' };

/** A path as a SARIF artifact URI: relative to `root` when inside it, `/`-separated. */
export function artifactUri(file: string | undefined, root = process.cwd()): string {
  if (file === undefined || file === '') return 'manifest';
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  const inside = !relative.startsWith('..') && !path.isAbsolute(relative);
  const encoded = (inside ? relative : absolute).split(path.sep).map(encodeURIComponent).join('/');
  return inside ? encoded : `file://${encoded}`;
}

/** Renders a report as a SARIF 2.1.0 log with one run. */
export function formatSarif(
  report: ReviewReport,
  rules: readonly Rule[],
  engineRules: ReadonlyMap<string, string>,
  version = '0.0.0',
  root = process.cwd(),
): string {
  const described = [
    ...[...engineRules].map(([id, title]) => ({ id, title, severity: 'warning' as Severity, rationale: title, fix: '' })),
    ...rules.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      rationale: r.docs?.rationale ?? r.title,
      fix: r.docs?.fix ?? '',
    })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  const index = new Map(described.map((r, i) => [r.id, i]));
  const fingerprints = fingerprintsOf(report.findings, root);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cdk8s-ml-review',
            informationUri: RULE_DOCS_BASE_URL,
            version,
            rules: described.map((r) => ({
              id: r.id,
              name: r.title
                .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))
                .replace(/^./, (c) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              helpUri: ruleHelpUri(r.id),
              help: { text: r.fix ? `${r.rationale}\n\nFix: ${r.fix}` : r.rationale },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        results: report.findings.map((f: Finding, i) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: LEVEL[f.severity],
          message: { text: `${f.message}. Fix: ${f.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(f.file, root) },
                // The field's position (its key), or the object's for findings without a path.
                region: { startLine: f.line ?? 1, startColumn: f.column ?? 1 },
              },
              ...(f.kind !== ''
                ? {
                    logicalLocations: [
                      {
                        fullyQualifiedName: `${f.kind}/${f.namespace ? `${f.namespace}/` : ''}${f.name}${f.path ? `:${f.path}` : ''}`,
                        kind: f.path ? 'member' : 'object',
                      },
                    ],
                  }
                : {}),
            },
          ],
          partialFingerprints: { 'cdk8sMlReview/v1': fingerprints[i] },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
