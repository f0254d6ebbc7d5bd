import { EPP_FACTS } from '../../src/core/facts/inference-extension';
import { poolNodes, schedulerRequests } from '../../src/core/node-pools';
import { prerequisites } from '../../src/platform/prerequisites';
import { NODE_POOLS } from '../../examples/platform';
import { KubeClient, KubeObject, waitFor } from './client';
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
import { Applied, failureEvents, isReady } from './judge';
import { admissionProblems, awaitFloors, deploy, expectedPods, misplacedPods, runStandIns } from './deploy';
import { StandInKubelet } from './kubelet';
import { createPrerequisites } from './prerequisites';
import { recordSection } from './report';
import { DrainResult, awaitRollouts, cordon, drain, newImageVersion, readyByWorkload } from './rollout';

/**
 * The endpoint pickers of the InferencePools in `objects` that fail closed (`namespace/instance` of each Deployment whose
 * pods the pool's `endpointPickerRef` Service selects): without a Ready one the gateway drops every request to the model.
 */
function failClosedPickers(objects: readonly KubeObject[]): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const pool of objects.filter((o) => o.kind === 'InferencePool')) {
    const ref = pool.spec.endpointPickerRef;
    if ((ref.failureMode ?? EPP_FACTS.failureModes.default) !== 'FailClose') continue;
    const ns = pool.metadata.namespace;
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.namespace === ns && o.metadata.name === ref.name);
    const selector: Record<string, string> = service?.spec.selector ?? {};
    for (const d of objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === ns)) {
      const labels = d.spec.template.metadata?.labels ?? {};
      if (service && Object.entries(selector).every(([key, v]) => labels[key] === v))
        out.set(`${ns}/${labels['app.kubernetes.io/instance']}`, d);
    }
  }
  return out;
}

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
  let kubelet: StandInKubelet | undefined;
  /** Serving workloads (Deployments and LeaderWorkerSets, by `namespace/instance`) and the fewest ready pods seen. */
  let serving: Set<string>;
  const fewestReady = new Map<string, number>();
  /** The same for workloads without a budget (nothing keeps them above zero: reported, not asserted). */
  const fewestReadyWithoutBudget = new Map<string, number>();
  /** Endpoint pickers of pools that fail closed (asserted like serving workloads, budget or not), by `namespace/instance`. */
  let pickers: Map<string, KubeObject>;
  /** Per workload, the longest time seen with no ready pod (ms), and since when it has none now. */
  const longestWithoutReady = new Map<string, number>();
  const withoutReadySince = new Map<string, number>();
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
    await kubelet?.stop();
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

  test('the stand-in kubelet starts every bound pod; every Deployment and LeaderWorkerSet group becomes ready', async () => {
    kubelet = new StandInKubelet(k, namespaces);
    const instance = (o: KubeObject) =>
      `${o.metadata.namespace}/${o.spec.template?.metadata?.labels?.['app.kubernetes.io/instance'] ?? o.metadata.labels?.['app.kubernetes.io/instance']}`;
    // Workloads with a PodDisruptionBudget must keep a ready pod through rollouts and drains; a single-replica queue
    // worker without one (it may scale to zero) is expected to go to zero while its only pod moves.
    const budgeted = new Set(
      ex.objects
        .filter((o) => o.kind === 'PodDisruptionBudget')
        .map((o) => `${o.metadata.namespace}/${o.spec.selector?.matchLabels?.['app.kubernetes.io/instance']}`),
    );
    const workloads = ex.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'LeaderWorkerSet').map(instance);
    // The stand-in kubelet makes every started picker Ready: true only without leader election (EPP_FACTS.leaderElection).
    pickers = failClosedPickers(ex.objects);
    expect([...pickers.keys()].sort()).toEqual(['ml-llm/llama-405b-epp', 'ml-llm/llama-70b-epp']);
    const elected = [...pickers.values()].filter((d) =>
      d.spec.template.spec.containers.some((c: KubeObject) => (c.args ?? []).includes(EPP_FACTS.leaderElection.flag)),
    );
    expect(elected.map((d) => d.metadata.name)).toEqual([]);
    serving = new Set(workloads.filter((w) => budgeted.has(w) || pickers.has(w)));
    const unbudgeted = new Set(workloads.filter((w) => !serving.has(w)));
    figures.withoutBudget = [...unbudgeted].join(', ') || 'none';
    kubelet.start();
    const deployments = ex.objects.filter((o) => o.kind === 'Deployment');
    await awaitRollouts(k, deployments, 60000);
    await waitFor(
      async () => {
        const ready = readyByWorkload(await kubelet!.pods(), serving);
        return [...ready.values()].every((n) => n > 0) && kubelet!.blocked.size === 0 ? ready : undefined;
      },
      60000,
      () => `not ready: ${[...kubelet!.blocked].map(([p, why]) => `${p} ${why}`).join('; ')}`,
    );
    // An outage starts after the last pass that saw a ready pod: its length is an upper bound (one pass, ~0.3 s).
    let lastPass = Date.now();
    const track = (w: string, n: number, now: number) => {
      if (n > 0) withoutReadySince.delete(w);
      else if (!withoutReadySince.has(w)) withoutReadySince.set(w, lastPass);
      const since = withoutReadySince.get(w);
      longestWithoutReady.set(w, Math.max(longestWithoutReady.get(w) ?? 0, since === undefined ? 0 : now - since));
    };
    kubelet.onPass = (live) => {
      const now = Date.now();
      for (const [w, n] of readyByWorkload(live, serving)) {
        fewestReady.set(w, Math.min(fewestReady.get(w) ?? n, n));
        track(w, n, now);
      }
      for (const [w, n] of readyByWorkload(live, unbudgeted)) {
        fewestReadyWithoutBudget.set(w, Math.min(fewestReadyWithoutBudget.get(w) ?? n, n));
        track(w, n, now);
      }
      lastPass = now;
    };
    figures.podsStarted = kubelet.counts.started;
  });

  test('a new image version rolls out to completion on the declared pools; no serving workload is ever without a ready pod', async () => {
    const deployments = ex.objects.filter((o) => o.kind === 'Deployment');
    await Promise.all(deployments.map((d) => k.apply(newImageVersion(d))));
    await awaitRollouts(k, deployments, 90000);
    const live = await Promise.all(deployments.map((d) => k.get('apps/v1', 'Deployment', d.metadata.namespace, d.metadata.name)));
    expect(live.filter((d) => !d.spec.template.spec.containers[0].image.match(/-r2$|@sha256:/)).map((d) => d.metadata.name)).toEqual([]);
    expect([...fewestReady].filter(([, n]) => n === 0).map(([w]) => w)).toEqual([]);
    figures.rolledOut = `${deployments.length} Deployments`;
  });

  test('every PodDisruptionBudget counts the ready pods: a burst of evictions gets exactly the budget, the rest 429', async () => {
    // Without a kubelet no pod is ever ready, the budgets count 0 healthy pods, and the Eviction API refuses (or, for
    // pods outside any budget, lets through) every eviction: the stand-in kubelet is what makes this meaningful.
    const budgets = (await Promise.all(namespaces.map((ns) => k.list('policy/v1', 'PodDisruptionBudget', ns)))).flat();
    // LeaderWorkerSet budgets too: the stand-in's StatefulSets make the disruption controller count every pod of a group.
    expect(
      budgets
        .filter((b) => b.status?.disruptionsAllowed !== b.spec.maxUnavailable)
        .map((b) => `${b.metadata.name}: ${JSON.stringify(b.status)}`),
    ).toEqual([]);
    // The replacement of an evicted pod is not Ready before its first startup probe (10 s): the stand-in kubelet
    // starts no pod during the burst, else it would refill the budget between the Eviction API's conflict retries.
    const results = await kubelet!.holdingStarts(async () => {
      const sentiment = (await kubelet!.pods()).filter(
        // A pod already terminating (an old replica of the rollout) is evicted without consulting the budget (the
        // Eviction API's canIgnorePDB): only live ready pods count.
        (p) => p.metadata.labels?.['app.kubernetes.io/instance'] === 'sentiment-inference' && isReady(p) && !p.metadata.deletionTimestamp,
      );
      expect(sentiment).toHaveLength(3); // minReplicas
      return Promise.all(sentiment.map((p) => k.evict(p)));
    });
    expect(results.filter(Boolean)).toHaveLength(1); // maxUnavailable 1
    expect(results.filter((r) => !r)).toHaveLength(results.length - 1);
    await awaitRollouts(
      k,
      ex.objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'sentiment-inference'),
      30000,
    );
    figures.budgets = `${budgets.length} budgets (Deployments and LeaderWorkerSets) at maxUnavailable; burst of ${results.length} evictions: 1 allowed, ${results.length - 1} refused (429)`;
  });

  test('a drain of one node per pool through the Eviction API passes every PodDisruptionBudget; no serving workload loses all ready pods', async () => {
    const results: DrainResult[] = [];
    for (const pool of NODE_POOLS) {
      const live = (await kubelet!.pods()).filter((p) => !p.metadata.deletionTimestamp);
      // The busiest node: the most pods, then the most accelerators and CPU requested (on the H100 pool, a node of a
      // 405B group: its drain restarts the whole group, which needs two free nodes).
      const load = (node: string) => {
        const on = live.filter((p) => p.spec.nodeName === node).map((p) => schedulerRequests(p.spec));
        const sum = (key: string) => on.reduce((n, r) => n + (r[key] ?? 0), 0);
        return [on.length, sum('nvidia.com/gpu'), sum('cpu')];
      };
      const heavierFirst = (a: number[], b: number[]) => {
        const i = a.findIndex((v, j) => v !== b[j]);
        return i < 0 ? 0 : b[i] - a[i];
      };
      const busiest = poolNodes([pool])
        .map((n) => ({ name: n.name, load: load(n.name) }))
        .sort((a, b) => heavierFirst(a.load, b.load))[0].name;
      results.push(await drain(k, busiest, namespaces, 90000));
    }
    // Every serving workload is whole again on the remaining nodes: Deployments rolled out, every LeaderWorkerSet pod ready.
    await awaitRollouts(
      k,
      ex.objects.filter((o) => o.kind === 'Deployment'),
      60000,
    );
    const groups = ex.objects.filter((o) => o.kind === 'LeaderWorkerSet');
    const want = groups.reduce((n, l) => n + (l.spec.replicas ?? 1) * l.spec.leaderWorkerTemplate.size, 0);
    await waitFor(
      async () => {
        const ready = (await kubelet!.pods()).filter(
          (p) => p.metadata.labels?.['leaderworkerset.sigs.k8s.io/name'] && isReady(p) && !p.metadata.deletionTimestamp,
        );
        return ready.length >= want ? true : undefined;
      },
      60000,
      async () =>
        `LeaderWorkerSet pods not all ready after the drains (a restarted group found no room): ${(await failureEvents(k, namespaces)).slice(-5).join('; ')}`,
    );
    expect([...fewestReady].filter(([, n]) => n === 0).map(([w]) => w)).toEqual([]);
    expect(kubelet!.counts.groupsRecreated).toBeGreaterThan(0); // the H100 drain restarted a 405B group elsewhere
    figures.drains = results.map((r) => `${r.node}: ${r.evicted} evicted, ${r.refused} refused then retried`).join('; ');
    figures.fewestReadyDuringRolloutsAndDrains = JSON.stringify(Object.fromEntries(fewestReady));
    figures.fewestReadyWithoutBudget = JSON.stringify(Object.fromEntries(fewestReadyWithoutBudget));
    figures.longestWithoutReadyMs = JSON.stringify(Object.fromEntries(longestWithoutReady));
    figures.groupsRecreated = kubelet!.counts.groupsRecreated;
    figures.deletionsCompleted = kubelet!.counts.deleted;
  });

  test("a drain of every endpoint picker's nodes keeps a Ready picker: the budget holds the last one until its replacement is Ready", async () => {
    const results: DrainResult[] = [];
    const drained: string[] = [];
    const refusedWhileStarting: string[] = [];
    const mine = (w: string, pods: KubeObject[]) =>
      pods.filter(
        (p) => `${p.metadata.namespace}/${p.metadata.labels?.['app.kubernetes.io/instance']}` === w && !p.metadata.deletionTimestamp,
      );
    for (const [w, d] of pickers) {
      const pods = mine(w, await kubelet!.pods()).filter(isReady);
      expect(pods.length).toBeGreaterThanOrEqual(2);
      const nodes = [...new Set(pods.map((p) => p.spec.nodeName as string))];
      // Every picker's node cordoned, the first picker evicted; while its replacement is not Ready yet (the stand-in
      // kubelet holds its start, as a kubelet does until the first probe), the budget refuses the others.
      const others = await kubelet!.holdingStarts(async () => {
        await cordon(k, nodes);
        expect(await k.evict(pods[0])).toBe(true);
        return Promise.all(pods.slice(1).map(async (p) => ((await k.evict(p)) ? `${p.metadata.name} evicted` : p.metadata.name)));
      });
      expect(others).toEqual(pods.slice(1).map((p) => p.metadata.name));
      refusedWhileStarting.push(...others);
      // Then the drains complete: each refused picker goes once the replacement is Ready elsewhere.
      for (const node of nodes) {
        results.push(await drain(k, node, namespaces, 60000));
        drained.push(node);
      }
      await awaitRollouts(k, [d], 30000);
      expect(mine(w, await kubelet!.pods()).filter((p) => drained.includes(p.spec.nodeName))).toEqual([]);
    }
    await cordon(k, drained, false);
    const atPickers = [...pickers.keys()].map((w) => [w, fewestReady.get(w), longestWithoutReady.get(w)] as const);
    expect(atPickers.filter(([, n, ms]) => n === 0 || ms !== 0)).toEqual([]);
    figures.pickerDrains = `${drained.join(', ')}: ${refusedWhileStarting.length} picker evictions refused (429) while the replacement was not Ready, then ${results.reduce((n, r) => n + r.evicted, 0)} pods evicted`;
    figures.pickerFewestReady = JSON.stringify(Object.fromEntries(atPickers.map(([w, n]) => [w, n])));
    figures.pickerLongestWithoutReadyMs = JSON.stringify(Object.fromEntries(atPickers.map(([w, , ms]) => [w, ms])));
  });

  test('with the H100 pool cordoned (a node upgrade), a surge pod fits no node: the rollout stalls and the test names the workload', async () => {
    const llama = ex.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'llama-70b')!;
    const h100 = poolNodes(NODE_POOLS.filter((p) => p.name === 'h100')).map((n) => n.name);
    const cordon = (unschedulable: boolean) =>
      Promise.all(h100.map((name) => k.patch({ apiVersion: 'v1', kind: 'Node', metadata: { name } }, { spec: { unschedulable } })));
    await cordon(true);
    // An operator's change: surge one replica instead of replacing in place.
    const surging = newImageVersion(newImageVersion(llama));
    surging.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await k.apply(surging);
    await expect(awaitRollouts(k, [llama], 15000)).rejects.toThrow(
      /rollout stalled after 15 s: ml-llm\/Deployment\/llama-70b .*\n(.|\n)*FailedScheduling/,
    );
    // Uncordoned, the pool takes the surge pod and the rollout completes.
    await cordon(false);
    await awaitRollouts(k, [llama], 60000);
  });
});
