import { IConstruct } from 'constructs';
import { check } from './errors';
import type { NodePool } from './platform-conventions';
import type { PlatformConventions } from './platform-conventions';
import { requireQuantity } from './quantity';
import { MAX_INT32, isDns1123Label, isExtendedResourceName, isLabelValue, isQualifiedName } from './validation/strings';

/**
 * Throws unless the platform settings that reach rendered objects as names, label keys and values, taints and
 * uids are ones the API server accepts (checked where they are set, so the error names the setting).
 */
export function requirePlatformSettings(scope: IConstruct, props: PlatformConventions): void {
  for (const field of ['acceleratorNodeLabel', 'acceleratorProductLabel'] as const) {
    const key = props[field];
    check(key === undefined || isQualifiedName(key), scope, {
      field: `platform ${field}`,
      value: key,
      problem: 'is not a valid node label key',
      fix: "use '[prefix/]name', e.g. 'nvidia.com/gpu.present'",
    });
  }
  const taint = props.acceleratorTaint;
  check(taint === undefined || isQualifiedName(taint.key), scope, {
    field: 'platform acceleratorTaint.key',
    value: taint?.key,
    problem: 'is not a valid taint key',
    fix: "use '[prefix/]name' like a label key, e.g. 'nvidia.com/gpu'",
  });
  check(taint?.value === undefined || isLabelValue(taint.value), scope, {
    field: 'platform acceleratorTaint.value',
    value: taint?.value,
    problem: 'is not a valid taint value',
    fix: "use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
  });
  for (const field of ['runAsUser', 'runAsGroup'] as const) {
    const id = props.modelFetcher?.[field];
    check(id === undefined || (Number.isInteger(id) && id >= 1 && id <= MAX_INT32), scope, {
      field: `platform modelFetcher.${field}`,
      value: id,
      problem: `is not a non-root numeric id (1 to ${MAX_INT32})`,
      fix: 'use the numeric id the fetcher image runs as, e.g. 65532',
    });
  }
  if (props.nodePools !== undefined) requireNodePools(scope, props.nodePools);
}

/** The most nodes one pool may declare (Kubernetes' tested scale is 5,000 nodes per cluster). */
export const MAX_POOL_NODES = 5000;

/**
 * Throws unless every pool declaration describes nodes a cluster can have: names that make valid node names,
 * node labels and taints the API server accepts, quantities, device counts and node counts that are whole numbers.
 */
export function requireNodePools(scope: IConstruct, pools: readonly NodePool[]): void {
  const seen = new Set<string>();
  pools.forEach((pool, i) => {
    const at = `platform nodePools[${i}]`;
    check(typeof pool.name === 'string' && isDns1123Label(pool.name) && pool.name.length <= 57, scope, {
      field: `${at}.name`,
      value: pool.name,
      problem: 'is not a DNS-1123 label of at most 57 characters (its nodes are named <name>-<n>)',
      fix: "use lowercase letters, digits and '-', e.g. 'gpu-h100'",
    });
    check(!seen.has(pool.name), scope, {
      field: `${at}.name`,
      value: pool.name,
      problem: 'is declared twice',
      fix: 'give each pool its own name',
    });
    seen.add(pool.name);
    const whole = (field: string, value: number | undefined, min: number, max: number) =>
      check(value === undefined || (Number.isInteger(value) && value >= min && value <= max), scope, {
        field: `${at}.${field}`,
        value,
        problem: `is not a whole number from ${min} to ${max}`,
        fix: `declare a whole number from ${min} to ${max}`,
      });
    whole('count', pool.count, 0, MAX_POOL_NODES);
    whole('maxPods', pool.maxPods, 1, 100000);
    requireQuantity(scope, `${at}.cpu`, pool.cpu, '15890m');
    requireQuantity(scope, `${at}.memory`, pool.memory, '58Gi');
    if (pool.ephemeralStorage !== undefined) requireQuantity(scope, `${at}.ephemeralStorage`, pool.ephemeralStorage, '90Gi');
    for (const [resource, n] of Object.entries(pool.accelerators ?? {})) {
      check(isExtendedResourceName(resource), scope, {
        field: `${at}.accelerators key`,
        value: resource,
        problem: 'is not an extended resource name',
        fix: "use the device plugin's resource name, e.g. 'nvidia.com/gpu'",
      });
      whole(`accelerators['${resource}']`, n, 0, 100000);
    }
    const labels = { ...pool.labels, ...Object.fromEntries((pool.zones ?? []).map((z, j) => [`zones[${j}]`, z])) };
    for (const [key, value] of Object.entries(labels)) {
      const zone = key.startsWith('zones[');
      check(zone || isQualifiedName(key), scope, {
        field: `${at}.labels key`,
        value: key,
        problem: 'is not a valid label key',
        fix: "use '[prefix/]name': prefix a DNS subdomain, name at most 63 alphanumerics, '-', '_' or '.'",
      });
      check(typeof value === 'string' && isLabelValue(value) && (!zone || value !== ''), scope, {
        field: zone ? `${at}.${key}` : `${at}.labels['${key}']`,
        value,
        problem: 'is not a valid label value',
        fix: "use at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
      });
    }
    (pool.taints ?? []).forEach((t, j) => {
      check(isQualifiedName(t.key), scope, {
        field: `${at}.taints[${j}].key`,
        value: t.key,
        problem: 'is not a valid taint key',
        fix: "use '[prefix/]name' like a label key, e.g. 'nvidia.com/gpu'",
      });
      check(t.value === undefined || isLabelValue(t.value), scope, {
        field: `${at}.taints[${j}].value`,
        value: t.value,
        problem: 'is not a valid taint value',
        fix: "use at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
      });
      check(['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect), scope, {
        field: `${at}.taints[${j}].effect`,
        value: t.effect,
        problem: 'is not a taint effect',
        fix: "use 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'",
      });
    });
  });
}
