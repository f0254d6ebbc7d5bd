import { ApiError, KubeClient, KubeObject } from './client';
import { POOL_LABEL } from './cluster';

/** Apply order: what others depend on first (namespaces, classes, quotas and defaults before any pod). */
const ORDER = [
  'Namespace',
  'PriorityClass',
  'ResourceQuota',
  'LimitRange',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Role',
  'RoleBinding',
  'Service',
  'NetworkPolicy',
];
const rank = (kind: string) => (ORDER.includes(kind) ? ORDER.indexOf(kind) : ORDER.length);

/** What the API server made of one object. */
export interface Applied {
  readonly object: KubeObject;
  /** The API server's reason when it refused the object. */
  readonly error?: string;
  /** Warnings it returned (Pod Security warnings on a workload's pod template). */
  readonly warnings: string[];
  /** Fields sent that the stored object lacks (dropped silently: an unknown or disabled field). */
  readonly dropped: string[];
  /** The stored object. */
  readonly live?: KubeObject;
}

/**
 * Paths of the leaves of `sent` that `live` lacks (values may differ: the server normalizes quantities). Zero values
 * (`false`, `0`, `''`) may be absent: the API omits them when they equal the default.
 */
export function droppedFields(sent: unknown, live: unknown, at = ''): string[] {
  if (sent === false || sent === 0 || sent === '') return [];
  if (sent === null || typeof sent !== 'object') return live === undefined ? [at] : [];
  if (Array.isArray(sent)) {
    if (sent.length === 0) return [];
    if (!Array.isArray(live)) return [at];
    return sent.flatMap((v, i) => droppedFields(v, live[i], `${at}/${i}`));
  }
  const entries = Object.entries(sent as object);
  if (entries.length === 0) return [];
  if (live === null || typeof live !== 'object') return [at];
  return entries.flatMap(([k, v]) => droppedFields(v, (live as any)[k], `${at}/${k}`));
}

/** Server-side applies `objects` in dependency order with strict field validation; never throws for one object. */
export async function applyAll(
  k: KubeClient,
  objects: readonly KubeObject[],
  options: { dryRun?: boolean; afterKind?: (kind: string) => Promise<void> } = {},
): Promise<Applied[]> {
  const sorted = [...objects].sort((a, b) => rank(a.kind) - rank(b.kind));
  const out: Applied[] = [];
  // Objects of one rank go together; ranks one after the other.
  for (let i = 0; i < sorted.length;) {
    const r = rank(sorted[i].kind);
    let j = i;
    while (j < sorted.length && rank(sorted[j].kind) === r) j++;
    const batch = sorted.slice(i, j);
    out.push(
      ...(await Promise.all(
        batch.map(async (object) => {
          try {
            const live = await k.apply(object, options);
            const warnings = k.lastWarnings;
            const dropped = droppedFields(object.spec ?? {}, live.spec ?? {}, '/spec').concat(
              droppedFields(object.metadata ?? {}, live.metadata ?? {}, '/metadata'),
              ...Object.keys(object)
                .filter((key) => !['apiVersion', 'kind', 'metadata', 'spec'].includes(key))
                .map((key) => droppedFields(object[key], live[key], `/${key}`)),
            );
            return { object, warnings, dropped, live };
          } catch (e) {
            const error = e instanceof ApiError ? e.message : String(e);
            return { object, error, warnings: k.lastWarnings, dropped: [] };
          }
        }),
      )),
    );
    if (options.afterKind) await options.afterKind(sorted[i].kind);
    i = j;
  }
  return out;
}

/** `Kind/name` of an object. */
export const ref = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;

/**
 * The workload object a pod belongs to (`Kind/name`): its controller, followed up through ReplicaSets, the Jobs that
 * CronJobs, JobSets and ScaledJobs own, and a LeaderWorkerSet's StatefulSets (a worker set is owned by its leader pod).
 */
export function ownerOf(pod: KubeObject, byUid: Map<string, KubeObject>): string {
  let current: KubeObject = pod;
  for (let depth = 0; depth < 6; depth++) {
    const owner = current.metadata.ownerReferences?.find((o) => o.controller);
    if (!owner) return ref(current);
    const next = byUid.get(owner.uid);
    if (!next || !['ReplicaSet', 'Job', 'StatefulSet', 'Pod'].includes(owner.kind)) return `${owner.kind}/${owner.name}`;
    current = next;
  }
  return ref(current);
}

/** The template of a pod within its workload (`leader`/`worker` for LeaderWorkerSets, the replicated job for JobSets). */
export function templateOf(pod: KubeObject): string | undefined {
  const l = pod.metadata.labels ?? {};
  if (l['leaderworkerset.sigs.k8s.io/name']) return l['leaderworkerset.sigs.k8s.io/worker-index'] === '0' ? 'leader' : 'worker';
  return l['jobset.sigs.k8s.io/replicatedjob-name'];
}

/** Pods, ReplicaSets, Jobs and StatefulSets of `namespaces`, with the owner lookup built. */
export async function snapshot(
  k: KubeClient,
  namespaces: readonly string[],
): Promise<{ pods: KubeObject[]; byUid: Map<string, KubeObject> }> {
  const lists = await Promise.all(
    namespaces.flatMap((ns) => [
      k.list('v1', 'Pod', ns),
      k.list('apps/v1', 'ReplicaSet', ns),
      k.list('batch/v1', 'Job', ns),
      k.list('apps/v1', 'StatefulSet', ns),
    ]),
  );
  const byUid = new Map<string, KubeObject>();
  for (const o of lists.flat()) byUid.set(o.metadata.uid!, o);
  const pods = lists.filter((_, i) => i % 4 === 0).flat();
  return { pods, byUid };
}

/** The pool of each fake node, by node name. */
export async function nodePools(k: KubeClient): Promise<Map<string, string>> {
  const nodes = await k.list('v1', 'Node');
  return new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels?.[POOL_LABEL] ?? '(not a pool node)']));
}

/** `FailedScheduling` and `FailedCreate` messages in `namespaces`, newest last, one line each. */
export async function failureEvents(k: KubeClient, namespaces: readonly string[]): Promise<string[]> {
  const events = (await Promise.all(namespaces.map((ns) => k.list('v1', 'Event', ns)))).flat();
  return events
    .filter((e) => ['FailedScheduling', 'FailedCreate', 'FailedMount', 'BackoffLimitExceeded'].includes(e.reason))
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)))
    .map((e) => `${e.metadata.namespace}/${e.involvedObject.kind}/${e.involvedObject.name}: ${e.reason}: ${e.message}`);
}

/** True when a pod's Ready condition is True. */
export const isReady = (p: KubeObject) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
