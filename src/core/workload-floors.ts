/**
 * The pods each rendered workload keeps at its floor, per pod template: what the controllers create when
 * nothing scales it up. Read from the rendered objects (built-in workloads, JobSet, LeaderWorkerSet, KEDA),
 * so the objects an escape hatch changed count as they will in the cluster.
 */

/** A rendered object, as `toJson()` gives it. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: any;
}

/** The pods of one pod template at the workload's floor. */
export interface PodFloor {
  /** `Kind/name` of the object that holds the template. */
  readonly object: string;
  readonly namespace: string;
  /** Which template, for objects with several (`leader`, `worker`, a replicated job's name). @default - the only one */
  readonly template?: string;
  readonly spec: any;
  /** Pods at the floor. */
  readonly pods: number;
}

/** How floors are counted. */
export interface FloorOptions {
  /**
   * Count what an autoscaler to zero keeps while it has work: a KEDA ScaledObject at `max(1, minReplicaCount)`
   * (the HPA KEDA makes), a ScaledJob with `max(1, minReplicaCount)` Jobs, a CronJob with one run.
   * @default false (scaled to zero counts zero; a CronJob counts its run, which happens on schedule)
   */
  readonly active?: boolean;
}

/** Pods a Job runs at once: its parallelism, at most its completions. */
function jobPods(spec: any): number {
  const parallelism = spec?.parallelism ?? 1;
  return spec?.completions !== undefined && spec.completions !== null ? Math.min(parallelism, spec.completions) : parallelism;
}

/** Per rendered object key (`namespace/Kind/name`), the floor its autoscaler sets. */
function scaledFloors(objects: readonly RenderedObject[], active: boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of objects) {
    const ref = o.spec?.scaleTargetRef;
    if (!ref?.name) continue;
    const ns = o.metadata.namespace ?? 'default';
    const key = `${ns}/${ref.kind ?? 'Deployment'}/${ref.name}`;
    if (o.kind === 'HorizontalPodAutoscaler') out.set(key, o.spec.minReplicas ?? 1);
    else if (o.kind === 'ScaledObject' && o.apiVersion.startsWith('keda.sh/')) {
      const min = o.spec.minReplicaCount ?? 0;
      out.set(key, active ? Math.max(1, min) : min);
    }
  }
  return out;
}

/** A pod template of a rendered object and the pods it has at the floor (given the autoscaler's floor, if any). */
interface Template {
  readonly spec: any;
  readonly template?: string;
  readonly pods: number;
}

/** Every pod template of `o`, with its pods at the floor (`scaledFloor`: what an autoscaler of `o` keeps). */
function templatesOf(o: RenderedObject, scaledFloor: number | undefined, active: boolean): Template[] {
  const spec = o.spec;
  switch (o.kind) {
    case 'Pod':
      return [{ spec, pods: 1 }];
    case 'Deployment':
    case 'StatefulSet':
      return [{ spec: spec?.template?.spec, pods: scaledFloor ?? spec?.replicas ?? 1 }];
    case 'Job':
      return [{ spec: spec?.template?.spec, pods: jobPods(spec) }];
    case 'CronJob':
      return [{ spec: spec?.jobTemplate?.spec?.template?.spec, pods: jobPods(spec?.jobTemplate?.spec) }];
    case 'JobSet':
      return (spec?.replicatedJobs ?? []).map((r: any) => ({
        spec: r.template?.spec?.template?.spec,
        template: r.name,
        pods: (r.replicas ?? 1) * jobPods(r.template?.spec),
      }));
    case 'LeaderWorkerSet': {
      const t = spec?.leaderWorkerTemplate ?? {};
      const replicas = spec?.replicas ?? 1;
      const size = t.size ?? 1;
      if (!t.leaderTemplate) return [{ spec: t.workerTemplate?.spec, template: 'worker', pods: replicas * size }];
      return [
        { spec: t.leaderTemplate.spec, template: 'leader', pods: replicas },
        { spec: t.workerTemplate?.spec, template: 'worker', pods: replicas * (size - 1) },
      ];
    }
    case 'ScaledJob': {
      const min = spec?.minReplicaCount ?? 0;
      return [{ spec: spec?.jobTargetRef?.template?.spec, pods: (active ? Math.max(1, min) : min) * jobPods(spec?.jobTargetRef) }];
    }
    default:
      return [];
  }
}

/** Every pod template among `objects` (whether or not it has pods at the floor). */
export function podTemplates(objects: readonly RenderedObject[]): PodFloor[] {
  return objects.flatMap((o) =>
    templatesOf(o, undefined, true)
      .filter((t) => t.spec)
      .map((t) => ({
        object: `${o.kind}/${o.metadata.name}`,
        namespace: o.metadata.namespace ?? 'default',
        spec: t.spec,
        pods: t.pods,
        ...(t.template ? { template: t.template } : {}),
      })),
  );
}

/** The floors of every workload among `objects`, one entry per pod template with pods at the floor. */
export function workloadFloors(objects: readonly RenderedObject[], options: FloorOptions = {}): PodFloor[] {
  const active = options.active ?? false;
  const scaled = scaledFloors(objects, active);
  return objects.flatMap((o) => {
    const namespace = o.metadata.namespace ?? 'default';
    const object = `${o.kind}/${o.metadata.name}`;
    return templatesOf(o, scaled.get(`${namespace}/${object}`), active)
      .filter((t) => t.spec && t.pods > 0)
      .map((t) => ({ object, namespace, spec: t.spec, pods: t.pods, ...(t.template ? { template: t.template } : {}) }));
  });
}
