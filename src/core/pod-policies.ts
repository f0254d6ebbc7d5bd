import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { check } from './errors';
import { EgressPolicyProps, IngressRule, workloadNetworkPolicy } from './network';
import { NetworkPeer } from './network-peer';
import { Platform } from './platform';

/**
 * Where Prometheus scrapes the pods of a workload: one plain descriptor that both the NetworkPolicy
 * (which admits the scrapers on `port`) and the monitor (which scrapes `portName`) read, so the two
 * can never disagree. It may be the serving port.
 */
export interface MetricsEndpoint {
  /** Container port number. */
  readonly port: number;
  /** Name of that container port (and of the Service port, for workloads behind a Service). */
  readonly portName: string;
  /** Who may scrape it. @default - the platform's `monitoring.scrapeFrom` (the `monitoring` namespace) */
  readonly from?: NetworkPeer[];
}

/** The pod templates of one workload and what their policies must allow. */
export interface PodTemplatePoliciesProps<M> {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the policy objects. */
  readonly labels: Record<string, string>;
  /** Labels every pod template of the workload carries, whatever its mode or track. */
  readonly selector: Record<string, string>;
  /** The user's `networkPolicy` prop; `false` opts out. */
  readonly networkPolicy: EgressPolicyProps | false | undefined;
  /** Traffic the pods serve (the serving port). @default - none */
  readonly serves?: IngressRule[];
  /** Pods that must reach each other on every port (the workers of a distributed job). @default - none */
  readonly peers?: Record<string, string>;
  /**
   * Why the pods need some egress (e.g. 'consuming from the queue'): declaring none is then an error.
   * @default - none needed
   */
  readonly needsEgressFor?: string;
  /** The scrape target, when the pods expose metrics. @default - none */
  readonly metrics?: MetricsEndpoint;
  /**
   * Creates the monitor and alert rules from the scrape target (the observability layer, wired by
   * the workload construct); returns undefined when monitoring is off.
   */
  readonly monitor: (metrics: MetricsEndpoint | undefined) => M | undefined;
}

/** The policies created for a workload's pod templates. */
export interface PodTemplatePolicies<M> {
  /** Undefined with `networkPolicy: false`. */
  readonly networkPolicy?: plus.NetworkPolicy;
  /** Undefined unless monitoring is on. */
  readonly monitoring?: M;
}

/**
 * The one code path from a workload's pod templates to their NetworkPolicy, monitor and alert rules.
 * Every workload construct calls it once, after it created its controller (Deployment, Job, CronJob,
 * ScaledJob, ...), whatever its mode: default-deny selecting `selector` with DNS, the declared egress,
 * the served traffic, the peers and the scrapers on the metrics port, and the monitor built from the
 * same metrics endpoint.
 */
export function podTemplatePolicies<M>(owner: Construct, p: PodTemplatePoliciesProps<M>): PodTemplatePolicies<M> {
  let networkPolicy: plus.NetworkPolicy | undefined;
  if (p.networkPolicy !== false) {
    const egressTo = p.networkPolicy?.egressTo ?? [];
    check(p.needsEgressFor === undefined || egressTo.length > 0, owner, {
      field: 'networkPolicy.egressTo',
      value: p.networkPolicy?.egressTo,
      problem: `allows no destination, so ${p.needsEgressFor} would be blocked`,
      fix: "declare where the pods connect, e.g. egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }], or set networkPolicy: false",
    });
    const peers = p.peers ? [{ podLabels: p.peers }] : [];
    networkPolicy = workloadNetworkPolicy(owner, p.name, p.namespace, p.labels, p.selector, {
      ingress: [
        ...(p.serves ?? []),
        ...(peers.length ? [{ from: peers }] : []),
        ...(p.metrics ? [{ from: p.metrics.from ?? Platform.of(owner).monitoring.scrapeFrom, ports: [p.metrics.port] }] : []),
      ],
      egress: [...egressTo, ...peers.map((to) => ({ to }))],
    });
  }
  return { networkPolicy, monitoring: p.monitor(p.metrics) };
}
