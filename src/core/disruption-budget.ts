import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { supports } from './kube-version';
import { requireWholeNumber } from './durations';
import { check } from './errors';

/** PodDisruptionBudget bounds; at most one of the two. Whatever is set, one pod can always be evicted. */
export interface DisruptionBudgetProps {
  /** Pods that must stay up during voluntary disruptions; below the replica floor. @default - not set */
  readonly minAvailable?: number;
  /** Pods that may be down at once; at least 1. @default - a quarter of the replica floor, at least 1 */
  readonly maxUnavailable?: number;
}

/** The PDB spec bounds for `floor` replicas; rejects any budget that would block every drain. */
export function disruptionBudgetSpec(
  scope: IConstruct,
  props: DisruptionBudgetProps,
  floor: number,
): Pick<k8s.PodDisruptionBudgetSpec, 'minAvailable' | 'maxUnavailable'> {
  check(!(props.minAvailable !== undefined && props.maxUnavailable !== undefined), scope, {
    field: 'disruptionBudget',
    value: props,
    problem: 'sets both minAvailable and maxUnavailable',
    fix: 'keep minAvailable or maxUnavailable, and remove the other',
  });
  if (props.minAvailable !== undefined) {
    check(Number.isInteger(props.minAvailable) && props.minAvailable >= 0 && props.minAvailable < floor, scope, {
      field: 'disruptionBudget.minAvailable',
      value: props.minAvailable,
      problem: `is not below the replica floor (${floor}), so no pod could ever be evicted and node drains would hang`,
      fix: `use at most ${floor - 1}${floor === 1 ? ' (or raise minReplicas)' : ''}, or set maxUnavailable instead`,
    });
    return { minAvailable: k8s.IntOrString.fromNumber(props.minAvailable) };
  }
  const maxUnavailable = props.maxUnavailable ?? Math.max(1, Math.floor(floor / 4));
  requireWholeNumber(scope, 'disruptionBudget.maxUnavailable', maxUnavailable, 1);
  check(Number.isInteger(maxUnavailable) && maxUnavailable >= 1, scope, {
    field: 'disruptionBudget.maxUnavailable',
    value: maxUnavailable,
    problem: 'is below 1, so no pod could ever be evicted and node drains would hang',
    fix: 'set maxUnavailable: 1 or more',
  });
  return { maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable) };
}

/** Pods a drain may take down at once under `spec`, with `floor` replicas running. */
export function podsDrainMayStop(spec: Pick<k8s.PodDisruptionBudgetSpec, 'minAvailable' | 'maxUnavailable'>, floor: number): number {
  if (spec.minAvailable !== undefined) return floor - Number(spec.minAvailable.value);
  return Number(spec.maxUnavailable!.value);
}

/** What {@link workloadDisruptionBudget} creates. */
export interface WorkloadDisruptionBudget {
  readonly budget: k8s.KubePodDisruptionBudget;
  /** Pods a drain may stop at once at the replica floor. */
  readonly mayStop: number;
}

/**
 * The PodDisruptionBudget of a workload's pods (`selector`) with `floor` replicas. Unhealthy pods are
 * always evictable (`unhealthyPodEvictionPolicy: AlwaysAllow`, on by default from Kubernetes 1.27,
 * left out for older targets), so a crash-looping pod never blocks a node drain: the budget protects
 * serving pods, not broken ones.
 */
export function workloadDisruptionBudget(
  owner: Construct,
  meta: { name: string; namespace: string; labels: Record<string, string> },
  selector: Record<string, string>,
  props: DisruptionBudgetProps,
  floor: number,
): WorkloadDisruptionBudget {
  const bounds = disruptionBudgetSpec(owner, props, floor);
  const budget = new k8s.KubePodDisruptionBudget(owner, 'DisruptionBudget', {
    metadata: meta,
    spec: {
      selector: { matchLabels: selector },
      ...bounds,
      ...(supports(owner, 'pdb.unhealthyPodEvictionPolicy') ? { unhealthyPodEvictionPolicy: 'AlwaysAllow' } : {}),
    },
  });
  return { budget, mayStop: podsDrainMayStop(bounds, floor) };
}
