import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { podAmounts } from './capacity';
import { problemMessage } from './errors';
import { Platform } from './platform';
import type { NodePool, NodeTaint } from './platform-conventions';
import { formatAmount, parseQuantity } from './quantity';
import { renderedJson } from './rendered-json';

type Toleration = { key?: string; operator?: string; value?: string; effect?: string };
type Requirement = { key: string; operator: string; values?: string[] };
type PodSpecLike = {
  containers?: unknown[];
  initContainers?: unknown[];
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  overhead?: Record<string, string>;
  affinity?: {
    nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: Requirement[] }[] } };
  };
};

function tolerates(tolerations: Toleration[], taint: NodeTaint): boolean {
  if (taint.effect === 'PreferNoSchedule') return true;
  return tolerations.some(
    (t) =>
      (t.effect === undefined || t.effect === '' || t.effect === taint.effect) &&
      (t.operator === 'Exists'
        ? t.key === undefined || t.key === '' || t.key === taint.key
        : t.key === taint.key && (t.value ?? '') === (taint.value ?? '')),
  );
}

function matches(labels: Record<string, string>, r: Requirement): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn':
      return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(r.values?.[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(r.values?.[0]);
    default:
      return false;
  }
}

/** Why `pool` cannot take pods of `spec` at all (labels, taints, affinity), or undefined if it can. */
export function ineligibility(pool: NodePool, spec: PodSpecLike): string | undefined {
  const labels = pool.labels ?? {};
  const selector = Object.entries(spec.nodeSelector ?? {}).find(([k, v]) => labels[k] !== v);
  if (selector) return `nodeSelector ${selector[0]}=${selector[1]} does not match`;
  const taint = (pool.taints ?? []).find((t) => !tolerates(spec.tolerations ?? [], t));
  if (taint) return `taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect} is not tolerated`;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0 && !terms.some((t) => (t.matchExpressions ?? []).every((r) => matches(labels, r))))
    return 'required node affinity does not match';
  return undefined;
}

/** What one pod requests as the scheduler counts it: max(largest init container, sum of containers) + overhead. */
export function schedulerRequests(spec: PodSpecLike): Record<string, number> {
  const amounts = podAmounts((spec.containers ?? []) as never[], (spec.initContainers ?? []) as never[]).requests;
  const out = { ...amounts };
  for (const [k, v] of Object.entries(spec.overhead ?? {})) out[k] = (out[k] ?? 0) + (parseQuantity(v) ?? 0);
  return out;
}

/** The nodes of a pool when it declares no `count`. */
export const DEFAULT_POOL_NODE_COUNT = 3;
/** The zones of a pool when it declares none. */
export const DEFAULT_POOL_ZONES: readonly string[] = ['zone-a', 'zone-b', 'zone-c'];
/** Pods per node when a pool declares no `maxPods` (the kubelet's default). */
export const DEFAULT_MAX_PODS = 110;

/** What one node of `pool` gives pods, in base units (cores, bytes, devices, pods). */
export function allocatable(pool: NodePool): Record<string, number> {
  return {
    cpu: parseQuantity(pool.cpu) ?? 0,
    memory: parseQuantity(pool.memory) ?? 0,
    ...(pool.ephemeralStorage !== undefined ? { 'ephemeral-storage': parseQuantity(pool.ephemeralStorage) ?? 0 } : {}),
    ...pool.accelerators,
    pods: pool.maxPods ?? DEFAULT_MAX_PODS,
  };
}

/** One node of a declared pool, as the cluster shows it (labels include the zone). */
export interface PoolNode {
  /** Node name, `<pool>-<n>`. */
  readonly name: string;
  /** The pool it belongs to. */
  readonly pool: string;
  /** Its zone (`topology.kubernetes.io/zone`), from the pool's zones round-robin. */
  readonly zone: string;
  /** Node labels: the zone (`topology.kubernetes.io/zone`) and the pool's labels. */
  readonly labels: Record<string, string>;
  /** The pool's taints. */
  readonly taints: NodeTaint[];
  /** Allocatable per resource, as Kubernetes quantities (`cpu`, `memory`, `ephemeral-storage`, `pods`, devices). */
  readonly allocatable: Record<string, string>;
}

/**
 * The nodes the declared pools stand for: `count` nodes per pool named `<pool>-1` ... `<pool>-<count>`, spread
 * round-robin over its zones, each with the pool's labels, taints and allocatable. The cluster-level capacity
 * check packs workload floors onto exactly these nodes, and the cluster tests create them as fake nodes.
 */
export function poolNodes(pools: readonly NodePool[]): PoolNode[] {
  return pools.flatMap((pool) => {
    const zones = pool.zones && pool.zones.length > 0 ? pool.zones : DEFAULT_POOL_ZONES;
    const alloc: Record<string, string> = {
      cpu: pool.cpu,
      memory: pool.memory,
      ...(pool.ephemeralStorage !== undefined ? { 'ephemeral-storage': pool.ephemeralStorage } : {}),
      ...Object.fromEntries(Object.entries(pool.accelerators ?? {}).map(([k, v]) => [k, String(v)])),
      pods: String(pool.maxPods ?? DEFAULT_MAX_PODS),
    };
    return Array.from({ length: pool.count ?? DEFAULT_POOL_NODE_COUNT }, (_, i) => {
      const zone = zones[i % zones.length];
      return {
        name: `${pool.name}-${i + 1}`,
        pool: pool.name,
        zone,
        labels: { 'topology.kubernetes.io/zone': zone, ...pool.labels },
        taints: [...(pool.taints ?? [])],
        allocatable: alloc,
      };
    });
  });
}

