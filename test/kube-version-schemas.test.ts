import { App, Testing } from 'cdk8s';
import { BatchScoringJob, ExitCodes, Platform } from '../src';
import { KubeFeature, NEWEST_KUBERNETES_VERSION, OLDEST_KUBERNETES_VERSION, versionSupports } from '../src/core/facts/kubernetes';
import { configurePlatform, platformChart } from '../examples/platform';
import { batchChart } from '../examples/batch';
import { observabilityChart } from '../examples/observability';
import { queueChart } from '../examples/queue';
import { servingChart } from '../examples/serving';
import { llmChart } from '../examples/llm';
import { Manifest, testChart } from './helpers';
import { SUPPORTED_KUBERNETES_VERSIONS, featuresUsed, isBuiltIn, kubeSchema, kubeSchemaErrors } from './kube-schema';

/** The examples, targeted at `version` (the LLM chart's LeaderWorkerSet needs 1.27: left out below). */
function exampleObjects(version: string): Manifest[] {
  const app: App = Testing.app();
  configurePlatform(app);
  Platform.configure(app, { kubernetesVersion: version });
  platformChart(app);
  servingChart(app);
  batchChart(app);
  queueChart(app);
  observabilityChart(app);
  if (versionSupports(version, 'statefulset.startOrdinal')) llmChart(app);
  return app.charts.flatMap((c) => Testing.synth(c) as Manifest[]);
}

test('1.26: the LLM chart fails at synth, naming the LeaderWorkerSet and the version it needs', () => {
  const app: App = Testing.app();
  configurePlatform(app);
  Platform.configure(app, { kubernetesVersion: '1.26' });
  expect(() => llmChart(app)).toThrow(
    "MultiHostInference 'llm/llama-405b': MultiHostInference (a LeaderWorkerSet) (2) needs StatefulSet spec.ordinals.start",
  );
});

describe.each(SUPPORTED_KUBERNETES_VERSIONS)('Kubernetes %s', (version) => {
  const objects = exampleObjects(version);

  test("every built-in object of the examples passes that version's schema, unknown fields included", () => {
    const builtIn = objects.filter((o) => isBuiltIn(o.apiVersion));
    expect(builtIn.length).toBeGreaterThan(20);
    const errors = builtIn.flatMap((o) => kubeSchemaErrors(o, version).map((e) => `${o.kind}/${o.metadata.name}: ${e}`));
    expect(errors).toEqual([]);
  });

  test('no emitted field needs a newer version (alpha fields that the schema knows included)', () => {
    const tooNew = objects.flatMap((o) =>
      featuresUsed(o)
        .filter((f) => !versionSupports(version, f))
        .map((f) => `${o.kind}/${o.metadata.name}: ${f}`),
    );
    expect(tooNew).toEqual([]);
  });
});

test('the vendored schemas say where they come from', () => {
  for (const v of SUPPORTED_KUBERNETES_VERSIONS) {
    expect(kubeSchema(v).kubernetes).toBe(v);
    expect(kubeSchema(v).source).toMatch(new RegExp(`^cdk8s-plus-${v.split('.')[1]}@`));
  }
});

test('the strict check fails on a field the version does not have', () => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'x' },
    spec: {
      successPolicy: { rules: [] },
      template: { spec: { containers: [{ name: 'a', lifecycle: { preStop: { sleep: { seconds: 5 } } } }] } },
    },
  };
  expect(kubeSchemaErrors(job, '1.28')).toEqual([
    '/spec/successPolicy is not in the Kubernetes 1.28 schema',
    '/spec/template/spec/containers/0/lifecycle/preStop/sleep is not in the Kubernetes 1.28 schema',
  ]);
  expect(kubeSchemaErrors(job, '1.34')).toEqual([]);
  expect(featuresUsed(job)).toEqual(['job.successPolicy', 'lifecycle.sleep']);
});

test('oldest target: the safety fields newer than it are gone; newest: they appear', () => {
  const features = (version: string) => {
    const chart = testChart();
    Platform.configure(chart, { kubernetesVersion: version });
    new BatchScoringJob(chart, 'scores', {
      image: 'registry.example.com/scorer:v1.2.0',
      resources: { cpu: '1', memory: '2Gi' },
      shards: 8,
      nonRetryableExitCodes: ExitCodes.of(2),
    });
    return new Set(Testing.synth(chart).flatMap((o) => featuresUsed(o)));
  };
  const expected: KubeFeature[] = ['job.podReplacementPolicy', 'job.backoffLimitPerIndex'];
  const oldest = features(OLDEST_KUBERNETES_VERSION);
  const newest = features(NEWEST_KUBERNETES_VERSION);
  for (const f of expected) {
    expect(oldest.has(f)).toBe(false);
    expect(newest.has(f)).toBe(true);
  }
  expect(oldest.has('job.podFailurePolicy')).toBe(true);
});
