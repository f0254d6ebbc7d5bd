import { WorkloadCapacity, podKindsOf } from '../core/capacity';
import { formatAmount, parseQuantity } from '../core/quantity';

/** One workload's worst case, as counted against a quota. */
export interface QuotaUsage {
  /** Construct path of the workload. */
  readonly workload: string;
  /** What the workload claims from the namespace at worst. */
  readonly capacity: WorkloadCapacity;
}

/**
 * The worst-case amount of each quota key: per workload, per kind of pod, its maxPods × its per-pod amount. A
 * missing CPU limit counts as the LimitRange default (which admission fills in).
 */
export function worstCase(key: string, usage: QuotaUsage[], defaultCpuLimit?: string): { total: number; parts: string[] } {
  let total = 0;
  const parts: string[] = [];
  for (const { capacity: c } of usage) {
    if (key === 'pods' || key === 'persistentvolumeclaims' || key === 'requests.storage') {
      const amount = key === 'pods' ? c.maxPods : key === 'persistentvolumeclaims' ? c.claims.count : c.claims.storage;
      if (amount === 0) continue;
      total += amount;
      parts.push(
        key === 'pods' ? `${c.name} ${c.maxPods}` : `${c.name} ${c.maxPods} × ${formatAmount(key, amount / Math.max(c.maxPods, 1))}`,
      );
      continue;
    }
    const [which, resource] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
    const kinds = podKindsOf(c);
    for (const k of kinds) {
      const amounts = which === 'limits' ? k.perPod.limits : k.perPod.requests;
      const perPod =
        amounts[resource] ?? (which === 'limits' && resource === 'cpu' && defaultCpuLimit ? (parseQuantity(defaultCpuLimit) ?? 0) : 0);
      const amount = perPod * k.maxPods;
      if (amount === 0) continue;
      total += amount;
      parts.push(`${c.name}${kinds.length > 1 ? ` ${k.role}` : ''} ${k.maxPods} × ${formatAmount(key, perPod)}`);
    }
  }
  return { total, parts };
}

/** What the quota cannot hold, one message per quota key, saying by how much. */
export function quotaShortfalls(hard: Record<string, string>, usage: QuotaUsage[], defaults: { cpuLimit?: string }): string[] {
  const errors: string[] = [];
  for (const [key, limit] of Object.entries(hard)) {
    const max = parseQuantity(limit) ?? 0;
    const { total, parts } = worstCase(key, usage, defaults.cpuLimit);
    if (total > max * (1 + 1e-9)) {
      errors.push(
        `quota ${key} (${limit}) is below the worst case of its workloads (${formatAmount(key, total)} = ${parts.join(' + ')}), short by ${formatAmount(key, total - max)}; raise the quota or lower maxReplicas / parallelism of those workloads`,
      );
    }
  }
  return errors;
}

/** Accelerators (extended resources) the workloads request that the quota does not list: their use would be unlimited. */
export function unlistedAccelerators(hard: Record<string, string>, usage: QuotaUsage[]): string[] {
  const used = new Map<string, string[]>();
  for (const { capacity: c } of usage) {
    for (const [resource, amount] of Object.entries(c.perPod.requests)) {
      if (!resource.includes('/') || amount <= 0 || hard[`requests.${resource}`] !== undefined) continue;
      used.set(resource, [...(used.get(resource) ?? []), c.name]);
    }
  }
  const listed = Object.keys(hard)
    .filter((k) => k.startsWith('requests.') && k.includes('/'))
    .map((k) => `${k.slice('requests.'.length)}: ${hard[k]}`)
    .join(', ');
  return [...used].map(
    ([resource, names]) =>
      `quota.accelerators ({ ${listed} }) does not list ${resource}, which ${names.join(', ')} request${names.length > 1 ? '' : 's'}: its use in the namespace would be unlimited; add quota.accelerators['${resource}'] with the worst case`,
  );
}
