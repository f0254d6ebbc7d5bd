import { IConstruct } from 'constructs';
import { check, invalidProp } from '../core/errors';
import { ModelProps } from '../core/model';

/** How a canary gets its share of traffic. */
export type CanaryStrategy = 'replica-weighted' | 'gateway';

/** A second model version taking a declared share of traffic. */
export interface CanaryProps {
  /** Share of traffic for the canary, in percent, strictly between 0 and 100. */
  readonly weight: number;
  /** The canary's image, for a new build of the server. @default - the stable image */
  readonly image?: string;
  /** The canary model; fields not given are the stable model's (a new version, often a new uri/sha256). @default - the stable model */
  readonly model?: Partial<ModelProps>;
  /**
   * `replica-weighted` works on any cluster: the share is the ratio of canary to all ready pods behind
   * the Service, so it is approximate. `gateway` splits exactly through the HTTPRoute of `route`.
   * @default 'replica-weighted'
   */
  readonly strategy?: CanaryStrategy;
}

/** How the traffic split comes out. */
export interface CanaryPlan {
  readonly strategy: CanaryStrategy;
  /** The share asked for, in percent. */
  readonly weight: number;
  /** Stable and canary replicas at the floor. */
  readonly stableReplicas: number;
  readonly canaryReplicas: number;
  /** Canary replicas at most (its autoscaler's ceiling). */
  readonly canaryMaxReplicas: number;
  /** The share the split achieves, in percent: the route weight, or the replica ratio at the floor. */
  readonly achievedShare: number;
}

/** A replica ratio further than this (relative) from the declared weight is rejected. */
const SHARE_TOLERANCE = 0.5;

/**
 * The canary's replica counts for `weight` % next to `stable` replicas (floor) and `stableMax` (ceiling):
 * canary ≈ stable × w / (100 − w), at least 1, so the stable floor is never reduced.
 */
export function canaryPlan(scope: IConstruct, canary: CanaryProps, stable: number, stableMax: number): CanaryPlan {
  const w = canary.weight;
  check(typeof w === 'number' && Number.isInteger(w) && w > 0 && w < 100, scope, {
    field: 'canary.weight',
    value: w,
    problem:
      typeof w === 'number' && !Number.isInteger(w)
        ? 'is a fraction; route weights are whole numbers'
        : 'is not strictly between 0 and 100',
    fix: 'give the canary a share such as 10 (percent); promote by making it the stable version instead of 100',
  });
  const strategy = canary.strategy ?? 'replica-weighted';
  const ratio = w / (100 - w);
  const canaryReplicas = Math.max(1, Math.round(stable * ratio));
  const canaryMaxReplicas = Math.max(canaryReplicas, Math.ceil(stableMax * ratio));
  if (strategy === 'gateway') {
    return { strategy, weight: w, stableReplicas: stable, canaryReplicas, canaryMaxReplicas, achievedShare: w };
  }
  const achieved = round1((100 * canaryReplicas) / (stable + canaryReplicas));
  if (Math.abs(achieved - w) / w > SHARE_TOLERANCE) {
    const needed = Math.ceil((1 - w / 100) / (w / 100));
    invalidShare(scope, w, stable, canaryReplicas, achieved, needed);
  }
  return { strategy, weight: w, stableReplicas: stable, canaryReplicas, canaryMaxReplicas, achievedShare: achieved };
}

function invalidShare(scope: IConstruct, w: number, stable: number, canary: number, achieved: number, needed: number): never {
  const options = [1, 2, 3].map((c) => `${c} canary → ${round1((100 * c) / (stable + c))} %`).join(', ');
  invalidProp(scope, {
    field: 'canary.weight',
    value: w,
    problem: `cannot be met by replica weighting next to ${stable} stable replica(s): ${canary} canary pod gives ${achieved} % (achievable: ${options})`,
    fix: `run at least ${needed} stable replicas for ~${w} %, accept one of those shares, or use strategy 'gateway' with a route for an exact split`,
  });
}

/** Throws when the canary would serve exactly what stable serves. */
export function requireDistinctCanary(
  scope: IConstruct,
  stable: { image: string; model?: ModelProps },
  canary: { image: string; model?: ModelProps },
): void {
  const same =
    stable.image === canary.image &&
    stable.model?.version === canary.model?.version &&
    stable.model?.uri === canary.model?.uri &&
    stable.model?.sha256 === canary.model?.sha256;
  check(!same, scope, {
    field: 'canary',
    value: { image: canary.image, version: canary.model?.version },
    problem: 'is identical to the stable release',
    fix: 'give the canary a new image or model version (and uri/sha256) to compare against stable',
  });
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
