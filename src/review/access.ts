/**
 * Defensive accessors for unverified manifest input. Every read goes through these so that no
 * rule can throw on odd input (arrays where objects are expected, null-prototype objects, ...).
 */

/** A plain, read-only record. */
export type Rec = Readonly<Record<string, unknown>>;

const EMPTY: Rec = Object.freeze({});

/** Whether `value` is a non-null, non-array object. */
export function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property `key` of `value` (never an inherited one such as `constructor`). */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

/** Follows `keys` through nested records; `undefined` as soon as a step is missing. */
export function at(value: unknown, ...keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) current = field(current, key);
  return current;
}

/** The record at `keys`, or `undefined`. */
export function recAt(value: unknown, ...keys: readonly string[]): Rec | undefined {
  const found = at(value, ...keys);
  return isRecord(found) ? found : undefined;
}

/** The record at `keys`, or an empty record. */
export function recOrEmpty(value: unknown, ...keys: readonly string[]): Rec {
  return recAt(value, ...keys) ?? EMPTY;
}

/** The string at `keys`, or `undefined`. */
export function strAt(value: unknown, ...keys: readonly string[]): string | undefined {
  const found = at(value, ...keys);
  return typeof found === 'string' ? found : undefined;
}

/** The finite number at `keys`, or `undefined`. */
export function numAt(value: unknown, ...keys: readonly string[]): number | undefined {
  const found = at(value, ...keys);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

/** The array at `keys`, or an empty array. */
export function arrAt(value: unknown, ...keys: readonly string[]): readonly unknown[] {
  const found = at(value, ...keys);
  return Array.isArray(found) ? found : [];
}

/** The records of the array at `keys` (other elements are skipped). */
export function recsAt(value: unknown, ...keys: readonly string[]): readonly Rec[] {
  return arrAt(value, ...keys).filter(isRecord);
}

/** Strings, numbers and booleans as their text (label values written unquoted in YAML); others `undefined`. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A string map (labels, selectors) at `keys`; entries with non-scalar values are dropped. */
export function stringMapAt(value: unknown, ...keys: readonly string[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  const rec = recAt(value, ...keys);
  if (rec) {
    for (const key of Object.keys(rec)) {
      const text = scalarText(rec[key]);
      if (text !== undefined) map.set(key, text);
    }
  }
  return map;
}

/** Renders a string map as `{a: 1, b: 2}` for messages. */
export function formatMap(map: ReadonlyMap<string, string>): string {
  return `{${[...map].map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
}

/** Renders any scalar input value for a message (`'text'`, `3`, `true`); structured values as `<object>`. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'unset';
  return Array.isArray(value) ? '<list>' : '<object>';
}
