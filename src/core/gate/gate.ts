import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MlValidationError, problemMessage } from '../errors';
import { provenanceOf } from './provenance';

/*
 * The gate: one validation over every object the app renders, the library's and the user's alike
 * (escape hatches, JSON patches, raw ApiObjects), run once per synthesis on the app's root. A
 * rule reads rendered JSON, so a new construct or entry point needs no check of its own; each
 * finding is reported against the construct and the prop that produced the value (provenance.ts).
 */

/** One rendered object as the rules see it. */
export interface GateObject {
  readonly construct: ApiObject;
  /** The object's JSON, as it is written. Rules must not modify it. */
  readonly json: any;
  readonly apiVersion: string;
  /** API group (`''` for the core group). */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace`, if any. */
  readonly namespace?: string;
}

/** A rule: reads the rendered objects and reports what a cluster would reject. */
export type GateRule = (ctx: GateContext) => void;

interface Finding {
  readonly object: GateObject;
  readonly path: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
  readonly hint?: string;
}

/** The rendered objects of one synthesis, indexed for the rules, and the findings they report. */
export class GateContext {
  private readonly byKind = new Map<string, GateObject[]>();
  private readonly findings: Finding[] = [];
  private readonly memo = new Map<string, unknown>();

  constructor(public readonly objects: readonly GateObject[]) {
    for (const o of objects) {
      const list = this.byKind.get(o.kind);
      if (list) list.push(o);
      else this.byKind.set(o.kind, [o]);
    }
  }

  /** The objects of one kind (any API group unless `group` is given). */
  public ofKind(kind: string, group?: string): readonly GateObject[] {
    const all = this.byKind.get(kind) ?? [];
    return group === undefined ? all : all.filter((o) => o.group === group);
  }

  /** A value computed once per synthesis and shared between rules (e.g. the pod templates). */
  public shared<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  /**
   * Reports `value` at `path` (a JSON path such as `spec.template.spec.containers[0].image`) of `object`.
   * `hint` names the prop below a recorded field (see `recordRenderedPath`), when the rule knows it.
   */
  public report(object: GateObject, path: string, value: unknown, problem: string, fix: string, hint?: string): void {
    this.findings.push({ object, path, value, problem, fix, hint });
  }

  /** Reports unless `ok`. */
  public expect(ok: boolean, object: GateObject, path: string, value: unknown, problem: string, fix: string): void {
    if (!ok) this.report(object, path, value, problem, fix);
  }

  /** Every finding as a message naming the construct, the prop (or the rendered path) and the fix, without repeats. */
  public messages(): string[] {
    const out = new Set<string>();
    for (const f of this.findings) {
      const { owner, field } = provenanceOf(f.object, f.path, f.value, f.hint);
      out.add(problemMessage(owner, { field, value: shortened(f.value), problem: f.problem, fix: f.fix }));
    }
    return [...out];
  }
}

const rules = new Map<string, GateRule>();

/** Adds a rule to the gate of every app (a family registers its rules when its module loads). */
export function registerGateRule(name: string, rule: GateRule): void {
  rules.set(name, rule);
}

let render: (o: ApiObject) => any = (o) => o.toJson();

/** How the gate renders an object: MlApp installs its shared one-pass renderer, so nothing renders twice. */
export function setGateRenderer(renderer: (o: ApiObject) => any): void {
  render = renderer;
}

/**
 * Time the gate took in this process, for the benchmark's share of synthesis: `milliseconds` in
 * the rules, `renderMilliseconds` rendering JSON (which MlApp's writer then reuses).
 */
export const gateTiming = { milliseconds: 0, renderMilliseconds: 0, runs: 0, objects: 0 };

const gated = new WeakSet<IConstruct>();

/**
 * Puts the gate on the app `scope` belongs to (once per app): a validation on the root, which cdk8s's
 * `App`, `Testing.synth`, `MlApp` and `cdk8s synth` all run before anything is written.
 */
export function ensureGate(scope: IConstruct): void {
  const root = scope.node.root;
  if (gated.has(root)) return;
  gated.add(root);
  root.node.addValidation({
    validate: () => {
      const errors = gateErrors(root);
      if (errors.length > 0) throw new MlValidationError(errors.join('\n'));
      return [];
    },
  });
}

/** Runs every rule over every API object below `root`; returns the messages (empty when all is well). */
export function gateErrors(root: IConstruct): string[] {
  const start = performance.now();
  let rendering = 0;
  try {
    const objects: GateObject[] = [];
    for (const c of root.node.findAll()) {
      if (!(c instanceof ApiObject)) continue;
      const t = performance.now();
      const json = render(c);
      rendering += performance.now() - t;
      const apiVersion = String(json?.apiVersion ?? c.apiVersion);
      const slash = apiVersion.indexOf('/');
      objects.push({
        construct: c,
        json,
        apiVersion,
        group: slash < 0 ? '' : apiVersion.slice(0, slash),
        kind: String(json?.kind ?? c.kind),
        name: String(json?.metadata?.name ?? ''),
        namespace: typeof json?.metadata?.namespace === 'string' ? json.metadata.namespace : undefined,
      });
    }
    const ctx = new GateContext(objects);
    for (const rule of rules.values()) rule(ctx);
    gateTiming.objects += objects.length;
    return ctx.messages();
  } finally {
    gateTiming.milliseconds += performance.now() - start - rendering;
    gateTiming.renderMilliseconds += rendering;
    gateTiming.runs++;
  }
}

/** A value as a message shows it: long strings cut to their start and length. */
function shortened(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 120) return `${value.slice(0, 60)}... (${value.length} characters)`;
  return value;
}
