import { Manifest } from '../helpers';

/**
 * A small model of how a cluster reads synthesized objects: where pod templates sit in any controller
 * (Deployment, Job, CronJob, KEDA ScaledJob, JobSet, LeaderWorkerSet, ...), how label selectors match,
 * and what a NetworkPolicy admits. The invariant suite judges output with it, not with the constructs' code.
 */

/** A pod template found in a synthesized object. */
export interface PodTemplateRef {
  /** `Kind/name` of the object holding it, and the JSON path inside. */
  readonly where: string;
  /** Name of the object holding it. */
  readonly owner: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly spec: any;
}

/** Labels a controller adds to the pods it creates from a template (LeaderWorkerSet marks its leaders with worker index 0). */
function controllerLabels(owner: Manifest, path: string): Record<string, string> {
  if (owner.kind === 'LeaderWorkerSet' && path.endsWith('.leaderTemplate')) return { 'leaderworkerset.sigs.k8s.io/worker-index': '0' };
  return {};
}

/** Every pod template in `objects`: any `{ metadata, spec: { containers: [...] } }` nested in a controller. */
export function podTemplates(objects: Manifest[]): PodTemplateRef[] {
  const found: PodTemplateRef[] = [];
  const walk = (node: any, path: string, owner: Manifest) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`, owner));
    if (node === null || typeof node !== 'object') return;
    if (node !== owner && Array.isArray(node.spec?.containers)) {
      found.push({
        where: `${owner.kind}/${owner.metadata.name} ${path}`,
        owner: owner.metadata.name,
        namespace: owner.metadata.namespace ?? 'default',
        labels: { ...node.metadata?.labels, ...controllerLabels(owner, path) },
        spec: node.spec,
      });
      return;
    }
    for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`, owner);
  };
  for (const o of objects) if (o.kind !== 'Pod') walk(o, '', o);
  return found;
}

/** A Kubernetes label selector (`matchLabels` and `matchExpressions`). */
export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** True when `selector` selects an object with `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In':
        return e.values!.includes(labels[e.key]);
      case 'NotIn':
        return !(e.key in labels) || !e.values!.includes(labels[e.key]);
      case 'Exists':
        return e.key in labels;
      case 'DoesNotExist':
        return !(e.key in labels);
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

/** One end of a connection: a pod (namespace, its labels and the namespace's labels) or an address. */
export type Endpoint =
  | { readonly namespace: string; readonly namespaceLabels?: Record<string, string>; readonly podLabels: Record<string, string> }
  | { readonly cidr: string };

function ipv4(a: string): number {
  return a.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** True when the CIDR `inner` lies within `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const [ia, ib] = inner.split('/');
  const [oa, ob] = outer.split('/');
  if (Number(ib) < Number(ob)) return false;
  const size = 2 ** (32 - Number(ob));
  return Math.floor(ipv4(ia) / size) === Math.floor(ipv4(oa) / size);
}

/** True when a NetworkPolicy peer (`from`/`to` entry) of a policy in `policyNamespace` matches `e`. */
export function peerMatches(peer: any, policyNamespace: string, e: Endpoint): boolean {
  if (peer.ipBlock)
    return 'cidr' in e && cidrWithin(e.cidr, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x: string) => cidrWithin(e.cidr, x));
  if ('cidr' in e) return false;
  const nsLabels = { ...e.namespaceLabels, 'kubernetes.io/metadata.name': e.namespace };
  const inNamespace = peer.namespaceSelector ? selects(peer.namespaceSelector, nsLabels) : e.namespace === policyNamespace;
  return inNamespace && (peer.podSelector === undefined || selects(peer.podSelector, e.podLabels));
}

function portAllowed(ports: any[] | undefined, port: number | undefined, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  if (port === undefined) return false; // "every port" asked, but the rule lists some
  return ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === protocol &&
      (p.port === undefined || p.port === port || (p.endPort !== undefined && port >= p.port && port <= p.endPort)),
  );
}

/** The NetworkPolicies of `objects` that select a pod with `labels` in `namespace`, for a direction. */
export function policiesFor(
  objects: Manifest[],
  namespace: string,
  labels: Record<string, string>,
  direction: 'Ingress' | 'Egress',
): Manifest[] {
  return objects.filter(
    (o) =>
      o.kind === 'NetworkPolicy' &&
      (o.metadata.namespace ?? 'default') === namespace &&
      selects(o.spec.podSelector, labels) &&
      (o.spec.policyTypes ?? ['Ingress']).includes(direction),
  );
}

/** True when some policy selecting the pod lets it connect to `to` on `port` (undefined: every port). */
export function egressAllowed(objects: Manifest[], pod: PodTemplateRef, to: Endpoint, port: number | undefined, protocol = 'TCP'): boolean {
  return policiesFor(objects, pod.namespace, pod.labels, 'Egress').some((np) =>
    (np.spec.egress ?? []).some(
      (rule: any) =>
        (rule.to === undefined || rule.to.length === 0 || rule.to.some((peer: any) => peerMatches(peer, pod.namespace, to))) &&
        portAllowed(rule.ports, port, protocol),
    ),
  );
}

