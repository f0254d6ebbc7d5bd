import { IConstruct } from 'constructs';
import { check } from './errors';
import { parseQuantity, requireQuantity } from './quantity';

/**
 * CPU and memory for the main container. Requests are required: the scheduler cannot place a
 * workload whose size it does not know, and BestEffort pods are evicted first.
 */
export interface MlResourceProps {
  /** CPU request, e.g. `500m`. */
  readonly cpu: string;
  /** Memory request, e.g. `1Gi`. */
  readonly memory: string;
  /**
   * CPU limit. Off by default for serving: a CPU limit throttles latency-sensitive servers
   * even when the node has idle CPU; the request already reserves what placement needs.
   * @default - no CPU limit
   */
  readonly cpuLimit?: string;
  /**
   * Memory limit; must be ≥ the request. Leave headroom for the model-load peak.
   * @default - equal to the memory request
   */
  readonly memoryLimit?: string;
  /**
   * Node disk the container writes outside its volumes (logs, anything not on a volume). The pod's
   * disk-backed `emptyDir` volumes (`/tmp`, a downloaded model) are added to it: the container's
   * `ephemeral-storage` request and limit are this plus their `sizeLimit`s.
   * @default '256Mi'
   */
  readonly ephemeralStorage?: string;
}

/**
 * The name {@link MlResourceProps} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `ResourceProps`
 * (the metadata of any of its resources).
 * @deprecated Import `MlResourceProps` instead; this alias is removed in 0.4.0.
 */
export type ResourceProps = MlResourceProps;

/** The Kubernetes `resources` block of one container. */
export interface ContainerResources {
  readonly requests: Record<string, string>;
  readonly limits: Record<string, string>;
}

/** Numeric per-pod totals, for quota and capacity checks. */
export interface ResourceTotals {
  readonly cpu: number;
  readonly memory: number;
  readonly extended: Record<string, number>;
}

/** Ephemeral storage a container writes outside its volumes unless it says otherwise. */
export const DEFAULT_CONTAINER_EPHEMERAL_STORAGE = '256Mi';

/**
 * Validates `props` (under the name `field`) and returns the container's resources block.
 * `volumeBytes` is the disk the pod's `emptyDir` volumes may fill, charged to this container's
 * `ephemeral-storage` so the scheduler and the kubelet account for it.
 */
export function containerResources(
  scope: IConstruct,
  field: string,
  props: MlResourceProps | undefined,
  extendedLimits: Record<string, string> = {},
  volumeBytes = 0,
): ContainerResources {
  check(props !== undefined && props.cpu !== undefined && props.memory !== undefined, scope, {
    field,
    value: props,
    problem: 'must set cpu and memory requests',
    fix: "set e.g. { cpu: '500m', memory: '1Gi' } from measured usage",
  });
  const p = props!;
  const cpu = requireQuantity(scope, `${field}.cpu`, p.cpu, '500m');
  const memory = requireQuantity(scope, `${field}.memory`, p.memory, '1Gi');
  check(cpu > 0, scope, {
    field: `${field}.cpu`,
    value: p.cpu,
    problem: 'is zero',
    fix: `set ${field}.cpu from measured usage, e.g. '500m'`,
  });
  check(memory > 0, scope, {
    field: `${field}.memory`,
    value: p.memory,
    problem: 'is zero',
    fix: `set ${field}.memory from measured usage, e.g. '1Gi'`,
  });
  const memoryLimit = p.memoryLimit ?? p.memory;
  check(requireQuantity(scope, `${field}.memoryLimit`, memoryLimit, '2Gi') >= memory, scope, {
    field: `${field}.memoryLimit`,
    value: memoryLimit,
    problem: `is below ${field}.memory (${p.memory})`,
    fix: `set memoryLimit >= memory`,
  });
  if (p.cpuLimit !== undefined) {
    check(requireQuantity(scope, `${field}.cpuLimit`, p.cpuLimit, '1') >= cpu, scope, {
      field: `${field}.cpuLimit`,
      value: p.cpuLimit,
      problem: `is below ${field}.cpu (${p.cpu})`,
      fix: 'set cpuLimit >= cpu, or leave it unset',
    });
  }
  const own = requireQuantity(scope, `${field}.ephemeralStorage`, p.ephemeralStorage ?? DEFAULT_CONTAINER_EPHEMERAL_STORAGE, '1Gi');
  const storage = `${Math.ceil((own + volumeBytes) / 2 ** 20)}Mi`;
  return {
    requests: { cpu: p.cpu, memory: p.memory, 'ephemeral-storage': storage },
    limits: {
      ...(p.cpuLimit ? { cpu: p.cpuLimit } : {}),
      memory: memoryLimit,
      'ephemeral-storage': storage,
      ...extendedLimits,
    },
  };
}

/** The container's effective requests (extended resources count their limit, which is their request). */
export function resourceTotals(resources: ContainerResources): ResourceTotals {
  const extended: Record<string, number> = {};
  for (const [k, v] of Object.entries(resources.limits)) {
    if (k.includes('/')) extended[k] = Number(v);
  }
  return {
    cpu: parseQuantity(resources.requests.cpu) ?? 0,
    memory: parseQuantity(resources.requests.memory) ?? 0,
    extended,
  };
}
