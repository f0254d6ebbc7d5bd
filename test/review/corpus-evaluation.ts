/**
 * Runs the review CLI on every file of the public corpus (one file at a time, as `--per-file` would) and
 * compares its findings with the hand-reviewed expectations in test/review/corpus/expected.yaml.
 * Shared by test/review/corpus.test.ts and bench/corpus-report.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { main } from '../../src/review/cli';
import { Severity } from '../../src/review/types';

export const CORPUS_DIR = path.join(__dirname, 'corpus');

/** One expected problem of a corpus file, as written by hand in expected.yaml. */
export interface ExpectedProblem {
  readonly rule: string;
  readonly object: string;
  /** Only findings about this container count (e.g. the leader of a LeaderWorkerSet, not its workers). */
  readonly container?: string;
  readonly severity: Severity;
  readonly why: string;
  readonly mustFlag?: boolean;
  readonly knownGap?: string;
  readonly covered?: boolean;
  readonly optional?: boolean;
}

/** A finding judged wrong by hand (documents why; counted as a false positive when reported). */
export interface NotProblem {
  readonly rule: string;
  readonly object: string;
  readonly container?: string;
  readonly why: string;
  /** The engine still reports it (a known false positive); the reason it is not fixed yet. */
  readonly knownGap?: string;
}

interface FileExpectations {
  readonly accept?: readonly string[];
  readonly expected?: readonly ExpectedProblem[];
  readonly notProblems?: readonly NotProblem[];
}

/**
 * What a problem category maps to: engine rule ids, optionally narrowed by a regular expression on the
 * message (one rule id can report several problems, e.g. ML004's toleration and node-selection halves).
 */
export type CategoryRules = readonly string[] | { readonly ids: readonly string[]; readonly message?: string };

export interface Expectations {
  readonly rules: Readonly<Record<string, CategoryRules>>;
  readonly files: Readonly<Record<string, FileExpectations>>;
}

/** A finding of the engine on one corpus file, reduced to what the evaluation needs. */
export interface CorpusFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly object: string;
  readonly message: string;
  /** JSON path of the field and its line in the file (absent for findings about a file). */
  readonly path?: string;
  readonly line?: number;
}

/** How a finding was judged. */
export type Verdict =
  | { readonly kind: 'expected'; readonly problem: ExpectedProblem }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'note' }
  | { readonly kind: 'false-positive'; readonly reason: string; readonly known?: NotProblem };

export interface JudgedFinding extends CorpusFinding {
  readonly verdict: Verdict;
}

export interface FileResult {
  readonly file: string;
  readonly findings: readonly JudgedFinding[];
  /** Expected problems (covered by a rule) and whether some finding flags them. */
  readonly expected: readonly { readonly problem: ExpectedProblem; readonly flagged: boolean }[];
}

export interface Counts {
  readonly true: number;
  readonly all: number;
}

export interface CorpusReport {
  readonly files: readonly FileResult[];
  /** True findings / all findings (input notes such as "kind not known" excluded), overall and per severity. */
  readonly precision: { readonly overall: Counts; readonly bySeverity: Readonly<Record<Severity, Counts>> };
  /** Flagged / expected on the must-flag categories, and on every expected problem a rule covers. */
  readonly recall: { readonly mustFlag: Counts; readonly allCovered: Counts };
  /** True findings graded more severely than the hand review (e.g. error where warning was expected). */
  readonly overGraded: number;
}

/** Reads expected.yaml. */
export function loadExpectations(): Expectations {
  return parse(fs.readFileSync(path.join(CORPUS_DIR, 'expected.yaml'), 'utf8')) as Expectations;
}

/** Corpus files listed in provenance.json (paths relative to the corpus folder). */
export function corpusFiles(): string[] {
  const provenance = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'provenance.json'), 'utf8')) as { files: { file: string }[] };
  return provenance.files.map((f) => f.file).sort();
}

interface CliFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly kind: string;
  readonly name: string;
  readonly message: string;
  readonly path?: string;
  readonly line?: number;
}

