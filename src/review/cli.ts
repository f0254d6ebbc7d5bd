/** Command-line interface: `cdk8s-ml-review [options] <file|folder>...`. */
import { ENGINE_RULES, reviewDocuments } from './engine';
import { formatJson, formatTable } from './format';
import { MissingPathError, loadManifests } from './load';
import { defaultRules } from './rules';
import { ReviewOptions, Severity, isSeverity } from './types';

/** Output streams of the CLI (process.stdout/stderr, or buffers in tests). */
export interface CliIO {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

/** Exit codes of {@link main}. */
export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;

class UsageError extends Error {}

interface Args {
  readonly paths: string[];
  json: boolean;
  help: boolean;
  readonly disabled: string[];
  readonly severityOverrides: Record<string, Severity>;
}

const KNOWN_IDS = new Set([...defaultRules.map((r) => r.id), ...ENGINE_RULES.keys()]);

function usage(): string {
  const rules = [
    ...[...ENGINE_RULES].map(([id, title]) => `  ${id}  ${'-'.padEnd(7)}  ${title}`),
    ...defaultRules.map((r) => `  ${r.id}  ${r.severity.padEnd(7)}  ${r.title}`),
  ].sort();
  return [
    'Usage: cdk8s-ml-review [options] <file|folder>...',
    '',
    'Reviews Kubernetes manifests (YAML, multi-document YAML, JSON, List kinds) for ML-serving mistakes.',
    'Folders are searched recursively for *.yaml, *.yml and *.json files.',
    '',
    'Options:',
    '  --json                 print the report as JSON',
    '  --disable ID[,ID]      do not run these rules (repeatable)',
    '  --severity ID=level    re-grade a rule: error, warning or info (repeatable)',
    '  -h, --help             show this help',
    '',
    'Per object: annotate cdk8s-ml.io/review-disable: "ML003=<reason>,..." (a reason is mandatory)',
    'and cdk8s-ml.io/review-severity: "ML003=info,...".',
    '',
    'Exit codes: 0 no error-severity finding, 1 error findings, 2 usage error.',
    '',
    'Rules:',
    ...rules,
    '',
  ].join('\n');
}

function ruleId(raw: string, option: string): string {
  const id = raw.trim().toUpperCase();
  if (!KNOWN_IDS.has(id)) throw new UsageError(`${option}: unknown rule id '${raw}'`);
  return id;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { paths: [], json: false, help: false, disabled: [], severityOverrides: {} };
  const value = (i: number, option: string, inline: string | undefined): string => {
    const v = inline ?? argv[i + 1];
    if (v === undefined || v === '') throw new UsageError(`${option} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { args.paths.push(...argv.slice(i + 1)); break; }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const option = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    switch (option) {
      case '--json': args.json = true; break;
      case '-h': case '--help': args.help = true; break;
      case '--disable': {
        const v = value(i, option, inline);
        if (inline === undefined) i++;
        for (const id of v.split(',').filter((s) => s.trim() !== '')) args.disabled.push(ruleId(id, option));
        break;
      }
      case '--severity': {
        const v = value(i, option, inline);
        if (inline === undefined) i++;
        for (const entry of v.split(',').filter((s) => s.trim() !== '')) {
          const [id, level] = entry.split('=').map((s) => s.trim());
          if (!isSeverity(level)) throw new UsageError(`--severity: expected ID=error|warning|info, got '${entry}'`);
          args.severityOverrides[ruleId(id, option)] = level;
        }
        break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
        args.paths.push(arg);
    }
  }
  if (!args.help && args.paths.length === 0) throw new UsageError('no files or folders given');
  return args;
}

/**
 * Runs the reviewer on `argv` (without the node and script arguments); returns the exit code:
 * 0 when no finding has error severity, 1 otherwise, 2 on usage errors.
 */
export function main(argv: readonly string[], io: CliIO): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`cdk8s-ml-review: ${error.message}\nRun 'cdk8s-ml-review --help' for usage.\n`);
    return EXIT.usage;
  }
  if (args.help) {
    io.stdout.write(usage());
    return EXIT.ok;
  }
  try {
    const loaded = loadManifests(args.paths);
    const options: ReviewOptions = { disabled: args.disabled, severityOverrides: args.severityOverrides };
    const report = reviewDocuments(loaded.documents, options, loaded.problems);
    io.stdout.write(args.json ? formatJson(report) : formatTable(report));
    return report.counts.error > 0 ? EXIT.errors : EXIT.ok;
  } catch (error) {
    if (!(error instanceof MissingPathError)) throw error;
    io.stderr.write(`cdk8s-ml-review: ${error.message}\n`);
    return EXIT.usage;
  }
}
