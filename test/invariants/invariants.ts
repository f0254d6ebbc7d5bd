import { DnsServers, EgressRule, NetworkPeer } from '../../src';
import { EPP_FACTS } from '../../src/core/facts/inference-extension';
import { Manifest } from '../helpers';
import {
  Endpoint,
  PodTemplateRef,
  containerPort,
  egressAllowed,
  ingressAllowed,
  podTemplates,
  policiesFor,
  readyFloors,
  selects,
} from './cluster-model';

/** What a workload's props declared, which its output must honour. */
export interface Declared {
  /** Name of the workload (and of its policy and monitoring objects). */
  readonly name: string;
  readonly namespace: string;
  /** False with `networkPolicy: false`. */
  readonly networkPolicy: boolean;
  /** The declared `egressTo` (broker, object store, model store, ...). */
  readonly egressTo: EgressRule[];
  /** The platform's DNS setting (undefined: the default). */
  readonly dns?: DnsServers;
  /** The platform's scrapers (undefined: the default, the `monitoring` namespace). */
  readonly scrapeFrom?: NetworkPeer[];
  /** Monitoring on (prop or platform). */
  readonly monitored: boolean;
  /** The workload exposes metrics (a metrics port, or a server that serves them on its port), so a monitor scrapes it. */
  readonly scraped: boolean;
  /** Names of the objects holding this workload's pod templates. @default - every pod template in the output */
  readonly controllers?: string[];
  /** Callers the workload serves (same-namespace clients, the Gateway, an endpoint picker) and on which port. @default - none */
  readonly serves?: { readonly from: Endpoint; readonly port: number }[];
  /** What it promised through rollouts and drains. @default 'continuous' */
  readonly availability?: 'continuous' | 'best-effort';
}

const DEFAULT_DNS_POD: Endpoint = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
const DEFAULT_SCRAPER: NetworkPeer = { namespace: 'monitoring' };

/** A declared peer as a concrete endpoint: a pod (no labels beyond those declared) in the declared namespace, or the address. */
function endpointOf(peer: NetworkPeer, namespace: string): Endpoint {
  if (peer.cidr) return { cidr: peer.cidr };
  return {
    namespace: peer.namespace ?? (peer.namespaceLabels ? 'other' : namespace),
    namespaceLabels: peer.namespaceLabels,
    podLabels: peer.podLabels ?? {},
  };
}

function dnsEndpoints(dns: DnsServers | undefined): Endpoint[] {
  if (!dns) return [DEFAULT_DNS_POD];
  const pods =
    dns.pods === undefined
      ? [DEFAULT_DNS_POD]
      : dns.pods === false
        ? []
        : [{ namespace: dns.pods.namespace, podLabels: dns.pods.podLabels }];
  return [...pods, ...(dns.cidrs ?? []).map((cidr) => ({ cidr }))];
}

function networkViolations(objects: Manifest[], pod: PodTemplateRef, d: Declared): string[] {
  const out: string[] = [];
  const ingress = policiesFor(objects, pod.namespace, pod.labels, 'Ingress');
  const egress = policiesFor(objects, pod.namespace, pod.labels, 'Egress');
  if (ingress.length === 0 || egress.length === 0) {
    return [
      `${pod.where}: no NetworkPolicy selects its pods (labels ${JSON.stringify(pod.labels)}) for ${ingress.length ? 'Egress' : egress.length ? 'Ingress' : 'Ingress and Egress'}`,
    ];
  }
  for (const e of dnsEndpoints(d.dns)) {
    for (const protocol of ['UDP', 'TCP']) {
      if (!egressAllowed(objects, pod, e, 53, protocol))
        out.push(`${pod.where}: DNS (${JSON.stringify(e)}) is not reachable on ${protocol} 53`);
    }
  }
  for (const s of d.serves ?? []) {
    if (!ingressAllowed(objects, pod, s.from, s.port))
      out.push(`${pod.where}: its caller ${JSON.stringify(s.from)} is not admitted on the serving port ${s.port}`);
  }
  d.egressTo.forEach((rule, i) => {
    for (const port of rule.ports ?? [undefined]) {
      if (!egressAllowed(objects, pod, endpointOf(rule.to, d.namespace), port)) {
        out.push(
          `${pod.where}: declared egressTo[${i}] (${JSON.stringify(rule.to)}) is not allowed on ${port === undefined ? 'every port' : `port ${port}`}`,
        );
      }
    }
  });
  return out;
}

