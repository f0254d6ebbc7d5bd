import { Chart, Duration, Testing } from 'cdk8s';
import { BatchScoringJob, DnsServers, MlNamespace, OnlineInference, Platform } from '../src';
import { Manifest, synthValid } from './helpers';

const DNS_PORTS = [
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
];
const KUBE_DNS = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const NODE_LOCAL = { ipBlock: { cidr: '169.254.20.10/32' } };

/** The DNS egress rules of every NetworkPolicy of an app: a workload's and an MlNamespace's default deny. */
function dnsRules(dns?: DnsServers): Record<string, Manifest['spec']> {
  const app = Testing.app();
  if (dns) Platform.configure(app, { dns });
  const chart = new Chart(app, 'c', { namespace: 'ml' });
  new MlNamespace(chart, 'ml', { quota: { requestsCpu: '100' } });
  new OnlineInference(chart, 'svc', { image: 'registry.example.com/s:v1', resources: { cpu: '1', memory: '1Gi' } });
  new BatchScoringJob(chart, 'score', {
    image: 'registry.example.com/b:v1',
    resources: { cpu: '1', memory: '1Gi' },
    activeDeadline: Duration.hours(1),
  });
  const policies = synthValid(chart).filter((o) => o.kind === 'NetworkPolicy');
  return Object.fromEntries(
    policies.map((p) => [p.metadata.name, p.spec.egress.filter((r: any) => JSON.stringify(r.ports) === JSON.stringify(DNS_PORTS))]),
  );
}

describe('DNS egress follows the platform setting in every NetworkPolicy', () => {
  test("by default: today's kube-dns pods in kube-system, UDP and TCP 53", () => {
    const rules = dnsRules();
    expect(Object.keys(rules).sort()).toEqual(['default-deny', 'score', 'svc']);
    for (const r of Object.values(rules)) expect(r).toEqual([{ to: [KUBE_DNS], ports: DNS_PORTS }]);
  });

  test('NodeLocal DNSCache: the link-local address beside the cluster DNS pods', () => {
    for (const r of Object.values(dnsRules({ cidrs: ['169.254.20.10/32'] }))) {
      expect(r).toEqual([
        { to: [KUBE_DNS], ports: DNS_PORTS },
        { to: [NODE_LOCAL], ports: DNS_PORTS },
      ]);
    }
  });

  test('differently labelled CoreDNS, or addresses only', () => {
    const coredns = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'coredns' } },
    };
    for (const r of Object.values(dnsRules({ pods: { namespace: 'dns', podLabels: { 'app.kubernetes.io/name': 'coredns' } } }))) {
      expect(r).toEqual([{ to: [coredns], ports: DNS_PORTS }]);
    }
    for (const r of Object.values(dnsRules({ pods: false, cidrs: ['169.254.20.10/32'] })))
      expect(r).toEqual([{ to: [NODE_LOCAL], ports: DNS_PORTS }]);
  });

  test.each([
    [
      'no server at all',
      { pods: false as const },
      /platform dns \(.*\) names no DNS server, so no pod could resolve a name; keep the default DNS pods, or list the server addresses/,
    ],
    [
      'an address that is not a CIDR',
      { cidrs: ['169.254.20.10'] },
      /platform dns.cidrs\[0\] \(configured on the app\) \(169.254.20.10\) is not an IPv4 or IPv6 CIDR; write an address and prefix length/,
    ],
    [
      'pods without labels',
      { pods: { namespace: 'kube-system', podLabels: {} } },
      /platform dns.pods.podLabels \(\{\}\) is empty, so every pod of the namespace would be allowed on port 53/,
    ],
  ])('%s is an error naming the fix', (_name, dns, message) => {
    expect(() => dnsRules(dns)).toThrow(message);
  });
});
