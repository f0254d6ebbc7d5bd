import { poolNodes } from '../../src/core/node-pools';
import { prerequisites } from '../../src/platform/prerequisites';
import { NODE_POOLS } from '../../examples/platform';
import { KubeClient, KubeObject } from './client';
import {
  createFakeNodes,
  deleteFakeNodes,
  deleteNamespaces,
  describeCluster,
  freshNamespaces,
  installCrds,
  kube,
  serverMinor,
} from './cluster';
import { ExampleApp, exampleApp } from './example-app';
import { Applied } from './judge';
import { admissionProblems, awaitFloors, deploy, expectedPods, misplacedPods, runStandIns } from './deploy';
import { createPrerequisites } from './prerequisites';
import { recordSection } from './report';

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
    namespaces = [
      ...new Set(
        ex.objects.flatMap((o) => (o.kind === 'Namespace' ? [o.metadata.name] : o.metadata.namespace ? [o.metadata.namespace] : [])),
      ),
    ].sort();
    await freshNamespaces(k, namespaces);
    await createPrerequisites(k, prerequisites(ex.app));
    applied = await deploy(k, ex.objects, namespaces);
  });

  afterAll(async () => {
    if (!k) return;
    await deleteNamespaces(k, namespaces ?? []);
    await deleteFakeNodes(k);
    recordSection('examples', figures);
  });

  test('every object is admitted by server-side apply with strict field validation, and stored as sent', () => {
    // Only fields of a feature the server lacks (from a chart that needs a newer target) may be dropped.
    expect(admissionProblems(applied, ex.versionOnly)).toEqual([]);
    figures.objects = applied.length;
    figures.targets = JSON.stringify(ex.targets);
    figures.versionOnlyDrops = JSON.stringify(ex.versionOnly);
  });

  test('the controllers (and the stand-ins) create every implied pod; the scheduler binds each to a node of its pool', async () => {
    await runStandIns(k, ex.objects, namespaces);
    pods = await awaitFloors(k, ex.objects, namespaces);
    expect(await misplacedPods(k, ex.app, pods)).toEqual([]);
    const pending = pods.filter((p) => !p.spec.nodeName);
    expect(pending.map((p) => p.metadata.name)).toEqual([]);
    figures.podsExpected = [...expectedPods(ex.objects).values()].reduce((a, b) => a + b, 0);
    figures.podsCreated = pods.length;
    figures.podsScheduled = pods.filter((p) => p.spec.nodeName).length;
    figures.podsPending = pending.length;
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
      .map(
        (p) =>
          `${p.metadata.namespace}/${p.metadata.name}: subdomain ${p.spec.subdomain} (no headless Service of that name selecting the pod: ${p.spec.hostname}.${p.spec.subdomain} does not resolve)`,
      );
    expect(unresolved).toEqual([]);
  });
});
