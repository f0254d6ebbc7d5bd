/** PodDisruptionBudgets (ML008). */
import { at, formatMap, show, stringMapAt } from '../access';
import { labelSelectorSelects, nameOf } from '../kube';
import { KubeObject, ReviewContext, Rule, RuleFinding } from '../types';
import { REF, autoscalerFloor, percentOf, replicasOf } from './common';

/**
 * Replicas a workload runs at its lowest: the smallest HPA `minReplicas` (default 1) or KEDA
 * `minReplicaCount` (default 0) when autoscaled, else `spec.replicas`.
 */
function lowestReplicas(obj: KubeObject, ctx: ReviewContext): { replicas: number; source: string } | undefined {
  const t = ctx.podTemplate(obj);
  if (!t) return undefined;
  const scalers = ctx.autoscalersOf(obj).map((s) => {
    const floor = autoscalerFloor(s);
    return { min: floor.min, text: `${s.kind === 'HorizontalPodAutoscaler' ? 'HPA' : s.kind} '${nameOf(s)}' ${floor.text}` };
  });
  if (scalers.length > 0) {
    const lowest = scalers.reduce((a, b) => (b.min < a.min ? b : a));
    return { replicas: lowest.min, source: `${obj.kind} '${nameOf(obj)}' (${lowest.text} ${lowest.min})` };
  }
  const counts = ctx.podTemplates(obj).map((x) => replicasOf(obj, x));
  const replicas = counts.some((c) => c === undefined) ? undefined : (counts as number[]).reduce((a, b) => a + b, 0);
  return replicas === undefined ? undefined : { replicas, source: `${obj.kind} '${nameOf(obj)}' (replicas ${replicas})` };
}

/**
 * ML008: a PodDisruptionBudget that allows no eviction at all blocks node drains and upgrades
 * (error); one that selects no pod template of the set protects nothing (warning).
 */
export const disruptionBudget: Rule = {
  id: 'ML008',
  title: 'PodDisruptionBudget blocks every eviction or selects nothing',
  severity: 'error',
  kinds: ['PodDisruptionBudget'],
  conditions: [{ severity: 'warning', when: 'the selector matches no pod template of the reviewed set' }],
  reference: `${REF.debug} "Pod disruption budget" (fraud-scorer-pdb: a drain proceeds only while enough replicas remain); ${REF.ml} §7 ("inspect rollout strategy and PodDisruptionBudget")`,
  check(obj, ctx) {
    const findings: RuleFinding[] = [];
    const maxUnavailable = at(obj, 'spec', 'maxUnavailable');
    const minAvailable = at(obj, 'spec', 'minAvailable');
    const blockFix =
      'allow at least one disruption: set maxUnavailable: 1 (or minAvailable below the lowest replica count), or raise the replicas';
    if (maxUnavailable === 0 || percentOf(maxUnavailable) === 0) {
      findings.push({
        path: 'spec.maxUnavailable',
        message: `has maxUnavailable ${show(maxUnavailable)}; no pod may ever be evicted, so node drains and cluster upgrades hang`,
        fix: blockFix,
      });
    }
    const minPercent = percentOf(minAvailable);
    if (minPercent !== undefined && minPercent >= 100) {
      findings.push({
        path: 'spec.minAvailable',
        message: `has minAvailable ${show(minAvailable)}; no pod may ever be evicted, so node drains and cluster upgrades hang`,
        fix: blockFix,
      });
    }

    const selector = at(obj, 'spec', 'selector');
    const namespace = ctx.namespaceOf(obj);
    const matchLabels = stringMapAt(selector, 'matchLabels');
    const candidates = matchLabels.size > 0 ? ctx.workloadsWithLabels(namespace, matchLabels) : ctx.workloads(namespace);
    const matched = candidates.filter((w) => ctx.podTemplates(w).some((t) => labelSelectorSelects(selector, t.podLabels)));
    if (matched.length === 0) {
      findings.push({
        severity: 'warning',
        path: 'spec.selector',
        message: `selector ${formatMap(stringMapAt(selector, 'matchLabels'))} matches no pod template in namespace '${namespace}' of the reviewed set; the budget protects nothing`,
        fix: "make spec.selector match the serving workload's spec.template.metadata.labels (or review the PDB together with its workload)",
      });
      return findings;
    }
    if (findings.length > 0 || (typeof minAvailable !== 'number' && minPercent === undefined)) return findings;

    const counts = matched.map((w) => lowestReplicas(w, ctx));
    if (counts.some((c) => c === undefined)) return findings; // DaemonSets and Jobs: pod count unknown
    const known = counts as { replicas: number; source: string }[];
    const total = known.reduce((sum, c) => sum + c.replicas, 0);
    if (total === 0) return findings;
    // The disruption controller rounds a minAvailable percentage up.
    const required = typeof minAvailable === 'number' ? minAvailable : Math.ceil(((minPercent ?? 0) * total) / 100);
    if (required >= total) {
      findings.push({
        path: 'spec.minAvailable',
        message: `has minAvailable ${show(minAvailable)}${typeof minAvailable === 'number' ? '' : ` (${required} pods)`} but the selected pods number only ${total} at their lowest (${known.map((c) => c.source).join(', ')}); no pod may ever be evicted, so node drains and cluster upgrades hang`,
        fix: blockFix,
      });
    }
    return findings;
  },
};