/** Per resource, how much `requests` exceeds one node of `pool` (empty: it fits). */
export function shortfall(pool: NodePool, requests: Record<string, number>): Record<string, number> {
  const alloc = allocatable(pool);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(requests)) {
    if (v <= 0) continue;
    if (k === 'ephemeral-storage' && pool.ephemeralStorage === undefined) continue;
    const have = alloc[k] ?? 0;
    if (v > have) out[k] = v - have;
  }
  return out;
}

/** The pod specs in one API object's JSON: built-in workloads and the CRDs we emit (JobSet, LeaderWorkerSet, ScaledJob). */
function podSpecsIn(kind: string, json: { spec?: any }): PodSpecLike[] {
  const spec = json.spec;
  switch (kind) {
    case 'Pod':
      return spec ? [spec] : [];
    case 'CronJob':
      return [spec?.jobTemplate?.spec?.template?.spec].filter(Boolean);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return [spec?.template?.spec].filter(Boolean);
    case 'JobSet':
      return (spec?.replicatedJobs ?? []).map((r: any) => r.template?.spec?.template?.spec).filter(Boolean);
    case 'LeaderWorkerSet': {
      const t = spec?.leaderWorkerTemplate;
      return [t?.leaderTemplate?.spec, t?.workerTemplate?.spec].filter(Boolean);
    }
    case 'ScaledJob':
      return [spec?.jobTargetRef?.template?.spec].filter(Boolean);
    default:
      return [];
  }
}

/** One pod template as rendered: the object (`Kind/name`), the pod spec, the API object and its JSON. */
export interface RenderedPodSpec {
  readonly object: string;
  readonly spec: PodSpecLike;
  readonly source: ApiObject;
  readonly json: any;
}

const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'JobSet', 'LeaderWorkerSet', 'ScaledJob']);

/** Pod templates of the API objects below `scope` (built-in workloads, JobSets, LeaderWorkerSets, ScaledJobs), as rendered. */
export function podSpecsOf(scope: IConstruct): RenderedPodSpec[] {
  const out: RenderedPodSpec[] = [];
  for (const c of scope.node.findAll()) {
    if (!(c instanceof ApiObject) || !POD_KINDS.has(c.kind)) continue;
    const json = renderedJson(c);
    for (const spec of podSpecsIn(c.kind, json as { spec?: any }))
      out.push({ object: `${c.kind}/${c.metadata.name}`, spec, source: c, json });
  }
  return out;
}

/** The pools pods of `spec` can be scheduled on and fit (by name). */
export function fittingPools(pools: NodePool[], spec: PodSpecLike): string[] {
  const requests = schedulerRequests(spec);
  return pools.filter((p) => ineligibility(p, spec) === undefined && Object.keys(shortfall(p, requests)).length === 0).map((p) => p.name);
}

/**
 * Validation errors for the pods of `workload` that fit no node pool of the platform: the message names
 * the largest eligible pool and the shortfall per resource, or why every pool is ineligible.
 */
export function nodePoolErrors(workload: IConstruct): string[] {
  const pools = Platform.of(workload).nodePools;
  if (pools.length === 0) return [];
  const errors: string[] = [];
  for (const { object, spec } of podSpecsOf(workload)) {
    const requests = schedulerRequests(spec);
    const eligible = pools.filter((p) => ineligibility(p, spec) === undefined);
    if (eligible.length === 0) {
      errors.push(
        problemMessage(workload, {
          field: `${object} placement`,
          value: { nodeSelector: spec.nodeSelector ?? {}, tolerations: (spec.tolerations ?? []).map((t) => t.key ?? '*') },
          problem: `fits no node pool: ${pools.map((p) => `${p.name} (${ineligibility(p, spec)})`).join(', ')}`,
          fix: "give the pods what a pool needs (tolerations, accelerator.product or accelerator.nodeSelector), or add a pool they can use to the platform's nodePools",
        }),
      );
      continue;
    }
    if (eligible.some((p) => Object.keys(shortfall(p, requests)).length === 0)) continue;
    const size = (p: NodePool) => {
      const a = allocatable(p);
      return (a.cpu ?? 0) * 2 ** 32 + (a.memory ?? 0);
    };
    const largest = [...eligible].sort((a, b) => size(b) - size(a))[0];
    const short = shortfall(largest, requests);
    errors.push(
      problemMessage(workload, {
        field: `${object} requests`,
        value: Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, formatAmount(k, v)])),
        problem: `fit no node of any eligible pool: the largest, ${largest.name}, is short by ${Object.entries(short)
          .map(([k, v]) => `${formatAmount(k, v)} ${k}`)
          .join(', ')}`,
        fix: `lower the requests below one ${largest.name} node's allocatable, or declare a larger pool`,
      }),
    );
  }
  return errors;
}
