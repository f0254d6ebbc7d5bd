import { IConstruct } from 'constructs';
import { isCapacityClaimant } from '../core/capacity';
import { workloadsOf } from '../core/names';
import { fittingPools, podSpecsOf } from '../core/node-pools';
import { Platform } from '../core/platform';
import { formatAmount } from '../core/quantity';

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
  /** The platform's node pools the workload's pods can land on (all its pod templates fit), when pools are declared. */
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
      const accelerators = Object.fromEntries(
        Object.entries(c.perPod.requests)
          .filter(([k]) => k.includes('/'))
          .map(([k, v]) => [k, v * c.maxPods]),
      );
      return {
        workload: c.name,
        namespace: c.namespace,
        kind: c.kind,
        maxPods: c.maxPods,
        cpu: (c.perPod.requests.cpu ?? 0) * c.maxPods,
        memory: (c.perPod.requests.memory ?? 0) * c.maxPods,
        ephemeralStorage: (c.perPod.requests['ephemeral-storage'] ?? 0) * c.maxPods,
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
  return { pools: pools.map((p) => p.name).filter((name) => specs.every(({ spec }) => fittingPools(pools, spec).includes(name))) };
}

/** The report as a Markdown table. */
export function formatCapacityReport(rows: CapacityRow[]): string {
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
  return `${lines.join('\n')}\n`;
}
