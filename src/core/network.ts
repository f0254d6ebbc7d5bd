import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { check } from './errors';
import { requireDnsLabel, requireLabels } from './names';
import type { NetworkPeer } from './network-peer';
import { Platform } from './platform';
import { isPortNumber } from './validation/strings';

/** A destination the workload may call. */
export interface EgressRule {
  /** The peer called (pods, namespaces or a CIDR). */
  readonly to: NetworkPeer;
  /** TCP ports. @default - all ports */
  readonly ports?: number[];
}

/** Peers that may reach the pods on some ports. */
export interface IngressRule {
  readonly from: NetworkPeer[];
  /** TCP ports. @default - all ports */
  readonly ports?: number[];
}

/** The traffic a workload's NetworkPolicy allows; everything else is denied. */
export interface TrafficProps {
  /** Ingress: which peers may reach which ports (all ports when none are given). */
  readonly ingress: IngressRule[];
  /** Egress beyond DNS. */
  readonly egress: EgressRule[];
}

/**
 * An IP block of either family. The gate checks the address grammar (IPv4 and IPv6) on the rendered
 * policy, naming the prop; cdk8s-plus's `ipv4()`/`ipv6()` helpers would throw their own error first
 * (and refuse valid IPv6 forms such as upper-case hex or an embedded IPv4 tail).
 */
function ipBlock(owner: Construct, id: string, cidr: string): plus.NetworkPolicyIpBlock {
  // The constructor is private in the type declarations, public in the JavaScript: it only stores the CIDR.
  const IpBlock = plus.NetworkPolicyIpBlock as unknown as new (scope: Construct, id: string, cidr: string) => plus.NetworkPolicyIpBlock;
  return new IpBlock(owner, id, cidr);
}

/** A default-deny NetworkPolicy for pods matching `selector`, allowing DNS and the declared traffic. */
export function workloadNetworkPolicy(
  owner: Construct,
  name: string,
  namespace: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
  traffic: TrafficProps,
): plus.NetworkPolicy {
  let n = 0;
  const peer = (p: NetworkPeer, field: string): plus.INetworkPolicyPeer => {
    const id = `Peer${n++}`;
    if (p.cidr !== undefined) {
      check(!p.namespace && !p.podLabels && !p.namespaceLabels, owner, {
        field,
        value: p,
        problem: 'combines a CIDR with namespace or pod labels, which a NetworkPolicy peer cannot',
        fix: "use { cidr: '10.0.0.0/8' } (or an IPv6 block such as 'fd00::/8') alone, and list the pods as another peer",
      });
      return ipBlock(owner, id, p.cidr);
    }
    const namespaces =
      p.namespace !== undefined
        ? plus.Namespaces.select(owner, `${id}Ns`, { names: [p.namespace] })
        : p.namespaceLabels
          ? plus.Namespaces.select(owner, `${id}Ns`, { labels: p.namespaceLabels })
          : undefined;
    if (!p.podLabels && namespaces) return namespaces;
    return plus.Pods.select(owner, id, { labels: p.podLabels ?? {}, namespaces });
  };
  const tcp = (ports: number[] | undefined, field: string) =>
    ports?.map((port, i) => {
      check(isPortNumber(port), owner, {
        field: `${field}.ports[${i}]`,
        value: port,
        problem: 'is not a port number',
        fix: 'use a whole number from 1 to 65535',
      });
      return plus.NetworkPolicyPort.tcp(port);
    });
  const dnsPorts = [plus.NetworkPolicyPort.udp(53), plus.NetworkPolicyPort.tcp(53)];
  return new plus.NetworkPolicy(owner, 'NetworkPolicy', {
    metadata: { name, namespace, labels },
    selector: plus.Pods.select(owner, 'Selected', { labels: selector }),
    ingress: {
      default: plus.NetworkPolicyTrafficDefault.DENY,
      rules: traffic.ingress.flatMap((rule, i) =>
        rule.from.map((f, j) => {
          requireNarrowSource(owner, `ingress[${i}].from[${j}]`, f);
          return { peer: peer(f, `ingress[${i}].from[${j}]`), ports: tcp(rule.ports, `ingress[${i}]`) };
        }),
      ),
    },
    egress: {
      default: plus.NetworkPolicyTrafficDefault.DENY,
      rules: [
        ...dnsPeers(owner).map((peer) => ({ peer, ports: dnsPorts })),
        ...traffic.egress.map((e, i) => ({ peer: peer(e.to, `egressTo[${i}]`), ports: tcp(e.ports, `egressTo[${i}]`) })),
      ],
    },
  });
}

/**
 * Throws on an ingress source that admits everything (a `/0` CIDR, an empty namespace selector) unless the
 * peer says `allowAnySource: true`: default-deny is the point of the policy, and one such peer undoes it.
 */
function requireNarrowSource(owner: Construct, field: string, p: NetworkPeer): void {
  if (p.allowAnySource === true) return;
  const everyAddress = p.cidr !== undefined && /\/0+$/.test(p.cidr.trim());
  const everyNamespace = p.namespace === undefined && p.namespaceLabels !== undefined && Object.keys(p.namespaceLabels).length === 0;
  check(!everyAddress && !everyNamespace, owner, {
    field,
    value: p,
    problem: everyAddress
      ? 'admits every address (a /0 CIDR), so anything that reaches the node or a LoadBalancer may call the pods'
      : 'selects every namespace (empty namespaceLabels), so any pod of any tenant may call the pods',
    fix: everyAddress
      ? "name the callers' range (e.g. the load balancer's or the VPC's CIDR), or add allowAnySource: true to this peer to admit the whole Internet"
      : "name the namespace (namespace: 'api-gateway') or its labels, or add allowAnySource: true to this peer to admit every namespace",
  });
}

/** The platform's DNS servers as NetworkPolicy peers (pods by namespace and labels, and/or IP blocks). */
function dnsPeers(owner: Construct): plus.INetworkPolicyPeer[] {
  const { pods, cidrs } = Platform.of(owner).dns;
  check(pods !== false || cidrs.length > 0, owner, {
    field: 'platform dns',
    value: { pods, cidrs },
    problem: 'names no DNS server, so no pod could resolve a name',
    fix: "keep the default DNS pods, or list the server addresses, e.g. dns: { cidrs: ['169.254.20.10/32'] } for NodeLocal DNSCache",
  });
  const peers: plus.INetworkPolicyPeer[] = [];
  if (pods) {
    requireDnsLabel(owner, 'platform dns.pods.namespace', pods.namespace);
    requireLabels(owner, 'platform dns.pods.podLabels', pods.podLabels);
    check(Object.keys(pods.podLabels).length > 0, owner, {
      field: 'platform dns.pods.podLabels',
      value: pods.podLabels,
      problem: 'is empty, so every pod of the namespace would be allowed on port 53',
      fix: "give the DNS pods' labels, e.g. { 'k8s-app': 'kube-dns' }",
    });
    peers.push(
      plus.Pods.select(owner, 'Dns', {
        labels: pods.podLabels,
        namespaces: plus.Namespaces.select(owner, 'DnsNs', { names: [pods.namespace] }),
      }),
    );
  }
  cidrs.forEach((cidr, i) => {
    peers.push(ipBlock(owner, `DnsIp${i}`, cidr));
  });
  return peers;
}

/** Network allowances of a workload beyond what it declares itself; everything else is denied. */
export interface EgressPolicyProps {
  /** Destinations beyond DNS: the queue broker, object store, feature store. @default - none */
  readonly egressTo?: EgressRule[];
}
