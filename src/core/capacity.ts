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

/** One kind of pod a workload renders (one pod template), and how many of them can exist at once. */
export interface PodKindCapacity {
  /** Which pods (`workers`, `rendezvous`, `leader`, `canary`, ...), shown in quota messages. */
  readonly role: string;
  /** Pods of this kind that can exist at once. */
  readonly maxPods: number;
  /** What one pod of this kind requests and is limited to. */
  readonly perPod: PodAmounts;
}

/** The most a workload can claim from its namespace at once. */
export interface WorkloadCapacity {
  /** The workload's name. */
  readonly name: string;
  /** The namespace whose quota it draws on. */
  readonly namespace: string;
  /** Its kind (`serving`, `batch`, `training` or `queue`), shown in the capacity report. */
  readonly kind: WorkloadKind;
  /** Pods that can exist at once (e.g. maxReplicas plus the rollout surge), every kind together. */
  readonly maxPods: number;
  /** What one pod requests and is limited to (per resource, the largest pod when it has several kinds). */
  readonly perPod: PodAmounts;
  /**
   * Each kind of pod it renders when they differ (a training run's workers and its rendezvous store, a group's
   * leader and workers, a canary): the quota and the capacity report sum them kind by kind.
   * @default - one kind: `maxPods` pods of `perPod`
   */
  readonly podKinds?: PodKindCapacity[];
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

/** The kinds of pod of `c`: its `podKinds`, or `maxPods` pods of `perPod`. */
export function podKindsOf(c: WorkloadCapacity): PodKindCapacity[] {
  return c.podKinds ?? [{ role: c.kind, maxPods: c.maxPods, perPod: c.perPod }];
}

/**
 * A capacity made of several kinds of pod: `maxPods` is their sum, `perPod` the largest per resource, and
 * `podKinds` keeps each kind (those with no pod at once left out).
 */
export function capacityOfKinds(
  base: Omit<WorkloadCapacity, 'maxPods' | 'perPod' | 'podKinds'>,
  kinds: PodKindCapacity[],
): WorkloadCapacity {
  const present = kinds.filter((k) => k.maxPods > 0);
  return {
    ...base,
    maxPods: present.reduce((n, k) => n + k.maxPods, 0),
    perPod: largestAmounts((present.length > 0 ? present : kinds).map((k) => k.perPod)),
    ...(present.length > 1 ? { podKinds: present } : {}),
  };
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
