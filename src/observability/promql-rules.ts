import type { GateContext, GateObject, GateRule, RenderedObject } from '../core/gate';
import { PORT_NAME, checkGrammar, checkSelector } from '../core/gate/checks';
import type { PromParse, PromSelector } from './promql-parser';

// The PromQL reader is loaded with the first query the gate reads, not with the library.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const promql = (): typeof import('./promql-parser') => require('./promql-parser');

/*
 * The gate's rules for monitoring objects: every rendered PromQL query (alert and recording rules, KEDA
 * Prometheus triggers) parsed and typed, rule durations and label names, scrape targets that exist,
 * alerts that read a KEDA trigger index that exists and Services that something scrapes.
 */

/** KEDA's own series, labelled with the ScaledObject (or ScaledJob) and the trigger index. */
const KEDA_SERIES = new Set([
  'keda_scaler_metrics_value',
  'keda_scaler_detail_errors_total',
  'keda_scaler_active',
  'keda_scaler_metrics_latency_seconds',
]);

function equals(s: PromSelector, label: string): string | undefined {
  return s.matchers.find((m) => m.label === label && m.op === '=')?.value;
}

/** Why a query cannot be a KEDA/alert query (a parse error, or a result that is not one value per series), or undefined. */
function queryProblem(expr: unknown): { problem: string; parsed?: Extract<PromParse, { ok: true }> } {
  const r = promql().parsePromql(expr as string);
  if (!r.ok) return { problem: `is not valid PromQL: ${r.error}${r.at > 0 ? ` (at character ${r.at})` : ''}` };
  if (r.type === 'matrix' || r.type === 'string')
    return {
      problem: `evaluates to a ${r.type === 'matrix' ? 'range vector' : 'string'}, which Prometheus cannot alert or scale on`,
      parsed: r,
    };
  return { problem: '', parsed: r };
}

/** Whether a query reads a series another object of the app decides (KEDA's per-trigger series, a Service's). */
function readsReferences(names: ReadonlySet<string>): boolean {
  if (names.has('service')) return true;
  for (const m of KEDA_SERIES) if (names.has(m)) return true;
  return false;
}

/** What the rules keep between objects: KEDA objects' trigger counts, Services, monitors, and the references to check. */
interface Summaries {
  readonly scalers: Map<string, { readonly kind: string; readonly triggers: number }>;
  readonly services: Map<string, { readonly name: string; readonly labels: Record<string, string>; readonly ports: Set<string> }[]>;
  readonly monitors: {
    readonly object: RenderedObject;
    readonly namespaces?: string[];
    readonly selector: any;
    readonly ports: { readonly path: string; readonly port: string }[];
  }[];
  readonly kedaRefs: {
    readonly object: RenderedObject;
    readonly path: string;
    readonly what: string;
    readonly key: string;
    readonly name: string;
    readonly index: string;
  }[];
  readonly serviceRefs: {
    readonly object: RenderedObject;
    readonly path: string;
    readonly what: string;
    readonly key: string;
    readonly service: string;
    readonly metric: string;
  }[];
}

const newSummaries = (): Summaries => ({ scalers: new Map(), services: new Map(), monitors: [], kedaRefs: [], serviceRefs: [] });

function summaries(ctx: GateContext): Summaries {
  return ctx.shared('promql', newSummaries);
}

const ref = (o: GateObject): RenderedObject => ({ construct: o.construct, kind: o.kind, name: o.name });

function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(labels[e.key])
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(labels[e.key])
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

