import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Size, Testing } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { MlApp, MlNamespace, MlReviewValidation, ModelCache, OnlineInference, Platform, reviewApp } from '../src';
import { synthValid } from './helpers';

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const EGRESS = { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [443] }] };
const MIRROR = 'registry.example.com/tools/aws-cli:2.17.0';
const base = { image: 'registry.example.com/app:v1', resources: { cpu: '1', memory: '2Gi' }, networkPolicy: EGRESS };
const s3Model = {
  name: 'm',
  version: 'v1',
  uri: 's3://models/m.onnx',
  sha256: SHA,
  size: '1Gi',
  fetcher: { image: MIRROR, command: ['sh', '-c', 'aws s3 cp "$MODEL_URI" "$MODEL_TARGET"'] },
};

describe('one platform contract for every image a construct renders', () => {
  test('verify-model runs model.fetcher.image: a locked registry list ships no Docker Hub image', () => {
    const app = Testing.app();
    Platform.configure(app, { allowedRegistries: ['registry.example.com'] }, { locked: ['allowedRegistries'] });
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new OnlineInference(chart, 'svc', { ...base, model: s3Model });
    const pod = synthValid(chart).find((o) => o.kind === 'Deployment')!.spec.template.spec;
    expect(pod.initContainers.map((c: any) => [c.name, c.image])).toEqual([
      ['fetch-model', MIRROR],
      ['verify-model', MIRROR],
    ]);
  });

  test("the cache wait uses the platform's fetcher image, checked against the registries with the setting named", () => {
    const app = Testing.app();
    Platform.configure(app, {
      allowedRegistries: ['registry.example.com'],
      modelCacheStorage: { storageClass: 'shared-rwx', readWriteMany: true },
    });
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    const cache = new ModelCache(chart, 'weights', {
      uri: 's3://models/w.tar',
      format: 'tar',
      sha256: SHA,
      size: '2Gi',
      fetcher: s3Model.fetcher,
      networkPolicy: EGRESS,
    });
    new OnlineInference(chart, 'svc', { ...base, model: { name: 'm', version: 'v1', cache } });
    expect(() => Testing.synth(chart)).toThrow(
      /OnlineInference 'c\/svc': Deployment\/svc init container 'wait-model' image \(curlimages\/curl:8.10.1\) is docker.io\/curlimages\/curl, which no entry of the platform's allowedRegistries \(registry.example.com\) covers; .*its image is set by the platform's modelFetcher.image \(Platform.configure\(scope, \{ modelFetcher: \{ image \} \}\)\)/,
    );
  });

  test('an image another construct adds inside a workload (e.g. an endpoint picker) is checked like the rest', () => {
    const app = Testing.app();
    Platform.configure(app, { allowedRegistries: ['registry.example.com'], requireImageDigest: false });
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    const svc = new OnlineInference(chart, 'svc', base);
    new plus.Deployment(svc, 'Picker', {
      containers: [{ name: 'epp', image: 'us-central1-docker.pkg.dev/k8s-staging-images/gateway-api-inference-extension/epp:v1.0.0' }],
    });
    expect(() => Testing.synth(chart)).toThrow(
      /Deployment\/.*container 'epp' image .* is us-central1-docker.pkg.dev\/k8s-staging-images\/gateway-api-inference-extension\/epp/,
    );
  });

  test('a hatch sidecar from a registry that needs a pull secret the pod lacks is an error', () => {
    const app = Testing.app();
    Platform.configure(app, { registryPullSecrets: { 'private.example.com': 'private-pull' } });
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new OnlineInference(chart, 'svc', base).deployment.addContainer({
      name: 'agent',
      image: 'private.example.com/agent:v1',
      resources: { cpu: { request: plus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16) } },
      securityContext: { capabilities: { drop: [plus.Capability.ALL] } },
    });
    expect(() => Testing.synth(chart)).toThrow(
      /Deployment\/svc container 'agent' image \(private.example.com\/agent:v1\) comes from private.example.com, which needs the pull secret 'private-pull' \(platform registryPullSecrets\), but the pod's imagePullSecrets are empty/,
    );
  });

  test("a Docker Hub namespace without its registry ('vllm') is an error that says what to write", () => {
    expect(() => Platform.configure(Testing.app(), { allowedRegistries: ['registry.example.com', 'vllm'] })).toThrow(
      /platform allowedRegistries\[1\] \(vllm\) names no registry host .* so no image ever matches it; write the registry first, e.g. 'docker.io\/vllm' for Docker Hub/,
    );
  });

  test("an image rejected by a locked registry list names the lock's scope, never ''", () => {
    const app = Testing.app();
    Platform.configure(app, { allowedRegistries: ['registry.example.com'] }, { locked: ['allowedRegistries'] });
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    expect(() => Platform.configure(chart, { allowedRegistries: ['docker.io/vllm'] })).toThrow(
      /Chart 'c': platform allowedRegistries \(\["docker.io\/vllm"\]\) is locked by Platform.configure at the app \(root scope\) \(locked: \['allowedRegistries'\]\); keep the platform's value \(\["registry.example.com"\]\), or ask the platform team to remove 'allowedRegistries' from locked there/,
    );
    expect(() => new OnlineInference(chart, 'svc', { ...base, image: 'vllm/vllm-openai:v0.11.0' })).toThrow(
      /image \(vllm\/vllm-openai:v0.11.0\) is docker.io\/vllm\/vllm-openai, .*; use an image from registry.example.com \(mirror it there\); allowedRegistries is locked by the platform at the app \(root scope\)/,
    );
  });

  test('Docker Hub official images match docker.io/library', () => {
    const app = Testing.app();
    Platform.configure(app, { allowedRegistries: ['docker.io/library'] });
    expect(() => new OnlineInference(new Chart(app, 'c'), 'svc', { ...base, image: 'python:3.12' })).not.toThrow();
  });
});

