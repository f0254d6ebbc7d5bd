/**
 * The review engine on the public ML manifests (test/review/corpus, provenance in PROVENANCE.md), each
 * reviewed on its own, against the hand-reviewed expectations in test/review/corpus/expected.yaml.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CORPUS_DIR, CorpusReport, corpusFiles, evaluateCorpus, loadExpectations, ratio } from './corpus-evaluation';

const expectations = loadExpectations();
let report: CorpusReport;

beforeAll(() => {
  report = evaluateCorpus(expectations);
});

function fileResult(file: string) {
  const result = report.files.find((f) => f.file === file);
  if (!result) throw new Error(`no result for ${file}`);
  return result;
}

describe('corpus data', () => {
  const provenance = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'provenance.json'), 'utf8')) as {
    files: { file: string; repository: string; path: string; commit: string }[];
  };

  test('at least 40 public manifests, each with repository, path and a 40-hex commit', () => {
    expect(provenance.files.length).toBeGreaterThanOrEqual(40);
    for (const f of provenance.files) {
      expect(f.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(f.path).not.toBe('');
      expect(f.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  test('every corpus file is listed in provenance.json and expected.yaml, and nothing else is', () => {
    const onDisk = fs
      .readdirSync(CORPUS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => fs.readdirSync(path.join(CORPUS_DIR, d.name)).map((f) => `${d.name}/${f}`))
      .sort();
    expect(corpusFiles()).toEqual(onDisk);
    expect(Object.keys(expectations.files).sort()).toEqual(onDisk);
  });

  test('every file is plain YAML that parses (no Helm templates)', () => {
    for (const file of corpusFiles()) {
      const text = fs.readFileSync(path.join(CORPUS_DIR, file), 'utf8');
      expect(text).not.toMatch(/\{\{/);
      for (const doc of parseAllDocuments(text)) expect(doc.errors).toEqual([]);
    }
  });

  test('the files are unchanged since they were reviewed (content hash)', () => {
    const hashes = Object.fromEntries(
      corpusFiles().map((file) => [
        file,
        crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(CORPUS_DIR, file)))
          .digest('hex')
          .slice(0, 16),
      ]),
    );
    expect(hashes).toMatchSnapshot();
  });

  test('every rule category used in expected.yaml is mapped to rule ids', () => {
    for (const [file, exp] of Object.entries(expectations.files)) {
      for (const p of [...(exp.expected ?? []), ...(exp.notProblems ?? [])]) {
        expect({ file, rule: p.rule, mapped: p.rule in expectations.rules }).toEqual({ file, rule: p.rule, mapped: true });
      }
    }
  });
});

describe('engine on the corpus (per file)', () => {
  test('no error-severity finding is a false positive, except the known ones listed in expected.yaml', () => {
    const wrongErrors = report.files.flatMap((f) =>
      f.findings
        .filter((x) => x.severity === 'error' && x.verdict.kind === 'false-positive' && x.verdict.known === undefined)
        .map((x) => `${f.file} ${x.object} ${x.ruleId}: ${x.message}`),
    );
    expect(wrongErrors).toEqual([]);
  });

  test('known false positives are still reported (remove knownGap from expected.yaml once fixed)', () => {
    for (const [file, exp] of Object.entries(expectations.files)) {
      for (const p of (exp.notProblems ?? []).filter((n) => n.knownGap !== undefined)) {
        const still = fileResult(file).findings.some((x) => x.verdict.kind === 'false-positive' && x.verdict.known === p);
        expect({ file, object: p.object, rule: p.rule, still }).toEqual({ file, object: p.object, rule: p.rule, still: true });
      }
    }
  });

  test('every must-flag problem is flagged, except the known gaps listed in expected.yaml', () => {
    const missed = report.files.flatMap((f) =>
      f.expected
        .filter((e) => e.problem.mustFlag === true && !e.flagged && e.problem.knownGap === undefined)
        .map((e) => `${f.file} ${e.problem.object} ${e.problem.rule}`),
    );
    expect(missed).toEqual([]);
  });

  test('known gaps are still gaps (remove knownGap from expected.yaml once the engine flags them)', () => {
    const closed = report.files.flatMap((f) =>
      f.expected.filter((e) => e.problem.knownGap !== undefined && e.flagged).map((e) => `${f.file} ${e.problem.object} ${e.problem.rule}`),
    );
    expect(closed).toEqual([]);
  });

  test('every finding about an object names the offending field (JSON path) and its line in the file', () => {
    const unlocated = report.files.flatMap((f) =>
      f.findings
        .filter((x) => !x.object.startsWith('/') && (x.path === undefined || !(x.line! > 0)))
        .map((x) => `${f.file} ${x.ruleId} ${x.object}`),
    );
    expect(unlocated).toEqual([]);
  });

  test('the engine never fails on a corpus file (no ML099 internal errors)', () => {
    expect(report.files.flatMap((f) => f.findings.filter((x) => x.ruleId === 'ML099').map((x) => `${f.file}: ${x.message}`))).toEqual([]);
  });

  test('precision and recall (figures in README)', () => {
    const figures = {
      precision: ratio(report.precision.overall),
      error: ratio(report.precision.bySeverity.error),
      warning: ratio(report.precision.bySeverity.warning),
      info: ratio(report.precision.bySeverity.info),
      mustFlagRecall: ratio(report.recall.mustFlag),
      coveredRecall: ratio(report.recall.allCovered),
      overGraded: report.overGraded,
    };
    expect(figures).toMatchSnapshot();
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(`precision ${figures.precision}`);
    expect(readme).toContain(`must-flag recall ${figures.mustFlagRecall}`);
  });

  describe.each(corpusFiles())('%s', (file) => {
    test('findings match the locked snapshot', () => {
      const lines = fileResult(file).findings.map((f) => `${f.severity} ${f.ruleId} ${f.object} [${f.verdict.kind}] ${f.message}`);
      expect(lines).toMatchSnapshot();
    });
  });
});
