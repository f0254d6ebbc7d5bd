import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { DEFAULT_POOL_NODE_COUNT, allocatable, ineligibility, poolNodes, schedulerRequests, shortfall } from './node-pools';
import { NodePool } from './platform-conventions';
import { Platform } from './platform';
import { formatAmount } from './quantity';
import { RenderedObject, workloadFloors } from './workload-floors';

/** What the workload floors take from one pool, and what is left. */
export interface PoolUsage {
  /** Pool name. */
  readonly pool: string;
  /** Nodes the pool declares (`count`). */
  readonly nodes: number;
  /** Allocatable of all nodes together, per resource (cores, bytes, devices, pods). */
  readonly total: Record<string, number>;
  /** Requested by the floor pods placed on the pool, per resource. */
  readonly used: Record<string, number>;
  /** Floor pods placed on the pool. */
  readonly pods: number;
  /** Nodes without any floor pod. */
  readonly emptyNodes: number;
  /**
   * Whether any one node of the pool can be drained: its pods, and the other pods of the groups they restart
   * (LeaderWorkerSet), fit the other nodes, with the floors packed and with them spread as the default scheduler
   * places them.
   */
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
  /** The floor it belongs to (its object and pod template): the pods of one floor are alike. */
  readonly floor: string;
  readonly namespace: string;
  readonly requests: Record<string, number>;
  readonly pools: string[];
  /** The group that restarts as a whole when one of its pods goes (a LeaderWorkerSet group). */
  readonly group?: string;
}
interface Node {
  readonly name: string;
  readonly pool: string;
  readonly allocatable: Record<string, number>;
  readonly free: Record<string, number>;
  readonly pods: Pod[];
}

/**
 * Where pods go: `packed`, on the first node with room (the check that the floors fit at all); `spread`, on the node
 * with room the default scheduler scores highest (NodeResourcesFit LeastAllocated: the most CPU and memory left, as a
 * share of the node's allocatable), which puts replicas on empty nodes first.
 */
type Placement = 'packed' | 'spread';

const fits = (node: Node, pod: Pod) =>
  pod.pools.includes(node.pool) &&
  Object.entries(pod.requests).every(([k, v]) => v <= 0 || (node.free[k] ?? (k === 'ephemeral-storage' ? Infinity : 0)) >= v);

/** The default scheduler's LeastAllocated score of `node` for `pod` (CPU and memory, equal weights). */
function leastAllocated(node: Node, pod: Pod): number {
  const left = (k: string) => (node.allocatable[k] ? (node.free[k] - (pod.requests[k] ?? 0)) / node.allocatable[k] : 0);
  return (left('cpu') + left('memory')) / 2;
}

/**
 * Places `pod` on a node with room (never on `skip`; from the node at index `from` on) as `placement` chooses.
 * Returns the node's index, or -1 when none has room.
 */
function place(nodes: Node[], pod: Pod, placement: Placement, skip?: Node, from = 0): number {
  let chosen = -1;
  for (let i = from; i < nodes.length; i++) {
    const node = nodes[i];
    if (node === skip || !fits(node, pod)) continue;
    if (placement === 'packed') {
      chosen = i;
      break;
    }
    if (chosen < 0 || leastAllocated(node, pod) > leastAllocated(nodes[chosen], pod)) chosen = i;
  }
  if (chosen < 0) return -1;
  const node = nodes[chosen];
  for (const [k, v] of Object.entries(pod.requests)) if (node.free[k] !== undefined) node.free[k] -= v;
  node.pods.push(pod);
  return chosen;
}

/** Takes `pod` off `node`, giving its requests back. */
function unplace(node: Node, pod: Pod): void {
  node.pods.splice(node.pods.indexOf(pod), 1);
  for (const [k, v] of Object.entries(pod.requests)) if (node.free[k] !== undefined) node.free[k] += v;
}

