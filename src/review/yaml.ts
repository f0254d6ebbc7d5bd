/**
 * YAML documents to plain values as the cluster reads them: kubectl and the API machinery convert
 * YAML with sigs.k8s.io/yaml, i.e. go-yaml v2 (YAML 1.1 scalars: `yes`/`on` are booleans) followed
 * by a JSON round trip. Merge keys (`<<`) follow go-yaml v2 exactly: the entries of a mapping are
 * applied in document order, a merge writes every key of the merged map (so it overrides an
 * explicit key written before it, and an explicit key written after it wins), and in a sequence of
 * merged maps the earlier map takes precedence.
 */
import { Alias, Document, LineCounter, Node, isAlias, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import { PathSegment } from './paths';

/** Alias-expanded nodes allowed per document (guards against "billion laughs" alias bombs). */
export const MAX_ALIAS_NODES = 100_000;

/** A document that cannot be converted (merge of a non-map, alias bomb, unsupported key). */
export class YamlConversionError extends Error {}

/** 1-based line and column of a position in the source. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where a mapping or sequence produced by {@link documentToValue} sits in its source: offsets of
 * its start (-1 inside an alias expansion), of each key (a map) or item (a sequence). Offsets are
 * turned into lines only for the few positions a review reports.
 */
interface Located {
  readonly lines: LineCounter;
  readonly start: number;
  readonly keys?: Map<string, number>;
  readonly items?: readonly number[];
}

const LOCATED = new WeakMap<object, Located>();

function linePosition(lines: LineCounter, offset: number): SourcePosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** Where a mapping produced by {@link documentToValue} starts in its source, when known. */
export function sourcePositionOf(value: unknown): SourcePosition | undefined {
  const loc = typeof value === 'object' && value !== null ? LOCATED.get(value) : undefined;
  return loc && loc.start >= 0 ? linePosition(loc.lines, loc.start) : undefined;
}

/**
 * Where the field at `path` inside `root` (a value produced by {@link documentToValue}) is written:
 * the position of its key (or list item), or of its deepest ancestor present in the source when the
 * field itself is missing (the place where it should be added). For a key that a merge (`<<`)
 * brought in, the position is where the merged map writes it. `undefined` without source positions.
 */
export function fieldPositionOf(root: unknown, path: readonly PathSegment[]): SourcePosition | undefined {
  let value = root;
  let found = sourcePositionOf(root);
  for (const segment of path) {
    const loc = typeof value === 'object' && value !== null ? LOCATED.get(value) : undefined;
    const offset = loc && (typeof segment === 'number' ? loc.items?.[segment] : loc.keys?.get(segment));
    if (!loc || offset === undefined || offset < 0) break;
    found = linePosition(loc.lines, offset);
    value = (value as Record<string | number, unknown>)[segment];
  }
  return found;
}

/** Converts one parsed document; throws {@link YamlConversionError}. */
export function documentToValue(doc: Document.Parsed, lines?: LineCounter): unknown {
  return new Converter(doc, lines).value(doc.contents, 0);
}

/** Line and column of a node's first character, or `undefined` when the node has no range. */
export function positionOf(node: unknown, lines: LineCounter): SourcePosition | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}

class Converter {
  private aliasNodes = 0;
  private readonly expanding = new Set<Node>();

  /** The anchored node of every alias, resolved once (the library's own lookup walks the document per alias). */
  private readonly targets = new Map<Alias, Node>();

  constructor(
    doc: Document.Parsed,
    private readonly lines?: LineCounter,
  ) {
    const anchors = new Map<string, Node>();
    visit(doc, (_key, node) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) this.targets.set(node, target);
      } else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) {
        anchors.set(node.anchor, node);
      }
    });
  }

  /** The plain value of `node`; `aliasDepth` > 0 while inside an alias expansion. */
  value(node: unknown, aliasDepth: number): unknown {
    if (aliasDepth > 0 && ++this.aliasNodes > MAX_ALIAS_NODES) {
      throw new YamlConversionError(`aliases expand to more than ${MAX_ALIAS_NODES} nodes (an alias bomb?)`);
    }
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = this.targets.get(node);
      if (!target) throw new YamlConversionError(`alias *${node.source} has no anchor`);
      if (this.expanding.has(target)) throw new YamlConversionError(`alias *${node.source} refers to itself`);
      this.expanding.add(target);
      try {
        return this.value(target, aliasDepth + 1);
      } finally {
        this.expanding.delete(target);
      }
    }
    if (isScalar(node)) return scalarValue(node.value);
    if (isSeq(node)) {
      const out = node.items.map((item) => this.value(item, aliasDepth));
      if (this.lines) LOCATED.set(out, { lines: this.lines, start: this.start(node, aliasDepth), items: node.items.map(offsetOf) });
      return out;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const keys = this.lines ? new Map<string, number>() : undefined;
      this.fill(node, out, aliasDepth, keys);
      if (this.lines) LOCATED.set(out, { lines: this.lines, start: this.start(node, aliasDepth), keys });
      return out;
    }
    throw new YamlConversionError('unsupported YAML node');
  }

  /** Offset where a collection starts; -1 inside an alias expansion (the text is elsewhere). */
  private start(node: unknown, aliasDepth: number): number {
    return aliasDepth === 0 ? offsetOf(node) : -1;
  }

  /** Applies the pairs of a mapping to `out` in document order (go-yaml v2 `mapping`), noting where each key is written. */
  private fill(map: Node, out: Record<string, unknown>, aliasDepth: number, keys?: Map<string, number>): void {
    if (!isMap(map)) throw new YamlConversionError('map merge requires a map or a sequence of maps as the value');
    for (const pair of map.items) {
      if (!isPair(pair)) continue;
      if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
        this.merge(pair.value, out, aliasDepth, keys);
        continue;
      }
      const key = keyText(this.value(pair.key, aliasDepth));
      setKey(out, key, this.value(pair.value, aliasDepth));
      keys?.set(key, offsetOf(pair.key));
    }
  }

  /** A merge key's value: a map, an alias of one, or a sequence of them applied last-to-first. */
  private merge(value: unknown, out: Record<string, unknown>, aliasDepth: number, keys?: Map<string, number>): void {
    if (isSeq(value)) {
      for (let i = value.items.length - 1; i >= 0; i--) this.merge(value.items[i], out, aliasDepth, keys);
      return;
    }
    if (isAlias(value)) {
      const target = this.targets.get(value);
      if (!target || !isMap(target)) throw new YamlConversionError('map merge requires a map or a sequence of maps as the value');
      if (this.expanding.has(target)) throw new YamlConversionError(`alias *${value.source} refers to itself`);
      if (++this.aliasNodes > MAX_ALIAS_NODES)
        throw new YamlConversionError(`aliases expand to more than ${MAX_ALIAS_NODES} nodes (an alias bomb?)`);
      this.expanding.add(target);
      try {
        this.fill(target, out, aliasDepth + 1, keys);
      } finally {
        this.expanding.delete(target);
      }
      return;
    }
    this.fill(value as Node, out, aliasDepth, keys);
  }
}

/** Offset of a node's first character, -1 when it has none. */
function offsetOf(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? -1;
}

/** Scalars as JSON sees them after the round trip (bigints become numbers, dates stay strings). */
function scalarValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

/** Map keys become strings as sigs.k8s.io/yaml makes them (`true`, `1`); null or collection keys are errors. */
function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  throw new YamlConversionError(`unsupported map key ${key === null ? 'null' : typeof key}`);
}

/** Sets an own property (never the prototype, whatever the key, e.g. `__proto__`). */
function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
}
