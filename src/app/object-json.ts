import { ApiObject } from 'cdk8s';
import { useRenderer } from '../core/rendered-json';
import { fastObjectJson } from './fast-object-json';

/*
 * Each API object's JSON rendered once per synthesis. `reviewOnSynth` reviews every object during
 * the app's validation, before MlApp writes them: without this, each object is resolved twice.
 * Outside an MlApp synthesis nothing is cached.
 */

let rendered: Map<ApiObject, unknown> | undefined;

/** Runs `fn` (one synthesis) with JSON shared between the readers and the writer; released afterwards. */
export function withSharedObjectJson<T>(fn: () => T): T {
  const outer = rendered;
  rendered = new Map();
  try {
    return fn();
  } finally {
    rendered = outer;
  }
}

/** `fastObjectJson(o)`, kept for the writer when inside a synthesis. Readers must not modify it. */
export function objectJson(o: ApiObject): any {
  if (!rendered) return fastObjectJson(o);
  let json = rendered.get(o);
  if (json === undefined) {
    json = fastObjectJson(o);
    rendered.set(o, json);
  }
  return json;
}

let written: ((o: ApiObject, json: unknown) => void) | undefined;

/** Runs `fn` with `onWritten` told of every object's JSON as it is taken for writing (MlApp's inline gate). */
export function withWrittenObjects<T>(onWritten: (o: ApiObject, json: unknown) => void, fn: () => T): T {
  const outer = written;
  written = onWritten;
  try {
    return fn();
  } finally {
    written = outer;
  }
}

/** The JSON to write for `o`: the one a reader rendered in this synthesis (released), else `fastObjectJson(o)`. */
export function takeObjectJson(o: ApiObject): any {
  let json = rendered?.get(o);
  if (json === undefined) json = fastObjectJson(o);
  else rendered!.delete(o);
  written?.(o, json);
  return json;
}

// The core's checks over rendered objects read the same shared JSON.
useRenderer(objectJson);
