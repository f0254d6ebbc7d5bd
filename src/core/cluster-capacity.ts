import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { DEFAULT_POOL_NODE_COUNT, NodePool, allocatable, ineligibility, poolNodes, schedulerRequests, shortfall } from './node-pools';
import { Platform } from './platform';
import { formatAmount } from './quantity';
import { RenderedObject, workloadFloors } from './workload-floors';

/** What the workload floors take from one pool, and what is left. */
export interface PoolUsage {
  readonly pool: string;
  readonly nodes: number;
  /** Allocatable of all nodes together, per resource (cores, bytes, devices, pods). */
  readonly total: Record<string, number>;
  /** Requested by the floor pods placed on the pool, per resource. */
  readonly used: Record<string, number>;
  /** Floor pods placed on the pool. */
  readonly pods: number;
  /** Nodes without any floor pod. */
  readonly emptyNodes: number;
  /** Whether the pods of the pool's fullest node fit elsewhere once that node is drained. */
  readonly drainable: boolean;
}

/** Floor pods that fit no node left, grouped by their object. */
export interface UnplacedPods {
  readonly object: string;
  readonly namespace: string;
  readonly pods: number;
  readonly requests: Record<string, number>;
  /** The pools these pods may use. */
  readonly pools: string[];
}

/** The result of packing every floor pod onto the declared nodes. */
export interface ClusterFit {
  readonly usage: PoolUsage[];
  readonly unplaced: UnplacedPods[];
}

interface Pod {
  readonly object: string;
  readonly namespace: string;
  readonly requests: Record<string, number>;
  readonly pools: string[];
}
interface Node {
  readonly name: string;
  readonly pool: string;
  readonly free: Record<string, number>;
  readonly pods: Pod[];
}

/** Places `pod` on the first node of its pools with room, or returns false. */
function place(nodes: Node[], pod: Pod, skip?: Node): boolean {
  for (const node of nodes) {
    if (node === skip || !pod.pools.includes(node.pool)) continue;
    if (!Object.entries(pod.requests).every(([k, v]) => v <= 0 || (node.free[k] ?? (k === 'ephemeral-storage' ? Infinity : 0)) >= v))
      continue;
    for (const [k, v] of Object.entries(pod.requests)) if (node.free[k] !== undefined) node.free[k] -= v;
    node.pods.push(pod);
    return true;
  }
  return false;
}

/**
 * Packs the floor pods of `objects` (the pods their controllers keep when nothing scales them up) onto the nodes of
 * `pools` the way a scheduler could: the most constrained pods first (fewest eligible pools, then most accelerators,
 * CPU, memory), each on the first node of a pool it may use with room for its requests and one more pod. Pods that
 * fit no pool's single node at all are left to the per-workload check.
 */
export function clusterFit(objects: readonly RenderedObject[], pools: readonly NodePool[]): ClusterFit {
  const pods: Pod[] = [];
  for (const f of workloadFloors(objects)) {
    const requests = { ...schedulerRequests(f.spec), pods: 1 };
    const eligible = pools
      .filter((p) => ineligibility(p, f.spec) === undefined && Object.keys(shortfall(p, requests)).length === 0)
      .map((p) => p.name);
    if (eligible.length === 0) continue;
    for (let i = 0; i < f.pods; i++) pods.push({ object: f.object, namespace: f.namespace, requests, pools: eligible });
  }
  const size = (p: Pod) => {
    const devices = Object.entries(p.requests)
      .filter(([k]) => k.includes('/'))
      .reduce((n, [, v]) => n + v, 0);
    return [p.pools.length, -devices, -(p.requests.cpu ?? 0), -(p.requests.memory ?? 0)];
  };
  pods.sort((a, b) => {
    const x = size(a);
    const y = size(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
  const byPool = new Map(pools.map((p) => [p.name, p]));
  const nodes: Node[] = poolNodes(pools).map((n) => ({
    name: n.name,
    pool: n.pool,
    free: { ...allocatable(byPool.get(n.pool)!) },
    pods: [],
  }));
  const unplaced = new Map<string, UnplacedPods & { pods: number }>();
  for (const pod of pods) {
    if (place(nodes, pod)) continue;
    const key = `${pod.namespace}/${pod.object}`;
    const entry = unplaced.get(key) ?? { object: pod.object, namespace: pod.namespace, pods: 0, requests: pod.requests, pools: pod.pools };
    unplaced.set(key, { ...entry, pods: entry.pods + 1 });
  }
  const usage = pools.map((pool) => {
    const mine = nodes.filter((n) => n.pool === pool.name);
    const per = allocatable(pool);
    const total = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, v * mine.length]));
    const used: Record<string, number> = {};
    for (const n of mine) for (const p of n.pods) for (const [k, v] of Object.entries(p.requests)) used[k] = (used[k] ?? 0) + v;
    return {
      pool: pool.name,
      nodes: mine.length,
      total,
      used,
      pods: mine.reduce((s, n) => s + n.pods.length, 0),
      emptyNodes: mine.filter((n) => n.pods.length === 0).length,
      drainable: drainable(nodes, mine),
    };
  });
  return { usage, unplaced: [...unplaced.values()] };
}

