import { ApiObject, JsonPatch } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { isCapacityClaimant } from '../core/capacity';
import { check } from '../core/errors';
import { ensureGate, recordProps, recordRenderedPath, registerNamespace } from '../core/gate';
import { requireDnsLabel, requireLabels } from '../core/names';
import { workloadsOf } from '../core/workload-identity';
import { workloadNetworkPolicy } from '../core/network';
import { Platform, markPlatformApplied } from '../core/platform';
import { requireQuantity } from '../core/quantity';
import { PlatformPriorityClasses, PriorityClassSpec } from './priority-classes';
import { QuotaUsage, quotaShortfalls, unlistedAccelerators } from './quota-check';
import { isExtendedResourceName } from '../core/validation/strings';

/** The namespace's ResourceQuota. Only what is set is enforced. */
export interface NamespaceQuotaProps {
  /** Total CPU the namespace's pods may request (`requests.cpu`, e.g. `32`). @default - not limited */
  readonly requestsCpu?: string;
  /** Total memory the namespace's pods may request (`requests.memory`, e.g. `128Gi`). @default - not limited */
  readonly requestsMemory?: string;
  /**
   * Setting this makes every pod declare a CPU limit (the LimitRange default fills it in).
   * @default - not limited
   */
  readonly limitsCpu?: string;
  /**
   * Total of the pods' memory limits (`limits.memory`); every pod then declares one (the LimitRange default fills it
   * in).
   * @default - not limited
   */
  readonly limitsMemory?: string;
  /**
   * Accelerators by resource name, e.g. `{ 'nvidia.com/gpu': 8 }` → `requests.nvidia.com/gpu: 8`. An accelerator a
   * workload of the namespace requests must be listed (else its use would be unlimited).
   * @default { 'nvidia.com/gpu': 0 } (no GPU: a quota that omits them would leave them unlimited)
   */
  readonly accelerators?: Record<string, number>;
  /** Most pods at once, running or pending. @default - not limited */
  readonly pods?: number;
  /** Most PersistentVolumeClaims (model caches and checkpoints each take one). @default - not limited */
  readonly persistentVolumeClaims?: number;
  /** Total storage requested by claims. @default - not limited */
  readonly requestsStorage?: string;
  /**
   * Node disk (`requests.ephemeral-storage`): every container requests its `/tmp`, logs and downloaded model.
   * @default - not limited
   */
  readonly requestsEphemeralStorage?: string;
}

/** Defaults the LimitRange gives containers that declare nothing. */
export interface ContainerDefaultsProps {
  /** CPU request of a container that declares none. @default '100m' */
  readonly cpuRequest?: string;
  /** Memory request of a container that declares none. @default '128Mi' */
  readonly memoryRequest?: string;
  /** Memory limit of a container that declares none; at least `memoryRequest`. @default '512Mi' */
  readonly memoryLimit?: string;
  /**
   * CPU limit of a container that declares none.
   * @default - none (CPU limits throttle servers; required only when the quota limits CPU)
   */
  readonly cpuLimit?: string;
}

/** Props of {@link MlNamespace}. */
export interface MlNamespaceProps {
  /** Name of the Namespace; its ResourceQuota and LimitRange are named the same. @default - the construct id */
  readonly name?: string;
  /**
   * What Pod Security Admission enforces; audit and warn are always `restricted`. `privileged` lets any pod
   * of the namespace run as root on the host's namespaces and devices: it needs `privilegedReason`.
   * @default 'restricted'
   */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
  /**
   * Why the namespace enforces no Pod Security at all (e.g. "GPU operator: driver and toolkit DaemonSets"); written
   * to the Namespace as the annotation `cdk8s-ml.io/privileged-reason` so reviewers and auditors see it.
   * @default - none (podSecurity 'privileged' is then an error)
   */
  readonly privilegedReason?: string;
  /** The quota; workloads in the namespace are checked against it at synth. */
  readonly quota: NamespaceQuotaProps;
  /**
   * Requests and limits the LimitRange gives containers that declare none.
   * @default - 100m / 128Mi requests, 512Mi memory limit
   */
  readonly containerDefaults?: ContainerDefaultsProps;
  /** A default-deny NetworkPolicy (DNS allowed) for every pod. @default true */
  readonly defaultDenyNetwork?: boolean;
  /** Also emit the platform's cluster-wide PriorityClasses. @default false */
  readonly priorityClasses?: boolean | PriorityClassSpec[];
  /** Labels of the Namespace and its objects, added to the platform's. @default - the platform's labels */
  readonly labels?: Record<string, string>;
}

