import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { MlEnvValue, MlNamespace, OnlineInference, OnlineInferenceProps, QueueTrigger, QueueWorker } from '../src';
import { runScript, selfSignedCertificate, serve } from './fixtures/loopback';
import { one, podSpec, synthValid, testChart } from './helpers';

/**
 * The security remainders of the reference's failure modes (issue 21): each test fails on the library
 * before the fix and passes after.
 */

const worker = (trigger: QueueTrigger) => () =>
  new QueueWorker(testChart(), 'w', {
    image: 'registry.example.com/worker:v1.0.0',
    resources: { cpu: '500m', memory: '1Gi' },
    env: { RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq', 'url') },
    maxProcessingTime: Duration.minutes(1),
    maxReplicas: 5,
    triggers: [trigger],
    networkPolicy: { egressTo: [{ to: { namespace: 'queues' } }] },
  });

describe('credentials never reach the YAML through trigger metadata', () => {
  const SA_JSON = '{"type": "service_account", "project_id": "p", "private_key_id": "k", "private_key": "MIIEvhunter2"}';
  test.each<[string, () => QueueTrigger, RegExp]>([
    [
      'a Datadog application key (appKey)',
      () => QueueTrigger.generic('datadog', { query: 'sum:queue.depth{*}', queryValue: '5', appKey: 'hunter2hunter2' }),
      /triggers\[0\].metadata.appKey \(<redacted>\) is a credential written into trigger metadata .*; pass it by reference: auth: TriggerAuth.fromSecret\('<secret>', \{ appKey: '<key>' \}\) or appKeyFromEnv/,
    ],
    [
      'a private key (privateKey)',
      () => QueueTrigger.generic('snowflake', { query: 'select 1', privateKey: 'hunter2hunter2' }),
      /triggers\[0\].metadata.privateKey \(<redacted>\) is a credential written into trigger metadata/,
    ],
    [
      'a GCP service-account JSON under an innocent key',
      () => QueueTrigger.generic('gcp-pubsub', { subscriptionName: 'docs', value: '5', serviceAccountConfig: SA_JSON }),
      /triggers\[0\].metadata.serviceAccountConfig \(<redacted>\) contains a credential \(a service-account key\)/,
    ],
    [
      'a GCP credentials key',
      () => QueueTrigger.generic('gcp-pubsub', { subscriptionName: 'docs', value: '5', credentials: 'hunter2hunter2' }),
      /triggers\[0\].metadata.credentials \(<redacted>\) is a credential written into trigger metadata/,
    ],
    [
      'a token in the query of a Prometheus URL',
      () =>
        QueueTrigger.prometheus({ serverAddress: 'https://prometheus.example.com:9090/?token=hunter2hunter2', query: 'up', threshold: 1 }),
      /triggers\[0\].serverAddress \(<redacted>\) contains a credential \(a URL with a credential query parameter \(token\)\)/,
    ],
    [
      'an access_token in a generic metadata URL',
      () => QueueTrigger.generic('metrics-api', { url: 'https://api.example.com/q?access_token=hunter2hunter2', targetValue: '5' }),
      /triggers\[0\].metadata.url \(<redacted>\) contains a credential \(a URL with a credential query parameter \(access_token\)\)/,
    ],
    [
      "a broker password containing '/'",
      () => QueueTrigger.rabbitmq({ queueName: 'q', value: 5, host: 'amqp://guest:hunter/2@rabbitmq.queues.svc:5672/' }),
      /triggers\[0\].host \(<redacted>\) contains a credential \(a URL with a password\)/,
    ],
    [
      "a broker password containing '#'",
      () => QueueTrigger.generic('rabbitmq', { queueName: 'q', value: '5', host: 'amqp://guest:hunter#2@rabbitmq.queues.svc:5672/' }),
      /triggers\[0\].metadata.host \(<redacted>\) contains a credential \(a URL with a password\)/,
    ],
  ])('%s', (_n, trigger, message) => {
    expect(worker(trigger())).toThrow(message);
    expect(worker(trigger())).not.toThrow(/hunter/);
  });

  test('URLs that only look alike stay accepted: a port and an @ in the path, a plain query', () => {
    expect(
      worker(QueueTrigger.prometheus({ serverAddress: 'http://prometheus.monitoring.svc:9090/p@x?q=1', query: 'up', threshold: 1 })),
    ).not.toThrow();
    expect(worker(QueueTrigger.rabbitmq({ queueName: 'q', value: 5, host: 'amqp://rabbitmq.queues.svc:5672/ml' }))).not.toThrow();
  });

  test("a model URI whose password holds a '/' is refused (and not echoed)", () => {
    const chart = testChart();
    const make = () =>
      new OnlineInference(chart, 's', {
        image: 'registry.example.com/s:v1',
        resources: { cpu: '1', memory: '2Gi' },
        model: { name: 'm', version: 'v1', uri: 'https://user:hunter/2@models.example.com/m.bin', sha256: 'c'.repeat(64), size: '1Gi' },
        networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
      });
    expect(make).toThrow(/model.uri \(https:\/\/\*\*\*@models.example.com\/m.bin\) carries credentials in its user-info/);
  });
});

describe('the model fetcher never follows a redirect off https', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redirect-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fetchContainer(uri: string, extra: Partial<NonNullable<OnlineInferenceProps['model']>> = {}) {
    const chart = testChart();
    new OnlineInference(chart, 's', {
      image: 'registry.example.com/s:v1',
      resources: { cpu: '1', memory: '2Gi' },
      model: { name: 'm', version: 'v1', uri, sha256: 'c'.repeat(64), size: '1Gi', ...extra },
      networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
    });
    return podSpec(one(synthValid(chart), 'Deployment')).initContainers[0];
  }

  /** Runs the fetch script of `container` for `uri` against loopback servers; returns the outcome and what landed. */
  async function fetch(container: any, uri: string, ca: string) {
    const model = path.join(dir, 'models');
    fs.mkdirSync(model, { recursive: true });
    const env = Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    const result = await runScript(container.command[2].replace(/\/tmp\//g, `${dir}/`), {
      PATH: process.env.PATH,
      ...env,
      MODEL_URI: uri,
      MODEL_DIR: model,
      MODEL_TARGET: path.join(model, 'm.bin'),
      CURL_CA_BUNDLE: ca,
    });
    return { ...result, landed: fs.existsSync(path.join(model, 'm.bin')) };
  }

  test('https -> http: refused, nothing fetched over http, nothing written', async () => {
    const tls = selfSignedCertificate(dir);
    const plain = await serve((p) => (p === '/m.bin' ? { body: 'weights' } : undefined));
    const secure = await serve((p) => (p === '/m.bin' ? { redirect: `${plain.url}/m.bin` } : undefined), tls);
    try {
      const result = await fetch(fetchContainer('https://models.example.com/m.bin'), `${secure.url}/m.bin`, tls.cert);
      expect(secure.requests).toEqual(['/m.bin']);
      expect(plain.requests).toEqual([]);
      expect(result.ok).toBe(false);
      expect(result.err).toMatch(/[Pp]rotocol "?http"? not supported or disabled/);
      expect(result.landed).toBe(false);
    } finally {
      await Promise.all([plain.close(), secure.close()]);
    }
  });

  test('https -> https: followed (a CDN or a mirror)', async () => {
    const tls = selfSignedCertificate(dir);
    const cdn = await serve((p) => (p === '/blob' ? { body: 'weights' } : undefined), tls);
    const origin = await serve((p) => (p === '/m.bin' ? { redirect: `${cdn.url}/blob` } : undefined), tls);
    try {
      const result = await fetch(fetchContainer('https://models.example.com/m.bin'), `${origin.url}/m.bin`, tls.cert);
      expect(result).toEqual({ ok: true, err: '', landed: true });
      expect(fs.readFileSync(path.join(dir, 'models', 'm.bin'), 'utf8')).toBe('weights');
    } finally {
      await Promise.all([cdn.close(), origin.close()]);
    }
  });

  test('the script starts with https only, and an allowed http:// model may only be upgraded', () => {
    expect(fetchContainer('https://models.example.com/m.bin').command[2]).toMatch(/--proto =https --proto-redir =https /);
    expect(fetchContainer('http://models.internal/m.bin', { allowInsecureHttp: true }).command[2]).toMatch(
      /--proto =http,https --proto-redir =http,https /,
    );
  });
});

