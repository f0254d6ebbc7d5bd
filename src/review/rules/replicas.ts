/** Replica counts: autoscalers against pinned replicas, disruption budgets for replicated servers (ML027, ML028). */
import { at, numAt, recAt, stringMapAt } from '../access';
import { labelSelectorSelects, nameOf } from '../kube';
import { KubeObject, ReviewContext, Rule } from '../types';
import { REF, forTemplates } from './common';

/** ML027: a workload with an autoscaler must not pin `spec.replicas`: every apply resets the scale. */
export const pinnedReplicasWithAutoscaler: Rule = {
  id: 'ML027',
  title: 'Autoscaled workload pins spec.replicas',
  severity: 'warning',
  // Built-in workloads and scalable custom resources (a LeaderWorkerSet's spec.replicas).
  kinds: ['*'],
  reference: `${REF.ml} §5 (HPA owns the replica count); Kubernetes docs, "Migrating Deployments and StatefulSets to horizontal autoscaling"`,
  check(obj, ctx) {
    const replicas = at(obj, 'spec', 'replicas');
    if (replicas === undefined || ctx.podTemplates(obj).length === 0) return [];
    const scalers = ctx.autoscalersOf(obj);
    if (scalers.length === 0) return [];
    return [
      {
        message: `sets spec.replicas: ${String(replicas)} while ${scalers[0].kind} '${nameOf(scalers[0])}' scales it; every kubectl apply or GitOps sync resets the replica count to ${String(replicas)}, undoing the autoscaler (a scale-down under load)`,
        fix: 'remove spec.replicas from the manifest (the autoscaler owns it; its minReplicas sets the floor), or have your GitOps tool ignore the field',
      },
    ];
  },
};

const COVERED = new WeakMap<ReviewContext, Set<KubeObject>>();

/** Whether some PodDisruptionBudget of the set selects one of `workload`'s templates (computed once per review). */
function hasBudget(workload: KubeObject, ctx: ReviewContext): boolean {
  let covered = COVERED.get(ctx);
  if (!covered) {
    covered = new Set();
    for (const budget of ctx.ofKind('PodDisruptionBudget')) {
      const selector = recAt(budget, 'spec', 'selector');
      if (!selector) continue;
      const namespace = ctx.namespaceOf(budget);
      const matchLabels = stringMapAt(selector, 'matchLabels');
      const candidates = matchLabels.size > 0 ? ctx.workloadsWithLabels(namespace, matchLabels) : ctx.workloads(namespace);
      for (const w of candidates) if (ctx.podTemplates(w).some((t) => labelSelectorSelects(selector, t.podLabels))) covered.add(w);
    }
    COVERED.set(ctx, covered);
  }
  return covered.has(workload);
}

/** Lowest replica count of a template: the autoscalers' floor when autoscaled, else its replicas. */
function lowest(obj: KubeObject, replicas: number | undefined, ctx: ReviewContext): number | undefined {
  const floors = ctx
    .autoscalersOf(obj)
    .map((s) => (s.kind === 'ScaledObject' ? (numAt(s, 'spec', 'minReplicaCount') ?? 0) : (numAt(s, 'spec', 'minReplicas') ?? 1)));
  return floors.length > 0 ? Math.min(...floors) : replicas;
}

/** ML028: a server running several replicas without a PodDisruptionBudget can lose all of them in one drain. */
export const replicatedServerWithoutBudget: Rule = {
  id: 'ML028',
  title: 'Multi-replica server without a PodDisruptionBudget',
  severity: 'warning',
  kinds: [],
  roles: ['serving'],
  reference: `${REF.debug} "Pod disruption budget"; ${REF.ml} §7 ("inspect rollout strategy and PodDisruptionBudget")`,
  check: forTemplates(['serving'], (t, obj, ctx) => {
    // A LeaderWorkerSet's workers (servesTraffic false) are parts of their leader's model instance, counted there.
    if (t.servesTraffic === false) return [];
    const count = lowest(obj, t.replicas, ctx);
    if (count === undefined || count < 2 || hasBudget(obj, ctx)) return [];
    return [
      {
        message: `runs ${count} replicas${t.name ? ` of ${t.name}` : ''} but no PodDisruptionBudget of the reviewed set selects its pods; a node drain or cluster upgrade may evict all of them at once`,
        fix: `add a PodDisruptionBudget (policy/v1) selecting ${t.path.replace(/\.spec$/, '.metadata.labels')} with maxUnavailable: 1`,
      },
    ];
  }),
};
