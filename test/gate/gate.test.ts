import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { MlEnvValue, MlApp, OnlineInference, Platform, QueueTrigger, ServingRuntime } from '../../src';
import { findValue, recordOptions } from '../../src/core/gate';
import { provenanceOf } from '../../src/core/gate/provenance';
import { KEDA_SCALERS, KEDA_SCALERS_SOURCE } from '../../src/keda/keda-scalers';
import { cidrFamily, isCidr, isIpv4, isIpv6, isStrictSubnet } from '../../src/core/validation/strings';

const image = 'registry.example.com/team/app:v1.0.0';
/** A mistake only the gate sees: an invalid pull secret set through an escape hatch (no prop is involved). */
const badPullSecret = (chart: Chart) => {
  const w = new OnlineInference(chart, 'scorer', { image, resources: { cpu: '1', memory: '1Gi' } });
  ApiObject.of(w.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/imagePullSecrets', [{ name: 'Registry_Creds' }]));
};
const MESSAGE =
  /OnlineInference '.*scorer': Deployment 'scorer' spec.template.spec.imagePullSecrets\[0\].name \(Registry_Creds\) can never name a Secret/;

describe('one gate for every way of synthesizing', () => {
  test('Testing.synth, cdk8s App.synth, MlApp.synth, synthYaml and synthFiles all refuse the same object, with the same message', () => {
    expect(() => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
      badPullSecret(chart);
      Testing.synth(chart);
    }).toThrow(MESSAGE);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-'));
    const app = new App({ outdir });
    badPullSecret(new Chart(app, 'c', { namespace: 'ml' }));
    expect(() => app.synth()).toThrow(MESSAGE);
    for (const synth of ['synth', 'synthYaml', 'synthFiles'] as const) {
      const out = path.join(outdir, `ml-${synth}`);
      const ml = new MlApp({ outdir: out });
      badPullSecret(new Chart(ml, 'c', { namespace: 'ml' }));
      expect(() => ml[synth]()).toThrow(MESSAGE);
      expect(fs.existsSync(out)).toBe(false); // nothing written
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("the user's own objects are checked too, in any chart of an app that uses the library", () => {
    const app = Testing.app();
    new OnlineInference(new Chart(app, 'lib', { namespace: 'ml' }), 'scorer', { image, resources: { cpu: '1', memory: '1Gi' } });
    const mine = new Chart(app, 'mine', { namespace: 'ml' });
    new k8s.KubeService(mine, 'svc', { metadata: { name: 'api' }, spec: { ports: [{ port: 70000 }], selector: { app: 'api' } } });
    expect(() => Testing.synth(mine)).toThrow(
      /KubeService 'mine\/svc': Service 'api' spec.ports\[0\].port \(70000\) is outside 1-65535; use a whole port number/,
    );
  });

  test('MlApp writes what passes, byte for byte as before (the gate reads the JSON it writes, nothing else)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-ok-'));
    const ml = new MlApp({ outdir: out });
    new OnlineInference(new Chart(ml, 'c', { namespace: 'ml' }), 'scorer', { image, resources: { cpu: '1', memory: '1Gi' } });
    ml.synth();
    const plain = new App({ outdir: path.join(out, 'plain') });
    new OnlineInference(new Chart(plain, 'c', { namespace: 'ml' }), 'scorer', { image, resources: { cpu: '1', memory: '1Gi' } });
    expect(ml.synthYaml()).toBe(plain.synthYaml());
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('an escape-hatch edit that replaces a contract variable is refused, one with the same value is not', () => {
    const ok = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    const a = new OnlineInference(ok, 'scorer', {
      image,
      resources: { cpu: '1', memory: '1Gi' },
      model: { name: 'm', version: 'v1', claimName: 'm-v1' },
    });
    ApiObject.of(a.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'LOG_LEVEL', value: 'debug' }));
    expect(() => Testing.synth(ok)).not.toThrow();
    const bad = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    const b = new OnlineInference(bad, 'scorer', {
      image,
      resources: { cpu: '1', memory: '1Gi' },
      model: { name: 'm', version: 'v1', claimName: 'm-v1' },
    });
    ApiObject.of(b.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'MODEL_DIR', value: '/data' }));
    expect(() => Testing.synth(bad)).toThrow(
      /MODEL_DIR\) is a variable the library sets itself \(the directory the model fetcher writes to and the server reads, owned by model\)/,
    );
  });
});

describe('provenance: the prop that produced a value', () => {
  test('map keys are written as keys, class instances stop the path, recorded options are searched', () => {
    const secret = MlEnvValue.fromSecret('Bad_Name', 'k');
    expect(findValue({ env: { API_KEY: secret } }, 'Bad_Name')).toBe("env['API_KEY']");
    expect(findValue({ labels: { team: 'x y' } }, 'x y')).toBe("labels['team']");
    expect(findValue({ networkPolicy: { egressTo: [{ to: { cidr: '1/33' } }] } }, '1/33')).toBe('networkPolicy.egressTo[0].to.cidr');
    const runtime = ServingRuntime.vllm({ hfToken: { secretName: 'HF' } });
    expect(findValue({ runtime }, 'HF')).toBe('runtime.hfToken.secretName');
    const opaque = recordOptions(new (class Opaque {})(), {});
    expect(findValue({ a: opaque }, 'missing')).toBeUndefined();
    expect(findValue({ resources: { cpu: '1' } }, 'cpu')).toBe('resources.cpu');
  });

  test('a value set by the platform names the platform setting and where it was configured', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'team', { namespace: 'ml' });
    Platform.configure(chart, { imagePullSecrets: ['team-creds'] });
    const w = new OnlineInference(chart, 'scorer', { image, resources: { cpu: '1', memory: '1Gi' } });
    const object = { construct: ApiObject.of(w.deployment), kind: 'Deployment', name: 'scorer' };
    expect(provenanceOf(object, 'spec.template.spec.imagePullSecrets[0].name', 'team-creds')).toEqual({
      owner: w,
      field: "platform imagePullSecrets[0] (configured at 'team')",
    });
    // A value found nowhere is named by its rendered path, against the workload.
    expect(provenanceOf(object, 'spec.template.spec.hostname', 'nowhere')).toEqual({
      owner: w,
      field: "Deployment 'scorer' spec.template.spec.hostname",
    });
  });
});