function checkRules(ctx: GateContext, o: GateObject): void {
  const groups: any[] = o.json.spec?.groups ?? [];
  const names = new Set<string>();
  groups.forEach((g, gi) => {
    const gp = `spec.groups[${gi}]`;
    if (typeof g?.name !== 'string' || g.name === '') ctx.report(o, `${gp}.name`, g?.name, 'is empty', 'name every rule group');
    else if (names.has(g.name))
      ctx.report(o, `${gp}.name`, g.name, 'names two rule groups of one PrometheusRule', 'give each group its own name');
    names.add(g?.name);
    if (g?.interval !== undefined && !promql().isPromDuration(g.interval))
      ctx.report(o, `${gp}.interval`, g.interval, 'is not a Prometheus duration', "use e.g. '30s' or '1m'");
    const list: any[] = g?.rules ?? [];
    for (let ri = 0; ri < list.length; ri++) {
      const r = list[ri];
      const rp = `${gp}.rules[${ri}]`;
      const what = r?.alert !== undefined ? `alert ${r.alert}` : `recording rule ${r?.record}`;
      if ((r?.alert === undefined) === (r?.record === undefined))
        ctx.report(o, rp, r?.alert ?? r?.record, 'must set exactly one of alert and record', 'make it an alerting or a recording rule');
      // Prometheus 3 takes any UTF-8 metric and label name; only empty ones are refused.
      if (r?.record !== undefined && (typeof r.record !== 'string' || r.record === ''))
        ctx.report(o, `${rp}.record`, r.record, 'is empty', "name the recorded series, e.g. 'job:requests:rate5m'");
      const { problem, parsed } = queryProblem(r?.expr);
      if (problem)
        ctx.report(
          o,
          `${rp}.expr`,
          r?.expr,
          `(${what}) ${problem}`,
          'fix the query; `promtool check rules` gives the same verdict',
          'expr',
        );
      if (r?.for !== undefined && !promql().isPromDuration(r.for))
        ctx.report(o, `${rp}.for`, r.for, `(${what}) is not a Prometheus duration`, "use e.g. '5m' or '1h30m'", 'for');
      if (r?.keep_firing_for !== undefined && !promql().isPromDuration(r.keep_firing_for))
        ctx.report(
          o,
          `${rp}.keep_firing_for`,
          r.keep_firing_for,
          `(${what}) is not a Prometheus duration`,
          "use e.g. '5m' or '1h30m'",
          'keep_firing_for',
        );
      for (const f of ['labels', 'annotations'])
        if (r?.[f] && '' in r[f]) ctx.report(o, `${rp}.${f}['']`, '', `(${what}) is an empty label name`, 'name the label', f);
      if (parsed && readsReferences(parsed.names))
        recordReferences(ctx, o, `${rp}.expr`, what, parsed.selectorsReading(KEDA_SERIES, 'service'));
    }
  });
}

/** Selectors that read series of objects the app may declare: checked against them once all are seen (once per expression and object). */
function recordReferences(ctx: GateContext, o: GateObject, path: string, what: string, selectors: readonly PromSelector[]): void {
  const s = summaries(ctx);
  let services: Set<string> | undefined;
  for (const sel of selectors) {
    const namespace = equals(sel, 'namespace') ?? o.namespace ?? '';
    if (sel.metric !== undefined && KEDA_SERIES.has(sel.metric)) {
      const name = equals(sel, 'scaledObject');
      const index = equals(sel, 'triggerIndex');
      // Scraped through the KEDA chart's ServiceMonitor, the ScaledObject's namespace is `exported_namespace`.
      const kedaNamespace = equals(sel, 'exported_namespace') ?? namespace;
      if (name !== undefined && index !== undefined)
        s.kedaRefs.push({ object: ref(o), path, what, key: `${kedaNamespace}/${name}`, name, index });
    }
    const service = equals(sel, 'service');
    if (service === undefined) continue;
    const key = `${namespace}/${service}`;
    if (services?.has(key)) continue;
    (services ??= new Set()).add(key);
    s.serviceRefs.push({ object: ref(o), path, what, key, service, metric: sel.metric ?? service });
  }
}

function checkMonitor(ctx: GateContext, o: GateObject): void {
  const spec = o.json.spec ?? {};
  checkSelector(ctx, o, 'spec.selector', spec.selector);
  const service = o.kind === 'ServiceMonitor';
  const endpoints: any[] = (service ? spec.endpoints : spec.podMetricsEndpoints) ?? [];
  const ep = service ? 'spec.endpoints' : 'spec.podMetricsEndpoints';
  endpoints.forEach((e, i) => {
    if (e?.port !== undefined) checkGrammar(ctx, o, `${ep}[${i}].port`, e.port, PORT_NAME, 'a scraped port name');
    for (const f of ['interval', 'scrapeTimeout'])
      if (e?.[f] !== undefined && !promql().isPromDuration(e[f]))
        ctx.report(o, `${ep}[${i}].${f}`, e[f], 'is not a Prometheus duration', "use e.g. '30s'", 'scrapeInterval');
  });
  if (!service) return;
  const ns = spec.namespaceSelector;
  summaries(ctx).monitors.push({
    object: ref(o),
    namespaces: ns?.any ? undefined : (ns?.matchNames ?? [o.namespace ?? '']),
    selector: spec.selector ?? {}, // a small part of the JSON, kept alone
    ports: endpoints.map((e, i) => ({ path: `${ep}[${i}].port`, port: e?.port })).filter((p) => p.port !== undefined),
  });
}

