import * as path from 'path';
import { Yaml } from 'cdk8s';

/*
 * Byte-identical, faster replacement for cdk8s's `Yaml.stringify(...docs)`.
 *
 * cdk8s renders each manifest with the `yaml` library (YAML 1.1 schema, lineWidth 0), which builds
 * a full document model per manifest: about half of all synthesis time for large apps. Manifests
 * are plain JSON trees, so this writer emits them directly, reproducing the library's block style
 * exactly for plain objects and arrays. Scalars the library would write as they are (most
 * names, images, labels) are detected with the library's own schema tests; every other string,
 * number or boolean is rendered by the library once and cached (multi-line strings per
 * indentation, as only they depend on it). A manifest with anything else (null, undefined,
 * shared references, objects with toJSON, class instances) is rendered by `Yaml.stringify` whole.
 */

// The `yaml` copy cdk8s renders with, so the scalar rules are the very ones cdk8s uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdk8sYaml: typeof import('yaml') = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
const schema = new cdk8sYaml.Document(null, { version: '1.1' }).schema as unknown as { tags: YamlTag[]; compat?: YamlTag[] };
interface YamlTag {
  readonly default?: unknown;
  readonly tag: string;
  readonly test?: RegExp;
}
const implicitTags = [...schema.tags, ...(schema.compat ?? [])].filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test);

// Strings that can only ever be plain scalars unless a schema tag reads them as something else
// (`true`, `null`, `0x1F`, `2001-12-14`): no indicator first, no `: `/` #`, no trailing `:`,
// no whitespace, quotes or control characters, short enough for an implicit key.
const PLAIN_CANDIDATE = /^[A-Za-z0-9_/][A-Za-z0-9_./:@+=-]{0,1000}$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

// The library's own tests (yaml 2.x stringifyString.js): characters that force double quotes, and
// strings that cannot be plain scalars.
// Without the `u` flag: also matches well-formed surrogate pairs (emoji), which then take the
// library's path; checking code units is several times faster on long strings.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_DOUBLE_QUOTES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\uD800-\uDFFF]/;
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

// Renderings of keys and of values that recur (label keys and values, kinds, images, units).
// Bounded, and cleared after each synthesis ({@link clearManifestYamlCaches}): nothing is retained per object.
const CACHE_LIMIT = 20_000;
const valueCache = new Map<string, string | undefined>();
const keyCache = new Map<string, string | undefined>();
const otherScalarCache = new Map<number | boolean, string | undefined>();

/** Releases the renderings cached while writing manifests (MlApp calls it after each synthesis). */
export function clearManifestYamlCaches(): void {
  valueCache.clear();
  keyCache.clear();
  otherScalarCache.clear();
}

/** Thrown internally when a manifest holds something this writer does not render itself. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

/** The YAML cdk8s writes for `docs` (`Yaml.stringify(...docs)`), byte for byte. */
export function stringifyManifests(docs: readonly unknown[]): string {
  return docs.map(stringifyDocument).join('---\n');
}

/** One document of a `Yaml.stringify(...docs)` stream (an undefined one is an empty line), without the separator. */
export function stringifyDocument(doc: unknown): string {
  return doc === undefined ? '\n' : stringifyManifest(doc);
}

/** One manifest as `Yaml.stringify(doc)` renders it. */
export function stringifyManifest(doc: unknown): string {
  try {
    if (!isPlainObject(doc)) throw UNSUPPORTED;
    return `${block(doc, '', new Set())}\n`;
  } catch (e) {
    if (e !== UNSUPPORTED) throw e;
    return Yaml.stringify(doc);
  }
}

/** A non-empty collection in block style whose items sit at `indent`; empty ones are `{}`/`[]`. */
function block(value: object, indent: string, seen: Set<object>): string {
  if (seen.has(value)) throw UNSUPPORTED; // the library would write an anchor and an alias
  seen.add(value);
  const inner = `${indent}  `;
  let out = '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      out += `${i ? `\n${indent}` : ''}- ${typeof item === 'object' && item !== null ? collection(item, inner, seen) : scalar(item, inner)}`;
    }
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  for (let i = 0; i < keys.length; i++) {
    const item = (value as Record<string, unknown>)[keys[i]];
    out += `${i ? `\n${indent}` : ''}${key(keys[i])}:`;
    if (typeof item === 'object' && item !== null) {
      const body = collection(item, inner, seen);
      out += isEmpty(item) ? ` ${body}` : `\n${inner}${body}`;
    } else {
      out += ` ${scalar(item, inner)}`;
    }
  }
  return out;
}

function collection(value: object, indent: string, seen: Set<object>): string {
  if (!isPlainObject(value) && !isPlainArray(value)) throw UNSUPPORTED;
  return block(value, indent, seen);
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

function isPlainArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
}