/**
 * A namespace with guardrails: Pod Security labels, a ResourceQuota (accelerators included), a
 * LimitRange, default-deny networking, and a synth-time check that the worst case of the workloads
 * placed in it fits the quota.
 */
export class MlNamespace extends Construct {
  /** The namespace's name. */
  public readonly name: string;
  /**
   * The Namespace (cdk8s-plus), with the Pod Security labels. Escape hatch (README "Extending a construct"): changes
   * through its cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly namespace: plus.Namespace;
  /**
   * The ResourceQuota (generated `k8s` class); the quota check at synth reads the props, not this object. Escape hatch
   * (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly resourceQuota: k8s.KubeResourceQuota;
  /**
   * The LimitRange giving containers their default requests and limits (generated `k8s` class). Escape hatch (README
   * "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly limitRange: k8s.KubeLimitRange;
  /**
   * The default-deny NetworkPolicy (DNS allowed) for every pod of the namespace; undefined with `defaultDenyNetwork:
   * false`. Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /** The cluster-wide PriorityClasses, when `priorityClasses` asks for them. */
  public readonly priorityClasses?: PlatformPriorityClasses;
  private readonly hard: Record<string, string>;
  private readonly defaults: Required<Omit<ContainerDefaultsProps, 'cpuLimit'>> & { cpuLimit?: string };

