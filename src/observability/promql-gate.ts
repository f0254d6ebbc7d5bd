import { GateContext, GateObject, PORT_NAME, checkGrammar, checkSelector, registerGateRule } from '../core/gate';
import { PromSelector, isPromDuration, parsePromql } from './promql-parser';

/*
 * The gate's rules for monitoring objects: every rendered PromQL query (alert and recording rules, KEDA
 * Prometheus triggers) parsed and typed, rule durations and label names, scrape targets that exist,
 * alerts that read a KEDA trigger index that exists and Services that something scrapes.
 */

/** KEDA's own series, labelled with the ScaledObject (or ScaledJob) and the trigger index. */
const KEDA_SERIES = new Set(['keda_scaler_metrics_value', 'keda_scaler_detail_errors_total', 'keda_scaler_active', 'keda_scaler_metrics_latency_seconds']);

function equals(s: PromSelector, label: string): string | undefined {
  return s.matchers.find((m) => m.label === label && m.op === '=')?.value;
}

/** Why a query cannot be a KEDA/alert query (a parse error, or a result that is not one value per series), or undefined. */
function queryProblem(expr: unknown, rangeOk = false): { problem: string; selectors: readonly PromSelector[] } {
  const r = parsePromql(expr as string);
  if (!r.ok) return { problem: `is not valid PromQL: ${r.error}${r.at > 0 ? ` (at character ${r.at})` : ''}`, selectors: [] };
  if (!rangeOk && (r.type === 'matrix' || r.type === 'string'))
    return { problem: `evaluates to a ${r.type === 'matrix' ? 'range vector' : 'string'}, which Prometheus cannot alert or scale on`, selectors: r.selectors };
  return { problem: '', selectors: r.selectors };
}

/** The ScaledObjects and ScaledJobs of the app by namespace/name, with their trigger counts. */
function scalers(ctx: GateContext): Map<string, { o: GateObject; triggers: number }> {
  return ctx.shared('kedaScalers', () => {
    const m = new Map<string, { o: GateObject; triggers: number }>();
    for (const kind of ['ScaledObject', 'ScaledJob'])
      for (const o of ctx.ofKind(kind, 'keda.sh')) m.set(`${o.namespace}/${o.name}`, { o, triggers: (o.json.spec?.triggers ?? []).length });
    return m;
  });
}

/** For each namespace/Service name of the app: whether a ServiceMonitor scrapes it, on a port it has. */
function scrapedServices(ctx: GateContext): { services: Map<string, GateObject>; scraped: Set<string> } {
  return ctx.shared('scrapedServices', () => {
    const services = new Map<string, GateObject>();
    for (const s of ctx.ofKind('Service', '')) services.set(`${s.namespace}/${s.name}`, s);
    const scraped = new Set<string>();
    for (const m of ctx.ofKind('ServiceMonitor', 'monitoring.coreos.com')) {
      for (const [key, s] of services) {
        if (monitorSelects(m, s)) {
          const ports = new Set((s.json.spec?.ports ?? []).map((p: any) => p.name));
          if ((m.json.spec?.endpoints ?? []).some((e: any) => e.port !== undefined && ports.has(e.port))) scraped.add(key);
        }
      }
    }
    return { services, scraped };
  });
}

/** Whether ServiceMonitor `m` selects Service `s` (its namespace, labels and expressions). */
function monitorSelects(m: GateObject, s: GateObject): boolean {
  const spec = m.json.spec ?? {};
  const ns = spec.namespaceSelector;
  const namespaces: string[] | undefined = ns?.any ? undefined : (ns?.matchNames ?? [m.namespace]);
  if (namespaces && !namespaces.includes(s.namespace!)) return false;
  return selectorMatches(spec.selector, s.json.metadata?.labels ?? {});
}

function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const ok =
      e.operator === 'In' ? has && (e.values ?? []).includes(labels[e.key])
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(labels[e.key])
      : e.operator === 'Exists' ? has
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
    else if (names.has(g.name)) ctx.report(o, `${gp}.name`, g.name, 'names two rule groups of one PrometheusRule', 'give each group its own name');
    names.add(g?.name);
    if (g?.interval !== undefined && !isPromDuration(g.interval)) ctx.report(o, `${gp}.interval`, g.interval, 'is not a Prometheus duration', "use e.g. '30s' or '1m'");
    (g?.rules ?? []).forEach((r: any, ri: number) => {
      const rp = `${gp}.rules[${ri}]`;
      const what = r?.alert !== undefined ? `alert ${r.alert}` : `recording rule ${r?.record}`;
      if ((r?.alert === undefined) === (r?.record === undefined))
        ctx.report(o, rp, r?.alert ?? r?.record, 'must set exactly one of alert and record', 'make it an alerting or a recording rule');
      // Prometheus 3 takes any UTF-8 metric and label name; only empty ones are refused.
      if (r?.record !== undefined && (typeof r.record !== 'string' || r.record === ''))
        ctx.report(o, `${rp}.record`, r.record, 'is empty', "name the recorded series, e.g. 'job:requests:rate5m'");
      const { problem, selectors } = queryProblem(r?.expr);
      if (problem) ctx.report(o, `${rp}.expr`, r?.expr, `(${what}) ${problem}`, 'fix the query; `promtool check rules` gives the same verdict', 'expr');
      for (const f of ['for', 'keep_firing_for'])
        if (r?.[f] !== undefined && !isPromDuration(r[f])) ctx.report(o, `${rp}.${f}`, r[f], `(${what}) is not a Prometheus duration`, "use e.g. '5m' or '1h30m'", f);
      for (const f of ['labels', 'annotations'])
        for (const k of Object.keys(r?.[f] ?? {}))
          if (k === '') ctx.report(o, `${rp}.${f}['${k}']`, k, `(${what}) is an empty label name`, 'name the label', f);
      checkReferences(ctx, o, `${rp}.expr`, what, selectors);
    });
  });
}