/** A scalar whose node sits at `indent` (what the library calls ctx.indent). */
function scalar(v: unknown, indent: string): string {
  if (typeof v === 'string') {
    if (!v.includes('\n')) {
      // Long strings (summaries, PromQL) rarely repeat: rendered each time rather than kept alive in the cache.
      if (v.length > 80) {
        const out = plainValue(v);
        if (out === undefined) throw UNSUPPORTED;
        return out;
      }
      return cached(valueCache, v, plainValue);
    }
    const out = blockLiteral(v, indent) ?? multiLineViaLibrary(v, indent.length);
    if (out === undefined) throw UNSUPPORTED;
    return out;
  }
  if ((typeof v === 'number' && !Object.is(v, -0)) || typeof v === 'boolean') {
    let s = otherScalarCache.get(v);
    if (s === undefined) {
      s = viaLibrary(v);
      if (otherScalarCache.size >= CACHE_LIMIT) otherScalarCache.clear();
      otherScalarCache.set(v, s);
    }
    if (s === undefined) throw UNSUPPORTED;
    return s;
  }
  throw UNSUPPORTED;
}

function key(k: string): string {
  return cached(keyCache, k, plainKey);
}

function cached(cache: Map<string, string | undefined>, s: string, render: (s: string) => string | undefined): string {
  let out = cache.get(s);
  if (out === undefined) {
    if (cache.has(s)) throw UNSUPPORTED;
    out = render(s);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(s, out);
    if (out === undefined) throw UNSUPPORTED;
  }
  return out;
}

/**
 * A value without '\n': the library writes it as it is unless it needs quotes (control
 * characters, indicators, `: `, ` #`, leading or trailing space), could start a document, or
 * reads as another type; those are left to the library.
 */
function plainValue(s: string): string | undefined {
  if (isPlain(s)) return s;
  if (NEEDS_DOUBLE_QUOTES.test(s) || DOCUMENT_MARKER.test(s) || implicitTags.some((t) => t.test!.test(s))) return viaLibrary(s);
  return NOT_PLAIN.test(s) ? quoted(s) : s;
}

/**
 * A value without line breaks or control characters that cannot be plain, quoted as the library
 * does without `singleQuote`: single quotes when it holds `"` and no `'`, else JSON's double quotes
 * (which escape nothing the library would write differently on one line).
 */
function quoted(s: string): string {
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

/**
 * A string with line breaks as the library writes it at indentation `indent` (lineWidth 0): a
 * block literal, `|-` without a final line break, `|` with exactly one. Strings that start with
 * a space or line break, end in more whitespace, or hold control characters are left to the
 * library (indentation indicators, keep chomping, quoting).
 */
function blockLiteral(v: string, indent: string): string | undefined {
  if (indent === '' || NEEDS_DOUBLE_QUOTES.test(v) || v[0] === ' ' || v[0] === '\n') return undefined;
  const clip = v.endsWith('\n');
  const body = clip ? v.slice(0, -1) : v;
  const last = body[body.length - 1];
  if (last === '\n' || last === ' ' || last === '\t') return undefined;
  return `|${clip ? '' : '-'}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

function plainKey(s: string): string | undefined {
  if (isPlain(s)) return s;
  // A key with a document marker is quoted only at the top level: left to the library.
  if (DOCUMENT_MARKER.test(s)) return undefined;
  // Rendered as the key of a one-entry map; explicit (`? key`) or multi-line keys are left to the library.
  const text = Yaml.stringify({ [s]: 0 });
  if (!text.endsWith(': 0\n')) return undefined;
  const rendered = text.slice(0, -4);
  return rendered.includes('\n') || rendered.startsWith('? ') ? undefined : rendered;
}

function isPlain(s: string): boolean {
  return PLAIN_CANDIDATE.test(s) && !s.endsWith(':') && !implicitTags.some((t) => t.test!.test(s));
}

/**
 * A scalar without '\n' as the library renders it as a value. Its rendering does not depend on
 * where it sits: the library uses the indentation only after line breaks and for top-level
 * scalars, and folds nothing with lineWidth 0.
 */
function viaLibrary(v: string | number | boolean): string | undefined {
  const text = Yaml.stringify({ k: v });
  if (!text.startsWith('k: ') || !text.endsWith('\n')) return undefined;
  const rendered = text.slice(3, -1);
  return rendered === '' || rendered.includes('\n') ? undefined : rendered;
}

/**
 * A string with line breaks as the library renders it at indentation `depth` (a block literal or
 * a multi-line quoted string): rendered inside nested maps deep enough to put it there.
 */
function multiLineViaLibrary(v: string, depth: number): string | undefined {
  let doc: Record<string, unknown> = { k: v };
  let prefix = `${' '.repeat(depth - 2)}k: `;
  for (let d = depth - 4; d >= 0; d -= 2) {
    doc = { a: doc };
    prefix = `${' '.repeat(d)}a:\n${prefix}`;
  }
  const text = Yaml.stringify(doc);
  if (depth < 2 || depth % 2 !== 0 || !text.startsWith(prefix) || !text.endsWith('\n')) return undefined;
  const rendered = text.slice(prefix.length, -1);
  return rendered === '' || rendered.startsWith('\n') ? undefined : rendered;
}