function monitorViolations(objects: Manifest[], pods: PodTemplateRef[], d: Declared): string[] {
  const mine = (kind: string) =>
    objects.filter((o) => o.kind === kind && o.metadata.name === d.name && o.metadata.namespace === d.namespace);
  const out: string[] = [];
  const rules = mine('PrometheusRule');
  if (rules.length !== 1 || !(rules[0].spec.groups?.length > 0))
    out.push(`monitored, but has ${rules.length} PrometheusRule(s) named ${d.name} with alert groups`);
  if (!d.scraped) return out;
  const serviceMonitors = mine('ServiceMonitor');
  const podMonitors = mine('PodMonitor');
  if (serviceMonitors.length + podMonitors.length !== 1)
    return [...out, `exposes metrics, but has ${serviceMonitors.length} ServiceMonitor(s) and ${podMonitors.length} PodMonitor(s)`];
  // A PodMonitor scrapes every pod of the workload; a ServiceMonitor the pods behind its Services (e.g. only the leaders of a group).
  const scraped: { pod: PodTemplateRef; port?: number; portName: string }[] = [];
  if (podMonitors.length) {
    const m = podMonitors[0].spec;
    const portName = m.podMetricsEndpoints[0].port;
    for (const pod of pods) {
      if (!selects(m.selector, pod.labels)) out.push(`${pod.where}: the PodMonitor does not select its pods`);
      else scraped.push({ pod, portName, port: containerPort(pod, portName) });
    }
  } else {
    const m = serviceMonitors[0].spec;
    const portName = m.endpoints[0].port;
    const services = objects.filter(
      (o) => o.kind === 'Service' && o.metadata.namespace === d.namespace && selects(m.selector, o.metadata.labels ?? {}),
    );
    for (const pod of pods) {
      const service = services.find((s) => s.spec.selector && selects({ matchLabels: s.spec.selector }, pod.labels));
      if (!service) continue;
      const servicePort = service.spec.ports.find((p: any) => p.name === portName);
      if (!servicePort)
        out.push(
          `${pod.where}: the Service ${service.metadata.name} in front of its pods has no port named ${portName} for the ServiceMonitor`,
        );
      else scraped.push({ pod, portName, port: containerPort(pod, servicePort.targetPort) });
    }
    if (scraped.length === 0) out.push(`the ServiceMonitor selects no Service in front of any of its pods on a port named ${portName}`);
  }
  for (const { pod, port, portName } of scraped) {
    if (port === undefined) out.push(`${pod.where}: the monitor scrapes port ${portName}, which no container declares`);
    else if (d.networkPolicy) {
      for (const scraper of d.scrapeFrom ?? [DEFAULT_SCRAPER]) {
        if (!ingressAllowed(objects, pod, endpointOf(scraper, d.namespace), port))
          out.push(`${pod.where}: the NetworkPolicy does not admit the scraper ${JSON.stringify(scraper)} on the scraped port ${port}`);
      }
    }
  }
  return out;
}

/** Identity, requests and bounded disk, as the kubelet and scheduler need them. */
function podViolations(pod: PodTemplateRef): string[] {
  const out: string[] = [];
  const podCtx = pod.spec.securityContext ?? {};
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const ctx = { ...podCtx, ...c.securityContext };
    const at = `${pod.where} container ${c.name}`;
    if (!Number.isInteger(ctx.runAsUser) || ctx.runAsUser === 0)
      out.push(`${at}: runAsUser (${ctx.runAsUser}) is not a numeric non-root uid`);
    if (!Number.isInteger(ctx.runAsGroup)) out.push(`${at}: runAsGroup (${ctx.runAsGroup}) is not numeric`);
    if (ctx.runAsNonRoot !== true) out.push(`${at}: runAsNonRoot is not true`);
    for (const r of ['cpu', 'memory']) if (c.resources?.requests?.[r] === undefined) out.push(`${at}: no ${r} request`);
  }
  for (const v of pod.spec.volumes ?? []) {
    if (v.emptyDir && v.emptyDir.sizeLimit === undefined) out.push(`${pod.where}: emptyDir volume ${v.name} has no sizeLimit`);
  }
  return out;
}

