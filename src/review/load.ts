/** Reading manifests from text, files and folders (Node only; the engine itself is pure). */
import * as fs from 'fs';
import * as path from 'path';
import { Composer, LineCounter, Parser } from 'yaml';
import { INPUT_RULE_ID } from './engine';
import { Finding, ManifestDocument } from './types';
import { YamlConversionError, documentToValue, positionOf } from './yaml';

/** Parsed documents of some input plus the problems met while parsing it. */
export interface LoadResult {
  /** Every YAML document parsed, with its file and position, in order. */
  readonly documents: readonly ManifestDocument[];
  /** `ML000` findings: parse errors, empty or unreadable files. */
  readonly problems: readonly Finding[];
}

/** Largest manifest file read (larger ones are reported, not parsed). */
export const MAX_FILE_CHARS = 32 * 1024 * 1024;

/** Extensions picked up when walking a folder. */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

function problem(file: string, severity: Finding['severity'], message: string, fix: string): Finding {
  return { ruleId: INPUT_RULE_ID, severity, kind: '', name: '', namespace: '', file, message, fix };
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim().replace(/:$/, '');
}

/**
 * Parses manifest text: multi-document YAML, or JSON when `file` ends in `.json`. Never throws: a
 * document that does not parse becomes an error finding and the other documents are kept.
 */
export function parseManifests(text: string, file = '<input>'): LoadResult {
  const source = text.replace(/^\uFEFF/, '');
  if (file.endsWith('.json')) {
    if (source.trim() === '')
      return { documents: [], problems: [problem(file, 'info', 'file is empty', 'remove the file or add manifests')] };
    try {
      const object = JSON.parse(source) as unknown;
      return { documents: [{ object: withPositions(source, object), file, index: 1 }], problems: [] };
    } catch (error) {
      return {
        documents: [],
        problems: [
          problem(
            file,
            'error',
            `JSON parse error: ${error instanceof Error ? firstLine(error.message) : 'invalid JSON'}`,
            'fix the JSON syntax',
          ),
        ],
      };
    }
  }
  if (source.length > MAX_FILE_CHARS) {
    return {
      documents: [],
      problems: [
        problem(
          file,
          'error',
          `file is larger than ${MAX_FILE_CHARS / 1024 / 1024} MiB; it is not reviewed`,
          'split the manifests into smaller files',
        ),
      ],
    };
  }
  const documents: ManifestDocument[] = [];
  const problems: Finding[] = [];
  const lines = new LineCounter();
  // Document by document: each parsed document's syntax tree is released once converted, so a
  // large file holds its plain objects only (bounded memory), not every document's tree at once.
  const failures: { index: number; message: (label: string) => string; fix: string }[] = [];
  let count = 0;
  try {
    // YAML 1.1, as go-yaml v2 under kubectl reads it (`yes` is true, `<<` merges).
    const composer = new Composer({ prettyErrors: true, version: '1.1' });
    for (const doc of composer.compose(new Parser(lines.addNewLine).parse(source))) {
      const index = ++count;
      if (doc.errors.length > 0) {
        const reason = located(doc.errors[0], lines);
        failures.push({
          index,
          message: (label) => `YAML parse error in ${label}: ${reason}; the document is not reviewed`,
          fix: 'fix the YAML syntax (indentation, quoting, duplicate keys)',
        });
        continue;
      }
      try {
        const start = positionOf(doc.contents, lines);
        documents.push({ object: documentToValue(doc, lines), file, index, ...(start ? { line: start.line, column: start.column } : {}) });
      } catch (error) {
        if (!(error instanceof YamlConversionError) && !(error instanceof RangeError)) throw error;
        const reason = firstLine(error.message);
        failures.push({
          index,
          message: (label) => `YAML error in ${label}: ${reason}; the document is not reviewed`,
          fix: 'fix the anchors, aliases and merge keys',
        });
      }
    }
  } catch (error) {
    return {
      documents: [],
      problems: [
        problem(
          file,
          'error',
          `YAML parse error: ${error instanceof Error ? firstLine(error.message) : 'invalid YAML'}`,
          'fix the YAML syntax',
        ),
      ],
    };
  }
  for (const f of failures) problems.push(problem(file, 'error', f.message(count > 1 ? `document ${f.index}` : 'the document'), f.fix));
  if (problems.length === 0 && documents.every((d) => d.object === null || d.object === undefined)) {
    problems.push(problem(file, 'info', 'file is empty (no documents)', 'remove the file or add manifests'));
  }
  return { documents, problems };
}

/**
 * The JSON value re-read as YAML (JSON is YAML) so that its fields keep their positions, when that
 * reading agrees with JSON.parse; otherwise (duplicate keys, files too large to re-read) the JSON value
 * as it is, without positions.
 */
