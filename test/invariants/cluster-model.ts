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
