/** Replica counts: autoscalers against pinned replicas, disruption budgets for replicated servers (ML027, ML028). */
import { at, recAt, stringMapAt } from '../access';
import { containersOf, labelSelectorSelects, nameOf } from '../kube';
import { optionValue, processOf } from '../process';
import { KubeObject, PodTemplateInfo, ReviewContext, Rule } from '../types';
import { serverParallelism } from './shm';
import { REF, autoscalerFloor, forTemplates, templateSuffix } from './common';

/** ML027: a workload with an autoscaler must not pin `spec.replicas`: every apply resets the scale. */
export const pinnedReplicasWithAutoscaler: Rule = {
  id: 'ML027',
  title: 'Autoscaled workload pins spec.replicas',
  severity: 'warning',
  // Built-in workloads and scalable custom resources (a LeaderWorkerSet's spec.replicas).
  kinds: ['*'],
  appliesTo: ['any workload with an HPA, ScaledObject or HTTPScaledObject (Deployment, StatefulSet, LeaderWorkerSet, ...)'],
  reference: `${REF.ml} §5 (HPA owns the replica count); Kubernetes docs, "Migrating Deployments and StatefulSets to horizontal autoscaling"`,
  check(obj, ctx) {
    const replicas = at(obj, 'spec', 'replicas');
    if (replicas === undefined || ctx.podTemplates(obj).length === 0) return [];
    const scalers = ctx.autoscalersOf(obj);
    if (scalers.length === 0) return [];
    return [
      {
        path: 'spec.replicas',
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
  const floors = ctx.autoscalersOf(obj).map((s) => autoscalerFloor(s).min);
  return floors.length > 0 ? Math.min(...floors) : replicas;
}

/**
 * Pods that together run one model instance, when the command line says so: torchrun or SGLang
 * `--nnodes N`, or a model server whose pipeline stages span nodes (`--pipeline-parallel-size N`
 * with a multi-node executor). `undefined` for independent replicas.
 */
function podsPerInstance(t: PodTemplateInfo): number | undefined {
  // A LeaderWorkerSet's replicas are whole groups: each group is an instance, its size is the group's.
  if (!['Deployment', 'StatefulSet', 'ReplicaSet'].includes(t.workloadKind)) return undefined;
  for (const c of containersOf(t.podSpec).filter((x) => x.role === 'container')) {
    const text = processOf(c.container).text;
    const nodes = optionValue(text, ['--nnodes', '--num-nodes', '--num_nodes']);
    const count = nodes !== undefined ? Number(/^\d+/.exec(nodes.replace(/^\d+:/, ''))?.[0]) : NaN;
    if (count > 1) return count;
    const parallel = serverParallelism(c.container);
    const pipeline = optionValue(text, ['--pipeline-parallel-size', '-pp']);
    if (parallel?.multiNode && pipeline !== undefined && Number(pipeline) > 1) return Number(pipeline);
  }
  return undefined;
}

/**
 * ML028: a server running several replicas without a PodDisruptionBudget can lose all of them in
 * one drain. Pods that are stages of one model instance (torchrun --nnodes, pipeline stages across
 * nodes) are not replicas: losing any of them stops the instance, which a budget cannot prevent.
 */
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
    const group = podsPerInstance(t);
    if (group !== undefined && count <= group) return [];
    return [
      {
        path: t.path.replace(/\.spec$/, '.metadata.labels'),
        message: `runs ${count} replicas${templateSuffix(t)} but no PodDisruptionBudget of the reviewed set selects its pods; a node drain or cluster upgrade may evict all of them at once`,
        fix: `add a PodDisruptionBudget (policy/v1) selecting ${t.path.replace(/\.spec$/, '.metadata.labels')} with maxUnavailable: 1`,
      },
    ];
  }),
};
