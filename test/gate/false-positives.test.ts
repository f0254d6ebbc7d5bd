import { Chart, Duration, Testing } from 'cdk8s';
import {
  BatchScoringJob,
  GpuTrainingJob,
  MlNamespace,
  OnlineInference,
  Platform,
  QueueWorker,
  QueueTrigger,
  capacityReport,
  formatCapacityReport,
} from '../../src';
import { Accelerator } from '../../src';
import { Manifest, synthValid } from '../helpers';

/*
 * What the cluster accepts and the library refused before (each test failed on the library before this
 * change): IPv6 blocks, group 0, a parked service, a probe timeout longer than its period.
 */

const image = 'registry.example.com/team/app:v1.0.0';
const chart = (): Chart => new Chart(Testing.app(), 'test', { namespace: 'ml' });
const of = (objects: Manifest[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;

describe('IPv6 wherever a CIDR is accepted', () => {
  test('ingressFrom and egressTo render IPv6 blocks, upper-case hex and an IPv4 tail included', () => {
    const c = chart();
    new OnlineInference(c, 'scorer', {
      image,
      resources: { cpu: '1', memory: '1Gi' },
      networkPolicy: {
        ingressFrom: [{ cidr: 'fd00:10::/32' }, { cidr: '::ffff:10.0.0.0/104' }],
        egressTo: [{ to: { cidr: '2001:DB8::/32' }, ports: [443] }],
      },
    });
    const policy = of(synthValid(c), 'NetworkPolicy');
    const blocks = [...policy.spec.ingress, ...policy.spec.egress]
      .flatMap((r: any) => [...(r.from ?? []), ...(r.to ?? [])])
      .filter((p: any) => p.ipBlock)
      .map((p: any) => p.ipBlock.cidr);
    expect(blocks).toEqual(expect.arrayContaining(['fd00:10::/32', '::ffff:10.0.0.0/104', '2001:DB8::/32']));
  });

  test('the platform DNS setting takes IPv6 servers, in every NetworkPolicy (MlNamespace default deny included)', () => {
    const app = Testing.app();
    Platform.configure(app, { dns: { pods: false, cidrs: ['fd00:10:96::a/128'] } });
    const c = new Chart(app, 'test', { namespace: 'ml' });
    new MlNamespace(c, 'ml', { quota: { requestsCpu: '10' } });
    new BatchScoringJob(c, 'score', {
      image,
      resources: { cpu: '1', memory: '1Gi' },
      networkPolicy: { egressTo: [{ to: { cidr: '::/0' }, ports: [443] }] },
    });
    const policies = synthValid(c).filter((o) => o.kind === 'NetworkPolicy');
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(JSON.stringify(p.spec.egress)).toContain('"cidr":"fd00:10:96::a/128"');
  });

  test('an IPv4 block that is not one is still refused, by the gate, naming the prop', () => {
    const c = chart();
    new OnlineInference(c, 'scorer', {
      image,
      resources: { cpu: '1', memory: '1Gi' },
      networkPolicy: { ingressFrom: [{ cidr: '10.0.0.300/8' }] },
    });
    expect(() => Testing.synth(c)).toThrow(
      /OnlineInference 'test\/scorer': networkPolicy.ingressFrom\[0\].cidr \(10.0.0.300\/8\) is not an IPv4 or IPv6 CIDR/,
    );
  });
});

describe('group 0', () => {
  test('runAsGroup 0 is allowed (and so fsGroup 0); runAsUser 0 is still refused', () => {
    const c = chart();
    new OnlineInference(c, 'scorer', { image, resources: { cpu: '1', memory: '1Gi' }, runAs: { runAsUser: 1000, runAsGroup: 0 } });
    new GpuTrainingJob(c, 'train', {
      image,
      resources: { cpu: '8', memory: '48Gi' },
      accelerator: Accelerator.nvidiaGpu(1),
      checkpoint: { size: '10Gi' },
      runAs: { runAsUser: 1000, runAsGroup: 0 },
    });
    const objects = synthValid(c);
    expect(of(objects, 'Deployment').spec.template.spec.securityContext).toMatchObject({
      runAsUser: 1000,
      runAsGroup: 0,
      fsGroup: 0,
      runAsNonRoot: true,
    });
    expect(of(objects, 'Job').spec.template.spec.securityContext).toMatchObject({ runAsGroup: 0, fsGroup: 0 });
    expect(() => new OnlineInference(chart(), 'root', { image, resources: { cpu: '1', memory: '1Gi' }, runAs: { runAsUser: 0 } })).toThrow(
      /runAs.runAsUser \(0\) is root, which runAsNonRoot forbids/,
    );
  });
});

describe('a parked service (replicas: 0)', () => {
  test('renders a Deployment of 0 replicas, no disruption budget, no endpoint alert, and the capacity report says so', () => {
    const app = Testing.app();
    const c = new Chart(app, 'test', { namespace: 'ml' });
    new OnlineInference(c, 'legacy', { image, resources: { cpu: '1', memory: '1Gi' }, replicas: 0, monitoring: {} });
    new QueueWorker(c, 'worker', {
      image,
      resources: { cpu: '1', memory: '1Gi' },
      maxProcessingTime: Duration.minutes(1),
      maxReplicas: 2,
      triggers: [QueueTrigger.redisList({ address: 'redis.q.svc:6379', listName: 'j', listLength: 5 })],
      networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [6379] }] },
    });
    const objects = synthValid(c);
    expect(of(objects, 'Deployment', 'legacy').spec.replicas).toBe(0);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'legacy')).toEqual([]);
    const alerts = of(objects, 'PrometheusRule', 'legacy').spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts).not.toContain('MlNoReadyEndpoints');
    const row = capacityReport(app).find((r) => r.workload === 'legacy')!;
    expect(row).toMatchObject({ maxPods: 0, parked: true, cpu: 0 });
    expect(formatCapacityReport(capacityReport(app))).toContain('| ml | legacy | serving | 0 (parked: replicas 0) |');
  });

  test('a canary on a parked service is an error naming the fix', () => {
    expect(
      () =>
        new OnlineInference(chart(), 'legacy', {
          image,
          resources: { cpu: '1', memory: '1Gi' },
          replicas: 0,
          canary: { weight: 10, image: 'registry.example.com/team/app:v1.1.0' },
        }),
    ).toThrow(/canary \(10\) is set on a parked service \(replicas: 0\)/);
  });
});

test('a readiness timeout longer than its period is legal and renders as given', () => {
  const c = chart();
  new OnlineInference(c, 'scorer', {
    image,
    resources: { cpu: '1', memory: '1Gi' },
    probes: {
      readiness: { period: Duration.seconds(2), timeout: Duration.seconds(5) },
      liveness: { period: Duration.seconds(5), timeout: Duration.seconds(10) },
    },
  });
  const server = of(synthValid(c), 'Deployment').spec.template.spec.containers[0];
  expect(server.readinessProbe).toMatchObject({ periodSeconds: 2, timeoutSeconds: 5 });
  expect(server.livenessProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 10 });
});