  /** Creates the Namespace and its guardrails; the quota check of the workloads placed in it runs at synth. */
  constructor(scope: Construct, id: string, props: MlNamespaceProps) {
    super(scope, id);
    ensureGate(this);
    recordProps(this, props);
    this.name = props.name ?? id;
    requireDnsLabel(this, 'name', this.name);
    const labels = { ...Platform.of(this).labels, ...props.labels, 'app.kubernetes.io/managed-by': 'cdk8s-ml' };
    markPlatformApplied(this);
    requireLabels(this, 'labels', labels);
    const level = props.podSecurity ?? 'restricted';
    check(['restricted', 'baseline', 'privileged'].includes(level), this, {
      field: 'podSecurity',
      value: level,
      problem: 'is not a Pod Security level',
      fix: "use 'restricted' (the default), 'baseline' or 'privileged'",
    });
    const reason = props.privilegedReason?.trim();
    check(level !== 'privileged' || (reason !== undefined && reason.length > 0), this, {
      field: 'podSecurity',
      value: level,
      problem: 'turns Pod Security off for the namespace: any pod in it may run privileged, as root, with host namespaces and devices',
      fix: "keep 'restricted' (every cdk8s-ml workload runs restricted), or state why with privilegedReason: '...' (it is written on the Namespace)",
    });
    check(reason === undefined || level === 'privileged', this, {
      field: 'privilegedReason',
      value: props.privilegedReason,
      problem: `is set but podSecurity is '${level}'`,
      fix: "remove privilegedReason, or set podSecurity: 'privileged'",
    });
    this.namespace = new plus.Namespace(this, 'Namespace', {
      metadata: {
        name: this.name,
        ...(reason ? { annotations: { 'cdk8s-ml.io/privileged-reason': reason } } : {}),
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
      },
    });
    ApiObject.of(this.namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    registerNamespace(this, ApiObject.of(this.namespace));
    const meta = { name: this.name, namespace: this.name, labels };

    this.hard = this.quotaHard(props.quota);
    this.resourceQuota = new k8s.KubeResourceQuota(this, 'ResourceQuota', {
      metadata: meta,
      spec: { hard: Object.fromEntries(Object.entries(this.hard).map(([k, v]) => [k, k8s.Quantity.fromString(v)])) },
    });

    const d = props.containerDefaults ?? {};
    this.defaults = {
      cpuRequest: d.cpuRequest ?? '100m',
      memoryRequest: d.memoryRequest ?? '128Mi',
      memoryLimit: d.memoryLimit ?? '512Mi',
      cpuLimit: d.cpuLimit,
    };
    for (const [field, v] of Object.entries(this.defaults))
      if (v !== undefined) requireQuantity(this, `containerDefaults.${field}`, v, field.startsWith('cpu') ? '100m' : '128Mi');
    check(
      requireQuantity(this, 'containerDefaults.memoryLimit', this.defaults.memoryLimit, '512Mi') >=
        requireQuantity(this, 'containerDefaults.memoryRequest', this.defaults.memoryRequest, '128Mi'),
      this,
      {
        field: 'containerDefaults.memoryLimit',
        value: this.defaults.memoryLimit,
        problem: `is below containerDefaults.memoryRequest (${this.defaults.memoryRequest})`,
        fix: 'set memoryLimit >= memoryRequest',
      },
    );
    check(this.hard['limits.cpu'] === undefined || this.defaults.cpuLimit !== undefined, this, {
      field: 'containerDefaults.cpuLimit',
      value: undefined,
      problem: 'is unset while quota.limitsCpu is set, so every pod without a CPU limit would be rejected',
      fix: 'set containerDefaults.cpuLimit, or drop quota.limitsCpu',
    });
    const q = (v: string) => k8s.Quantity.fromString(v);
    this.limitRange = new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata: meta,
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: q(this.defaults.cpuRequest), memory: q(this.defaults.memoryRequest) },
            default: { memory: q(this.defaults.memoryLimit), ...(this.defaults.cpuLimit ? { cpu: q(this.defaults.cpuLimit) } : {}) },
          },
        ],
      },
    });
    // A container requesting more than a default limit is the gate's LimitRange rule's: it names these settings.
    recordRenderedPath(this.limitRange, 'spec.limits[0].default.cpu', this, 'containerDefaults.cpuLimit', true);
    recordRenderedPath(this.limitRange, 'spec.limits[0].default.memory', this, 'containerDefaults.memoryLimit', true);

    if (props.defaultDenyNetwork !== false) {
      this.networkPolicy = workloadNetworkPolicy(this, 'default-deny', this.name, labels, {}, { ingress: [], egress: [] });
    }
    if (props.priorityClasses) {
      this.priorityClasses = new PlatformPriorityClasses(
        this,
        'PriorityClasses',
        props.priorityClasses === true ? undefined : props.priorityClasses,
      );
      for (const pc of this.priorityClasses.priorityClasses) ApiObject.of(pc).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    this.node.addValidation({ validate: () => this.quotaErrors() });
  }

  /** The worst-case use of the quota by the workloads placed in this namespace. */
  public usage(): QuotaUsage[] {
    return workloadsOf(this, this.name)
      .filter(isCapacityClaimant)
      .map((w) => ({ workload: w.node.path, capacity: w.capacity() }));
  }

  private quotaErrors(): string[] {
    const usage = this.usage();
    return [...quotaShortfalls(this.hard, usage, this.defaults), ...unlistedAccelerators(this.hard, usage)].map(
      (s) => `MlNamespace '${this.node.path}': ${s}`,
    );
  }

  private quotaHard(quota: NamespaceQuotaProps): Record<string, string> {
    const hard: Record<string, string> = {};
    const quantity = (key: string, field: string, v: string | undefined, example: string) => {
      if (v === undefined) return;
      requireQuantity(this, `quota.${field}`, v, example);
      hard[key] = v;
    };
    const count = (key: string, field: string, v: number | undefined) => {
      if (v === undefined) return;
      check(Number.isInteger(v) && v >= 0, this, {
        field: `quota.${field}`,
        value: v,
        problem: 'is not a whole number',
        fix: 'use 0 or more',
      });
      hard[key] = String(v);
    };
    quantity('requests.cpu', 'requestsCpu', quota.requestsCpu, '40');
    quantity('requests.memory', 'requestsMemory', quota.requestsMemory, '160Gi');
    quantity('limits.cpu', 'limitsCpu', quota.limitsCpu, '80');
    quantity('limits.memory', 'limitsMemory', quota.limitsMemory, '320Gi');
    for (const [resource, n] of Object.entries(quota.accelerators ?? { 'nvidia.com/gpu': 0 })) {
      check(isExtendedResourceName(resource), this, {
        field: 'quota.accelerators key',
        value: resource,
        problem: 'is not an extended resource name',
        fix: "use the device plugin's resource name, e.g. 'nvidia.com/gpu'",
      });
      count(`requests.${resource}`, `accelerators['${resource}']`, n);
    }
    count('pods', 'pods', quota.pods);
    count('persistentvolumeclaims', 'persistentVolumeClaims', quota.persistentVolumeClaims);
    quantity('requests.storage', 'requestsStorage', quota.requestsStorage, '1Ti');
    quantity('requests.ephemeral-storage', 'requestsEphemeralStorage', quota.requestsEphemeralStorage, '500Gi');
    check(Object.keys(quota).some((k) => k !== 'accelerators') || quota.accelerators !== undefined, this, {
      field: 'quota',
      value: quota,
      problem: 'limits nothing',
      fix: 'set at least requestsCpu, requestsMemory and the accelerators the namespace may use',
    });
    return hard;
  }
}
