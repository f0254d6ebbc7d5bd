import { IConstruct } from 'constructs';
import { isCapacityClaimant, podKindsOf } from '../core/capacity';
import { workloadsOf } from '../core/workload-identity';
import { PoolUsage } from '../core/cluster-capacity';
import { fittingPools, podSpecsOf } from '../core/node-pools';
import { Platform } from '../core/platform';
import { formatAmount } from '../core/quantity';
import { Prerequisite, formatPrerequisites } from './prerequisites';

/** The most one workload can claim at once. */
export interface CapacityRow {
  /** The workload's name. */
  readonly workload: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Its kind: `serving`, `batch`, `training` or `queue`. */
  readonly kind: string;
  /** Pods that can exist at once (e.g. maxReplicas plus the rollout surge). */
  readonly maxPods: number;
  /** CPU cores requested at worst. */
  readonly cpu: number;
  /** Memory bytes requested at worst. */
  readonly memory: number;
  /** Node-disk bytes (`ephemeral-storage`: `/tmp`, logs, downloaded models) requested at worst. */
  readonly ephemeralStorage: number;
  /** Accelerators by resource name at worst (maxPods × per-pod count). */
  readonly accelerators: Record<string, number>;
  /** The platform's node pools the workload's pods can land on (each pool one of its pod templates fits), when pools are declared. */
  readonly pools?: string[];
  /** Parked on purpose (`replicas: 0`): no pods until it is run again. */
  readonly parked?: boolean;
}

/** Worst-case claims of every workload in the app `scope` belongs to, sorted by namespace and name. */
export function capacityReport(scope: IConstruct): CapacityRow[] {
  return workloadsOf(scope)
    .filter(isCapacityClaimant)
    .map((w) => {
      const c = w.capacity();
      // Every kind of pod it renders, each as many times as it can exist at once.
      const total: Record<string, number> = {};
      for (const k of podKindsOf(c))
        for (const [resource, v] of Object.entries(k.perPod.requests)) total[resource] = (total[resource] ?? 0) + v * k.maxPods;
      const accelerators = Object.fromEntries(Object.entries(total).filter(([k]) => k.includes('/')));
      return {
        workload: c.name,
        namespace: c.namespace,
        kind: c.kind,
        maxPods: c.maxPods,
        cpu: total.cpu ?? 0,
        memory: total.memory ?? 0,
        ephemeralStorage: total['ephemeral-storage'] ?? 0,
        accelerators,
        ...(c.parked ? { parked: true } : {}),
        ...poolsOf(w),
      };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.workload.localeCompare(b.workload));
}

function poolsOf(workload: IConstruct): { pools?: string[] } {
  const pools = Platform.of(workload).nodePools;
  if (pools.length === 0) return {};
  const specs = podSpecsOf(workload);
  if (specs.length === 0) return { pools: [] };
  // Each kind of pod lands on its own pools (a training run's workers on GPU nodes, its rendezvous store on CPU nodes).
  const fitting = new Set(specs.flatMap(({ spec }) => fittingPools(pools, spec)));
  return { pools: pools.map((p) => p.name).filter((name) => fitting.has(name)) };
}

/** What CAPACITY.md shows beside the per-workload table. */
export interface CapacityReportExtras {
  /** How the floors use each declared pool ({@link poolUsage}). @default - no pool section */
  readonly pools?: PoolUsage[];
  /** Objects the pods use that the app does not create ({@link prerequisites}). @default - no prerequisites section */
  readonly prerequisites?: Prerequisite[];
}

/** The pool section: nodes, what the floors use, headroom and whether one node can be drained. */
function formatPoolUsage(pools: PoolUsage[]): string {
  const cell = (u: PoolUsage, k: string) => `${formatAmount(k, u.used[k] ?? 0)} / ${formatAmount(k, u.total[k] ?? 0)}`;
  const free = (u: PoolUsage, k: string) => formatAmount(k, (u.total[k] ?? 0) - (u.used[k] ?? 0));
  const devices = (u: PoolUsage) =>
    Object.keys(u.total)
      .filter((k) => k.includes('/'))
      .map((k) => `${cell(u, k)} ${k}`)
      .join(', ') || '-';
  const freeDevices = (u: PoolUsage) =>
    Object.keys(u.total)
      .filter((k) => k.includes('/'))
      .map((k) => `${free(u, k)} ${k}`)
      .join(', ');
  return [
    '## Node pools: what the workload floors take (replicas, minReplicas, parallelism, groups), and the headroom',
    '',
    'Floors are packed onto the declared nodes (the most constrained pods first); a floor that does not fit fails synth.',
    'One node can drain: whichever node of the pool is drained, its pods, and the LeaderWorkerSet groups they restart,',
    'fit the other nodes, with the floors packed and with them spread as the default scheduler places them (least allocated).',
    '',
    '| pool | nodes | floor pods | CPU used / total | memory used / total | accelerators used / total | pods used / total | headroom | empty nodes | one node can drain |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | --- |',
    ...pools.map(
      (u) =>
        `| ${u.pool} | ${u.nodes} | ${u.pods} | ${cell(u, 'cpu')} | ${cell(u, 'memory')} | ${devices(u)} | ${cell(u, 'pods')} | ${[
          `${free(u, 'cpu')} CPU`,
          `${free(u, 'memory')} memory`,
          freeDevices(u),
        ]
          .filter(Boolean)
          .join(
            ', ',
          )} | ${u.emptyNodes} | ${u.drainable ? 'yes' : 'no: draining one of its nodes leaves pods without a node (add a node)'} |`,
    ),
    '',
  ].join('\n');
}

/** The report as Markdown: the per-workload table, then the pool section and the prerequisites when given. */
export function formatCapacityReport(rows: CapacityRow[], extras: CapacityReportExtras = {}): string {
  const withPools = rows.some((r) => r.pools !== undefined);
  const lines = [
    '# Capacity: the most each workload can claim at once',
    '',
    `| namespace | workload | kind | max pods | CPU requests | memory requests | disk requests | accelerators |${withPools ? ' node pools |' : ''}`,
    `| --- | --- | --- | ---: | ---: | ---: | ---: | --- |${withPools ? ' --- |' : ''}`,
    ...rows.map(
      (r) =>
        `| ${r.namespace} | ${r.workload} | ${r.kind} | ${r.parked ? '0 (parked: replicas 0)' : r.maxPods} | ${formatAmount('cpu', r.cpu)} | ${formatAmount('memory', r.memory)} | ${formatAmount('ephemeral-storage', r.ephemeralStorage)} | ${
          Object.entries(r.accelerators)
            .map(([k, v]) => `${v} × ${k}`)
            .join(', ') || '-'
        } |${withPools ? ` ${r.pools?.join(', ') || '-'} |` : ''}`,
    ),
  ];
  const sections = [`${lines.join('\n')}\n`];
  if (extras.pools && extras.pools.length > 0) sections.push(formatPoolUsage(extras.pools));
  if (extras.prerequisites) sections.push(formatPrerequisites(extras.prerequisites));
  return sections.join('\n');
}
