import { cidrFamily, isStrictSubnet } from '../../validation/strings';
import { CIDR, DNS_LABEL, PORT_NAME, checkGrammar, checkLabels, checkPortNumber, checkPortOrName, checkSelector } from '../checks';
import { GateContext, GateObject } from '../gate';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** Services: ports, names, targets and selectors (`ValidateService`). */
export function serviceRule(ctx: GateContext, o: GateObject): void {
  if (o.kind === 'Service' && o.group === '') {
    const spec = o.json.spec ?? {};
    const ports: any[] = spec.ports ?? [];
    const names = new Set<string>();
    const numbers = new Set<string>();
    ports.forEach((port: any, i: number) => {
      const p = `spec.ports[${i}]`;
      if (port?.name === undefined || port.name === '') {
        if (ports.length > 1)
          ctx.report(o, `${p}.name`, port?.name, 'is missing, which a Service with several ports needs', 'name every port');
      } else if (checkGrammar(ctx, o, `${p}.name`, port.name, PORT_NAME, 'a Service port name')) {
        if (names.has(port.name)) ctx.report(o, `${p}.name`, port.name, 'names two ports of the Service', 'give each port its own name');
        names.add(port.name);
      }
      checkPortNumber(ctx, o, `${p}.port`, port?.port);
      if (port?.targetPort !== undefined) checkPortOrName(ctx, o, `${p}.targetPort`, port.targetPort);
      if (port?.protocol !== undefined && !PROTOCOLS.includes(port.protocol))
        ctx.report(o, `${p}.protocol`, port.protocol, 'is not a port protocol', `use one of ${PROTOCOLS.join(', ')}`);
      const key = `${port?.port}/${port?.protocol ?? 'TCP'}`;
      if (numbers.has(key))
        ctx.report(o, `${p}.port`, port?.port, 'is declared twice in the Service', 'give each Service port its own number');
      numbers.add(key);
    });
    checkLabels(ctx, o, 'spec.selector', spec.selector);
  }
}

/** A NetworkPolicy peer: selectors, namespaces, and IP blocks of either family. */
function checkPeer(ctx: GateContext, o: GateObject, p: string, peer: any): void {
  if (peer?.ipBlock) {
    if (peer.podSelector || peer.namespaceSelector)
      ctx.report(o, p, peer, 'combines ipBlock with selectors', 'give an ipBlock alone, or selectors alone');
    const cidr = peer.ipBlock.cidr;
    if (checkGrammar(ctx, o, `${p}.ipBlock.cidr`, cidr, CIDR)) {
      (peer.ipBlock.except ?? []).forEach((e: unknown, i: number) => {
        if (!checkGrammar(ctx, o, `${p}.ipBlock.except[${i}]`, e, CIDR)) return;
        if (cidrFamily(e as string) !== cidrFamily(cidr) || !isStrictSubnet(e as string, cidr))
          ctx.report(o, `${p}.ipBlock.except[${i}]`, e, `is not a strict subset of ${cidr}`, 'except only ranges inside the block');
      });
    }
    return;
  }
  checkSelector(ctx, o, `${p}.podSelector`, peer?.podSelector);
  checkSelector(ctx, o, `${p}.namespaceSelector`, peer?.namespaceSelector);
  const ns = peer?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
  if (ns !== undefined)
    checkGrammar(ctx, o, `${p}.namespaceSelector.matchLabels['kubernetes.io/metadata.name']`, ns, DNS_LABEL, 'a namespace');
}

function checkPolicyPorts(ctx: GateContext, o: GateObject, p: string, ports: any[] | undefined): void {
  (ports ?? []).forEach((port: any, i: number) => {
    const pp = `${p}[${i}]`;
    if (port?.protocol !== undefined && !PROTOCOLS.includes(port.protocol))
      ctx.report(o, `${pp}.protocol`, port.protocol, 'is not a port protocol', `use one of ${PROTOCOLS.join(', ')}`);
    if (port?.port !== undefined) checkPortOrName(ctx, o, `${pp}.port`, port.port);
    if (port?.endPort !== undefined) {
      if (typeof port.port !== 'number')
        ctx.report(o, `${pp}.endPort`, port.endPort, 'is set without a numeric port', 'give port as a number');
      else if (checkPortNumber(ctx, o, `${pp}.endPort`, port.endPort) && port.endPort < port.port)
        ctx.report(o, `${pp}.endPort`, port.endPort, `is below port (${port.port})`, 'set endPort ≥ port');
    }
  });
}

/** NetworkPolicies (`ValidateNetworkPolicySpec`): selectors, peers (IPv4 and IPv6 blocks), ports. */
export function networkPolicyRule(ctx: GateContext, o: GateObject): void {
  if (o.kind === 'NetworkPolicy' && o.group === 'networking.k8s.io') {
    const spec = o.json.spec ?? {};
    checkSelector(ctx, o, 'spec.podSelector', spec.podSelector);
    (spec.policyTypes ?? []).forEach((t: unknown, i: number) => {
      if (t !== 'Ingress' && t !== 'Egress')
        ctx.report(o, `spec.policyTypes[${i}]`, t, 'is not Ingress or Egress', "use 'Ingress' or 'Egress'");
    });
    (spec.ingress ?? []).forEach((r: any, i: number) => {
      (r?.from ?? []).forEach((peer: any, j: number) => checkPeer(ctx, o, `spec.ingress[${i}].from[${j}]`, peer));
      checkPolicyPorts(ctx, o, `spec.ingress[${i}].ports`, r?.ports);
    });
    (spec.egress ?? []).forEach((r: any, i: number) => {
      (r?.to ?? []).forEach((peer: any, j: number) => checkPeer(ctx, o, `spec.egress[${i}].to[${j}]`, peer));
      checkPolicyPorts(ctx, o, `spec.egress[${i}].ports`, r?.ports);
    });
  }
}
