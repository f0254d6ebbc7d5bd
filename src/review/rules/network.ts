/** Network isolation (ML014). */
import { listObjects, nameOf } from '../kube';
import { ALL_ROLES, KubeObject, ReviewContext, Rule, RuleFinding } from '../types';
import { REF } from './common';

const MAX_LISTED = 3;

/** The finding for a namespace with workloads and no NetworkPolicy. */
function finding(namespace: string, workloads: readonly KubeObject[], path: string): RuleFinding {
  const listed =
    listObjects(workloads.slice(0, MAX_LISTED)) + (workloads.length > MAX_LISTED ? `, and ${workloads.length - MAX_LISTED} more` : '');
  return {
    path,
    message: `namespace '${namespace}' runs ${workloads.length} workload${workloads.length > 1 ? 's' : ''} (${listed}) but the reviewed set has no NetworkPolicy for it; every pod accepts traffic from any namespace and can reach any backend`,
    fix: `add a default-deny NetworkPolicy in namespace '${namespace}' plus policies allowing only the required paths (ingress from the gateway, egress to DNS, feature and object stores)`,
  };
}

/** Whether `namespace` has workloads and no NetworkPolicy. */
function unprotected(ctx: ReviewContext, namespace: string): readonly KubeObject[] | undefined {
  const workloads = ctx.workloads(namespace);
  return workloads.length > 0 && ctx.ofKind('NetworkPolicy', namespace).length === 0 ? workloads : undefined;
}

/**
 * ML014: a namespace with workloads but no NetworkPolicy (objects without a namespace count as
 * `default`). Reported once per namespace: on its Namespace object when the set has one, else on
 * the namespace's first workload (in input order), where it can also be suppressed.
 */
export const missingNetworkPolicy: Rule = {
  id: 'ML014',
  title: 'Namespace without NetworkPolicy',
  severity: 'warning',
  kinds: ['Namespace'],
  roles: ALL_ROLES,
  reference: `${REF.ml} §12 "Review Security and Multi-Tenancy" ("Default-allow networking is ... dangerous in shared production clusters")`,
  check(obj, ctx) {
    if (obj.kind === 'Namespace') {
      const workloads = unprotected(ctx, nameOf(obj));
      return workloads ? [finding(nameOf(obj), workloads, 'metadata.name')] : [];
    }
    const namespace = ctx.namespaceOf(obj);
    if (ctx.find('Namespace', '', namespace)) return [];
    const workloads = unprotected(ctx, namespace);
    return workloads && workloads[0] === obj ? [finding(namespace, workloads, 'metadata.namespace')] : [];
  },
};
