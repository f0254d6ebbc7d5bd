import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { requireClusterCapacity } from './cluster-capacity';
import { checkRenderedPods, ensureGate, recordProps } from './gate';
import { WorkloadLabels, requireDnsLabel } from './names';
import { nodePoolErrors } from './node-pools';

import { Platform, markPlatformApplied } from './platform';

/*
 * Workload identity: each workload claims its name in its namespace across the app (so two cannot both
 * write `deploy/<name>`), gets its labels, and puts the app-wide checks over what it renders in place.
 */

const registry = new WeakMap<IConstruct, Map<string, IConstruct>>();
const claimed = new WeakMap<IConstruct, ClaimedWorkload>();
const derivedNames = new WeakMap<IConstruct, Map<string, IConstruct>>();

/** The namespace and name a workload construct claimed. */
export interface ClaimedWorkload {
  readonly namespace: string;
  readonly name: string;
}

/** The namespace a workload's objects land in: the given one, else its chart's, else the platform's default. */
export function namespaceOf(scope: IConstruct, namespace?: string): string {
  const platform = Platform.of(scope);
  const resolved = namespace ?? Chart.of(scope).namespace ?? platform.defaultNamespace ?? 'default';
  Platform.requireOverridable(scope, 'defaultNamespace', 'namespace', resolved, platform.defaultNamespace);
  requireDnsLabel(scope, 'namespace', resolved);
  return resolved;
}

/**
 * Claims `name` for one workload in `namespace` across the whole app, so two workloads cannot
 * both write `deploy/<name>`.
 */
export function claimWorkloadName(scope: IConstruct, namespace: string, name: string): void {
  const root = scope.node.root;
  const names = registry.get(root) ?? new Map<string, IConstruct>();
  registry.set(root, names);
  const key = `${namespace}/${name}`;
  const owner = names.get(key);
  if (owner !== undefined) {
    invalidProp(scope, {
      field: 'name',
      value: name,
      problem: `is already used in namespace '${namespace}' by '${owner.node.path}'`,
      fix: 'give each workload in a namespace its own name',
    });
  }
  const deriver = derivedNames.get(root)?.get(key);
  if (deriver !== undefined) {
    invalidProp(scope, {
      field: 'name',
      value: name,
      problem: `collides in namespace '${namespace}' with the objects '${deriver.node.path}' derives from its own name`,
      fix: `rename one of the two workloads ('${scope.node.path}' or '${deriver.node.path}')`,
    });
  }
  names.set(key, scope);
  claimed.set(scope, { namespace, name });
  markPlatformApplied(scope);
  // Node shapes: every pod of the workload must fit a node pool it can be scheduled on (checked at synth).
  scope.node.addValidation({ validate: () => nodePoolErrors(scope) });
  // Cluster size: the floors of all workloads must fit the declared pools together (checked once per app).
  requireClusterCapacity(scope);
  // Every pod it renders, hatch edits included: owned values, images, requests, Pod Security.
  checkRenderedPods(scope);
}

/**
 * Claims the name of an object a workload derives from its own (e.g. `<name>-canary`) in `namespace`,
 * so it cannot collide with another workload's name or derived name. The error names both owners.
 */
export function claimDerivedName(scope: IConstruct, namespace: string, name: string, from: string): void {
  const root = scope.node.root;
  const names = registry.get(root) ?? new Map<string, IConstruct>();
  registry.set(root, names);
  const derived = derivedNames.get(root) ?? new Map<string, IConstruct>();
  derivedNames.set(root, derived);
  const key = `${namespace}/${name}`;
  const owner = names.get(key) ?? derived.get(key);
  if (owner !== undefined && owner !== scope) {
    invalidProp(scope, {
      field: from,
      value: name,
      problem: `derives objects named '${name}' in namespace '${namespace}', which '${owner.node.path}' already uses`,
      fix: `rename one of the two workloads ('${scope.node.path}' or '${owner.node.path}')`,
    });
  }
  derived.set(key, scope);
}

/** The workload `scope` belongs to: the nearest enclosing construct (or itself) that claimed a workload name. */
export function workloadOf(scope: IConstruct): ClaimedWorkload | undefined {
  for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
    const w = claimed.get(s);
    if (w) return w;
  }
  return undefined;
}

/** The workload constructs of the app `scope` belongs to, in `namespace` (or all), in creation order. */
export function workloadsOf(scope: IConstruct, namespace?: string): IConstruct[] {
  const names = registry.get(scope.node.root) ?? new Map<string, IConstruct>();
  return [...names.entries()].filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`)).map(([, c]) => c);
}

/** Who a workload is: its validated name and namespace (claimed in the app), labels and object metadata. */
export interface WorkloadIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly labels: WorkloadLabels;
  /** Metadata for every object of the workload. */
  readonly meta: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
}

/** Validates and claims a workload's name (default: `id`) in its namespace, and builds its labels. */
export function workloadIdentity(
  owner: IConstruct,
  id: string,
  props: { readonly name?: string; readonly namespace?: string; readonly partOf?: string; readonly labels?: Record<string, string> },
  component: string,
  version?: string,
): WorkloadIdentity {
  ensureGate(owner);
  recordProps(owner, props);
  const name = props.name ?? id;
  requireDnsLabel(owner, 'name', name);
  const namespace = namespaceOf(owner, props.namespace);
  claimWorkloadName(owner, namespace, name);
  const labels = new WorkloadLabels(owner, { name, component, partOf: props.partOf, version, labels: props.labels });
  return { name, namespace, labels, meta: { name, namespace, labels: labels.common } };
}
