import { ApiError, KubeClient, KubeObject, sleep } from './client';
import { FAKE_NODE_LABEL } from './cluster';
import { isReady } from './judge';
import { STAND_INS, reconcileLeaderWorkerSet } from './stand-ins';

STAND_INS.push({
  name: 'kubelet',
  source:
    'the kubelet contract: status through the pods/status subresource (Running, Ready, pod IP); a deleted pod is removed once its containers stop',
  does: "marks every pod bound to a fake node Running and Ready once what it refers to exists (claims bound, Secrets and ConfigMaps with the keys it reads, pull secrets), as a kubelet starts it; completes every deletion at once (the containers exit on SIGTERM); pods whose references are missing stay not ready and are reported. It starts a pod within 200 ms, where a kubelet reports Ready no sooner than the first startup-probe tick (its periodSeconds, 10 s here, after the pod reaches the node: pkg/kubelet/prober/worker.go); so while a test sends a burst of evictions it starts no new pod, else a replacement would be Ready within the Eviction API's 500 ms conflict retry and refill the budget mid-burst",
});

/** What a pod refers to that must exist before a kubelet can start it, as `Kind/name[#key]`. */
function references(pod: KubeObject): string[] {
  const out: string[] = [];
  const spec = pod.spec;
  for (const v of spec.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(`PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`);
    if (v.secret && !v.secret.optional) out.push(`Secret/${v.secret.secretName}`);
    if (v.configMap && !v.configMap.optional) out.push(`ConfigMap/${v.configMap.name}`);
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef;
      if (s && !s.optional) out.push(`Secret/${s.name}#${s.key}`);
      const m = e.valueFrom?.configMapKeyRef;
      if (m && !m.optional) out.push(`ConfigMap/${m.name}#${m.key}`);
    }
    for (const f of c.envFrom ?? []) {
      if (f.secretRef && !f.secretRef.optional) out.push(`Secret/${f.secretRef.name}`);
      if (f.configMapRef && !f.configMapRef.optional) out.push(`ConfigMap/${f.configMapRef.name}`);
    }
  }
  for (const s of spec.imagePullSecrets ?? []) out.push(`Secret/${s.name}`);
  return out;
}

/**
 * The stand-in kubelet (and the LeaderWorkerSet stand-in's reconcile loop) for the fake nodes: started, it polls the
 * pods of `namespaces` and plays what the kubelets of those nodes would do, until stopped.
 */
export class StandInKubelet {
  private running = false;
  private holding = false;
  private loop?: Promise<void>;
  /** Pods marked ready, deletions completed, groups recreated, and pods that cannot start (with the reason). */
  public readonly counts = { started: 0, deleted: 0, groupsRecreated: 0 };
  public readonly blocked = new Map<string, string>();
  /** Called after every pass with the live pods (for invariants sampled during rollouts and drains). */
  public onPass?: (pods: KubeObject[]) => void;

  constructor(
    private readonly k: KubeClient,
    private readonly namespaces: readonly string[],
  ) {}

  public start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.pass();
        } catch (e) {
          if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
        }
        await sleep(200);
      }
    })();
  }

  public async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Runs `fn` while starting no new pod (deletions still complete): what a kubelet does in the seconds before a new
   * pod's first probe, longer than a burst of evictions takes.
   */
  public async holdingStarts<T>(fn: () => Promise<T>): Promise<T> {
    this.holding = true;
    try {
      return await fn();
    } finally {
      this.holding = false;
    }
  }

  /** The live pods of the namespaces (no action). */
  public async pods(): Promise<KubeObject[]> {
    return (await Promise.all(this.namespaces.map((ns) => this.k.list('v1', 'Pod', ns)))).flat();
  }

  /** One pass: complete deletions, start what can start, recreate lost LeaderWorkerSet groups. */
  public async pass(): Promise<KubeObject[]> {
    const k = this.k;
    const fake = new Set((await k.list('v1', 'Node', undefined, `${FAKE_NODE_LABEL}=true`)).map((n) => n.metadata.name));
    const lists = await Promise.all(
      this.namespaces.flatMap((ns) => [
        k.list('v1', 'Pod', ns),
        k.list('v1', 'Secret', ns),
        k.list('v1', 'ConfigMap', ns),
        k.list('v1', 'PersistentVolumeClaim', ns),
        k.list('leaderworkerset.x-k8s.io/v1', 'LeaderWorkerSet', ns),
      ]),
    );
    const group = (i: number) => lists.filter((_, j) => j % 5 === i).flat();
    const pods = group(0);
    const existing = new Set<string>();
    for (const s of group(1)) {
      existing.add(`${s.metadata.namespace}/Secret/${s.metadata.name}`);
      for (const key of Object.keys({ ...s.data, ...s.stringData }))
        existing.add(`${s.metadata.namespace}/Secret/${s.metadata.name}#${key}`);
    }
    for (const c of group(2)) {
      existing.add(`${c.metadata.namespace}/ConfigMap/${c.metadata.name}`);
      for (const key of Object.keys({ ...c.data })) existing.add(`${c.metadata.namespace}/ConfigMap/${c.metadata.name}#${key}`);
    }
    for (const p of group(3))
      if (p.status?.phase === 'Bound') existing.add(`${p.metadata.namespace}/PersistentVolumeClaim/${p.metadata.name}`);
    await Promise.all(
      pods.map(async (pod) => {
        if (!fake.has(pod.spec.nodeName)) return;
        if (pod.metadata.deletionTimestamp) {
          await k.delete(pod, 0);
          this.counts.deleted++;
          return;
        }
        if (isReady(pod) || ['Succeeded', 'Failed'].includes(pod.status?.phase)) return;
        const missing = references(pod).filter((r) => !existing.has(`${pod.metadata.namespace}/${r}`));
        const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
        if (missing.length) {
          this.blocked.set(id, `waits for ${missing.join(', ')}`);
          return;
        }
        this.blocked.delete(id);
        if (this.holding) return;
        await k.patch(pod, runningStatus(pod), 'status');
        this.counts.started++;
      }),
    );
    for (const lws of group(4)) this.counts.groupsRecreated += await reconcileLeaderWorkerSet(k, lws, pods);
    this.onPass?.(pods);
    return pods;
  }
}

let ip = 0;

/** The status a kubelet reports for a started pod whose probes pass. */
function runningStatus(pod: KubeObject): object {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const podIP = `10.244.${(ip >> 8) & 255}.${ip++ & 255}`;
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  const container = (c: any) => ({
    name: c.name,
    ready: true,
    started: true,
    restartCount: 0,
    image: c.image,
    imageID: '',
    state: { running: { startedAt: now } },
  });
  return {
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition),
      containerStatuses: pod.spec.containers.map(container),
      initContainerStatuses: (pod.spec.initContainers ?? []).map((c: any) => ({
        name: c.name,
        ready: true,
        restartCount: 0,
        image: c.image,
        imageID: '',
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
      })),
    },
  };
}