/** True when some policy selecting the pod admits `from` on `port` (undefined: every port). */
export function ingressAllowed(
  objects: Manifest[],
  pod: PodTemplateRef,
  from: Endpoint,
  port: number | undefined,
  protocol = 'TCP',
): boolean {
  return policiesFor(objects, pod.namespace, pod.labels, 'Ingress').some((np) =>
    (np.spec.ingress ?? []).some(
      (rule: any) =>
        (rule.from === undefined || rule.from.length === 0 || rule.from.some((peer: any) => peerMatches(peer, pod.namespace, from))) &&
        portAllowed(rule.ports, port, protocol),
    ),
  );
}

/** The container port number a named (or numbered) port of the pod resolves to. */
export function containerPort(pod: PodTemplateRef, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    const p = (c.ports ?? []).find((x: any) => x.name === port);
    if (p) return p.containerPort;
  }
  return undefined;
}

/**
 * A Deployment's `maxSurge`/`maxUnavailable` or a budget's bound (a count, or a percentage of `total`) as the
 * controllers resolve it (k8s.io/apimachinery intstr.GetScaledValueFromIntOrPercent).
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const share = (Number(v.replace(/%$/, '')) * total) / 100;
  return roundUp ? Math.ceil(share) : Math.floor(share);
}

/** What the rollout and the disruption controllers leave of a Deployment's ready pods. */
export interface ReadyFloors {
  /** Ready pods through a rollout of a new template; undefined when the rollout can never complete. */
  readonly rollout?: number;
  /** Ready pods through a drain of any node (the Eviction API with the budgets that select the pods). */
  readonly drain: number;
  /** A budget never lets a Ready pod go: a drain of its node never completes. */
  readonly drainBlocked: boolean;
  /** Why the floors are what they are, for the message. */
  readonly why: string[];
}

/**
 * The ready floors of Deployment `d` whose pods can be Ready `readyAtMost` at a time (its replicas, or 1 for pods of
 * which only an elected leader is Ready). The Deployment controller stops an old pod only while more than
 * `replicas - maxUnavailable` are available (`Recreate` stops all first); the Eviction API evicts only while the
 * budget's healthy pods exceed its desired ones (k8s.io/kubernetes pkg/controller/deployment/rolling.go,
 * pkg/controller/disruption/disruption.go).
 */
export function readyFloors(objects: Manifest[], d: Manifest, readyAtMost: number): ReadyFloors {
  const replicas = d.spec.replicas ?? 1;
  const ready = Math.min(replicas, readyAtMost);
  const why: string[] = [];
  let rollout: number | undefined;
  if (d.spec.strategy?.type === 'Recreate') {
    rollout = 0;
    why.push('a rollout (Recreate) stops every pod before a new one starts');
  } else {
    const u = d.spec.strategy?.rollingUpdate ?? {};
    const minAvailable = replicas - scaledValue(u.maxUnavailable, replicas, false, '25%');
    if (minAvailable >= 1 && ready <= minAvailable && ready < replicas) {
      rollout = undefined;
      why.push(
        `a rollout waits for ${minAvailable + 1} available pods to stop an old one, but at most ${ready} can be Ready: it never completes`,
      );
    } else {
      rollout = Math.min(ready, minAvailable);
      if (rollout < 1) why.push(`a rollout may stop every pod (maxUnavailable ${u.maxUnavailable ?? '25%'} of ${replicas})`);
    }
  }
  const namespace = d.metadata.namespace ?? 'default';
  const labels = d.spec.template.metadata?.labels ?? {};
  const budgets = objects.filter(
    (o) => o.kind === 'PodDisruptionBudget' && (o.metadata.namespace ?? 'default') === namespace && selects(o.spec.selector, labels),
  );
  let drain = 0;
  let drainBlocked = false;
  if (budgets.length === 0) why.push('a node drain may evict every pod (no PodDisruptionBudget selects them)');
  for (const b of budgets) {
    const desired =
      b.spec.minAvailable !== undefined
        ? scaledValue(b.spec.minAvailable, replicas, true, '0')
        : replicas - scaledValue(b.spec.maxUnavailable, replicas, true, '0');
    if (ready - desired < 1) {
      drainBlocked = true;
      why.push(
        `PodDisruptionBudget/${b.metadata.name} wants ${desired} healthy of at most ${ready} Ready: it never lets a drain evict a Ready pod`,
      );
    } else if (desired < 1) why.push(`PodDisruptionBudget/${b.metadata.name} lets a drain evict every pod`);
    drain = Math.max(drain, Math.min(desired, ready));
  }
  return { rollout, drain, drainBlocked, why };
}
