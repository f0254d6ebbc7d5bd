import { IConstruct } from 'constructs';
import { capacityReport } from '../../src';
import { workloadFloors } from '../../src/core/workload-floors';
import { KubeClient, KubeObject, waitFor } from './client';
import { Applied, applyAll, failureEvents, nodePools, ownerOf, snapshot, templateOf } from './judge';
import { admitQueued, expandJobSet, expandLeaderWorkerSet, kedaHpa, kedaJobs, manualJob, volumeFor } from './stand-ins';

/** The stand-in provisioner: a volume for every claim of `namespaces` that has none. */
export async function provisionVolumes(k: KubeClient, namespaces: readonly string[]): Promise<void> {
  for (const ns of namespaces) {
    for (const pvc of await k.list('v1', 'PersistentVolumeClaim', ns)) if (!pvc.spec.volumeName) await k.create(volumeFor(pvc));
  }
}

/** Applies `objects`; the stand-in provisioner binds each claim as soon as it exists, as a dynamic provisioner would. */
export function deploy(k: KubeClient, objects: readonly KubeObject[], namespaces: readonly string[]): Promise<Applied[]> {
  return applyAll(k, objects, {
    afterKind: async (kind) => (kind === 'PersistentVolumeClaim' ? provisionVolumes(k, namespaces) : undefined),
  });
}

/** Runs the stand-ins over applied objects: Kueue admission, KEDA, JobSet, LeaderWorkerSet, a run of each CronJob. */
export async function runStandIns(k: KubeClient, objects: readonly KubeObject[], namespaces: readonly string[]): Promise<void> {
  const live = async (o: KubeObject) => k.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  // Kueue admits a queued JobSet before its controller makes Jobs (a suspended JobSet makes suspended Jobs).
  await admitQueued(k, namespaces);
  await Promise.all(
    objects.map(async (o) => {
      if (o.kind === 'ScaledObject') await k.create(kedaHpa(await live(o)));
      if (o.kind === 'ScaledJob') for (const job of kedaJobs(await live(o), 1)) await k.create(job);
      if (o.kind === 'JobSet') await expandJobSet(k, await live(o));
      if (o.kind === 'LeaderWorkerSet') await expandLeaderWorkerSet(k, await live(o));
      if (o.kind === 'CronJob') await k.create(manualJob(await live(o)));
    }),
  );
  await admitQueued(k, namespaces);
}

/** The pods of `namespaces`, each under the workload floor key (`ns/Kind/name[#template]`) it counts for. */
export async function podsByWorkload(k: KubeClient, namespaces: readonly string[], keys: ReadonlySet<string>) {
  const { pods, byUid } = await snapshot(k, namespaces);
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  const byWorkload = new Map<string, KubeObject[]>();
  for (const p of live) {
    const key = `${p.metadata.namespace}/${ownerOf(p, byUid)}`;
    const withTemplate = keys.has(`${key}#${templateOf(p)}`) ? `${key}#${templateOf(p)}` : key;
    byWorkload.set(withTemplate, [...(byWorkload.get(withTemplate) ?? []), p]);
  }
  return { live, byWorkload };
}

/** The pods each workload keeps at its floor (autoscalers to zero counted as when they have work), by floor key. */
export function expectedPods(objects: readonly KubeObject[]): Map<string, number> {
  const expected = new Map<string, number>();
  for (const f of workloadFloors(objects, { active: true }))
    expected.set(`${f.namespace}/${f.object}${f.template ? `#${f.template}` : ''}`, f.pods);
  return expected;
}

/**
 * Waits until every workload of `objects` has its floor of pods created and bound to nodes; throws with what is
 * missing and the scheduler's and controllers' events otherwise. Returns the live pods.
 */
export async function awaitFloors(
  k: KubeClient,
  objects: readonly KubeObject[],
  namespaces: readonly string[],
  timeoutMs = 60000,
): Promise<KubeObject[]> {
  const expected = expectedPods(objects);
  const keys = new Set(expected.keys());
  const bound = (pods: KubeObject[] = []) => pods.filter((p) => p.spec.nodeName).length;
  const settled = await waitFor(
    async () => {
      const c = await podsByWorkload(k, namespaces, keys);
      return [...expected].every(([key, n]) => bound(c.byWorkload.get(key)) >= n) ? c : undefined;
    },
    timeoutMs,
    async () => {
      const c = await podsByWorkload(k, namespaces, keys);
      const missing = [...expected]
        .filter(([key, n]) => bound(c.byWorkload.get(key)) < n)
        .map(([key, n]) => `${key}: ${(c.byWorkload.get(key) ?? []).length} created, ${bound(c.byWorkload.get(key))} bound, ${n} expected`);
      return `pods missing or Pending after ${timeoutMs / 1000} s:\n  ${missing.join('\n  ')}\nevents:\n  ${(await failureEvents(k, namespaces)).join('\n  ')}`;
    },
    500,
  );
  return settled.live;
}

/** Pods on a node outside the pools CAPACITY.md lists for their workload (`app.kubernetes.io/instance`). */
export async function misplacedPods(k: KubeClient, app: IConstruct, pods: readonly KubeObject[]): Promise<string[]> {
  const pools = await nodePools(k);
  const allowed = new Map<string, string[]>();
  for (const row of capacityReport(app)) allowed.set(`${row.namespace}/${row.workload}`, row.pools ?? []);
  return pods
    .filter((p) => {
      const ok = allowed.get(`${p.metadata.namespace}/${p.metadata.labels?.['app.kubernetes.io/instance'] ?? ''}`);
      return !ok || !ok.includes(pools.get(p.spec.nodeName) ?? '');
    })
    .map((p) => `${p.metadata.namespace}/${p.metadata.name} on ${p.spec.nodeName} (${pools.get(p.spec.nodeName)})`);
}

/** One line per object the server refused, warned about, or stored without a field it was sent (unless allowed). */
export function admissionProblems(applied: readonly Applied[], allowedDrops: Record<string, unknown> = {}): string[] {
  return applied.flatMap((a) => {
    const id = `${a.object.metadata.namespace ?? ''}/${a.object.kind}/${a.object.metadata.name}`;
    return [
      ...(a.error ? [`${id}: refused: ${a.error}`] : []),
      ...a.warnings.map((w) => `${id}: warning: ${w}`),
      ...(a.dropped.length && !allowedDrops[`${a.object.kind}/${a.object.metadata.name}`]
        ? [`${id}: dropped ${a.dropped.join(', ')}`]
        : []),
    ];
  });
}
