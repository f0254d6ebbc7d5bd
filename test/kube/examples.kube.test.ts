import { capacityReport } from '../../src';
import { poolNodes } from '../../src/core/node-pools';
import { workloadFloors } from '../../src/core/workload-floors';
import { prerequisites } from '../../src/platform/prerequisites';
import { NODE_POOLS } from '../../examples/platform';
import { KubeClient, KubeObject, waitFor } from './client';
import { createFakeNodes, deleteFakeNodes, deleteNamespaces, describeCluster, freshNamespaces, installCrds, kube, serverMinor } from './cluster';
import { ExampleApp, exampleApp } from './example-app';
import { Applied, applyAll, failureEvents, nodePools, ownerOf, snapshot, templateOf } from './judge';
import { createPrerequisites } from './prerequisites';
import { recordSection } from './report';
import { admitQueued, expandJobSet, expandLeaderWorkerSet, kedaHpa, kedaJobs, manualJob, volumeFor } from './stand-ins';

/**
 * The examples on a real control plane: every object admitted as sent, every pod the workloads imply created by
 * the controllers (stand-ins where none runs here) and bound to a node of the pool CAPACITY.md names.
 */
describeCluster('examples on a cluster', () => {
  let k: KubeClient;
  let ex: ExampleApp;
  let namespaces: string[];
  let applied: Applied[];
  let pods: KubeObject[] = [];
  const figures: Record<string, number | string> = {};

  beforeAll(async () => {
    k = kube();
    const minor = await serverMinor(k);
    figures.crds = await installCrds(k);
    await createFakeNodes(k, poolNodes(NODE_POOLS));
    figures.nodes = poolNodes(NODE_POOLS).length;
    ex = exampleApp(minor);
    namespaces = [...new Set(ex.objects.flatMap((o) => (o.kind === 'Namespace' ? [o.metadata.name] : o.metadata.namespace ? [o.metadata.namespace] : [])))].sort();
    await freshNamespaces(k, namespaces);
    await createPrerequisites(k, prerequisites(ex.app));
    // The stand-in provisioner binds each claim as soon as it exists, as a dynamic provisioner would.
    applied = await applyAll(k, ex.objects, { afterKind: async (kind) => (kind === 'PersistentVolumeClaim' ? provisionVolumes(k, namespaces) : undefined) });
  });

  afterAll(async () => {
    if (!k) return;
    await deleteNamespaces(k, namespaces ?? []);
    await deleteFakeNodes(k);
    recordSection('examples', figures);
  });

  test('every object is admitted by server-side apply with strict field validation, and stored as sent', () => {
    const refused = applied.filter((a) => a.error).map((a) => `${a.object.kind}/${a.object.metadata.name}: ${a.error}`);
    expect(refused).toEqual([]);
    const warned = applied.filter((a) => a.warnings.length).map((a) => `${a.object.kind}/${a.object.metadata.name}: ${a.warnings.join('; ')}`);
    expect(warned).toEqual([]);
    // Only fields of a feature the server lacks (from a chart that needs a newer target) may be dropped.
    const dropped = applied
      .filter((a) => a.dropped.length)
      .map((a) => ({ object: `${a.object.kind}/${a.object.metadata.name}`, dropped: a.dropped }))
      .filter((d) => !ex.versionOnly[d.object]);
    expect(dropped).toEqual([]);
    figures.objects = applied.length;
    figures.targets = JSON.stringify(ex.targets);
  });

  test('the controllers (and the stand-ins) create every implied pod; the scheduler binds each to a node of its pool', async () => {
    await runStandIns(k, ex.objects, namespaces);
    const floors = workloadFloors(ex.objects, { active: true });
    const expected = new Map<string, number>();
    for (const f of floors) expected.set(`${f.namespace}/${f.object}${f.template ? `#${f.template}` : ''}`, f.pods);
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    const counted = async () => {
      const { pods, byUid } = await snapshot(k, namespaces);
      const live = pods.filter((p) => !p.metadata.deletionTimestamp);
      const byWorkload = new Map<string, KubeObject[]>();
      for (const p of live) {
        const key = `${p.metadata.namespace}/${ownerOf(p, byUid)}`;
        const withTemplate = expected.has(`${key}#${templateOf(p)}`) ? `${key}#${templateOf(p)}` : key;
        byWorkload.set(withTemplate, [...(byWorkload.get(withTemplate) ?? []), p]);
      }
      return { live, byWorkload };
    };
    const settled = await waitFor(
      async () => {
        const c = await counted();
        const done = [...expected].every(([key, n]) => (c.byWorkload.get(key) ?? []).filter((p) => p.spec.nodeName).length >= n);
        return done ? c : undefined;
      },
      60000,
      async () => {
        const c = await counted();
        const missing = [...expected]
          .map(([key, n]) => ({ key, n, pods: c.byWorkload.get(key) ?? [] }))
          .filter((m) => m.pods.filter((p) => p.spec.nodeName).length < m.n)
          .map((m) => `${m.key}: ${m.pods.length} created, ${m.pods.filter((p) => p.spec.nodeName).length} bound, ${m.n} expected`);
        return `pods missing or Pending after 60 s:\n  ${missing.join('\n  ')}\nevents:\n  ${(await failureEvents(k, namespaces)).join('\n  ')}`;
      },
      500,
    );
    // Every pod on a node of a pool that CAPACITY.md lists for its workload.
    const pools = await nodePools(k);
    const allowed = new Map<string, string[]>();
    for (const row of capacityReport(ex.app)) allowed.set(`${row.namespace}/${row.workload}`, row.pools ?? []);
    const misplaced = settled.live
      .filter((p) => {
        const workload = p.metadata.labels?.['app.kubernetes.io/instance'] ?? '';
        const ok = allowed.get(`${p.metadata.namespace}/${workload}`);
        return !ok || !ok.includes(pools.get(p.spec.nodeName) ?? '');
      })
      .map((p) => `${p.metadata.namespace}/${p.metadata.name} on ${p.spec.nodeName} (${pools.get(p.spec.nodeName)})`);
    expect(misplaced).toEqual([]);
    const pending = settled.live.filter((p) => !p.spec.nodeName);
    expect(pending.map((p) => p.metadata.name)).toEqual([]);
    figures.podsExpected = total;
    figures.podsCreated = settled.live.length;
    figures.podsScheduled = settled.live.filter((p) => p.spec.nodeName).length;
    figures.podsPending = pending.length;
    pods = settled.live;
  });

  test('every pod with a subdomain has the headless Service its hostname resolves through', async () => {
    const services = (await Promise.all(namespaces.map((ns) => k.list('v1', 'Service', ns)))).flat();
    const unresolved = pods
      .filter((p) => p.spec.subdomain)
      .filter((p) => {
        const svc = services.find((s) => s.metadata.namespace === p.metadata.namespace && s.metadata.name === p.spec.subdomain);
        const selects = svc && Object.entries(svc.spec.selector ?? {}).every(([key, v]) => p.metadata.labels?.[key] === v);
        return !svc || svc.spec.clusterIP !== 'None' || !selects;
      })
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}: subdomain ${p.spec.subdomain} (no headless Service of that name selecting the pod: ${p.spec.hostname}.${p.spec.subdomain} does not resolve)`);
    expect(unresolved).toEqual([]);
  });
});

/** The stand-in provisioner: a volume for every claim of `namespaces` that has none. */
async function provisionVolumes(k: KubeClient, namespaces: readonly string[]): Promise<void> {
  for (const ns of namespaces) {
    for (const pvc of await k.list('v1', 'PersistentVolumeClaim', ns)) if (!pvc.spec.volumeName) await k.create(volumeFor(pvc));
  }
}

/** Runs the stand-ins over the applied examples: volumes, KEDA, JobSet, LeaderWorkerSet, a CronJob run, Kueue admission. */
async function runStandIns(k: KubeClient, objects: readonly KubeObject[], namespaces: readonly string[]): Promise<void> {
  const live = async (o: KubeObject) => k.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  // Kueue admits a queued JobSet before its controller makes Jobs (a suspended JobSet makes suspended Jobs).
  await admitQueued(k, namespaces);
  for (const o of objects) {
    if (o.kind === 'ScaledObject') await k.create(kedaHpa(await live(o)));
    if (o.kind === 'ScaledJob') for (const job of kedaJobs(await live(o), 1)) await k.create(job);
    if (o.kind === 'JobSet') await expandJobSet(k, await live(o));
    if (o.kind === 'LeaderWorkerSet') await expandLeaderWorkerSet(k, await live(o));
    if (o.kind === 'CronJob') await k.create(manualJob(await live(o)));
  }
  await admitQueued(k, namespaces);
}