describe('Platform.configure comes before the constructs it configures', () => {
  test('configuring a scope after a workload was created below it is an error', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'serving', { namespace: 'ml' });
    new OnlineInference(chart, 'svc', base);
    expect(() => Platform.configure(app, { allowedRegistries: ['registry.example.com'] })).toThrow(
      /App \(the app root\): Platform.configure \(\["allowedRegistries"\]\) comes after OnlineInference 'serving\/svc' was created below this scope; constructs apply the conventions when they are created, so it would never see these; call Platform.configure\(app, ...\) before creating the workloads below it/,
    );
    expect(() => Platform.configure(chart, { labels: { team: 'x' } })).toThrow(/comes after OnlineInference 'serving\/svc' was created/);
  });

  test('an MlNamespace applies the conventions too', () => {
    const app = Testing.app();
    new MlNamespace(new Chart(app, 'platform'), 'team', { quota: { requestsCpu: '1' } });
    expect(() => Platform.configure(app, { labels: { 'cost-center': 'x' } })).toThrow(
      /comes after MlNamespace 'platform\/team' was created/,
    );
  });

  test('configuring first, a sibling scope, or a scope twice before its workloads is fine', () => {
    const app = Testing.app();
    Platform.configure(app, { labels: { team: 'a' } });
    Platform.configure(app, { labels: { team: 'b' } });
    const one = new Chart(app, 'one', { namespace: 'ml' });
    new OnlineInference(one, 'svc', base);
    expect(() => Platform.configure(new Chart(app, 'two'), { labels: { team: 'c' } })).not.toThrow();
  });
});

describe("the review reads the app's Platform", () => {
  const appWith = (outdir?: string) => {
    const app = outdir ? new MlApp({ outdir }) : Testing.app();
    Platform.configure(app, { allowedRegistries: ['registry.example.com'] });
    // an object the constructs do not check: only the review sees its image
    new plus.Deployment(new Chart(app, 'raw', { namespace: 'ml' }), 'raw', { containers: [{ image: 'quay.io/team/raw:v1' }] });
    return app;
  };

  test('reviewApp and reviewOnSynth: allowed registries from Platform.configure(app) by default (ML032)', () => {
    const findings = reviewApp(appWith() as App).findings.filter((f) => f.ruleId === 'ML032');
    expect(findings.map((f) => f.severity)).toEqual(['error']);
    expect(
      reviewApp(appWith() as App, { platform: { allowedRegistries: ['quay.io'] } }).findings.filter((f) => f.ruleId === 'ML032'),
    ).toEqual([]);
  });

  test('the validation plugin: MlApp writes the platform file under cdk8s synth, the plugin reads it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-plugin-'));
    const cwd = process.cwd();
    const env = process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    try {
      process.chdir(dir);
      fs.writeFileSync('cdk8s.yaml', 'language: typescript\napp: node main.js\noutput: out\n');
      process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
      appWith(path.join(dir, 'out')).synth();
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'cdk8s-ml-platform.json'), 'utf8'))).toEqual({
        allowedRegistries: ['registry.example.com'],
      });
      const violations: string[] = [];
      let status = '';
      await new MlReviewValidation().validate({
        manifests: fs.readdirSync(path.join(dir, 'out')).map((f) => path.join(dir, 'out', f)),
        report: { addViolation: (v) => violations.push(v.ruleName), submit: (s) => (status = s) },
      });
      expect(violations).toContain('ML032 (error)');
      expect(status).toBe('failure');
    } finally {
      process.chdir(cwd);
      if (env === undefined) delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
      else process.env.CDK8S_RECORD_CONSTRUCT_METADATA = env;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
