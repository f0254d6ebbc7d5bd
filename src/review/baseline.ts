/** Baselines: record today's findings, then fail only on new ones. */
import { createHash } from 'crypto';
import * as path from 'path';
import { Finding } from './types';

/** A baseline file's contents. */
export interface Baseline {
  readonly version: 1;
  /** One entry per recorded finding, sorted by fingerprint. */
  readonly findings: readonly {
    readonly fingerprint: string;
    readonly ruleId: string;
    readonly object: string;
    readonly message: string;
  }[];
}

function relativeFile(file: string | undefined, root: string): string {
  if (file === undefined) return '';
  const relative = path.relative(root, path.resolve(root, file));
  return (relative.startsWith('..') ? path.resolve(root, file) : relative).split(path.sep).join('/');
}

/**
 * Stable fingerprints of findings: a hash of the rule, the file (relative to `root`), the object
 * and the message, so moving an object within its file keeps its fingerprint; a repeated identical
 * finding gets an occurrence suffix (`#2`).
 */
export function fingerprintsOf(findings: readonly Finding[], root = process.cwd()): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const base = createHash('sha256')
      .update(JSON.stringify([f.ruleId, relativeFile(f.file, root), f.kind, f.namespace, f.name, f.message]))
      .digest('hex')
      .slice(0, 20);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

/** The baseline recording `findings`. */
export function createBaseline(findings: readonly Finding[], root = process.cwd()): Baseline {
  const fingerprints = fingerprintsOf(findings, root);
  const entries = findings.map((f, i) => ({
    fingerprint: fingerprints[i],
    ruleId: f.ruleId,
    object: `${f.kind}/${f.namespace ? `${f.namespace}/` : ''}${f.name}`,
    message: f.message,
  }));
  entries.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  return { version: 1, findings: entries };
}

/** Parses a baseline file's text; throws an Error naming what is wrong. */
export function parseBaseline(text: string): Baseline {
  const value = JSON.parse(text) as Partial<Baseline>;
  if (value?.version !== 1 || !Array.isArray(value.findings) || !value.findings.every((f) => typeof f?.fingerprint === 'string')) {
    throw new Error('not a cdk8s-ml-review baseline (expected {"version": 1, "findings": [{"fingerprint": ...}]})');
  }
  return value as Baseline;
}

/** Splits findings into those recorded in the baseline and the new ones. */
export function applyBaseline(
  findings: readonly Finding[],
  baseline: Baseline,
  root = process.cwd(),
): { fresh: Finding[]; known: Finding[] } {
  const recorded = new Set(baseline.findings.map((f) => f.fingerprint));
  const fingerprints = fingerprintsOf(findings, root);
  const fresh: Finding[] = [];
  const known: Finding[] = [];
  findings.forEach((f, i) => (recorded.has(fingerprints[i]) ? known : fresh).push(f));
  return { fresh, known };
}
