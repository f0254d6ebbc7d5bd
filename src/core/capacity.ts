import { IConstruct } from 'constructs';
import { WorkloadKind } from './platform-conventions';
import { parseQuantity } from './quantity';

/** Per-pod resource amounts in base units (cores, bytes, devices), keyed by resource name. */
export interface PodAmounts {
  /**
   * What one pod requests, per resource, as the scheduler and the quota sum it (containers, native sidecars, the
   * largest init step).
   */
  readonly requests: Record<string, number>;
  /** What one pod may use at most, per resource, summed the same way. */
  readonly limits: Record<string, number>;
  /** Resources with no limit on some container (a quota on `limits.<resource>` would reject the pod). */
  readonly unlimited: string[];
}

/** The most a workload can claim from its namespace at once. */
export interface WorkloadCapacity {
  /** The workload's name. */
  readonly name: string;
  /** The namespace whose quota it draws on. */
  readonly namespace: string;
  /** Its kind (`serving`, `batch`, `training` or `queue`), shown in the capacity report. */
  readonly kind: WorkloadKind;
  /** Pods that can exist at once (e.g. maxReplicas plus the rollout surge). */
  readonly maxPods: number;
  /** What one pod requests and is limited to (the largest pod when it has several templates). */
  readonly perPod: PodAmounts;
  /** PersistentVolumeClaims the workload creates, with their requested storage in bytes. */
  readonly claims: {
    /** PersistentVolumeClaims created. */
    readonly count: number;
    /** Storage they request together, in bytes. */
    readonly storage: number;
  };
  /** Scaled to zero on purpose (a serving workload with `replicas: 0`): it claims nothing until it is run. @default false */
  readonly parked?: boolean;
}

/** A construct that can say what it claims from its namespace at worst. */
export interface ICapacityClaimant extends IConstruct {
  /** The most it claims at once; `MlNamespace`'s quota check (at synth) and `capacityReport` read it. */
  capacity(): WorkloadCapacity;
}

/** True when `c` implements {@link ICapacityClaimant}. */
export function isCapacityClaimant(c: IConstruct): c is ICapacityClaimant {
  return typeof (c as Partial<ICapacityClaimant>).capacity === 'function';
}

type ContainerLike = {
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  /** `Always` on an init container makes it a native sidecar: it runs beside the containers. */
  restartPolicy?: string;
};

/**
 * The effective per-pod amounts Kubernetes schedules and charges quota for, per resource: the larger of
 * the containers plus the native sidecars (init containers with `restartPolicy: Always`, which keep
 * running), and each ordinary init container plus the sidecars started before it (KEP-753). Extended
 * resources are requested by their limit.
 */
export function podAmounts(containers: ContainerLike[], initContainers: ContainerLike[] = []): PodAmounts {
  const amounts = (c: ContainerLike, which: 'requests' | 'limits') => {
    const out: Record<string, number> = {};
    const r = c.resources ?? {};
    for (const [k, v] of Object.entries({ ...(which === 'requests' ? pickExtended(r.limits) : {}), ...r[which] }))
      out[k] = parseQuantity(v) ?? 0;
    return out;
  };
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  };
  const combine = (which: 'requests' | 'limits') => {
    const sidecars: Record<string, number> = {};
    const initPeak: Record<string, number> = {};
    for (const c of initContainers) {
      const own = amounts(c, which);
      if (c.restartPolicy === 'Always') add(sidecars, own);
      const running = { ...sidecars };
      if (c.restartPolicy !== 'Always') add(running, own);
      for (const [k, v] of Object.entries(running)) initPeak[k] = Math.max(initPeak[k] ?? 0, v);
    }
    const steady = { ...sidecars };
    for (const c of containers) add(steady, amounts(c, which));
    for (const [k, v] of Object.entries(initPeak)) steady[k] = Math.max(steady[k] ?? 0, v);
    return steady;
  };
  const unlimited = ['cpu', 'memory'].filter((r) => [...containers, ...initContainers].some((c) => c.resources?.limits?.[r] === undefined));
  return { requests: combine('requests'), limits: combine('limits'), unlimited };
}

/** Per resource, the largest of `amounts` (the worst pod of a workload with several pod templates). */
export function largestAmounts(amounts: PodAmounts[]): PodAmounts {
  const max = (which: 'requests' | 'limits') => {
    const out: Record<string, number> = {};
    for (const a of amounts) for (const [k, v] of Object.entries(a[which])) out[k] = Math.max(out[k] ?? 0, v);
    return out;
  };
  return { requests: max('requests'), limits: max('limits'), unlimited: [...new Set(amounts.flatMap((a) => a.unlimited))] };
}

function pickExtended(limits: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(limits).filter(([k]) => k.includes('/')));
}