describe('ingress is never opened to everyone by accident', () => {
  const serving = (ingressFrom: NonNullable<Exclude<OnlineInferenceProps['networkPolicy'], false>>['ingressFrom']) => () => {
    const chart = testChart();
    new OnlineInference(chart, 's', {
      image: 'registry.example.com/s:v1',
      resources: { cpu: '1', memory: '2Gi' },
      networkPolicy: { ingressFrom },
    });
    return synthValid(chart);
  };

  test.each<[string, any, RegExp]>([
    [
      '0.0.0.0/0',
      { cidr: '0.0.0.0/0' },
      /admits every address \(a \/0 CIDR\), so anything that reaches the node or a LoadBalancer may call the pods; name the callers' range .* or add allowAnySource: true/,
    ],
    ['::/0', { cidr: '::/0' }, /admits every address \(a \/0 CIDR\)/],
    [
      'an empty namespace selector',
      { namespaceLabels: {} },
      /selects every namespace \(empty namespaceLabels\), so any pod of any tenant may call the pods; name the namespace/,
    ],
    ['an empty namespace selector with pod labels', { namespaceLabels: {}, podLabels: { app: 'gateway' } }, /selects every namespace/],
  ])('%s is an error', (_n, peer, message) => {
    expect(serving([peer])).toThrow(new RegExp(`OnlineInference 'test/s': ingress\\[0\\]\\.from\\[0\\] .*${message.source}`));
  });

  test('the same peers as scrapers (metricsFrom) too', () => {
    const chart = testChart();
    expect(
      () =>
        new OnlineInference(chart, 's', {
          image: 'registry.example.com/s:v1',
          resources: { cpu: '1', memory: '2Gi' },
          metricsPort: 9090,
          networkPolicy: { metricsFrom: [{ cidr: '0.0.0.0/0' }] },
        }),
    ).toThrow(/admits every address/);
  });

  test('an explicit opt-in admits them', () => {
    const objects = serving([
      { cidr: '0.0.0.0/0', allowAnySource: true },
      { namespaceLabels: {}, allowAnySource: true },
    ])();
    const from = one(objects, 'NetworkPolicy').spec.ingress.flatMap((r: any) => r.from);
    expect(from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, { namespaceSelector: {}, podSelector: {} }]);
  });

  test('egress to the Internet needs no opt-in (downloads, object stores)', () => {
    const chart = testChart();
    new OnlineInference(chart, 's', {
      image: 'registry.example.com/s:v1',
      resources: { cpu: '1', memory: '2Gi' },
      networkPolicy: { egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] },
    });
    expect(() => synthValid(chart)).not.toThrow();
  });
});

describe("an MlNamespace with podSecurity 'privileged' says why", () => {
  const ns = (props: Record<string, unknown>) => () => {
    const chart = testChart();
    new MlNamespace(chart, 'gpu-operator', { quota: { requestsCpu: '8' }, ...props });
    return synthValid(chart);
  };
  test('without a reason it is an error', () => {
    expect(ns({ podSecurity: 'privileged' })).toThrow(
      /MlNamespace 'test\/gpu-operator': podSecurity \(privileged\) turns Pod Security off for the namespace: any pod in it may run privileged, as root, with host namespaces and devices; keep 'restricted' .* or state why with privilegedReason/,
    );
  });
  test('with a reason the Namespace carries it', () => {
    const objects = ns({ podSecurity: 'privileged', privilegedReason: 'GPU operator: driver and toolkit DaemonSets' })();
    const namespace = one(objects, 'Namespace');
    expect(namespace.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(namespace.metadata.annotations).toEqual({ 'cdk8s-ml.io/privileged-reason': 'GPU operator: driver and toolkit DaemonSets' });
  });
  test('a reason without privileged is an error', () => {
    expect(ns({ privilegedReason: 'x' })).toThrow(/privilegedReason \(x\) is set but podSecurity is 'restricted'/);
  });
});