/** Every PodDisruptionBudget protects some of the pods, and never lets a crash-looping pod block a drain. */
function budgetViolations(objects: Manifest[], d: Declared): string[] {
  const pods = podTemplates(objects);
  return objects
    .filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === d.name)
    .flatMap((pdb) => [
      ...(pods.some((p) => p.namespace === pdb.metadata.namespace && selects(pdb.spec.selector, p.labels))
        ? []
        : [`PodDisruptionBudget/${pdb.metadata.name}: selects none of the pods`]),
      ...(pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow'
        ? []
        : [
            `PodDisruptionBudget/${pdb.metadata.name}: unhealthyPodEvictionPolicy is ${pdb.spec.unhealthyPodEvictionPolicy}, so a crash-looping pod can block a drain`,
          ]),
    ]);
}

/**
 * A continuous service behind an InferencePool that fails closed stays reachable only while its endpoint picker has a
 * Ready pod: through a rollout of the picker and a drain of any node, the picker Deployment (the pods the pool's
 * `endpointPickerRef` Service selects) keeps one, and no budget makes the drain hang. A picker elected by leader
 * election is Ready on the leader only (EPP_FACTS.leaderElection). A pool that fails open needs none of this (the
 * gateway then picks a pod itself); a picker the output does not contain (your own) is not judged.
 */
function pickerViolations(objects: Manifest[], d: Declared): string[] {
  if (d.availability === 'best-effort') return [];
  const out: string[] = [];
  const inNamespace = (o: Manifest) => (o.metadata.namespace ?? 'default') === d.namespace;
  for (const pool of objects.filter((o) => o.kind === 'InferencePool' && o.metadata.name === d.name && inNamespace(o))) {
    const ref = pool.spec.endpointPickerRef;
    const mode = ref.failureMode ?? EPP_FACTS.failureModes.default;
    if (mode === 'FailOpen') continue;
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === ref.name && inNamespace(o));
    if (!service) continue;
    const pickers = objects.filter(
      (o) =>
        o.kind === 'Deployment' &&
        inNamespace(o) &&
        selects({ matchLabels: service.spec.selector }, o.spec.template.metadata?.labels ?? {}),
    );
    if (pickers.length === 0) out.push(`InferencePool/${pool.metadata.name}: its picker Service ${ref.name} selects no Deployment's pods`);
    for (const picker of pickers) {
      const elected = picker.spec.template.spec.containers.some((c: any) => (c.args ?? []).includes(EPP_FACTS.leaderElection.flag));
      const floors = readyFloors(objects, picker, elected ? EPP_FACTS.leaderElection.readyPods : Infinity);
      if (floors.rollout !== undefined && floors.rollout >= 1 && floors.drain >= 1 && !floors.drainBlocked) continue;
      const replicas = picker.spec.replicas ?? 1;
      out.push(
        `InferencePool/${pool.metadata.name} fails closed (${mode}), but its picker Deployment/${picker.metadata.name} (${replicas} replica${replicas === 1 ? '' : 's'}${elected ? ', leader election: only the leader is Ready' : ''}) ${floors.why.join('; ')}`,
      );
    }
  }
  return out;
}

/** Which invariant families to check (identity and disk can be left out while they are being built). */
export interface InvariantFamilies {
  readonly network?: boolean;
  readonly monitoring?: boolean;
  readonly pods?: boolean;
  /** Rollouts and drains keep what a continuous service needs Ready. */
  readonly availability?: boolean;
}

/**
 * Every violation of the runtime invariants by one workload's output: each pod template has its
 * NetworkPolicy (unless opted out) that reaches DNS and every declared destination; a monitored
 * workload has its alert rules, and its monitor selects its pods on a port the policy opens to the
 * scrapers; every container has a numeric identity and requests; every emptyDir is bounded; a continuous service
 * behind an InferencePool that fails closed keeps a Ready endpoint picker through rollouts and drains.
 */
export function invariantViolations(
  objects: Manifest[],
  d: Declared,
  families: InvariantFamilies = { network: true, monitoring: true, pods: true, availability: true },
): string[] {
  const pods = podTemplates(objects).filter((p) => !d.controllers || d.controllers.includes(p.owner));
  if (pods.length === 0) return [`no pod template found${d.controllers ? ` in ${d.controllers.join(', ')}` : ''}`];
  return [
    ...(families.network && d.networkPolicy ? pods.flatMap((p) => networkViolations(objects, p, d)) : []),
    ...(families.monitoring && d.monitored ? monitorViolations(objects, pods, d) : []),
    ...(families.pods ? [...pods.flatMap(podViolations), ...budgetViolations(objects, d)] : []),
    ...(families.availability ? pickerViolations(objects, d) : []),
  ];
}
