import { isLabelValue, isQualifiedName } from '../../validation/strings';
import { DNS_LABEL, LABEL_VALUE, QUALIFIED_NAME, checkCount, checkGrammar, checkSelector } from '../checks';
import { GateContext, GateObject } from '../gate';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const NODE_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

/** Tolerations as `validateTolerations` checks them. */
export function checkTolerations(ctx: GateContext, o: GateObject, p: string, tolerations: any[] | undefined): void {
  (tolerations ?? []).forEach((t: any, i: number) => {
    const tp = `${p}[${i}]`;
    const operator = t?.operator ?? 'Equal';
    if (t?.key !== undefined && t.key !== '') checkGrammar(ctx, o, `${tp}.key`, t.key, QUALIFIED_NAME, 'a taint key');
    else if (operator !== 'Exists')
      ctx.report(o, `${tp}.key`, t?.key, "is empty, which only operator 'Exists' allows", "name the taint key, or use operator 'Exists'");
    if (operator !== 'Equal' && operator !== 'Exists')
      ctx.report(o, `${tp}.operator`, operator, 'is not Equal or Exists', "use 'Equal' or 'Exists'");
    if (operator === 'Exists' && t.value !== undefined && t.value !== '')
      ctx.report(o, `${tp}.value`, t.value, "is set with operator 'Exists'", "drop the value, or use operator 'Equal'");
    if (operator === 'Equal' && t.value !== undefined && !isLabelValue(t.value))
      ctx.report(o, `${tp}.value`, t.value, 'is not a valid taint value (a label value)', LABEL_VALUE.fix);
    if (t?.effect !== undefined && t.effect !== '' && !EFFECTS.includes(t.effect))
      ctx.report(o, `${tp}.effect`, t.effect, 'is not a taint effect', `use one of ${EFFECTS.join(', ')}`);
    if (t?.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      ctx.report(
        o,
        `${tp}.tolerationSeconds`,
        t.tolerationSeconds,
        "is set without effect 'NoExecute'",
        "set effect: 'NoExecute' or drop tolerationSeconds",
      );
  });
}

function checkNodeSelectorTerm(ctx: GateContext, o: GateObject, p: string, term: any): void {
  (term?.matchExpressions ?? []).forEach((e: any, i: number) => {
    const ep = `${p}.matchExpressions[${i}]`;
    checkGrammar(ctx, o, `${ep}.key`, e?.key, QUALIFIED_NAME, 'a node label key');
    const values: unknown[] = e?.values ?? [];
    if (!NODE_OPERATORS.includes(e?.operator))
      ctx.report(o, `${ep}.operator`, e?.operator, 'is not a node selector operator', `use one of ${NODE_OPERATORS.join(', ')}`);
    else if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0)
      ctx.report(o, `${ep}.values`, values, `is empty, which operator ${e.operator} forbids`, 'list at least one value');
    else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0)
      ctx.report(o, `${ep}.values`, values, `is set with operator ${e.operator}`, 'drop the values');
    else if ((e.operator === 'Gt' || e.operator === 'Lt') && (values.length !== 1 || !/^-?\d+$/.test(String(values[0]))))
      ctx.report(o, `${ep}.values`, values, `must be one integer for operator ${e.operator}`, "give one whole number, e.g. ['4']");
    if (e?.operator !== 'Gt' && e?.operator !== 'Lt')
      values.forEach((v, j) => {
        if (typeof v !== 'string' || !isLabelValue(v))
          ctx.report(o, `${ep}.values[${j}]`, v, 'is not a valid label value', LABEL_VALUE.fix);
      });
  });
  (term?.matchFields ?? []).forEach((e: any, i: number) => {
    if (e?.key !== 'metadata.name')
      ctx.report(o, `${p}.matchFields[${i}].key`, e?.key, 'is not a node field selectors may use', "use 'metadata.name'");
  });
}

