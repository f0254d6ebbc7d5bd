/** GPU and other accelerator placement (ML004, ML005, ML019). */
import { recsAt, strAt } from '../access';
import { WORKLOAD_KINDS, containersOf } from '../kube';
import { Rule, RuleFinding } from '../types';
import {
  REF, acceleratorRequests, containerLabel, containerPath, describeAccelerators, hasNodeSelection,
  isAcceleratorToleration, resourceValue, toleratesEverything,
} from './common';

/**
 * ML004: a pod asking for an accelerator needs a toleration for the accelerator node taint and a
 * nodeSelector/required nodeAffinity choosing the intended accelerator pool.
 */
export const acceleratorPlacement: Rule = {
  id: 'ML004',
  title: 'Accelerator request without toleration or node selection',
  severity: 'error',
  kinds: WORKLOAD_KINDS,
  reference: `${REF.ml} §4 "Schedule GPU Workloads Deliberately", Common Mistakes: "Using GPU nodes for ordinary CPU work"; ${REF.debug} "Pending: quota or node selector mismatch"`,
  check(obj, ctx) {
    const t = ctx.podTemplate(obj);
    if (!t) return [];
    const requests = acceleratorRequests(t.podSpec);
    if (requests.length === 0) return [];
    const resources = [...new Set(requests.map((r) => r.resource))];
    const findings: RuleFinding[] = [];
    if (!recsAt(t.podSpec, 'tolerations').some((tol) => isAcceleratorToleration(tol, resources))) {
      findings.push({
        message: `requests ${describeAccelerators(requests)} but has no toleration for the accelerator node taint; on tainted GPU nodes the pod stays Pending`,
        fix: `add ${t.path}.tolerations: [{key: ${resources[0]}, operator: Exists, effect: NoSchedule}] (matching the taint of the GPU node pool)`,
      });
    }
    if (!hasNodeSelection(t.podSpec)) {
      findings.push({
        message: `requests ${describeAccelerators(requests)} but has no nodeSelector or required nodeAffinity; it may land on any node advertising the resource (a T4 instead of an A100)`,
        fix: `add ${t.path}.nodeSelector (e.g. accelerator: nvidia-a100) or a required nodeAffinity for the intended accelerator node pool`,
      });
    }
    return findings;
  },
};

/** ML005: a pod without accelerators that tolerates the accelerator taint can occupy (and waste) GPU nodes. */
export const cpuPodOnGpuNodes: Rule = {
  id: 'ML005',
  title: 'CPU-only pod tolerating the accelerator taint',
  severity: 'warning',
  // DaemonSets are meant to run on every node, GPU nodes included.
  kinds: WORKLOAD_KINDS.filter((k) => k !== 'DaemonSet'),
  reference: `${REF.ml} §4 (taints repel ordinary workloads) and Common Mistakes: "Using GPU nodes for ordinary CPU work"`,
  check(obj, ctx) {
    const t = ctx.podTemplate(obj);
    if (!t || acceleratorRequests(t.podSpec).length > 0) return [];
    const tolerations = recsAt(t.podSpec, 'tolerations').filter((tol) => isAcceleratorToleration(tol));
    if (tolerations.length === 0) return [];
    const what = tolerations.map((tol) => toleratesEverything(tol)
      ? 'tolerates every taint (operator: Exists without a key)'
      : `tolerates the accelerator taint '${strAt(tol, 'key') ?? ''}${strAt(tol, 'value') ? `=${strAt(tol, 'value')}` : ''}'`);
    return [{
      message: `requests no accelerator but ${[...new Set(what)].join(' and ')}; it can be scheduled onto GPU nodes and keep them from GPU work`,
      fix: `remove the accelerator toleration from ${t.path}.tolerations (keep GPU nodes for pods that request GPUs)`,
    }];
  },
};

/** ML019: extended resources such as GPUs must be set in limits; a request must equal the limit. */
export const acceleratorLimits: Rule = {
  id: 'ML019',
  title: 'Accelerator requested without an equal limit',
  severity: 'error',
  kinds: WORKLOAD_KINDS,
  reference: `${REF.ml} §4: "A container requests GPUs under resources.limits; requests are not written separately"`,
  check(obj, ctx) {
    const t = ctx.podTemplate(obj);
    if (!t) return [];
    const findings: RuleFinding[] = [];
    for (const c of containersOf(t.podSpec)) {
      for (const a of acceleratorRequests({ containers: [c.container] })) {
        const request = resourceValue(c.container, 'requests', a.resource);
        const limit = resourceValue(c.container, 'limits', a.resource);
        if (request.state !== 'set' || (limit.state === 'set' && limit.value === request.value)) continue;
        findings.push({
          message: limit.state === 'set'
            ? `${containerLabel(c)} requests ${a.resource}: ${request.text} but limits it to ${limit.text}; extended resources cannot be overcommitted and the API server rejects the pod`
            : `${containerLabel(c)} sets ${a.resource}: ${request.text} in resources.requests without a limit; the API server rejects the pod`,
          fix: `set ${containerPath(t, c, `resources.limits`)}["${a.resource}"]: ${request.text} (drop the request or keep it equal to the limit)`,
        });
      }
    }
    return findings;
  },
};
