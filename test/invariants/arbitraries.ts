import * as fc from 'fast-check';
import { DnsServers, EgressRule, NetworkPeer } from '../../src';

/**
 * Plain descriptions of generated props (numbers, strings, records): fast-check prints the one that
 * broke an invariant, so a failure reads as the props to reproduce it.
 */

export const name = fc.stringMatching(/^[a-z][a-z0-9]{2,9}$/);

export const kubernetesVersion = fc.constantFrom('1.28', '1.30', '1.31', '1.34');

/** The platform's DNS setting: today's default, NodeLocal DNSCache beside it, other CoreDNS labels, addresses only. */
export const dns: fc.Arbitrary<DnsServers | undefined> = fc.constantFrom<DnsServers | undefined>(
  undefined,
  { cidrs: ['169.254.20.10/32'] },
  { pods: { namespace: 'dns-system', podLabels: { 'app.kubernetes.io/name': 'coredns' } } },
  { pods: false, cidrs: ['169.254.20.10/32', '10.96.0.10/32'] },
);

/** Who scrapes metrics (the platform's `monitoring.scrapeFrom`): the default, or a Prometheus elsewhere. */
export const scrapeFrom = fc.constantFrom<NetworkPeer[] | undefined>(
  undefined,
  [{ namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }],
  [{ namespaceLabels: { 'monitoring.example.com/scraper': 'true' } }],
);

const port = fc.integer({ min: 1024, max: 65535 });

/** A destination the workload declares: an address range, pods in a namespace, or namespaces by label. */
export const egressRule: fc.Arbitrary<EgressRule> = fc.record({
  to: fc.oneof<fc.Arbitrary<NetworkPeer>[]>(
    fc.record({ cidr: fc.constantFrom<string>('10.20.0.0/16', '0.0.0.0/0', '192.168.4.0/24', '172.16.0.10/32') }),
    fc.record({
      namespace: fc.constantFrom('messaging', 'data', 'ml'),
      podLabels: fc.constantFrom<Record<string, string>>({ app: 'rabbitmq' }, { 'app.kubernetes.io/name': 'redis' }),
    }),
    fc.record({ namespaceLabels: fc.constantFrom<Record<string, string>>({ tier: 'storage' }, { team: 'data' }) }),
  ),
  ports: fc.option(fc.uniqueArray(port, { minLength: 1, maxLength: 3 }), { nil: undefined }),
});

/** At least `min` declared destinations. */
export const egressTo = (min: number) => fc.array(egressRule, { minLength: min, maxLength: 3 });

/** Container resources as the user writes them. */
export const resources = fc.record({
  cpu: fc.constantFrom('250m', '1', '4'),
  memory: fc.constantFrom('512Mi', '2Gi', '16Gi'),
});

/** A numeric identity chosen by the workload, or the platform default. */
export const runAs = fc.option(
  fc.record({ runAsUser: fc.integer({ min: 1000, max: 65535 }), runAsGroup: fc.integer({ min: 1000, max: 65535 }) }),
  { nil: undefined },
);

/** What every workload's props share: the network, monitoring and platform choices under test. */
export const common = fc.record({
  name,
  kubernetesVersion,
  dns,
  scrapeFrom,
  resources,
  runAs,
  networkPolicy: fc.boolean(),
  monitored: fc.boolean(),
  metricsPort: fc.option(fc.integer({ min: 9000, max: 9999 }), { nil: undefined }),
});

export type Common = typeof common extends fc.Arbitrary<infer T> ? T : never;
