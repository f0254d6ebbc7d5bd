import {
  ApiObject,
  ApiObjectMetadataDefinition,
  App,
  ImplicitTokenResolver,
  JsonPatch,
  Lazy,
  LazyResolver,
  NumberStringUnionResolver,
} from 'cdk8s';

/*
 * `apiObject.toJson()` in one pass, for MlApp. cdk8s resolves every value through a fresh resolution
 * context (looking up the app for each one), copies the result again to sort and sanitize it, and
 * JSON-round-trips every patch operation before applying it: a third of synthesis time and much of
 * its garbage. This does the same in one walk and returns the same JSON, key order included.
 * It renders only what it knows exactly: the app's built-in resolvers, plain data, add/replace/remove
 * patches, and ApiObject or a generated L1 class (`cdk8s import`, cdk8s-plus `k8s`). For anything
 * else, or on any error, cdk8s's own `toJson()` renders the object (and reports errors as cdk8s does).
 * `test/fast-object-json.test.ts` compares both on every object of the examples and the invariant apps.
 */

/** Thrown inside the fast path when cdk8s's own path must render the object. */
const FALLBACK = new Error('rendered by cdk8s');

/** `o.toJson()`, rendered in one pass where that gives the same result. */
export function fastObjectJson(o: ApiObject): any {
  const finish = l1Finisher(o);
  const patches = (o as unknown as { patches?: JsonPatch[] }).patches;
  if (!finish || !Array.isArray(patches) || !hasBuiltInResolversOnly(o)) return o.toJson();
  try {
    const data: Record<string, unknown> = { ...(o as unknown as { props: object }).props };
    return finish(data, !process.env.CDK8S_DISABLE_SORT, patches, o);
  } catch {
    return o.toJson(); // what the fast path does not render, and every error, as cdk8s renders and reports it
  }
}

type Finisher = (data: Record<string, unknown>, sortKeys: boolean, patches: JsonPatch[], o: ApiObject) => any;

/** ApiObject's own `toJson` over `data`: resolved, sanitized, patched, apiVersion/kind/metadata first. */
function baseJson(data: Record<string, unknown>, sortKeys: boolean, patches: JsonPatch[], o: ApiObject): any {
  data.metadata = metadataJson(o.metadata);
  let json = resolveSanitized(data, sortKeys, false);
  for (const p of patches) json = applyOperation(json, p._toJson());
  const result: Record<string, unknown> = {};
  for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(json)]) if (k in json) result[k] = json[k];
  return result;
}

/** A class of API object, and the static `manifest()` generated L1 classes have. */
type ApiObjectClass = (abstract new (...args: never[]) => unknown) & { manifest?: (props: unknown) => unknown };

/** The fields `ApiObjectMetadataDefinition.toJson()` renders. */
interface MetadataFields {
  readonly _additionalAttributes?: object;
  readonly name?: string;
  readonly namespace?: string;
  readonly annotations?: object;
  readonly finalizers?: unknown[];
  readonly ownerReferences?: unknown[];
  readonly labels?: object;
}

/** `metadata.toJson()`: its fields resolved, sorted, and empty arrays and objects dropped. */
function metadataJson(metadata: ApiObjectMetadataDefinition): any {
  const m = metadata as unknown as MetadataFields;
  const known =
    metadata.constructor === ApiObjectMetadataDefinition &&
    metadata.toJson === ApiObjectMetadataDefinition.prototype.toJson &&
    typeof m._additionalAttributes === 'object' &&
    typeof m.labels === 'object' &&
    typeof m.annotations === 'object' &&
    Array.isArray(m.finalizers) &&
    Array.isArray(m.ownerReferences);
  if (!known) return metadata.toJson();
  const { name, namespace, annotations, finalizers, ownerReferences, labels } = m;
  return resolveSanitized({ ...m._additionalAttributes, name, namespace, annotations, finalizers, ownerReferences, labels }, true, true);
}

const finishers = new WeakMap<ApiObjectClass, Finisher | null>();

/**
 * How `o.toJson()` finishes ApiObject's JSON: as it is for ApiObject (or a subclass that does not
 * override it), or through the class's static `manifest()` for a generated L1 class, whose
 * `toJson()` is exactly `manifest(super.toJson())`. Undefined for any other class.
 */
function l1Finisher(o: ApiObject): Finisher | undefined {
  const C = o.constructor as ApiObjectClass;
  let finisher = finishers.get(C);
  if (finisher === undefined) {
    finisher = null;
    const own = Object.getOwnPropertyDescriptor(C.prototype, 'toJson')?.value;
    if (C === ApiObject || (Object.getPrototypeOf(C) === ApiObject && own === undefined)) finisher = baseJson;
    else if (Object.getPrototypeOf(C) === ApiObject && typeof C.manifest === 'function' && isManifestOfSuper(own, C.manifest)) {
      const manifest = C.manifest.bind(C);
      finisher = (data, sortKeys, patches, o2) => manifest(baseJson(data, sortKeys, patches, o2));
    }
    finishers.set(C, finisher);
  }
  return finisher ?? undefined;
}