function checkPodAffinityTerm(ctx: GateContext, o: GateObject, p: string, term: any): void {
  if (typeof term?.topologyKey !== 'string' || term.topologyKey === '')
    ctx.report(o, `${p}.topologyKey`, term?.topologyKey, 'is empty', "name a node label, e.g. 'kubernetes.io/hostname'");
  else checkGrammar(ctx, o, `${p}.topologyKey`, term.topologyKey, QUALIFIED_NAME, 'a topology key');
  checkSelector(ctx, o, `${p}.labelSelector`, term?.labelSelector);
  checkSelector(ctx, o, `${p}.namespaceSelector`, term?.namespaceSelector);
  (term?.namespaces ?? []).forEach((n: unknown, i: number) => checkGrammar(ctx, o, `${p}.namespaces[${i}]`, n, DNS_LABEL, 'a namespace'));
}

/** Node and pod affinity terms (`validateAffinity`). */
export function checkAffinity(ctx: GateContext, o: GateObject, p: string, a: any): void {
  if (!a) return;
  const na = a.nodeAffinity;
  if (na) {
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const terms = req.nodeSelectorTerms ?? [];
      if (terms.length === 0)
        ctx.report(
          o,
          `${p}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`,
          terms,
          'is empty',
          'give at least one term',
        );
      terms.forEach((t: any, i: number) =>
        checkNodeSelectorTerm(ctx, o, `${p}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}]`, t),
      );
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => {
      const tp = `${p}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      checkCount(ctx, o, `${tp}.weight`, t?.weight, 1, 100);
      checkNodeSelectorTerm(ctx, o, `${tp}.preference`, t?.preference);
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (!pa) continue;
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) =>
      checkPodAffinityTerm(ctx, o, `${p}.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`, t),
    );
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => {
      const tp = `${p}.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      checkCount(ctx, o, `${tp}.weight`, t?.weight, 1, 100);
      checkPodAffinityTerm(ctx, o, `${tp}.podAffinityTerm`, t?.podAffinityTerm);
    });
  }
}

/** Topology spread constraints (`validateTopologySpreadConstraints`). */
export function checkTopologySpread(ctx: GateContext, o: GateObject, p: string, constraints: any[] | undefined): void {
  const pairs = new Set<string>();
  (constraints ?? []).forEach((c: any, i: number) => {
    const cp = `${p}[${i}]`;
    checkCount(ctx, o, `${cp}.maxSkew`, c?.maxSkew ?? 0, 1);
    if (typeof c?.topologyKey !== 'string' || c.topologyKey === '')
      ctx.report(o, `${cp}.topologyKey`, c?.topologyKey, 'is empty', "name a node label, e.g. 'topology.kubernetes.io/zone'");
    else checkGrammar(ctx, o, `${cp}.topologyKey`, c.topologyKey, QUALIFIED_NAME, 'a topology key');
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c?.whenUnsatisfiable))
      ctx.report(
        o,
        `${cp}.whenUnsatisfiable`,
        c?.whenUnsatisfiable,
        'is not DoNotSchedule or ScheduleAnyway',
        "use 'DoNotSchedule' or 'ScheduleAnyway'",
      );
    if (c?.minDomains !== undefined) {
      checkCount(ctx, o, `${cp}.minDomains`, c.minDomains, 1);
      if (c.whenUnsatisfiable !== 'DoNotSchedule')
        ctx.report(o, `${cp}.minDomains`, c.minDomains, "is set without whenUnsatisfiable 'DoNotSchedule'", 'drop minDomains');
    }
    const pair = `${c?.topologyKey}/${c?.whenUnsatisfiable}`;
    if (pairs.has(pair))
      ctx.report(
        o,
        `${cp}.topologyKey`,
        c?.topologyKey,
        `is spread twice with ${c?.whenUnsatisfiable}`,
        'keep one constraint per topology key and policy',
      );
    pairs.add(pair);
    checkSelector(ctx, o, `${cp}.labelSelector`, c?.labelSelector);
    (c?.matchLabelKeys ?? []).forEach((k: unknown, j: number) => {
      if (!isQualifiedName(k as string)) ctx.report(o, `${cp}.matchLabelKeys[${j}]`, k, 'is not a valid label key', QUALIFIED_NAME.fix);
      else if (c.labelSelector?.matchLabels && (k as string) in c.labelSelector.matchLabels)
        ctx.report(
          o,
          `${cp}.matchLabelKeys[${j}]`,
          k,
          'is also a key of labelSelector',
          'drop it from matchLabelKeys or from labelSelector',
        );
    });
  });
}
