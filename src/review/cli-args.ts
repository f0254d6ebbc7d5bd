/** Command-line arguments of `cdk8s-ml-review`. */
import { GROUP_MODES, GroupMode } from './grouping';
import { Severity, isSeverity } from './types';

/** A command line that cannot be run (exit code 2). */
export class UsageError extends Error {}

/** Output formats. */
export type OutputFormat = 'table' | 'json' | 'sarif';

/** Parsed arguments. */
export interface CliArgs {
  readonly paths: string[];
  format: OutputFormat;
  help: boolean;
  /** How files are grouped into review sets; `--per-file` is `file`. */
  group?: GroupMode;
  failOn?: 'error' | 'warning';
  maxWarnings?: number;
  baseline?: string;
  writeBaseline?: string;
  config?: string;
  noConfig: boolean;
  stdinName: string;
  readonly disabled: string[];
  readonly severityOverrides: Record<string, Severity>;
  readonly ignore: string[];
  readonly allowedRegistries: string[];
  readonly autoTolerationSelectors: string[];
  readonly acceleratorResources: string[];
  admissionTolerations?: boolean;
}

/** Parses `argv`; `ruleId` normalizes and checks a rule id (throwing {@link UsageError}). */
export function parseArgs(argv: readonly string[], ruleId: (raw: string, option: string) => string): CliArgs {
  const args: CliArgs = {
    paths: [],
    format: 'table',
    help: false,
    noConfig: false,
    stdinName: '<stdin>',
    disabled: [],
    severityOverrides: {},
    ignore: [],
    allowedRegistries: [],
    autoTolerationSelectors: [],
    acceleratorResources: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      args.paths.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const option = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[i + 1];
      if (v === undefined || v === '') throw new UsageError(`${option} needs a value`);
      if (inline === undefined) i++;
      return v;
    };
    const list = (): string[] =>
      value()
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    switch (option) {
      case '--json':
        args.format = 'json';
        break;
      case '--format': {
        const v = value();
        if (v !== 'table' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format: expected table, json or sarif, got '${v}'`);
        args.format = v;
        break;
      }
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--per-file':
        args.group = 'file';
        break;
      case '--group': {
        const v = value();
        if (!GROUP_MODES.includes(v as GroupMode)) throw new UsageError(`--group: expected ${GROUP_MODES.join(', ')}, got '${v}'`);
        args.group = v as GroupMode;
        break;
      }
      case '--fail-on': {
        const v = value();
        if (v !== 'error' && v !== 'warning') throw new UsageError(`--fail-on: expected error or warning, got '${v}'`);
        args.failOn = v;
        break;
      }
      case '--max-warnings': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--max-warnings: expected a whole number >= 0, got '${v}'`);
        args.maxWarnings = Number(v);
        break;
      }
      case '--baseline':
        args.baseline = value();
        break;
      case '--write-baseline':
        args.writeBaseline = value();
        break;
      case '--config':
        args.config = value();
        break;
      case '--no-config':
        args.noConfig = true;
        break;
      case '--stdin-name':
        args.stdinName = value();
        break;
      case '--ignore':
        args.ignore.push(...list());
        break;
      case '--allow-registry':
        args.allowedRegistries.push(...list());
        break;
      case '--auto-toleration-selector':
        args.autoTolerationSelectors.push(...list());
        break;
      case '--accelerator-resource':
        args.acceleratorResources.push(...list());
        break;
      case '--admission-tolerations':
        args.admissionTolerations = true;
        break;
      case '--disable':
        for (const id of list()) args.disabled.push(ruleId(id, option));
        break;
      case '--severity':
        for (const entry of list()) {
          const [id, level] = entry.split('=').map((s) => s.trim());
          if (!isSeverity(level)) throw new UsageError(`--severity: expected ID=error|warning|info, got '${entry}'`);
          args.severityOverrides[ruleId(id, option)] = level;
        }
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
        args.paths.push(arg);
    }
  }
  if (!args.help && args.paths.length === 0) throw new UsageError('no files or folders given (use - for standard input)');
  return args;
}

/** The options section of `--help`. */
export const OPTIONS_HELP = [
  '  --format table|json|sarif   output format (default table; sarif: SARIF 2.1.0 for code scanning)',
  '  --json                      same as --format json',
  '  --group auto|file|app|all   review sets: auto (default) reviews files that refer to each other together',
  '                              (a Service and the Deployment it selects, an HPA and its target) and every',
  '                              other file alone; file: each file alone; app: by app.kubernetes.io/part-of',
  '                              (or instance) label, unlabelled objects with their file; all: everything as one set',
  '  --per-file                  same as --group file',
  '  --fail-on error|warning     lowest severity that fails the run (default error)',
  '  --max-warnings N            also fail when there are more than N warnings',
  '  --baseline FILE             fail only on findings not recorded in FILE',
  '  --write-baseline FILE       record the current findings in FILE (exit 0)',
  '  --config FILE               use this config file instead of the nearest .cdk8s-ml-review.yaml',
  '  --no-config                 do not look for a config file',
  '  --ignore GLOB[,GLOB]        skip matching files when walking folders (repeatable)',
  '  --allow-registry R[,R]      allowed image registries or prefixes (enables ML032)',
  '  --auto-toleration-selector KEY  node-selector key that makes the platform add accelerator tolerations',
  '  --admission-tolerations     an admission plugin adds accelerator tolerations to every pod',
  '  --accelerator-resource NAME extended resource counted as an accelerator',
  '  --disable ID[,ID]           do not run these rules (repeatable)',
  '  --severity ID=level         re-grade a rule: error, warning or info (repeatable)',
  '  --stdin-name NAME           file name reported for standard input (default <stdin>)',
  '  -h, --help                  show this help',
];