/** The most constrained pods first: fewest eligible pools, then most accelerators, CPU, memory. */
function byConstraint(a: Pod, b: Pod): number {
  const size = (p: Pod) => {
    const devices = Object.entries(p.requests)
      .filter(([k]) => k.includes('/'))
      .reduce((n, [, v]) => n + v, 0);
    return [p.pools.length, -devices, -(p.requests.cpu ?? 0), -(p.requests.memory ?? 0)];
  };
  const x = size(a);
  const y = size(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The declared nodes, empty. */
function emptyNodes(pools: readonly NodePool[]): Node[] {
  const byPool = new Map(pools.map((p) => [p.name, p]));
  return poolNodes(pools).map((n) => {
    const per = allocatable(byPool.get(n.pool)!);
    return { name: n.name, pool: n.pool, allocatable: per, free: { ...per }, pods: [] };
  });
}

/**
 * The group a LeaderWorkerSet's `i`-th pod of template `template` belongs to: its groups restart as a whole
 * (restartPolicy RecreateGroupOnPodRestart, the default) unless restartPolicy is `None`.
 */
function lwsGroup(o: RenderedObject | undefined, template: string | undefined, i: number): number | undefined {
  const t = o?.spec?.leaderWorkerTemplate;
  if (!t || t.restartPolicy === 'None') return undefined;
  const size: number = t.size ?? 1;
  if (!t.leaderTemplate) return Math.floor(i / size);
  return template === 'leader' ? i : Math.floor(i / Math.max(1, size - 1));
}

/** Floor pods beyond what their pools can hold at all (one of `maxPods` each), counted, not listed. */
type Overflow = Map<string, UnplacedPods & { pods: number }>;

/**
 * The floor pods of `objects` that some pool can take, each with its requests, eligible pools and group; a floor
 * larger than its pools' pod slots is listed up to one pod beyond them, the rest counted in `overflow`.
 */
function floorPods(objects: readonly RenderedObject[], pools: readonly NodePool[]): { pods: Pod[]; overflow: Overflow } {
  const pods: Pod[] = [];
  const overflow: Overflow = new Map();
  for (const f of workloadFloors(objects)) {
    const requests = { ...schedulerRequests(f.spec), pods: 1 };
    const eligible = pools.filter((p) => ineligibility(p, f.spec) === undefined && Object.keys(shortfall(p, requests)).length === 0);
    if (eligible.length === 0) continue;
    const names = eligible.map((p) => p.name);
    const slots = eligible.reduce((n, p) => n + (p.count ?? DEFAULT_POOL_NODE_COUNT) * allocatable(p).pods, 0);
    const listed = Math.min(f.pods, slots + 1);
    if (listed < f.pods) {
      const key = `${f.namespace}/${f.object}`;
      const entry = overflow.get(key) ?? { object: f.object, namespace: f.namespace, pods: 0, requests, pools: names };
      overflow.set(key, { ...entry, pods: entry.pods + f.pods - listed });
    }
    const o = f.object.startsWith('LeaderWorkerSet/')
      ? objects.find((x) => `${x.kind}/${x.metadata.name}` === f.object && (x.metadata.namespace ?? 'default') === f.namespace)
      : undefined;
    for (let i = 0; i < listed; i++) {
      const g = lwsGroup(o, f.template, i);
      pods.push({
        object: f.object,
        floor: `${f.namespace}/${f.object}#${f.template ?? ''}`,
        namespace: f.namespace,
        requests,
        pools: names,
        ...(g !== undefined ? { group: `${f.namespace}/${f.object}#${g}` } : {}),
      });
    }
  }
  return { pods: pods.sort(byConstraint), overflow };
}

/**
 * Packs the floor pods of `objects` (the pods their controllers keep when nothing scales them up) onto the nodes of
 * `pools` the way a scheduler could: the most constrained pods first (fewest eligible pools, then most accelerators,
 * CPU, memory), each on the first node of a pool it may use with room for its requests and one more pod. Pods that
 * fit no pool's single node at all are left to the per-workload check.
 */
export function clusterFit(objects: readonly RenderedObject[], pools: readonly NodePool[]): ClusterFit {
  const { pods, overflow } = floorPods(objects, pools);
  const packed = emptyNodes(pools);
  const unplaced: Overflow = new Map(overflow);
  // The pods of one floor are alike and the nodes only fill up: each starts where the one before it went (a pod of
  // another template of the same object, a JobSet's rendezvous store after its workers, starts from the first node).
  let cursor = 0;
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i];
    const at = place(packed, pod, 'packed', undefined, i > 0 && pods[i - 1].floor === pod.floor ? cursor : 0);
    if (at >= 0) {
      cursor = at;
      continue;
    }
    cursor = packed.length;
    const key = `${pod.namespace}/${pod.object}`;
    const entry = unplaced.get(key) ?? { object: pod.object, namespace: pod.namespace, pods: 0, requests: pod.requests, pools: pod.pools };
    unplaced.set(key, { ...entry, pods: entry.pods + 1 });
  }
  // Spread as the default scheduler places them; when the floors do not fit at all (synth fails), no pool can drain.
  const spread = emptyNodes(pools);
  const spreadPlaced = unplaced.size === 0 ? pods.map((pod) => place(spread, pod, 'spread') >= 0) : undefined;
  const usage = pools.map((pool) => {
    const mine = packed.filter((n) => n.pool === pool.name);
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
      drainable:
        spreadPlaced !== undefined &&
        pods.every((p, i) => spreadPlaced[i] || !p.pools.includes(pool.name)) &&
        everyNodeDrains(packed, pool.name, 'packed') &&
        everyNodeDrains(spread, pool.name, 'spread'),
    };
  });
  return { usage, unplaced: [...unplaced.values()] };
}

/**
 * Whether each node of `pool`, drained alone, leaves its pods a place on the other nodes (every node's free room as
 * placed): the pods on it and the rest of the groups they belong to (a LeaderWorkerSet group restarts whole, so
 * its other pods leave their nodes too), placed again as `placement` does. `nodes` is left as it was.
 */
function everyNodeDrains(nodes: Node[], pool: string, placement: Placement): boolean {
  const mine = nodes.filter((n) => n.pool === pool);
  if (mine.length === 0) return false;
  return mine.every((drained) => {
    if (drained.pods.length === 0) return true;
    const groups = new Set(drained.pods.flatMap((p) => (p.group ? [p.group] : [])));
    const moved: { pod: Pod; from: Node }[] = [];
    for (const n of nodes) {
      for (const pod of [...n.pods]) {
        if (n !== drained && !(pod.group && groups.has(pod.group))) continue;
        unplace(n, pod);
        moved.push({ pod, from: n });
      }
    }
    const placed: { pod: Pod; on: Node }[] = [];
    const ok = moved
      .map((m) => m.pod)
      .sort(byConstraint)
      .every((pod) => {
        const at = place(nodes, pod, placement, drained);
        if (at >= 0) placed.push({ pod, on: nodes[at] });
        return at >= 0;
      });
    for (const { pod, on } of placed) unplace(on, pod);
    for (const { pod, from } of moved) {
      for (const [k, v] of Object.entries(pod.requests)) if (from.free[k] !== undefined) from.free[k] -= v;
      from.pods.push(pod);
    }
    return ok;
  });
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
