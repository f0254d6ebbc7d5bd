import { Construct } from 'constructs';
import { check } from './errors';
import { FlagFact, ServerFacts } from './facts/source';

/** One flag on a command line, as the server's parser reads it. */
export interface ParsedFlag {
  /** The flag's long name in the table (`--max-model-len`), or the token itself when unknown. */
  readonly flag: string;
  /** The token as written. */
  readonly token: string;
  /** Its position in the argument list. */
  readonly index: number;
  readonly value?: string;
  /** The table's entry; undefined for a flag the server does not accept. */
  readonly fact?: FlagFact;
  /** `--no-<flag>` form. */
  readonly negated?: boolean;
}

/** What went wrong with one argument. */
interface ArgProblem {
  readonly index: number;
  readonly token: string;
  readonly problem: string;
  readonly fix: string;
}

/** Flags the library sets, each with the prop that owns it. */
export type OwnedFlags = Readonly<Record<string, string>>;

function aliasTable(facts: ServerFacts): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [name, fact] of Object.entries(facts.flags)) for (const a of fact.aliases ?? []) aliases.set(a, name);
  return aliases;
}

/** The canonical table name of a flag token (before `=`), following the server's parser rules. */
function canonical(facts: ServerFacts, name: string, aliases: Map<string, string>): { flag: string; negated?: boolean } {
  let n = name;
  if (facts.underscoresAsDashes && n.startsWith('--')) n = `--${n.slice(2).replace(/_/g, '-')}`;
  if (facts.dottedKeys && n.includes('.')) n = n.slice(0, n.indexOf('.'));
  n = aliases.get(n) ?? n;
  if (facts.flags[n]) return { flag: n };
  if (n.startsWith('--no-') && facts.flags[`--${n.slice(5)}`]?.negatable) return { flag: `--${n.slice(5)}`, negated: true };
  return { flag: n };
}

/**
 * Parses `argv` (flags only, or with the server's positional model first when `positional` is true)
 * as the server's parser would, collecting what it would refuse.
 */
export function parseServerArgs(
  facts: ServerFacts,
  argv: readonly string[],
  positional = false,
): { flags: ParsedFlag[]; problems: ArgProblem[] } {
  const aliases = aliasTable(facts);
  const flags: ParsedFlag[] = [];
  const problems: ArgProblem[] = [];
  const runtime = `${facts.runtime} ${facts.source.version}`;
  for (let i = positional && facts.positional ? 1 : 0; i < argv.length; i++) {
    const token = argv[i];
    if (typeof token !== 'string' || !token.startsWith('-') || token === '-' || token === '--') {
      problems.push({
        index: i,
        token: String(token),
        problem: `is a value without a flag (${runtime} takes no further positional argument)`,
        fix: 'pass it after its flag, e.g. --flag value',
      });
      continue;
    }
    const eq = facts.equalsForm ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    const inline = eq > 0 ? token.slice(eq + 1) : undefined;
    const { flag, negated } = canonical(facts, name, aliases);
    const fact = facts.flags[flag];
    if (!fact) {
      problems.push({
        index: i,
        token,
        problem: `is not a flag ${runtime} accepts (${facts.source.repository})`,
        fix: suggestion(facts, flag),
      });
      flags.push({ flag, token, index: i });
      continue;
    }
    if (fact.arity === 'none' || negated) {
      if (inline !== undefined) problems.push({ index: i, token, problem: 'takes no value', fix: `write ${name} alone` });
      flags.push({ flag, token, index: i, fact, negated });
      continue;
    }
    const at = i;
    let value = inline;
    if (value === undefined && fact.arity === 'value') {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        problems.push({ index: at, token, problem: 'has no value', fix: `give it one: ${name} <value>` });
      } else {
        value = next;
        i++;
      }
    }
    if (value !== undefined && fact.values && !fact.values.includes(value)) {
      problems.push({
        index: at,
        token: `${name} ${value}`,
        problem: `is not a value ${runtime} accepts`,
        fix: `use one of ${fact.values.join(', ')}`,
      });
    }
    flags.push({ flag, token, index: at, value, fact });
  }
  return { flags, problems };
}

function suggestion(facts: ServerFacts, flag: string): string {
  const near = Object.keys(facts.flags)
    .map((f) => [f, distance(f, flag)] as const)
    .sort((a, b) => a[1] - b[1])[0];
  const hint = near && near[1] <= 3 ? `did you mean ${near[0]}? ` : '';
  return `${hint}check the flag against the image's \`--help\`; a flag this table lacks goes in uncheckedArgs`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/**
 * Throws unless every argument of `argv` (given in the prop `field`) is a flag the server accepts, with a
 * value it accepts, and none is a flag the library sets itself (then the error names the prop that owns it).
 */
export function requireUserArgs(scope: Construct, facts: ServerFacts, field: string, argv: readonly string[], owned: OwnedFlags): void {
  check(Array.isArray(argv) && argv.every((a) => typeof a === 'string'), scope, {
    field,
    value: argv,
    problem: 'is not a list of strings',
    fix: "give each argument as its own string, e.g. ['--max-num-seqs', '128']",
  });
  const { flags, problems } = parseServerArgs(facts, argv);
  for (const f of flags) {
    const owner = owned[f.flag];
    check(owner === undefined, scope, {
      field: `${field}[${f.index}]`,
      value: f.token,
      problem: `sets ${f.flag}, which the library sets from ${owner} (a second value would win over it and leave the probes, ports or GPU count out of step)`,
      fix: `set ${owner} instead and remove ${f.token} from ${field}`,
    });
  }
  const first = problems[0];
  if (first) check(false, scope, { field: `${field}[${first.index}]`, value: first.token, problem: first.problem, fix: first.fix });
}

/**
 * Throws (a library bug, not a user error) unless every flag the library renders for the server is
 * in its table. Called on every rendered command line.
 */
export function requireRenderedArgs(facts: ServerFacts, argv: readonly string[]): void {
  const { problems } = parseServerArgs(facts, argv, true);
  if (problems.length) {
    const p = problems[0];
    throw new Error(`cdk8s-ml renders ${p.token} for ${facts.runtime} ${facts.source.version}, which ${p.problem}: a bug in the library`);
  }
}
