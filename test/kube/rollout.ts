import { createHash } from 'crypto';
import { KubeClient, KubeObject, sleep, waitFor } from './client';
import { failureEvents, isReady, ref } from './judge';

/** The same Deployment with a new image version (a tag gets `-r2`, a digest another digest): what a release applies. */
export function newImageVersion(d: KubeObject): KubeObject {
  const next = JSON.parse(JSON.stringify(d)) as KubeObject;
  for (const c of next.spec.template.spec.containers) {
    c.image = c.image.includes('@sha256:')
      ? c.image.replace(/@sha256:[0-9a-f]{64}/, `@sha256:${createHash('sha256').update(c.image).digest('hex')}`)
      : c.image.replace(/(:[^:/]+)$/, '$1-r2');
  }
  return next;
}

/** `kubectl rollout status`: the Deployment's new template has every replica, all of them available, no old ones. */
export function rolledOut(d: KubeObject): boolean {
  const s = d.status ?? {};
  const want = d.spec.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    s.updatedReplicas === want &&
    s.replicas === want &&
    s.availableReplicas === want
  );
}

/** Waits until every Deployment named has rolled out; the error names each stalled one and why its pods wait. */
export async function awaitRollouts(k: KubeClient, deployments: readonly KubeObject[], timeoutMs: number): Promise<void> {
  const live = () => Promise.all(deployments.map((d) => k.get('apps/v1', 'Deployment', d.metadata.namespace, d.metadata.name)));
  await waitFor(
    async () => ((await live()).every(rolledOut) ? true : undefined),
    timeoutMs,
    async () => {
      const stalled = (await live()).filter((d) => !rolledOut(d));
      const namespaces = [...new Set(stalled.map((d) => d.metadata.namespace!))];
      const events = (await failureEvents(k, namespaces)).filter((e) => stalled.some((d) => e.includes(`/${d.metadata.name}-`)));
      return `rollout stalled after ${timeoutMs / 1000} s: ${stalled
        .map(
          (d) =>
            `${d.metadata.namespace}/${ref(d)} (${d.status?.updatedReplicas ?? 0} updated, ${d.status?.availableReplicas ?? 0} available of ${d.spec.replicas})`,
        )
        .join(', ')}; a surge pod that fits no node stalls it:\n  ${events.slice(-10).join('\n  ')}`;
    },
    500,
  );
}

/** Ready pods per workload (`namespace/app.kubernetes.io/instance`), for the workloads named. */
export function readyByWorkload(pods: readonly KubeObject[], workloads: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>([...workloads].map((w) => [w, 0]));
  for (const p of pods) {
    const w = `${p.metadata.namespace}/${p.metadata.labels?.['app.kubernetes.io/instance']}`;
    if (workloads.has(w) && isReady(p) && !p.metadata.deletionTimestamp) out.set(w, (out.get(w) ?? 0) + 1);
  }
  return out;
}

/** The PodDisruptionBudgets selecting `pods` and their status, one line each (why the Eviction API refuses). */
async function budgetsOf(k: KubeClient, pods: readonly KubeObject[]): Promise<string> {
  const namespaces = [...new Set(pods.map((p) => p.metadata.namespace!))];
  const budgets = (await Promise.all(namespaces.map((ns) => k.list('policy/v1', 'PodDisruptionBudget', ns)))).flat();
  const selects = (b: KubeObject, p: KubeObject) =>
    b.metadata.namespace === p.metadata.namespace &&
    Object.entries(b.spec.selector?.matchLabels ?? {}).every(([key, v]) => p.metadata.labels?.[key] === v);
  const lines = budgets
    .filter((b) => pods.some((p) => selects(b, p)))
    .map((b) => {
      const s = b.status ?? {};
      const why = (s.conditions ?? []).find((c: any) => c.type === 'DisruptionAllowed');
      return `budget ${b.metadata.namespace}/${b.metadata.name}: ${s.disruptionsAllowed ?? 0} disruptions allowed, ${s.currentHealthy ?? 0} healthy of ${s.desiredHealthy ?? 0} desired, ${s.expectedPods ?? 0} expected (${why?.reason ?? 'no condition'}${why?.message ? `: ${why.message}` : ''})`;
    });
  return lines.join('; ') || 'no budget selects them';
}

/** What one drain did. */
export interface DrainResult {
  readonly node: string;
  readonly evicted: number;
  /** Evictions the Eviction API refused (429: a PodDisruptionBudget), then retried. */
  readonly refused: number;
}

/**
 * `kubectl drain`: cordons `node`, then evicts its pods through the Eviction API, retrying refused ones until the
 * replacements are ready elsewhere and the budget allows, until no pod is left on it.
 */
export async function drain(k: KubeClient, node: string, namespaces: readonly string[], timeoutMs: number): Promise<DrainResult> {
  await k.patch({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } }, { spec: { unschedulable: true } });
  let evicted = 0;
  let refused = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = (await Promise.all(namespaces.map((ns) => k.list('v1', 'Pod', ns)))).flat();
    const left = pods.filter((p) => p.spec.nodeName === node && !p.metadata.deletionTimestamp);
    if (left.length === 0) return { node, evicted, refused };
    if (Date.now() > deadline) {
      throw new Error(
        `drain of ${node} incomplete after ${timeoutMs / 1000} s: ${left.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')} (${refused} evictions refused); ${await budgetsOf(k, left)}`,
      );
    }
    for (const pod of left) {
      if (await k.evict(pod)) evicted++;
      else refused++;
    }
    await sleep(500);
  }
}

/** `kubectl cordon` (or, with `false`, `uncordon`) of each node. */
export async function cordon(k: KubeClient, nodes: readonly string[], unschedulable = true): Promise<void> {
  await Promise.all(nodes.map((name) => k.patch({ apiVersion: 'v1', kind: 'Node', metadata: { name } }, { spec: { unschedulable } })));
}