/** Whether `toJson` is `{ const resolved = super.toJson(); return <body of manifest(props)> }`, as generated. */
function isManifestOfSuper(toJson: unknown, manifest: (props: unknown) => unknown): boolean {
  if (typeof toJson !== 'function') return false;
  const body = (f: { toString(): string }) => {
    const text = f.toString().replace(/\s+/g, '');
    return text.slice(text.indexOf('){') + 1); // after the parameters (`props = {}`)
  };
  const own = body(toJson);
  const prefix = '{constresolved=super.toJson();';
  if (!own.startsWith(prefix)) return false;
  return `{${own.slice(prefix.length).replace(/\bresolved\b/g, 'props')}` === body(manifest);
}

const defaultResolverApps = new WeakMap<App, boolean>();

/** Whether the object's app resolves values only with cdk8s's built-in resolvers (no `resolvers` prop). */
function hasBuiltInResolversOnly(o: ApiObject): boolean {
  const app = App.of(o);
  let builtIn = defaultResolverApps.get(app);
  if (builtIn === undefined) {
    const r = app.resolvers;
    builtIn =
      r.length === 3 &&
      r[0].constructor === LazyResolver &&
      r[1].constructor === ImplicitTokenResolver &&
      r[2].constructor === NumberStringUnionResolver;
    defaultResolverApps.set(app, builtIn);
  }
  return builtIn;
}

/**
 * `sanitizeValue(resolve([], value, o), { sortKeys, filterEmptyArrays: dropEmpty, filterEmptyObjects: dropEmpty })`
 * of cdk8s: Lazy values produced, values with a `resolve()` method resolved, number/string unions
 * (`IntOrString`, `Quantity`) to `{ value }`, null and undefined dropped from objects (kept as
 * undefined in arrays), keys sorted.
 */
function resolveSanitized(value: any, sortKeys: boolean, dropEmpty: boolean): any {
  for (;;) {
    if (value === null || value === undefined) return undefined;
    if (value instanceof Lazy) {
      value = value.produce();
      continue;
    }
    if (typeof value.resolve === 'function') {
      value = value.resolve();
      continue;
    }
    break;
  }
  if (typeof value !== 'object') {
    if (typeof value === 'function') throw FALLBACK;
    return value;
  }
  if (Array.isArray(value)) {
    const tagged = typeof (value as { value?: unknown }).value; // a union class resolver would replace it
    if (Object.getPrototypeOf(value) !== Array.prototype || tagged === 'number' || tagged === 'string') throw FALLBACK;
    if (dropEmpty && value.length === 0) return undefined;
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw FALLBACK; // cdk8s keeps holes
      out[i] = resolveSanitized(value[i], sortKeys, dropEmpty);
    }
    return out;
  }
  if (value.constructor !== Object) {
    const v = value.value;
    if (typeof v === 'number' || typeof v === 'string') return { value: v };
    throw FALLBACK;
  }
  const keys = Object.keys(value);
  if (sortKeys) keys.sort();
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const k of keys) {
    const v = resolveSanitized(value[k], sortKeys, dropEmpty);
    if (v !== undefined) {
      out[k] = v; // null is undefined by now
      empty = false;
    }
  }
  return dropEmpty && empty ? undefined : out;
}

interface Operation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

/** One add/replace/remove operation as cdk8s applies it (fast-json-patch, no validation), on a copy of its value. */
function applyOperation(document: any, operation: Operation): any {
  const { op, path } = operation;
  if ((op !== 'add' && op !== 'replace' && op !== 'remove') || typeof path !== 'string' || path === '') throw FALLBACK;
  const value = op === 'remove' ? undefined : jsonCopy(operation.value);
  const keys = path.split('/');
  let obj = document;
  for (let t = 1; t < keys.length; t++) {
    let key: string | number = keys[t];
    if (key.includes('~')) key = key.replace(/~1/g, '/').replace(/~0/g, '~');
    if (key === '__proto__' || (key === 'prototype' && keys[t - 1] === 'constructor')) throw FALLBACK;
    if (typeof obj !== 'object' || obj === null) throw FALLBACK;
    const last = t === keys.length - 1;
    if (Array.isArray(obj)) {
      if (key === '-') key = obj.length;
      else if (/^[0-9]+$/.test(key)) key = Number(key);
      else throw FALLBACK;
      if (last) {
        if (op === 'add') obj.splice(key, 0, value);
        else if (op === 'replace') obj[key] = value;
        else obj.splice(key, 1);
        return document;
      }
    } else if (last) {
      if (op === 'remove') delete obj[key];
      else obj[key] = value;
      return document;
    }
    obj = obj[key];
  }
  return document;
}

/** `JSON.parse(JSON.stringify(v))` for plain data (what cdk8s does to each patch value); anything else falls back. */
function jsonCopy(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw FALLBACK;
      return v === 0 ? 0 : v;
    case 'undefined':
      return undefined;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) throw FALLBACK;
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const item = jsonCopy(v[i]);
          out[i] = item === undefined ? null : item;
        }
        return out;
      }
      // JSON copies what `toJSON` returns (patch values computed at render time), else any object's own
      // enumerable properties (an IntOrString or Quantity becomes `{ value }`), except boxed primitives.
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return jsonCopy(toJSON.call(v, ''));
      const boxed = v instanceof Number || v instanceof String || v instanceof Boolean;
      if (boxed) throw FALLBACK;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        const item = jsonCopy((v as Record<string, unknown>)[k]);
        if (item !== undefined) out[k] = item;
      }
      return out;
    }
    default:
      throw FALLBACK;
  }
}
