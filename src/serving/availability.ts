import { IConstruct } from 'constructs';
import { check, invalidProp } from '../core/errors';

/**
 * What a serving workload promises during rollouts and node drains. `continuous`: at least one replica
 * stays ready through every rollout and every drain; settings that break this are errors.
 * `best-effort`: the owner accepts that a release or a drain can be a full outage (a dev service, a
 * singleton that cannot run twice).
 */
export type Availability = 'continuous' | 'best-effort';

/** How a serving track can lose pods: its replica floor, its rollout and its disruption budget. */
export interface AvailabilityPlan {
  /** The replica floor (minReplicas, or the fixed count). */
  readonly floor: number;
  /** Whether the floor is set through `replicas` (else `autoscaling.minReplicas`). */
  readonly fixedReplicas: boolean;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  /** Pods a drain may stop at once; undefined without a PodDisruptionBudget (a drain may stop all). */
  readonly drainMayStop?: number;
  /** Accelerators one surge replica needs (0 for CPU pods): what `rollout.spareAccelerators` must hold. */
  readonly surgeAccelerators: number;
}

/**
 * Throws when `continuous` availability is asked for (the default) but a rollout or a drain could leave
 * no ready replica; the message names each way it happens and the fixes.
 */
export function requireAvailability(scope: IConstruct, availability: Availability | undefined, p: AvailabilityPlan): void {
  const chosen = availability ?? 'continuous';
  check(chosen === 'continuous' || chosen === 'best-effort', scope, {
    field: 'availability',
    value: chosen,
    problem: "is not 'continuous' or 'best-effort'",
    fix: "use 'continuous' (the default) or 'best-effort'",
  });
  if (chosen === 'best-effort') return;
  const floorField = p.fixedReplicas ? 'replicas' : 'autoscaling.minReplicas';
  const ways: string[] = [];
  const fixes: string[] = [];
  if (p.drainMayStop === undefined) {
    ways.push('a node drain may evict every replica (disruptionBudget: false)');
    fixes.push('remove disruptionBudget: false');
  } else if (p.drainMayStop >= p.floor) {
    ways.push(
      `a node drain may evict ${p.floor === 1 ? 'the only replica' : `all ${p.floor} replicas`} (the PodDisruptionBudget allows ${p.drainMayStop} down at a floor of ${p.floor})`,
    );
    if (p.floor > 1) fixes.push(`let the disruptionBudget allow fewer than ${p.floor} replicas down (e.g. maxUnavailable: ${p.floor - 1})`);
  }
  if (p.maxUnavailable >= p.floor) {
    ways.push(
      `a rollout stops ${p.floor === 1 ? 'the only replica' : `${p.maxUnavailable} of ${p.floor} replicas`} before a replacement is ready (maxSurge ${p.maxSurge}, maxUnavailable ${p.maxUnavailable})`,
    );
    if (p.surgeAccelerators > 0 && p.maxSurge === 0) {
      fixes.push(
        `set rollout.spareAccelerators: ${p.surgeAccelerators} if the node pool has room for a surge pod (the rollout then starts the new pod first)`,
      );
    } else if (p.floor > 1) {
      fixes.push(`lower rollout.maxUnavailable below ${p.floor}`);
    }
  }
  if (ways.length === 0) return;
  if (p.floor < 2) fixes.unshift(`set ${floorField}: 2 so one replica serves while another is replaced`);
  invalidProp(scope, {
    field: 'availability',
    value: chosen,
    problem: `cannot be kept: ${ways.join('; ')}, so the service would have no ready replica`,
    fix: `${fixes.join(', or ')}; or accept outages during releases and drains with availability: 'best-effort'`,
  });
}
