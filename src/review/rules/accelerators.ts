/** GPU and other accelerator placement (ML004, ML005, ML019, ML022). */
import { arrAt, recsAt, strAt } from '../access';
import { formatPath, joinPath } from '../paths';
import { containersOf } from '../kube';
import { ALL_ROLES, Rule, RuleFinding } from '../types';
import {
  REF,
  acceleratorRequests,
  containerLabel,
  containerPath,
  describeAccelerators,
  forTemplates,
  hasNodeSelection,
  isAcceleratorToleration,
  platformTolerates,
  podLabel,
  podPath,
  resourceValue,
  toleratesEverything,
} from './common';

/**
 * ML004: a pod asking for an accelerator needs a toleration for the accelerator node taint, unless
 * the platform adds it: a GKE accelerator/TPU node selector (GKE adds the toleration itself) or an
 * admission plugin (ExtendedResourceToleration), both platform settings.
 */
export const acceleratorToleration: Rule = {
  id: 'ML004',
  title: 'Accelerator request without a toleration for the accelerator taint',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §4 "Schedule GPU Workloads Deliberately"; ${REF.debug} "Pending: quota or node selector mismatch"`,
  check: forTemplates(ALL_ROLES, (t, obj, ctx) => {
    const requests = acceleratorRequests(t.podSpec, ctx.platform.acceleratorResources);
    if (requests.length === 0 || platformTolerates(t.podSpec, ctx)) return [];
    const resources = [...new Set(requests.map((r) => r.resource))];
    if (recsAt(t.podSpec, 'tolerations').some((tol) => isAcceleratorToleration(tol, resources))) return [];
    return [
      {
        path: podPath(t, 'tolerations'),
        message: `${podLabel(t)} requests ${describeAccelerators(requests)} but has no toleration for the accelerator node taint; on tainted GPU nodes the pod stays Pending`,
        fix: `add ${t.path}.tolerations: [{key: ${resources[0]}, operator: Exists, effect: NoSchedule}] (matching the taint of the GPU node pool), or, if your cluster adds it (GKE accelerator node selectors, the ExtendedResourceToleration admission plugin), say so in .cdk8s-ml-review.yaml (platform.autoTolerationSelectors / platform.admissionAddsAcceleratorTolerations)`,
      },
    ];
  }),
};

/** ML022: a pod asking for an accelerator needs a nodeSelector/required nodeAffinity choosing the intended accelerator pool. */
export const acceleratorNodeSelection: Rule = {
  id: 'ML022',
  title: 'Accelerator request without node selection',
  severity: 'warning',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §4 "Schedule GPU Workloads Deliberately", Common Mistakes: "Using GPU nodes for ordinary CPU work"`,
  check: forTemplates(ALL_ROLES, (t, obj, ctx) => {
    const requests = acceleratorRequests(t.podSpec, ctx.platform.acceleratorResources);
    if (requests.length === 0 || hasNodeSelection(t.podSpec)) return [];
    return [
      {
        path: podPath(t, 'nodeSelector'),
        message: `${podLabel(t)} requests ${describeAccelerators(requests)} but has no nodeSelector or required nodeAffinity; it may land on any node advertising the resource (a T4 instead of an A100)`,
        fix: `add ${t.path}.nodeSelector (e.g. cloud.google.com/gke-accelerator: nvidia-h100-80gb, or your pool's accelerator label) or a required nodeAffinity for the intended accelerator node pool`,
      },
    ];
  }),
};

/** ML005: a pod without accelerators that tolerates the accelerator taint can occupy (and waste) GPU nodes. */
export const cpuPodOnGpuNodes: Rule = {
  id: 'ML005',
  title: 'CPU-only pod tolerating the accelerator taint',
  severity: 'warning',
  // DaemonSets are meant to run on every node, GPU nodes included.
  kinds: [],
  roles: ALL_ROLES.filter((r) => r !== 'daemon'),
  reference: `${REF.ml} §4 (taints repel ordinary workloads) and Common Mistakes: "Using GPU nodes for ordinary CPU work"`,
  check: forTemplates(
    ALL_ROLES.filter((r) => r !== 'daemon'),
    (t, obj, ctx) => {
      if (acceleratorRequests(t.podSpec, ctx.platform.acceleratorResources).length > 0) return [];
      const tolerations = recsAt(t.podSpec, 'tolerations').filter((tol) => isAcceleratorToleration(tol));
      if (tolerations.length === 0) return [];
      const first = arrAt(t.podSpec, 'tolerations').indexOf(tolerations[0]);
      const what = tolerations.map((tol) =>
        toleratesEverything(tol)
          ? 'tolerates every taint (operator: Exists without a key)'
          : `tolerates the accelerator taint '${strAt(tol, 'key') ?? ''}${strAt(tol, 'value') ? `=${strAt(tol, 'value')}` : ''}'`,
      );
      return [
        {
          path: podPath(t, `tolerations[${first}]`),
          message: `${podLabel(t)} requests no accelerator but ${[...new Set(what)].join(' and ')}; it can be scheduled onto GPU nodes and keep them from GPU work`,
          fix: `remove the accelerator toleration from ${t.path}.tolerations (keep GPU nodes for pods that request GPUs)`,
        },
      ];
    },
  ),
};

/** ML019: extended resources such as GPUs must be set in limits; a request must equal the limit. */
export const acceleratorLimits: Rule = {
  id: 'ML019',
  title: 'Accelerator requested without an equal limit',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §4: "A container requests GPUs under resources.limits; requests are not written separately"`,
  check: forTemplates(ALL_ROLES, (t, obj, ctx) => {
    const findings: RuleFinding[] = [];
    for (const c of containersOf(t.podSpec)) {
      for (const a of acceleratorRequests({ containers: [c.container] }, ctx.platform.acceleratorResources)) {
        const request = resourceValue(c.container, 'requests', a.resource);
        const limit = resourceValue(c.container, 'limits', a.resource);
        if (request.state !== 'set' || (limit.state === 'set' && limit.value === request.value)) continue;
        findings.push({
          path: joinPath(containerPath(t, c, limit.state === 'set' ? 'resources.limits' : 'resources.requests'), formatPath([a.resource])),
          message:
            limit.state === 'set'
              ? `${containerLabel(c, t)} requests ${a.resource}: ${request.text} but limits it to ${limit.text}; extended resources cannot be overcommitted and the API server rejects the pod`
              : `${containerLabel(c, t)} sets ${a.resource}: ${request.text} in resources.requests without a limit; the API server rejects the pod`,
          fix: `set ${containerPath(t, c, `resources.limits`)}["${a.resource}"]: ${request.text} (drop the request or keep it equal to the limit)`,
        });
      }
    }
    return findings;
  }),
};