/** Runs the CLI on one file with JSON output, as a user would. */
export function reviewFile(file: string): CorpusFinding[] {
  let out = '';
  let err = '';
  main(['--format', 'json', '--per-file', '--no-config', path.join(CORPUS_DIR, file)], {
    stdout: {
      write: (s: string) => {
        out += s;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
      },
    },
  });
  if (err !== '') throw new Error(`cdk8s-ml-review on ${file}: ${err}`);
  const report = JSON.parse(out) as { findings: CliFinding[] };
  return report.findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    object: `${f.kind}/${f.name}`,
    // The engine prefixes messages with the object; the object is already a field.
    message: f.message.replace(/^[^:]*'[^']*': /, ''),
    ...(f.path !== undefined ? { path: f.path } : {}),
    ...(f.line !== undefined ? { line: f.line } : {}),
  }));
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** Input notes that are not claims about a problem ("kind X is not known to the reviewer"). */
function isNote(f: CorpusFinding): boolean {
  return f.ruleId === 'ML000' && f.severity === 'info' && /is not known to the reviewer|no pod template was found/.test(f.message);
}

function judge(f: CorpusFinding, exp: FileExpectations, rules: Expectations['rules']): Verdict {
  if (isNote(f)) return { kind: 'note' };
  const inRule = (rule: string): boolean => {
    const spec = rules[rule] ?? [];
    const ids = Array.isArray(spec) ? spec : (spec as { ids: readonly string[] }).ids;
    const message = Array.isArray(spec) ? undefined : (spec as { message?: string }).message;
    return ids.includes(f.ruleId) && (message === undefined || new RegExp(message, 'i').test(f.message));
  };
  const about = (p: ExpectedProblem): boolean => p.container === undefined || f.message.includes(`container '${p.container}'`);
  const problem = (exp.expected ?? []).find((p) => p.object === f.object && inRule(p.rule) && about(p));
  if (problem) return { kind: 'expected', problem };
  const wrong = (exp.notProblems ?? []).find(
    (p) => p.object === f.object && inRule(p.rule) && (p.container === undefined || f.message.includes(`container '${p.container}'`)),
  );
  if (wrong) return { kind: 'false-positive', reason: wrong.why, ...(wrong.knownGap !== undefined ? { known: wrong } : {}) };
  if ((exp.accept ?? []).includes(f.ruleId)) return { kind: 'accepted' };
  return { kind: 'false-positive', reason: 'not a problem found by the hand review' };
}

/** Reviews every corpus file and scores the findings against the expectations. */
export function evaluateCorpus(expectations: Expectations = loadExpectations()): CorpusReport {
  const files: FileResult[] = [];
  for (const file of corpusFiles()) {
    const exp = expectations.files[file];
    if (!exp) throw new Error(`expected.yaml has no entry for ${file}`);
    const findings = reviewFile(file).map((f) => ({ ...f, verdict: judge(f, exp, expectations.rules) }));
    // Problems no rule covers and optional notes are matched (a finding on them is true) but not counted in recall.
    const expected = (exp.expected ?? [])
      .filter((p) => p.covered !== false && p.optional !== true)
      .map((problem) => ({
        problem,
        flagged: findings.some((f) => f.verdict.kind === 'expected' && f.verdict.problem === problem),
      }));
    files.push({ file, findings, expected });
  }
  const judged = files.flatMap((f) => f.findings).filter((f) => f.verdict.kind !== 'note');
  const isTrue = (f: JudgedFinding): boolean => f.verdict.kind === 'expected' || f.verdict.kind === 'accepted';
  const count = (list: readonly JudgedFinding[]): Counts => ({ true: list.filter(isTrue).length, all: list.length });
  const expected = files.flatMap((f) => f.expected);
  const mustFlag = expected.filter((e) => e.problem.mustFlag === true);
  return {
    files,
    precision: {
      overall: count(judged),
      bySeverity: {
        error: count(judged.filter((f) => f.severity === 'error')),
        warning: count(judged.filter((f) => f.severity === 'warning')),
        info: count(judged.filter((f) => f.severity === 'info')),
      },
    },
    recall: {
      mustFlag: { true: mustFlag.filter((e) => e.flagged).length, all: mustFlag.length },
      allCovered: { true: expected.filter((e) => e.flagged).length, all: expected.length },
    },
    overGraded: judged.filter((f) => f.verdict.kind === 'expected' && SEVERITY_RANK[f.severity] < SEVERITY_RANK[f.verdict.problem.severity])
      .length,
  };
}

/** "93.1 % (27/29)". */
export function ratio(c: Counts): string {
  return c.all === 0 ? 'n/a (0/0)' : `${((100 * c.true) / c.all).toFixed(1)} % (${c.true}/${c.all})`;
}
