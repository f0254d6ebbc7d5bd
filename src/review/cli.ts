/** Command-line interface: `cdk8s-ml-review [options] <file|folder|->...`. */
import * as fs from 'fs';
import * as path from 'path';
import { applyBaseline, createBaseline, parseBaseline } from './baseline';
import { CliArgs, OPTIONS_HELP, UsageError, parseArgs } from './cli-args';
import { ConfigError, ReviewConfig, findConfig, ignoreMatcher, loadConfig } from './config';
import { ENGINE_RULES, compareFindings, reviewDocuments } from './engine';
import { formatJson, formatTable } from './format';
import { GroupMode, groupDocuments } from './grouping';
import { LoadResult, MissingPathError, loadManifests, parseManifests } from './load';
import { PlatformAssumptions } from './platform';
import { defaultRules } from './rules';
import { formatSarif } from './sarif';
import { severitySummary } from './severity-table';
import { Finding, ManifestDocument, ReviewOptions, ReviewReport, Severity } from './types';

/** Output streams of the CLI (process.stdout/stderr, or buffers in tests), and standard input. */
export interface CliIO {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Reads all of standard input (for the `-` path). @default - reads file descriptor 0 */
  readonly readStdin?: () => string;
}

/** Exit codes of {@link main}. */
export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;

const KNOWN_IDS = new Set([...defaultRules.map((r) => r.id), ...ENGINE_RULES.keys()]);

function ruleId(raw: string, option: string): string {
  const id = raw.trim().toUpperCase();
  if (!KNOWN_IDS.has(id)) throw new UsageError(`${option}: unknown rule id '${raw}'`);
  return id;
}

function indent(text: string, width: number, prefix: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(prefix + line);
  return lines;
}

/** The `--help` text: usage, options, and every rule with its rationale and fix. */
export function usage(): string {
  const rules = [
    ...[...ENGINE_RULES].map(([id, title]) => [`  ${id}  ${'-'.padEnd(7)}  ${title}`]),
    ...[...defaultRules]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((r) => [
        `  ${r.id}  ${r.severity.padEnd(7)}  ${r.title}`,
        ...indent(severitySummary(r), 96, '                   '),
        ...(r.docs
          ? [...indent(`Why: ${r.docs.rationale}`, 96, '                   '), ...indent(`Fix: ${r.docs.fix}`, 96, '                   ')]
          : []),
      ]),
  ]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .flat();
  return [
    'Usage: cdk8s-ml-review [options] <file|folder|->...',
    '',
    'Reviews Kubernetes manifests (YAML, multi-document YAML, JSON, List kinds; - reads standard input,',
    'e.g. helm template x | cdk8s-ml-review -) for ML-serving mistakes. Folders are searched recursively',
    'for *.yaml, *.yml and *.json files; symlinks leading out of a folder are not followed.',
    '',
    'Options:',
    ...OPTIONS_HELP,
    '',
    'Config: the nearest .cdk8s-ml-review.yaml at or above the first path (platform: autoTolerationSelectors,',
    'admissionAddsAcceleratorTolerations, allowedRegistries, acceleratorResources; rules: {ID: off|info|warning|error};',
    'ignore: [globs]; failOn; maxWarnings; group). Command-line flags win over the file.',
    '',
    'Per object: annotate cdk8s-ml.io/review-disable: "ML003=<reason>,..." (a reason is mandatory)',
    'and cdk8s-ml.io/review-severity: "ML003=info,...".',
    '',
    'Exit codes: 0 nothing fails, 1 findings at or above --fail-on (or more than --max-warnings warnings), 2 usage error.',
    '',
    'Rules (docs/rules/<ID>.md has examples):',
    ...rules,
    '',
  ].join('\n');
}

function packageVersion(): string | undefined {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cdk8s-ml') return pkg.version;
    } catch {
      // keep looking upward
    }
  }
  return undefined;
}

/** The config in effect: `--config`, else the nearest file above the first path, unless `--no-config`. */
function configOf(args: CliArgs): ReviewConfig | undefined {
  if (args.noConfig) return undefined;
  const start = args.paths.find((p) => p !== '-') ?? process.cwd();
  const file = args.config ?? findConfig(start);
  return file ? loadConfig(file, KNOWN_IDS) : undefined;
}

/** Review options from the config file with the command-line flags applied over it. */
function optionsOf(args: CliArgs, config: ReviewConfig | undefined): ReviewOptions {
  const levels = config?.rules ?? {};
  const disabled = new Set([...Object.keys(levels).filter((id) => levels[id] === 'off'), ...args.disabled]);
  const severityOverrides: Record<string, Severity> = {};
  for (const [id, level] of Object.entries(levels)) if (level !== 'off') severityOverrides[id] = level;
  for (const [id, level] of Object.entries(args.severityOverrides)) {
    severityOverrides[id] = level;
    disabled.delete(id);
  }
  for (const id of args.disabled) disabled.add(id);
  const base = config?.platform ?? {};
  const platform: PlatformAssumptions = {
    ...base,
    ...(args.autoTolerationSelectors.length
      ? {
          autoTolerationSelectors: [
            ...(base.autoTolerationSelectors ?? ['cloud.google.com/gke-accelerator', 'cloud.google.com/gke-tpu-*']),
            ...args.autoTolerationSelectors,
          ],
        }
      : {}),
    ...(args.admissionTolerations ? { admissionAddsAcceleratorTolerations: true } : {}),
    ...(args.allowedRegistries.length ? { allowedRegistries: args.allowedRegistries } : {}),
    ...(args.acceleratorResources.length
      ? { acceleratorResources: [...(base.acceleratorResources ?? []), ...args.acceleratorResources] }
      : {}),
  };
  return { disabled: [...disabled], severityOverrides, platform };
}

