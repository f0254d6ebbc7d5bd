import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { check } from './errors';

/** Who may talk to a workload, or whom it may call. Fields combine (namespace AND pod labels). */
export interface NetworkPeer {
  /** Pods in this namespace (by name). @default - the workload's own namespace */
  readonly namespace?: string;
  /** Pods in namespaces with these labels. @default - none */
  readonly namespaceLabels?: Record<string, string>;
  /** Pods with these labels. @default - any pod of the selected namespaces */
  readonly podLabels?: Record<string, string>;
  /** An IP range (e.g. an object store or a managed queue); excludes the other fields. @default - none */
  readonly cidr?: string;
}

/** A destination the workload may call. */
export interface EgressRule {
  readonly to: NetworkPeer;
  /** TCP ports. @default - all ports */
  readonly ports?: number[];
}

/** The traffic a workload's NetworkPolicy allows; everything else is denied. */
export interface TrafficProps {
  /** Ingress: which peers may reach which ports (all ports when none are given). */
  readonly ingress: { readonly from: NetworkPeer[]; readonly ports?: number[] }[];
  /** Egress beyond DNS. */
  readonly egress: EgressRule[];
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/** A default-deny NetworkPolicy for pods matching `selector`, allowing DNS and the declared traffic. */
export function workloadNetworkPolicy(owner: Construct, name: string, namespace: string, labels: Record<string, string>, selector: Record<string, string>, traffic: TrafficProps): plus.NetworkPolicy {
  let n = 0;
  const peer = (p: NetworkPeer, field: string): plus.INetworkPolicyPeer => {
    const id = `Peer${n++}`;
    if (p.cidr !== undefined) {
      check(CIDR.test(p.cidr) && !p.namespace && !p.podLabels && !p.namespaceLabels, owner, {
        field, value: p, problem: 'is not an IPv4 CIDR on its own', fix: "use { cidr: '10.0.0.0/8' } without namespace or pod labels",
      });
      return plus.NetworkPolicyIpBlock.ipv4(owner, id, p.cidr);
    }
    const namespaces = p.namespace !== undefined
      ? plus.Namespaces.select(owner, `${id}Ns`, { names: [p.namespace] })
      : p.namespaceLabels ? plus.Namespaces.select(owner, `${id}Ns`, { labels: p.namespaceLabels }) : undefined;
    if (!p.podLabels && namespaces) return namespaces;
    return plus.Pods.select(owner, id, { labels: p.podLabels ?? {}, namespaces });
  };
  const tcp = (ports: number[] | undefined) => ports?.map((port) => plus.NetworkPolicyPort.tcp(port));
  const dns = plus.Pods.select(owner, 'Dns', {
    labels: { 'k8s-app': 'kube-dns' },
    namespaces: plus.Namespaces.select(owner, 'DnsNs', { names: ['kube-system'] }),
  });
  return new plus.NetworkPolicy(owner, 'NetworkPolicy', {
    metadata: { name, namespace, labels },
    selector: plus.Pods.select(owner, 'Selected', { labels: selector }),
    ingress: {
      default: plus.NetworkPolicyTrafficDefault.DENY,
      rules: traffic.ingress.flatMap((rule, i) => rule.from.map((f, j) => ({ peer: peer(f, `ingress[${i}].from[${j}]`), ports: tcp(rule.ports) }))),
    },
    egress: {
      default: plus.NetworkPolicyTrafficDefault.DENY,
      rules: [
        { peer: dns, ports: [plus.NetworkPolicyPort.udp(53), plus.NetworkPolicyPort.tcp(53)] },
        ...traffic.egress.map((e, i) => ({ peer: peer(e.to, `egressTo[${i}]`), ports: tcp(e.ports) })),
      ],
    },
  });
}

/** Network allowances of a workload that takes no traffic (jobs, queue workers); everything else is denied. */
export interface EgressPolicyProps {
  /** Destinations beyond DNS: the queue broker, object store, feature store. @default - none */
  readonly egressTo?: EgressRule[];
}

/** What {@link egressOnlyPolicy} needs beyond the user's props. */
export interface EgressPolicyOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** Pods that must reach each other on every port (e.g. the workers of a distributed job). @default - none */
  readonly peers?: Record<string, string>;
  /** Why the workload needs some egress (e.g. 'consuming from the queue'): declaring none is then an error. @default - none needed */
  readonly needsEgressFor?: string;
  /** A metrics port the `monitoring` namespace may scrape. @default - none */
  readonly metricsPort?: number;
}

/**
 * A default-deny NetworkPolicy for a workload that takes no traffic: egress to DNS and the declared
 * destinations, and all traffic among `peers`. `false` opts out.
 */
export function egressOnlyPolicy(owner: Construct, props: EgressPolicyProps | false | undefined, o: EgressPolicyOptions): plus.NetworkPolicy | undefined {
  if (props === false) return undefined;
  const egressTo = props?.egressTo ?? [];
  check(o.needsEgressFor === undefined || egressTo.length > 0, owner, {
    field: 'networkPolicy.egressTo', value: props?.egressTo, problem: `allows no destination, so ${o.needsEgressFor} would be blocked`,
    fix: "declare where the pods connect, e.g. egressTo: [{ to: { namespace: 'messaging', podLabels: { app: 'rabbitmq' } }, ports: [5672] }], or set networkPolicy: false",
  });
  const peers = o.peers ? [{ podLabels: o.peers }] : [];
  return workloadNetworkPolicy(owner, o.name, o.namespace, o.labels, o.selector, {
    ingress: [
      ...(peers.length ? [{ from: peers }] : []),
      ...(o.metricsPort ? [{ from: [{ namespace: 'monitoring' }], ports: [o.metricsPort] }] : []),
    ],
    egress: [...egressTo, ...peers.map((to) => ({ to }))],
  });
}
