import { Testing } from 'cdk8s';
import { reviewApp } from '../src';
import { configurePlatform, platformChart } from '../examples/platform';
import { batchChart } from '../examples/batch';
import { llmChart } from '../examples/llm';
import { observabilityChart } from '../examples/observability';
import { queueChart } from '../examples/queue';
import { servingChart } from '../examples/serving';
import { synthValid } from './helpers';

/** The examples as examples/main.ts builds them (without writing files). */
function exampleApp() {
  const app = Testing.app();
  configurePlatform(app);
  platformChart(app);
  servingChart(app);
  batchChart(app);
  queueChart(app);
  observabilityChart(app);
  llmChart(app);
  return app;
}

test('every example object passes its schema', () => {
  const app = exampleApp();
  const kinds = app.charts.flatMap((c) => synthValid(c)).map((o) => o.kind);
  expect(kinds).toEqual(expect.arrayContaining(['Namespace', 'ResourceQuota', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'CronJob', 'Job', 'PersistentVolumeClaim', 'ScaledObject', 'ScaledJob', 'TriggerAuthentication', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'LeaderWorkerSet', 'InferencePool', 'HTTPRoute']));
});

test('the review engine raises no error or warning on the examples', () => {
  const report = reviewApp(exampleApp());
  expect(report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.ruleId} ${f.kind}/${f.name}: ${f.message}`)).toEqual([]);
});

test('the examples fit their namespace quotas (synth-time validation passes)', () => {
  expect(() => exampleApp().synth()).not.toThrow();
});