/** Selectors that read series of objects the app declares: those objects must have what the selector asks for. */
function checkReferences(ctx: GateContext, o: GateObject, path: string, what: string, selectors: readonly PromSelector[]): void {
  for (const s of selectors) {
    const namespace = equals(s, 'namespace') ?? o.namespace;
    if (s.metric !== undefined && KEDA_SERIES.has(s.metric)) {
      const name = equals(s, 'scaledObject');
      const index = equals(s, 'triggerIndex');
      const target = name === undefined ? undefined : scalers(ctx).get(`${namespace}/${name}`);
      if (target && index !== undefined && !(Number(index) < target.triggers))
        ctx.report(
          o,
          path,
          Number(index),
          `(${what}) reads trigger index ${index} of ${target.o.kind} '${name}', which has ${target.triggers} trigger(s) (indexes 0-${target.triggers - 1}): the series never exists and the alert never fires`,
          `use the position of the queue trigger in the triggers list (0 to ${target.triggers - 1})`,
          'queue.backlog.triggerIndex',
        );
    }
    const service = equals(s, 'service');
    if (service !== undefined && namespace !== undefined) {
      const { services, scraped } = scrapedServices(ctx);
      const key = `${namespace}/${service}`;
      if (services.has(key) && !scraped.has(key))
        ctx.report(
          o,
          path,
          s.metric ?? service,
          `(${what}) reads a series of Service '${service}', which no ServiceMonitor of the app scrapes on one of its ports: the series never exists and the alert never fires`,
          "scrape the Service: a ServiceMonitor selecting it with an endpoint on one of the Service's port names (the workload's metricsPort)",
          'slo',
        );
    }
  }
}

function checkMonitors(ctx: GateContext): void {
  for (const kind of ['ServiceMonitor', 'PodMonitor']) {
    for (const o of ctx.ofKind(kind, 'monitoring.coreos.com')) {
      const spec = o.json.spec ?? {};
      checkSelector(ctx, o, 'spec.selector', spec.selector);
      const endpoints: any[] = (kind === 'ServiceMonitor' ? spec.endpoints : spec.podMetricsEndpoints) ?? [];
      const ep = kind === 'ServiceMonitor' ? 'spec.endpoints' : 'spec.podMetricsEndpoints';
      endpoints.forEach((e, i) => {
        if (e?.port !== undefined) checkGrammar(ctx, o, `${ep}[${i}].port`, e.port, PORT_NAME, 'a scraped port name');
        for (const f of ['interval', 'scrapeTimeout'])
          if (e?.[f] !== undefined && !isPromDuration(e[f])) ctx.report(o, `${ep}[${i}].${f}`, e[f], 'is not a Prometheus duration', "use e.g. '30s'", 'scrapeInterval');
      });
      if (kind !== 'ServiceMonitor') continue;
      const { services } = scrapedServices(ctx);
      const selected = [...services.values()].filter((s) => monitorSelects(o, s));
      for (const s of selected) {
        const ports = new Set((s.json.spec?.ports ?? []).map((p: any) => p.name));
        endpoints.forEach((e, i) => {
          if (e?.port !== undefined && !ports.has(e.port))
            ctx.report(
              o,
              `${ep}[${i}].port`,
              e.port,
              `is not a port of Service '${s.name}' (ports: ${[...ports].join(', ') || 'none named'}), so Prometheus scrapes nothing there`,
              "name one of the Service's ports (the workload's metrics port)",
              'metricsPort',
            );
        });
      }
    }
  }
}

/** Prometheus queries KEDA runs: one value each. */
function checkKedaQueries(ctx: GateContext): void {
  for (const kind of ['ScaledObject', 'ScaledJob']) {
    for (const o of ctx.ofKind(kind, 'keda.sh')) {
      (o.json.spec?.triggers ?? []).forEach((t: any, i: number) => {
        if (t?.type !== 'prometheus' || t.metadata?.query === undefined) return;
        const { problem } = queryProblem(t.metadata.query);
        if (problem) ctx.report(o, `spec.triggers[${i}].metadata.query`, t.metadata.query, problem, 'fix the query (it must return one value: aggregate it, e.g. sum(...))');
      });
    }
  }
}

registerGateRule('promql', (ctx) => {
  for (const o of ctx.ofKind('PrometheusRule', 'monitoring.coreos.com')) checkRules(ctx, o);
  checkKedaQueries(ctx);
  checkMonitors(ctx);
});