function withPositions(source: string, object: unknown): unknown {
  if (source.length > MAX_POSITIONED_JSON_CHARS) return object;
  try {
    const lines = new LineCounter();
    const [doc] = new Composer({ version: '1.2' }).compose(new Parser(lines.addNewLine).parse(source));
    if (!doc || doc.errors.length > 0) return object;
    const located = documentToValue(doc, lines);
    return JSON.stringify(located) === JSON.stringify(object) ? located : object;
  } catch {
    return object;
  }
}

/** Largest JSON file whose positions are kept (the second reading costs time and memory). */
const MAX_POSITIONED_JSON_CHARS = 8 * 1024 * 1024;

/** The first line of a parse error with its position, as the library's `prettyErrors` writes it. */
function located(error: { message: string; pos: [number, number] }, lines: LineCounter): string {
  if (error.pos[0] < 0) return firstLine(error.message);
  const { line, col } = lines.linePos(error.pos[0]);
  return firstLine(`${error.message} at line ${line}, column ${col}`);
}

/** Whether a file is a kustomize config (`kustomization.yaml`, ...), which lists manifests but is none. */
export function isKustomizeConfig(file: string): boolean {
  return KUSTOMIZE_FILES.has(path.basename(file));
}

const KUSTOMIZE_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Raised for paths that do not exist (a usage error for the CLI). */
export class MissingPathError extends Error {}

/** Options of {@link loadManifests} (and the CLI's file walk). */
export interface CollectOptions {
  /** Whether to skip a file or folder found while walking a folder (given its absolute path). @default - skip nothing */
  readonly ignore?: (absolutePath: string) => boolean;
}

/**
 * Expands files and folders into the manifest files to read: folders are walked recursively
 * (hidden entries skipped, symlink loops avoided, a file reached twice read once) for `*.yaml`,
 * `*.yml`, `*.json`, sorted, kustomize configs (`kustomization.yaml`) left out as they are not objects;
 * files named explicitly are kept whatever their extension. A symlink
 * found while walking is followed only when its target lies inside the walked folder; others are
 * reported in `problems`. Throws {@link MissingPathError} for a missing path.
 */
export function collectManifests(paths: readonly string[], options: CollectOptions = {}): { files: string[]; problems: Finding[] } {
  const files: string[] = [];
  const problems: Finding[] = [];
  const seen = new Set<string>();
  const visited = new Set<string>();
  const add = (file: string): void => {
    const key = safeRealpath(file) ?? path.resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  const walk = (dir: string, realRoot: string): void => {
    const real = fs.realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    const found: string[] = [];
    const subdirs: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (options.ignore?.(path.resolve(full))) continue;
      if (entry.isSymbolicLink()) {
        const target = safeRealpath(full);
        if (target === undefined) continue; // dangling link
        if (!isInside(target, realRoot)) {
          problems.push(
            problem(
              full,
              'warning',
              `symlink points outside the reviewed folder (to ${target}); it is not followed`,
              'review the target folder explicitly, or replace the link with the manifests it should contain',
            ),
          );
          continue;
        }
      }
      const stat = entry.isSymbolicLink() ? safeStat(full) : entry;
      if (!stat) continue;
      if (stat.isDirectory()) subdirs.push(full);
      else if (stat.isFile() && MANIFEST_EXTENSIONS.includes(path.extname(entry.name).toLowerCase()) && !isKustomizeConfig(entry.name))
        found.push(full);
    }
    // Files and folders of a directory in one sorted sequence, so `a.yaml`, `b/`, `c.yaml` read in that order.
    for (const full of [...found, ...subdirs].sort()) {
      if (subdirs.includes(full)) walk(full, realRoot);
      else add(full);
    }
  };
  for (const p of paths) {
    const stat = safeStat(p);
    if (!stat) throw new MissingPathError(`no such file or directory: ${p}`);
    if (stat.isDirectory()) walk(p, fs.realpathSync(p));
    else add(p);
  }
  return { files, problems };
}

/** The manifest files of {@link collectManifests} (without the problems met). */
export function collectManifestFiles(paths: readonly string[], options: CollectOptions = {}): string[] {
  return collectManifests(paths, options).files;
}

function isInside(target: string, root: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function safeRealpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

function safeStat(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Reads and parses manifest files and folders: folders are walked recursively for `*.yaml`, `*.yml` and `*.json`
 * (hidden entries and `kustomization.yaml` skipped, symlinks followed only inside the folder); unreadable files
 * become findings.
 */
export function loadManifests(paths: readonly string[], options: CollectOptions = {}): LoadResult {
  const documents: ManifestDocument[] = [];
  const collected = collectManifests(paths, options);
  const problems: Finding[] = [...collected.problems];
  for (const file of collected.files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(
        problem(
          file,
          'error',
          `cannot read file: ${error instanceof Error ? error.message : 'unknown error'}`,
          'check the path and its permissions',
        ),
      );
      continue;
    }
    const result = parseManifests(text, file);
    documents.push(...result.documents);
    problems.push(...result.problems);
  }
  return { documents, problems };
}