/** Reads the paths (`-` is standard input). */
function load(args: CliArgs, config: ReviewConfig | undefined, io: CliIO): LoadResult {
  const matchers = [
    ...(config && config.ignore.length ? [ignoreMatcher(config.ignore, path.dirname(path.resolve(config.file)))] : []),
    ...(args.ignore.length ? [ignoreMatcher(args.ignore, process.cwd())] : []),
  ];
  const ignore = matchers.length ? (p: string): boolean => matchers.some((m) => m(p)) : undefined;
  const documents: ManifestDocument[] = [];
  const problems: Finding[] = [];
  const files = args.paths.filter((p) => p !== '-');
  if (args.paths.includes('-')) {
    const text = (io.readStdin ?? (() => fs.readFileSync(0, 'utf8')))();
    const result = parseManifests(text, args.stdinName);
    documents.push(...result.documents);
    problems.push(...result.problems);
  }
  if (files.length) {
    const result = loadManifests(files, ignore ? { ignore } : {});
    documents.push(...result.documents);
    problems.push(...result.problems);
  }
  return { documents, problems };
}

/** Reviews each set of `mode` on its own (see `grouping.ts`) and merges the reports. */
function reviewGrouped(loaded: LoadResult, options: ReviewOptions, mode: GroupMode): ReviewReport {
  if (mode === 'all') return reviewDocuments(loaded.documents, options, loaded.problems);
  const reports = [
    ...groupDocuments(loaded.documents, mode).map((docs) => reviewDocuments(docs, options)),
    reviewDocuments([], options, loaded.problems),
  ];
  return withFindings(
    reports.flatMap((r) => r.findings),
    reports.flatMap((r) => r.suppressed),
    reports.reduce((n, r) => n + r.counts.objects, 0),
  );
}

function withFindings(findings: Finding[], suppressed: ReviewReport['suppressed'], objects: number): ReviewReport {
  const sorted = [...findings].sort(compareFindings);
  const count = (s: Severity): number => sorted.filter((f) => f.severity === s).length;
  return {
    findings: sorted,
    suppressed: [...suppressed].sort(compareFindings),
    counts: {
      error: count('error'),
      warning: count('warning'),
      info: count('info'),
      total: sorted.length,
      suppressed: suppressed.length,
      objects,
    },
  };
}

/**
 * Runs the reviewer on `argv` (without the node and script arguments); returns the exit code:
 * 0 when nothing fails, 1 when findings reach `--fail-on` (default error) or warnings exceed
 * `--max-warnings`, 2 on usage errors (bad options, missing paths, invalid config or baseline).
 */
export function main(argv: readonly string[], io: CliIO): number {
  const fail = (message: string): number => {
    io.stderr.write(`cdk8s-ml-review: ${message}\nRun 'cdk8s-ml-review --help' for usage.\n`);
    return EXIT.usage;
  };
  let args: CliArgs;
  let config: ReviewConfig | undefined;
  try {
    args = parseArgs(argv, ruleId);
    if (args.help) {
      io.stdout.write(usage());
      return EXIT.ok;
    }
    config = configOf(args);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  let loaded: LoadResult;
  try {
    loaded = load(args, config, io);
  } catch (error) {
    if (error instanceof MissingPathError) return fail(error.message);
    throw error;
  }
  const options = optionsOf(args, config);
  let report = reviewGrouped(loaded, options, args.group ?? config?.group ?? 'auto');

  if (args.writeBaseline) {
    fs.writeFileSync(args.writeBaseline, `${JSON.stringify(createBaseline(report.findings), null, 2)}\n`);
    io.stderr.write(`cdk8s-ml-review: recorded ${report.findings.length} findings in ${args.writeBaseline}\n`);
    return EXIT.ok;
  }
  if (args.baseline) {
    let known: Finding[];
    try {
      const split = applyBaseline(report.findings, parseBaseline(fs.readFileSync(args.baseline, 'utf8')));
      known = split.known;
      report = withFindings(split.fresh, report.suppressed, report.counts.objects);
    } catch (error) {
      return fail(`--baseline ${args.baseline}: ${error instanceof Error ? error.message : 'unreadable'}`);
    }
    if (known.length)
      io.stderr.write(`cdk8s-ml-review: ${known.length} finding${known.length > 1 ? 's' : ''} recorded in ${args.baseline} not shown\n`);
  }

  if (args.format === 'sarif') io.stdout.write(formatSarif(report, defaultRules, ENGINE_RULES, packageVersion()));
  else io.stdout.write(args.format === 'json' ? formatJson(report) : formatTable(report));

  const failOn = args.failOn ?? config?.failOn ?? 'error';
  const maxWarnings = args.maxWarnings ?? config?.maxWarnings;
  const failing = report.counts.error + (failOn === 'warning' ? report.counts.warning : 0);
  const tooManyWarnings = maxWarnings !== undefined && report.counts.warning > maxWarnings;
  if (tooManyWarnings) io.stderr.write(`cdk8s-ml-review: ${report.counts.warning} warnings, more than --max-warnings ${maxWarnings}\n`);
  return failing > 0 || tooManyWarnings ? EXIT.errors : EXIT.ok;
}