/** Whether the pods of the fullest node of `mine` fit on the other nodes (every node's free room as packed). */
function drainable(all: Node[], mine: Node[]): boolean {
  if (mine.length === 0) return false;
  const fullest = [...mine].sort((a, b) => b.pods.length - a.pods.length)[0];
  const copy = all.map((n) => ({ ...n, free: { ...n.free }, pods: [...n.pods] }));
  const skip = copy[all.indexOf(fullest)];
  return fullest.pods.every((p) => place(copy, p, skip));
}

/** The pools of `objects`' platform, grouped: objects below scopes that declare the same pools share a cluster. */
function clusters(root: IConstruct): Map<readonly NodePool[], RenderedObject[]> {
  const out = new Map<readonly NodePool[], RenderedObject[]>();
  const kinds = [
    'Deployment',
    'StatefulSet',
    'Job',
    'CronJob',
    'Pod',
    'JobSet',
    'LeaderWorkerSet',
    'ScaledJob',
    'HorizontalPodAutoscaler',
    'ScaledObject',
  ];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || !kinds.includes(c.kind)) continue;
    const pools = Platform.of(c).nodePools;
    if (pools.length === 0) continue;
    const list = out.get(pools) ?? [];
    list.push(c.toJson() as RenderedObject);
    out.set(pools, list);
  }
  return out;
}

/** The validation errors of the app below `root`: per declared set of pools, the floors that do not fit them. */
export function clusterCapacityErrors(root: IConstruct): string[] {
  const errors: string[] = [];
  for (const [pools, objects] of clusters(root)) {
    const { unplaced } = clusterFit(objects, pools);
    if (unplaced.length === 0) continue;
    const names = [...new Set(unplaced.flatMap((u) => u.pools))];
    const pods = unplaced
      .map((u) => {
        const req = Object.entries(u.requests)
          .filter(([k, v]) => k !== 'pods' && v > 0)
          .map(([k, v]) => `${formatAmount(k, v)} ${k}`)
          .join(', ');
        return `${u.namespace}/${u.object}: ${u.pods} pod(s) of ${req}`;
      })
      .join('; ');
    errors.push(
      `platform nodePools: the workload floors do not fit pool(s) ${names.join(', ')} (${names
        .map((n) => `${n}: ${pools.find((p) => p.name === n)?.count ?? DEFAULT_POOL_NODE_COUNT} nodes`)
        .join(', ')}); left without a node: ${pods}; raise those pools' count, or lower the floors (replicas, minReplicas, parallelism)`,
    );
  }
  return errors;
}

const registered = new WeakSet<IConstruct>();

/** Registers the app-wide capacity check once per app (every workload calls this). */
export function requireClusterCapacity(scope: IConstruct): void {
  const root = scope.node.root;
  if (registered.has(root)) return;
  registered.add(root);
  root.node.addValidation({ validate: () => clusterCapacityErrors(root) });
}

/** How the floors use each declared pool of the app `scope` belongs to (the first set of pools declared). */
export function poolUsage(scope: IConstruct): PoolUsage[] {
  const first = [...clusters(scope.node.root)][0];
  return first ? clusterFit(first[1], first[0]).usage : [];
}
