import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MlValidationError, problemMessage } from '../errors';
import { renderedJson } from '../rendered-json';
import { RenderedObject, provenanceOf } from './provenance';

/*
 * The gate: one validation over every object the app renders, the library's and the user's alike
 * (escape hatches, JSON patches, raw ApiObjects). A rule reads rendered JSON, so a new construct or
 * entry point needs no check of its own; each finding is reported against the construct and the prop
 * that produced the value (provenance.ts).
 *
 * Objects are seen one at a time (`object` rules) and their JSON is not kept: what a rule needs across
 * objects (trigger counts, scraped Services, LimitRanges) it keeps as a small summary for `finish`.
 * cdk8s's `App` and `Testing.synth` run the gate as a validation of the app's root; `MlApp` runs it
 * while it writes each object (the JSON it renders anyway), and writes nothing unless it passes.
 */

/** One rendered object as the rules see it (for the duration of its `object` rules). */
export interface GateObject extends RenderedObject {
  readonly construct: ApiObject;
  /** The object's JSON, as it is written. Rules must not modify it, nor keep it. */
  readonly json: any;
  readonly apiVersion: string;
  /** API group (`''` for the core group). */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace`, if any. */
  readonly namespace?: string;
}

/** A rule: checks each object as it is rendered, then (optionally) what only all objects together show. */
export interface GateRule {
  /** The kinds `object` looks at. @default - every kind */
  readonly kinds?: readonly string[];
  /** Checks one object. Keep only summaries for `finish` (never the JSON). */
  readonly object?: (ctx: GateContext, o: GateObject) => void;
  /** Runs once every object was seen. */
  readonly finish?: (ctx: GateContext) => void;
}

interface Finding {
  readonly object?: RenderedObject;
  readonly path: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
  readonly hint?: string;
  /** The construct and the setting, when the rule names them itself. */
  readonly named?: { readonly owner: IConstruct; readonly field: string };
}

/** One pass of the gate: the findings, and the summaries rules keep between objects. */
export class GateContext {
  private readonly findings: Finding[] = [];
  private readonly memo = new Map<string, unknown>();

  /** A value shared between objects and rules for this pass (a summary a `finish` rule reads). */
  public shared<T>(key: string, create: () => T): T {
    let v = this.memo.get(key) as T | undefined;
    if (v === undefined) {
      v = create();
      this.memo.set(key, v);
    }
    return v;
  }

  /**
   * Reports `value` at `path` (a JSON path such as `spec.template.spec.containers[0].image`) of `object`.
   * `hint` names the prop below a recorded field (see `recordRenderedPath`), when the rule knows it.
   */
  public report(object: RenderedObject, path: string, value: unknown, problem: string, fix: string, hint?: string): void {
    const { construct, kind, name } = object; // never the JSON
    this.findings.push({ object: { construct, kind, name }, path, value, problem, fix, hint });
  }

  /**
   * Reports `value` of `field` of `owner`, for a rule that knows the construct and the setting it reports on
   * (the pod contract names the workload and the rendered container).
   */
  public reportOn(owner: IConstruct, field: string, value: unknown, problem: string, fix: string): void {
    this.findings.push({ path: field, value, problem, fix, named: { owner, field } });
  }

  /** Reports unless `ok`. */
  public expect(ok: boolean, object: RenderedObject, path: string, value: unknown, problem: string, fix: string): void {
    if (!ok) this.report(object, path, value, problem, fix);
  }

  /** Every finding as a message naming the construct, the prop (or the rendered path) and the fix, without repeats. */
  public messages(): string[] {
    const out = new Set<string>();
    for (const f of this.findings) {
      if (f.named) {
        out.add(problemMessage(f.named.owner, { field: f.named.field, value: f.value, problem: f.problem, fix: f.fix }));
        continue;
      }
      const { owner, field } = provenanceOf(f.object!, f.path, f.value, f.hint);
      out.add(problemMessage(owner, { field, value: shortened(f.value), problem: f.problem, fix: f.fix }));
    }
    return [...out];
  }
}

/** A rule whose code loads on the gate's first pass: the kinds it looks at, and how to load it. */
export interface LazyGateRule {
  /** The kinds the rule's `object` looks at. @default - every kind */
  readonly kinds?: readonly string[];
  /** Loads the rule (its module), once; the rule looks at `kinds`. */
  readonly load: () => GateRule;
}

const rules = new Map<string, GateRule | LazyGateRule>();

/**
 * Adds a rule to the gate of every app (a family registers its rules when its module loads). A `LazyGateRule`
 * loads its module on the first pass that needs it: rules cost nothing when the library loads, only at synth.
 */
export function registerGateRule(name: string, rule: GateRule | LazyGateRule): void {
  rules.set(name, rule);
  byKind = undefined;
}

/** The rule registered as `name`, loaded if it was registered lazily. */
function ruleNamed(name: string): GateRule {
  const rule = rules.get(name)!;
  if (!('load' in rule)) return rule;
  const loaded: GateRule = { kinds: rule.kinds, ...rule.load() };
  rules.set(name, loaded);
  return loaded;
}

/**
 * Time the gate took in this process, for the benchmark's share of synthesis: `milliseconds` in the
 * rules, `renderMilliseconds` rendering JSON for them where nothing else renders it (cdk8s's `App`);
 * `byRule` per rule when `detailed` is set.
 */
export const gateTiming = {
  milliseconds: 0,
  renderMilliseconds: 0,
  runs: 0,
  objects: 0,
  detailed: false,
  byRule: {} as Record<string, number>,
};

type ObjectCheck = (ctx: GateContext, o: GateObject) => void;
let byKind: Map<string, ObjectCheck[]> | undefined;

/** The object rules that look at `kind`, in registration order. */
function objectRules(kind: string): ObjectCheck[] {
  if (!byKind) {
    byKind = new Map();
  }
  let list = byKind.get(kind);
  if (!list) {
    list = [...rules.entries()]
      .filter(([, r]) => !r.kinds || r.kinds.includes(kind))
      .map(([name]) => ruleNamed(name).object)
      .filter((check): check is ObjectCheck => check !== undefined);
    byKind.set(kind, list);
  }
  return list;
}

/** One pass of the gate over the objects of an app, fed one object at a time. */
export class GatePass {
  private readonly ctx = new GateContext();
  private readonly seen = new Set<ApiObject>();

  /** Runs the object rules on `o`, rendered as `json`. */
  public add(o: ApiObject, json: any): void {
    if (this.seen.has(o)) return;
    this.seen.add(o);
    const start = performance.now();
    const apiVersion = String(json?.apiVersion ?? o.apiVersion);
    const slash = apiVersion.indexOf('/');
    const object: GateObject = {
      construct: o,
      json,
      apiVersion,
      group: slash < 0 ? '' : apiVersion.slice(0, slash),
      kind: String(json?.kind ?? o.kind),
      name: String(json?.metadata?.name ?? ''),
      namespace: typeof json?.metadata?.namespace === 'string' ? json.metadata.namespace : undefined,
    };
    if (gateTiming.detailed) {
      for (const name of [...rules.keys()]) {
        const rule = ruleNamed(name);
        if (!rule.object || (rule.kinds && !rule.kinds.includes(object.kind))) continue;
        const t = performance.now();
        rule.object(this.ctx, object);
        gateTiming.byRule[name] = (gateTiming.byRule[name] ?? 0) + performance.now() - t;
      }
    } else for (const rule of objectRules(object.kind)) rule(this.ctx, object);
    gateTiming.objects++;
    gateTiming.milliseconds += performance.now() - start;
  }

  /** Whether `o` was added. */
  public has(o: ApiObject): boolean {
    return this.seen.has(o);
  }

  /** Runs the cross-object rules; the messages, empty when all is well. */
  public finish(): string[] {
    const start = performance.now();
    for (const name of [...rules.keys()]) {
      const rule = ruleNamed(name);
      if (!rule.finish) continue;
      const t = performance.now();
      rule.finish(this.ctx);
      gateTiming.byRule[name] = (gateTiming.byRule[name] ?? 0) + performance.now() - t;
    }
    const messages = this.ctx.messages();
    gateTiming.milliseconds += performance.now() - start;
    gateTiming.runs++;
    return messages;
  }
}

/** How the gate renders an object when it runs as a validation (MlApp installs its shared one-pass renderer). */
const render = (o: ApiObject): any => renderedJson(o);

const gated = new WeakSet<IConstruct>();
const inline = new WeakSet<IConstruct>();

/**
 * Puts the gate on the app `scope` belongs to (once per app): a validation on the root, which cdk8s's
 * `App`, `Testing.synth` and `cdk8s synth` run before anything is written. While `MlApp` runs the gate
 * itself ({@link runGateInline}), the validation does nothing.
 */
export function ensureGate(scope: IConstruct): void {
  const root = scope.node.root;
  if (gated.has(root)) return;
  gated.add(root);
  // The gate's messages join every other validation's in cdk8s's one error, so all problems show at once; held by
  // the first chart (cdk8s prefixes each message with its holder's path, '[]' for the root).
  const holder = scope === root ? root : (scope.node.scopes.find((s) => Chart.isChart(s)) ?? root);
  holder.node.addValidation({ validate: () => (inline.has(root) ? [] : errorsOnce(root)) });
  if (root instanceof App) judgeOncePerSynth(root);
}

/** The gate's messages of the synthesis under way, while `App.synth()` / `synthYaml()` runs (see below). */
const duringSynth = new WeakMap<IConstruct, { errors?: string[] }>();

function errorsOnce(root: IConstruct): string[] {
  const synth = duringSynth.get(root);
  if (!synth) return gateErrors(root);
  synth.errors ??= gateErrors(root);
  return synth.errors;
}

/**
 * cdk8s's `App.synth()` validates the whole app once, then again inside every chart's `toJson()`: without this,
 * the gate would render every object once per chart (2,000 services in 40 charts: 41 passes). While one
 * `synth()` or `synthYaml()` call runs, nothing can change the tree, so the first pass's messages serve the rest.
 */
function judgeOncePerSynth(app: App): void {
  for (const method of ['synth', 'synthYaml'] as const) {
    const original = app[method];
    Object.defineProperty(app, method, {
      configurable: true,
      writable: true,
      value: function (this: App, ...args: unknown[]) {
        const outer = duringSynth.has(app);
        if (!outer) duringSynth.set(app, {});
        try {
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        } finally {
          if (!outer) duringSynth.delete(app);
        }
      },
    });
  }
}

/** Throws the gate's messages, if any, as one {@link MlValidationError}. */
export function throwGateErrors(errors: string[]): void {
  if (errors.length > 0) throw new MlValidationError(errors.join('\n'));
}

/** Runs the gate over every API object below `root`, rendering each; the messages (empty when all is well). */
export function gateErrors(root: IConstruct): string[] {
  const pass = new GatePass();
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const t = performance.now();
    const json = render(c);
    gateTiming.renderMilliseconds += performance.now() - t;
    pass.add(c, json);
  }
  return pass.finish();
}

/**
 * Runs `synthesize` with the gate inline: the root's gate validation is skipped, `synthesize` feeds every
 * object it renders to the pass it is given, and objects it did not render (a chart with its own
 * `toJson()`) are rendered and checked at the end (`objects` lists them all, by default every API object
 * below the root). Throws the gate's errors after `synthesize`.
 */
export function runGateInline<T>(root: IConstruct, synthesize: (pass: GatePass) => T, objects?: () => readonly ApiObject[]): T {
  const pass = new GatePass();
  const wasInline = inline.has(root);
  inline.add(root);
  let result: T;
  try {
    result = synthesize(pass);
  } finally {
    if (!wasInline) inline.delete(root);
  }
  if (gated.has(root)) {
    for (const c of objects ? objects() : root.node.findAll()) if (c instanceof ApiObject && !pass.has(c)) pass.add(c, render(c));
    throwGateErrors(pass.finish());
  }
  return result;
}

/** A value as a message shows it: long strings cut to their start and length. */
function shortened(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 120) return `${value.slice(0, 60)}... (${value.length} characters)`;
  return value;
}
