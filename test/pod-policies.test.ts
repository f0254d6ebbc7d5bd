import { Chart, Duration, Testing } from 'cdk8s';
import { MlEnvValue, Platform, OnlineInference, OnlineInferenceProps, QueueTrigger, QueueWorker, QueueWorkerProps } from '../src';
import { Manifest, container, one, synthValid, testChart } from './helpers';

const MONITORING_NS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} };
const BROKER = { to: { namespace: 'messaging', podLabels: { app: 'rabbitmq' } }, ports: [5672] };

const worker: QueueWorkerProps = {
  image: 'registry.example.com/worker:v1.0.0',
  resources: { cpu: '500m', memory: '1Gi' },
  env: { RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq', 'url') },
  maxProcessingTime: Duration.hours(2),
  maxReplicas: 10,
  triggers: [QueueTrigger.rabbitmq({ queueName: 'jobs', value: 1, hostFromEnv: 'RABBITMQ_URL' })],
  networkPolicy: { egressTo: [BROKER] },
  monitoring: {},
};

function synthWorker(props: Partial<QueueWorkerProps> = {}): Manifest[] {
  const chart = testChart();
  new QueueWorker(chart, 'docs', { ...worker, ...props });
  return synthValid(chart);
}

describe('a QueueWorker that becomes a ScaledJob keeps every policy of its pod template', () => {
  const objects = synthWorker({ metricsPort: 9100 });
  const template = one(objects, 'ScaledJob').spec.jobTargetRef.template;

  test('its NetworkPolicy selects the ScaledJob pods and lets them reach the broker', () => {
    const np = one(objects, 'NetworkPolicy', 'docs').spec;
    expect(Object.entries(np.podSelector.matchLabels).every(([k, v]) => template.metadata.labels[k] === v)).toBe(true);
    expect([...np.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(np.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'messaging' } },
          podSelector: { matchLabels: { app: 'rabbitmq' } },
        },
      ],
      ports: [{ port: 5672, protocol: 'TCP' }],
    });
    expect(np.ingress).toEqual([{ from: [MONITORING_NS], ports: [{ port: 9100, protocol: 'TCP' }] }]);
  });

  test('its alert rules and PodMonitor exist and select the same pods', () => {
    const rule = one(objects, 'PrometheusRule', 'docs');
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(expect.arrayContaining(['ml.docs.jobs', 'ml.docs.pods']));
    const monitor = one(objects, 'PodMonitor', 'docs').spec;
    expect(Object.entries(monitor.selector.matchLabels).every(([k, v]) => template.metadata.labels[k] === v)).toBe(true);
    expect(monitor.podMetricsEndpoints[0].port).toBe('metrics');
  });

  test('without monitoring or metrics, the policy stays and no scraper is admitted', () => {
    const plain = synthWorker({ monitoring: false });
    expect(one(plain, 'NetworkPolicy', 'docs').spec.ingress ?? []).toEqual([]);
    expect(plain.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1')).toEqual([]);
  });

  test('a ScaledJob without a declared broker is an error, as for a Deployment worker', () => {
    expect(() => new QueueWorker(testChart(), 'docs', { ...worker, networkPolicy: undefined })).toThrow(
      /QueueWorker 'test\/docs': networkPolicy.egressTo \(unset\) allows no destination, so consuming from the queue would be blocked/,
    );
  });
});

const server: OnlineInferenceProps = {
  image: 'registry.example.com/llm:v1.0.0',
  resources: { cpu: '2', memory: '8Gi' },
  port: 8000,
};

function synthServer(props: Partial<OnlineInferenceProps>): Manifest[] {
  const chart = testChart();
  new OnlineInference(chart, 'chat', { ...server, ...props });
  return synthValid(chart);
}

describe('metrics on the serving port (vLLM, TGI, most Python servers)', () => {
  test.each([
    ['monitoring without metricsPort', {}],
    ['metricsPort equal to the serving port', { metricsPort: 8000 }],
  ])('%s: the ServiceMonitor scrapes the serving port and the NetworkPolicy admits the monitoring namespace on it', (_name, extra) => {
    const objects = synthServer({ ...extra, monitoring: { metricsPath: '/v1/metrics' } });
    const endpoint = one(objects, 'ServiceMonitor', 'chat').spec.endpoints[0];
    expect(endpoint).toMatchObject({ port: 'http', path: '/v1/metrics' });
    expect(one(objects, 'Service', 'chat').spec.ports.map((p: any) => p.name)).toEqual(['http']);
    expect(container(one(objects, 'Deployment', 'chat')).ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    const ingress = one(objects, 'NetworkPolicy', 'chat').spec.ingress;
    expect(ingress).toContainEqual({ from: [MONITORING_NS], ports: [{ port: 8000, protocol: 'TCP' }] });
    expect(ingress).toContainEqual({ from: [{ podSelector: {} }], ports: [{ port: 8000, protocol: 'TCP' }] });
  });

  test('metricsFrom chooses the scrapers on the serving port', () => {
    const objects = synthServer({ monitoring: {}, networkPolicy: { metricsFrom: [{ namespaceLabels: { team: 'observability' } }] } });
    expect(one(objects, 'NetworkPolicy', 'chat').spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { team: 'observability' } }, podSelector: {} }],
      ports: [{ port: 8000, protocol: 'TCP' }],
    });
  });

  test('a separate metrics port is still scraped by name and opened to the scrapers', () => {
    const objects = synthServer({ metricsPort: 9090, monitoring: {} });
    expect(one(objects, 'ServiceMonitor', 'chat').spec.endpoints[0].port).toBe('metrics');
    expect(one(objects, 'NetworkPolicy', 'chat').spec.ingress).toContainEqual({
      from: [MONITORING_NS],
      ports: [{ port: 9090, protocol: 'TCP' }],
    });
  });

  test('unmonitored, the serving port is not opened to the monitoring namespace', () => {
    const ingress = one(synthServer({}), 'NetworkPolicy', 'chat').spec.ingress;
    expect(ingress).toEqual([{ from: [{ podSelector: {} }], ports: [{ port: 8000, protocol: 'TCP' }] }]);
  });
});

describe('the scrapers are a platform setting', () => {
  test("monitoring.scrapeFrom is admitted on every scraped port; a workload's metricsFrom wins", () => {
    const app = Testing.app();
    Platform.configure(app, {
      monitoring: { scrapeFrom: [{ namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }] },
    });
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new OnlineInference(chart, 'chat', { ...server, monitoring: {} });
    new OnlineInference(chart, 'own', {
      ...server,
      monitoring: {},
      networkPolicy: { metricsFrom: [{ namespaceLabels: { team: 'sre' } }] },
    });
    new QueueWorker(chart, 'docs', { ...worker, metricsPort: 9100 });
    const objects = synthValid(chart);
    const prometheus = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    };
    expect(one(objects, 'NetworkPolicy', 'chat').spec.ingress).toContainEqual({
      from: [prometheus],
      ports: [{ port: 8000, protocol: 'TCP' }],
    });
    expect(one(objects, 'NetworkPolicy', 'docs').spec.ingress).toEqual([{ from: [prometheus], ports: [{ port: 9100, protocol: 'TCP' }] }]);
    expect(JSON.stringify(one(objects, 'NetworkPolicy', 'own').spec.ingress)).not.toContain('observability');
  });
});
