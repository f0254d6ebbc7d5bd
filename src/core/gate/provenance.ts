import { Duration, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { configuredConventions } from '../platform';

/*
 * Where a rendered value came from, so the gate's messages name the construct and the prop that
 * produced it (`OnlineInference 'prod/scorer': imagePullSecrets[0] (...)`) rather than a JSON path.
 * Constructs record their props (recordProps) and, where a value is rendered far from the prop it
 * came from, the rendered path itself (recordRenderedPath). A value found nowhere is named by its
 * rendered path.
 */

const propsOf = new WeakMap<IConstruct, object>();
const optionsOf = new WeakMap<object, object>();

interface RenderedPath {
  readonly prefix: string;
  readonly owner: IConstruct;
  readonly field: string;
  /** Name the field alone (plus the rule's hint), not the rendered path below the prefix. */
  readonly exact: boolean;
}
const renderedPaths = new WeakMap<IConstruct, RenderedPath[]>();

/** Records the props `owner` was built from: the gate searches them for a value it rejects. */
export function recordProps(owner: IConstruct, props: object): void {
  propsOf.set(owner, props);
}

/**
 * Records the options a building block (a runtime preset, a trigger) was made from, so a value found
 * inside it is named by its option (`runtime.hfToken.secretName`) rather than the block alone.
 */
export function recordOptions<T extends object>(instance: T, options: object): T {
  optionsOf.set(instance, options);
  return instance;
}

/**
 * Records that everything at `prefix` (a JSON path) of `object` comes from `field` of `owner`: a value
 * found below it is named `field` + the rest of its path, or, with `exact`, `field` + the rule's hint.
 */
export function recordRenderedPath(object: IConstruct, prefix: string, owner: IConstruct, field: string, exact = false): void {
  const list = renderedPaths.get(object) ?? [];
  list.push({ prefix, owner, field, exact });
  renderedPaths.set(object, list);
}

/** The construct to report a value against and the prop (or rendered path) to name. */
export interface Provenance {
  readonly owner: IConstruct;
  readonly field: string;
}

/** A rendered object as provenance needs it. */
export interface RenderedObject {
  readonly construct: IConstruct;
  readonly kind: string;
  readonly name: string;
}

/**
 * Where `value`, found at `path` of `object`, came from. `hint` is the prop below a recorded field the
 * rule knows the value belongs to (e.g. `queue.backlog.triggerIndex` below `monitoring`).
 */
export function provenanceOf(object: RenderedObject, path: string, value: unknown, hint?: string): Provenance {
  const c = object.construct;
  let best: RenderedPath | undefined;
  for (const r of renderedPaths.get(c) ?? []) {
    if (
      (path === r.prefix || path.startsWith(`${r.prefix}.`) || path.startsWith(`${r.prefix}[`)) &&
      r.prefix.length > (best?.prefix.length ?? -1)
    )
      best = r;
  }
  if (best) {
    if (!best.exact) return { owner: best.owner, field: `${best.field}${path.slice(best.prefix.length)}` };
    return {
      owner: best.owner,
      field: hint ? `${best.field}${best.field ? '.' : ''}${hint}` : best.field || `${object.kind} '${object.name}' ${path}`,
    };
  }
  const owners = c.node.scopes.filter((s) => propsOf.has(s)).reverse();
  if (value !== undefined && value !== null && value !== '') {
    for (const owner of owners) {
      const field = findValue(propsOf.get(owner), value);
      if (field !== undefined) return { owner, field };
    }
    for (const { scope, conventions } of configuredConventions(c)) {
      const field = findValue(conventions, value);
      if (field !== undefined)
        return {
          owner: owners[0] ?? scope,
          field: `platform ${field} (${scope.node.path ? `configured at '${scope.node.path}'` : 'configured on the app'})`,
        };
    }
    // A value derived from a prop (`<name>-canary`, an annotation that quotes the model): the prop it contains.
    if (typeof value === 'string' && owners.length > 0) {
      const found = findContained(propsOf.get(owners[0]), value);
      if (found !== undefined) return { owner: owners[0], field: `${found} (in ${object.kind} '${object.name}' ${path})` };
    }
  }
  return { owner: owners[0] ?? c, field: `${object.kind} '${object.name}' ${path}` };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Props that are maps (their keys are data, written `env['NAME']`, not `env.NAME`). */
const MAP_PROPS = new Set([
  'env',
  'labels',
  'annotations',
  'nodeSelector',
  'podLabels',
  'namespaceLabels',
  'matchLabels',
  'files',
  'metadata',
  'accelerators',
  'matchers',
  'alertLabels',
]);

function key(path: string, k: string): string {
  const parent = /(\w+)$/.exec(path)?.[1];
  return IDENTIFIER.test(k) && !(parent && MAP_PROPS.has(parent)) ? (path ? `${path}.${k}` : k) : `${path}['${k}']`;
}

/**
 * The shallowest prop path in `root` holding `target` (as a value, or as the key of a map such as
 * `env` or `labels`). Inside a class instance (an `MlEnvValue`, a `ProbeHandler`) the path stops at
 * the instance: its fields are not props. Constructs, durations and sizes are not searched.
 */
export function findValue(root: unknown, target: unknown, maxDepth = 8): string | undefined {
  const seen = new Set<unknown>();
  let level: { value: unknown; path: string; frozen: boolean }[] = [{ value: root, path: '', frozen: false }];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: typeof level = [];
    for (const { value, path, frozen } of level) {
      if (value === target) return path || undefined;
      if (value === null || typeof value !== 'object' || seen.has(value)) continue;
      seen.add(value);
      if (Construct.isConstruct(value) || value instanceof Duration || value instanceof Size) continue;
      if (Array.isArray(value)) {
        value.forEach((v, i) => next.push({ value: v, path: frozen ? path : `${path}[${i}]`, frozen }));
        continue;
      }
      const options = optionsOf.get(value);
      if (options !== undefined && !frozen) {
        next.push({ value: options, path, frozen: false });
        continue;
      }
      const proto = Object.getPrototypeOf(value);
      const plain = proto === Object.prototype || proto === null;
      for (const [k, v] of Object.entries(value as object)) {
        if (typeof v === 'function') continue;
        if (plain && !frozen && k === target) return key(path, k);
        next.push({ value: v, path: frozen || !plain ? path : key(path, k), frozen: frozen || !plain });
      }
    }
    level = next;
  }
  return undefined;
}

/** The prop path of the longest string prop (at least 3 characters) contained in `text`. */
function findContained(root: unknown, text: string): string | undefined {
  let best: { path: string; length: number } | undefined;
  const seen = new Set<unknown>();
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 8) return;
    if (typeof value === 'string') {
      if (value.length >= 3 && value.length > (best?.length ?? 0) && text.includes(value)) best = { path, length: value.length };
      return;
    }
    if (value === null || typeof value !== 'object' || seen.has(value) || Construct.isConstruct(value)) return;
    seen.add(value);
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
    for (const [k, v] of Object.entries(value as object)) visit(v, Array.isArray(value) ? `${path}[${k}]` : key(path, k), depth + 1);
  };
  visit(root, '', 0);
  return best?.path;
}
