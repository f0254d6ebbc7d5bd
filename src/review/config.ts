/** The `.cdk8s-ml-review.yaml` file: platform assumptions, rule severities, ignored paths, CI thresholds. */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { isRecord } from './access';
import { GROUP_MODES, GroupMode } from './grouping';
import { PlatformAssumptions } from './platform';
import { Severity, isSeverity } from './types';

/** Names looked for, in this order, in the reviewed folder and each of its parents. */
export const CONFIG_FILE_NAMES: readonly string[] = ['.cdk8s-ml-review.yaml', '.cdk8s-ml-review.yml'];

/** A rule level in the config file: a severity, or `off` to disable the rule. */
export type RuleLevel = Severity | 'off';

/** The contents of a config file. */
export interface ReviewConfig {
  /** Where it was read from. */
  readonly file: string;
  readonly platform: PlatformAssumptions;
  /** Rule id → level. */
  readonly rules: Readonly<Record<string, RuleLevel>>;
  /** Globs of paths (relative to the config file's folder) not to review. */
  readonly ignore: readonly string[];
  readonly failOn?: 'error' | 'warning';
  readonly maxWarnings?: number;
  /** How files are grouped into review sets (see `--group`). */
  readonly group?: GroupMode;
}

/** A config file that cannot be used (the CLI reports it as a usage error). */
export class ConfigError extends Error {}

/** The nearest config file at or above `start` (a file or folder), if any. */
export function findConfig(start: string): string | undefined {
  let dir = path.resolve(start);
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const PLATFORM_KEYS = ['autoTolerationSelectors', 'admissionAddsAcceleratorTolerations', 'allowedRegistries', 'acceleratorResources'];

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new ConfigError(`${where} must be a list of strings`);
  return value;
}

/** Reads and validates a config file; `knownIds` are the rule ids it may name. Throws {@link ConfigError}. */
export function loadConfig(file: string, knownIds: ReadonlySet<string>): ReviewConfig {
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: ${error instanceof Error ? error.message.split('\n')[0] : 'cannot read'}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isRecord(raw)) throw new ConfigError(`${file}: expected a mapping with platform, rules, ignore, failOn, maxWarnings, group`);
  for (const key of Object.keys(raw)) {
    if (!['platform', 'rules', 'ignore', 'failOn', 'maxWarnings', 'group'].includes(key))
      throw new ConfigError(`${file}: unknown key '${key}'`);
  }
  const platformRaw = raw.platform ?? {};
  if (!isRecord(platformRaw)) throw new ConfigError(`${file}: platform must be a mapping`);
  const platform: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(platformRaw)) {
    if (!PLATFORM_KEYS.includes(key)) throw new ConfigError(`${file}: unknown key 'platform.${key}' (known: ${PLATFORM_KEYS.join(', ')})`);
    if (key === 'admissionAddsAcceleratorTolerations') {
      if (typeof value !== 'boolean') throw new ConfigError(`${file}: platform.${key} must be true or false`);
      platform[key] = value;
    } else {
      platform[key] = stringList(value, `${file}: platform.${key}`);
    }
  }
  const rulesRaw = raw.rules ?? {};
  if (!isRecord(rulesRaw)) throw new ConfigError(`${file}: rules must map rule ids to off, info, warning or error`);
  const rules: Record<string, RuleLevel> = {};
  for (const [id, level] of Object.entries(rulesRaw)) {
    const upper = id.toUpperCase();
    if (!knownIds.has(upper)) throw new ConfigError(`${file}: rules: unknown rule id '${id}'`);
    // YAML 1.2 reads `off` as a string; a YAML 1.1 reader (or a habit) may write false.
    const normalized = level === false ? 'off' : level;
    if (normalized !== 'off' && !isSeverity(normalized)) throw new ConfigError(`${file}: rules.${id} must be off, info, warning or error`);
    rules[upper] = normalized as RuleLevel;
  }
  const ignore = raw.ignore === undefined ? [] : stringList(raw.ignore, `${file}: ignore`);
  const failOn = raw.failOn;
  if (failOn !== undefined && failOn !== 'error' && failOn !== 'warning') throw new ConfigError(`${file}: failOn must be error or warning`);
  const maxWarnings = raw.maxWarnings;
  if (maxWarnings !== undefined && !(typeof maxWarnings === 'number' && Number.isInteger(maxWarnings) && maxWarnings >= 0)) {
    throw new ConfigError(`${file}: maxWarnings must be a whole number >= 0`);
  }
  const group = raw.group;
  if (group !== undefined && !GROUP_MODES.includes(group as GroupMode))
    throw new ConfigError(`${file}: group must be ${GROUP_MODES.join(', ')}`);
  return {
    file,
    ...(group !== undefined ? { group: group as GroupMode } : {}),
    platform: platform as PlatformAssumptions,
    rules,
    ignore,
    ...(failOn !== undefined ? { failOn } : {}),
    ...(maxWarnings !== undefined ? { maxWarnings: maxWarnings as number } : {}),
  };
}

/**
 * A glob as a regular expression over `/`-separated relative paths: `**` any number of folders,
 * `*` anything but `/`, `?` one character; a glob without `/` matches a name at any depth.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  const pattern = glob.replace(/^\.\//, '').replace(/\/$/, '');
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (ch === '*') {
      source += '[^/]*';
    } else if (ch === '?') {
      source += '[^/]';
    } else {
      source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern.includes('/') ? '' : '(?:.*/)?'}${source}$`);
}

/** A predicate over absolute paths: whether one of `globs` (relative to `baseDir`) matches. */
export function ignoreMatcher(globs: readonly string[], baseDir: string): (absolutePath: string) => boolean {
  const patterns = globs.map(globToRegExp);
  return (absolutePath) => {
    const relative = path.relative(baseDir, absolutePath).split(path.sep).join('/');
    return !relative.startsWith('..') && patterns.some((p) => p.test(relative));
  };
}