/** Prometheus queries KEDA runs: one value each. */
function checkKedaQueries(ctx: GateContext, o: GateObject): void {
  (o.json.spec?.triggers ?? []).forEach((t: any, i: number) => {
    if (t?.type !== 'prometheus' || t.metadata?.query === undefined) return;
    const { problem } = queryProblem(t.metadata.query);
    if (problem)
      ctx.report(
        o,
        `spec.triggers[${i}].metadata.query`,
        t.metadata.query,
        problem,
        'fix the query (it must return one value: aggregate it, e.g. sum(...))',
      );
  });
}

function finish(ctx: GateContext): void {
  const s = summaries(ctx);
  for (const r of s.kedaRefs) {
    const target = s.scalers.get(r.key);
    if (target && !(Number(r.index) < target.triggers))
      ctx.report(
        r.object,
        r.path,
        Number(r.index),
        `(${r.what}) reads trigger index ${r.index} of ${target.kind} '${r.name}', which has ${target.triggers} trigger(s) (indexes 0-${target.triggers - 1}): the series never exists and the alert never fires`,
        `use the position of the queue trigger in the triggers list (0 to ${target.triggers - 1})`,
        'queue.backlog.triggerIndex',
      );
  }
  const scraped = new Set<string>();
  // Services by namespace and label (key=value), so a monitor only looks at the Services carrying its first label.
  const byLabel = new Map<string, Map<string, Summaries['services'] extends Map<string, infer L> ? L : never>>();
  const candidates = (ns: string, selector: any) => {
    const first = Object.entries(selector?.matchLabels ?? {})[0];
    if (!first) return s.services.get(ns) ?? [];
    let index = byLabel.get(ns);
    if (!index) {
      index = new Map();
      for (const svc of s.services.get(ns) ?? [])
        for (const [k, v] of Object.entries(svc.labels)) index.set(`${k}=${v}`, [...(index.get(`${k}=${v}`) ?? []), svc]);
      byLabel.set(ns, index);
    }
    return index.get(`${first[0]}=${first[1]}`) ?? [];
  };
  for (const m of s.monitors) {
    const namespaces = m.namespaces ?? [...s.services.keys()];
    for (const ns of namespaces) {
      for (const svc of candidates(ns, m.selector)) {
        if (!selectorMatches(m.selector, svc.labels)) continue;
        let any = false;
        for (const p of m.ports) {
          if (svc.ports.has(p.port)) any = true;
          else
            ctx.report(
              m.object,
              p.path,
              p.port,
              `is not a port of Service '${svc.name}' (ports: ${[...svc.ports].join(', ') || 'none named'}), so Prometheus scrapes nothing there`,
              "name one of the Service's ports (the workload's metrics port)",
              'metricsPort',
            );
        }
        if (any) scraped.add(`${ns}/${svc.name}`);
      }
    }
  }
  const declared = new Set([...s.services].flatMap(([ns, list]) => list.map((svc) => `${ns}/${svc.name}`)));
  for (const r of s.serviceRefs) {
    if (!declared.has(r.key) || scraped.has(r.key)) continue;
    ctx.report(
      r.object,
      r.path,
      r.metric,
      `(${r.what}) reads a series of Service '${r.service}', which no ServiceMonitor of the app scrapes on one of its ports: the series never exists and the alert never fires`,
      "scrape the Service: a ServiceMonitor selecting it with an endpoint on one of the Service's port names (the workload's metricsPort)",
      'slo',
    );
  }
}

/** The gate's rule for monitoring objects (promql-gate.ts registers it for its kinds). */
export const promqlRule: GateRule = {
  object: (ctx, o) => {
    if (o.group === 'monitoring.coreos.com') {
      if (o.kind === 'PrometheusRule') checkRules(ctx, o);
      else if (o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor') checkMonitor(ctx, o);
    } else if (o.group === 'keda.sh' && (o.kind === 'ScaledObject' || o.kind === 'ScaledJob')) {
      summaries(ctx).scalers.set(`${o.namespace}/${o.name}`, { kind: o.kind, triggers: (o.json.spec?.triggers ?? []).length });
      checkKedaQueries(ctx, o);
    } else if (o.group === '' && o.kind === 'Service') {
      const s = summaries(ctx);
      const ns = o.namespace ?? '';
      const list = s.services.get(ns) ?? [];
      s.services.set(ns, list);
      list.push({
        name: o.name,
        labels: o.json.metadata?.labels ?? {},
        ports: new Set((o.json.spec?.ports ?? []).map((p: any) => p?.name)),
      });
    }
  },
  finish,
};