describe('the KEDA scaler table', () => {
  test('comes from the KEDA release the CRDs pin', () => {
    // The KEDA CRD schema the tests validate against is the same release.
    expect(fs.existsSync(path.join(__dirname, '..', 'schemas', `keda-${KEDA_SCALERS_SOURCE.tag}.json`))).toBe(true);
    expect(KEDA_SCALERS_SOURCE.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(KEDA_SCALERS).length).toBeGreaterThan(70);
  });

  test('knows every scaler and every metadata key the typed triggers render', () => {
    const rendered = [
      QueueTrigger.rabbitmq({
        queueName: 'q',
        value: 5,
        mode: 'MessageRate',
        host: 'http://rabbitmq:15672/vhost',
        protocol: 'http',
        vhostName: 'v',
        activationValue: 1,
      }),
      QueueTrigger.kafka({
        bootstrapServers: ['kafka:9092'],
        consumerGroup: 'g',
        topic: 't',
        lagThreshold: 10,
        activationLagThreshold: 1,
        offsetResetPolicy: 'earliest',
        allowIdleConsumers: true,
        tls: true,
      }),
      QueueTrigger.sqs({
        queueURL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
        queueLength: 5,
        activationQueueLength: 1,
        awsRegion: 'eu-west-1',
        awsEndpoint: 'https://sqs.eu-west-1.amazonaws.com',
        scaleOnInFlight: false,
        scaleOnDelayed: true,
        identityOwner: 'operator',
      }),
      QueueTrigger.redisList({
        address: 'redis:6379',
        listName: 'l',
        listLength: 5,
        activationListLength: 1,
        databaseIndex: 1,
        enableTLS: true,
        passwordFromEnv: 'P',
      }),
      QueueTrigger.redisStream({ addressFromEnv: 'A', stream: 's', consumerGroup: 'g', mode: 'lag', value: 5, activationLagCount: 1 }),
      QueueTrigger.prometheus({
        serverAddress: 'http://p:9090',
        query: 'sum(x)',
        threshold: 5,
        activationThreshold: 1,
        namespace: 'n',
        ignoreNullValues: false,
      }),
    ].map((t) => t.render(new Chart(Testing.app(), 'c'), 'triggers[0]'));
    for (const t of rendered) {
      const keys = KEDA_SCALERS[t.type];
      expect(keys).toBeTruthy();
      for (const k of Object.keys(t.metadata))
        expect(`${t.type}.${k}: ${Boolean(keys![k.replace(/FromEnv$/, '')])}`).toBe(`${t.type}.${k}: true`);
    }
  });
});

describe('addresses', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  test('property: every dotted IPv4 with a prefix up to 32 is a CIDR; above 32 or an octet above 255 is not', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 0, max: 40 }), (o, bits) => {
        expect(isCidr(`${o.join('.')}/${bits}`)).toBe(bits <= 32);
        expect(isIpv4(`${o[0] + 256}.${o[1]}.${o[2]}.${o[3]}`)).toBe(false);
      }),
    );
  });

  test('property: IPv6 in full and compressed form', () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 8 }),
        (g, from, len) => {
          expect(isIpv6(g.join(':'))).toBe(true);
          const cut = Math.min(len, 8 - from); // '::' stands for 1 or more groups
          expect(isIpv6(`${g.slice(0, from).join(':')}::${g.slice(from + cut).join(':')}`)).toBe(true);
          expect(isIpv6(`${g.join(':')}::`)).toBe(false); // 8 groups leave nothing for '::'
          expect(cidrFamily(`${g.join(':')}/64`)).toBe(6);
          expect(cidrFamily(`${g.join(':')}/129`)).toBeUndefined();
        },
      ),
    );
    expect(['::', '::1', 'fe80::1', '2001:db8::', '::ffff:10.0.0.1', '2001:DB8:0:0:8:800:200C:417A'].every(isIpv6)).toBe(true);
    expect(['1:2:3:4:5:6:7:8:9', ':::', '1::2::3', 'fe80::1%eth0', '12345::', '10.0.0.1'].some(isIpv6)).toBe(false);
  });

  test('except ranges inside their block', () => {
    expect(isStrictSubnet('10.1.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(isStrictSubnet('10.0.0.0/8', '10.0.0.0/8')).toBe(false);
    expect(isStrictSubnet('11.0.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(isStrictSubnet('fd00:1::/32', 'fd00::/16')).toBe(true);
    expect(isStrictSubnet('10.0.0.0/16', 'fd00::/8')).toBe(false);
  });
});
