import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { observabilityChart } from '../../examples/observability';
import { MlApp, WorkloadMonitoring, renderRunbook, writeRunbook } from '../../src';
import { synthValid } from '../helpers';
import { expectParses, rulesOf } from './promql';
import { embedder, nightlyScoring } from './workloads';

/** The example app plus two descriptor-only workloads (as BatchScoringJob and QueueWorker will add). */
function exampleApp(app: App = Testing.app()): App {
  observabilityChart(app);
  const batch = new Chart(app, 'batch', { namespace: 'ml-batch' });
  new WorkloadMonitoring(batch, 'nightly-scoring', { workload: nightlyScoring });
  const queue = new Chart(app, 'queue', { namespace: 'ml-queue' });
  new WorkloadMonitoring(queue, 'embedder', { workload: embedder, queue: { backlog: { maxMessages: 5000 } } });
  return app;
}

describe('RUNBOOK.md', () => {
  const app = exampleApp();
  const md = renderRunbook(app);

  test('matches the snapshot', () => {
    expect(md).toMatchSnapshot();
  });

  test('is deterministic', () => {
    expect(renderRunbook(exampleApp())).toBe(md);
  });

  test('lists each workload with what it is, its objects, SLOs, triage, alerts and rollback', () => {
    expect(md).toContain('- [ml-fraud/fraud-scorer](#ml-fraud-fraud-scorer) (OnlineInference)');
    expect(md).toContain('- [ml-batch/nightly-scoring](#ml-batch-nightly-scoring) (BatchScoringJob)');
    expect(md).toContain(
      '**Objects:** `ServiceAccount/fraud-scorer`, `Deployment/fraud-scorer`, `Service/fraud-scorer`, `HorizontalPodAutoscaler/fraud-scorer`, `PodDisruptionBudget/fraud-scorer`, `Deployment/fraud-scorer-canary`, `HorizontalPodAutoscaler/fraud-scorer-canary`, `NetworkPolicy/fraud-scorer`, `ServiceMonitor/fraud-scorer`, `PrometheusRule/fraud-scorer`',
    );
    expect(md).toContain(
      '- **availability**: 99.9% of requests succeed over 30d. Error budget: 0.1% of requests may fail over 30d (as much as 43.2 minutes of total outage).',
    );
    expect(md).toContain('| availability | 1h and 5m | 14.4x | 0.0144 | 2% in 1h | 2.08 days | critical (page) |');
    expect(md).toContain('| [MlNoReadyEndpoints](#ml-fraud-fraud-scorer-mlnoreadyendpoints) | critical |');
    expect(md).toContain('kubectl rollout undo deploy/fraud-scorer -n ml-fraud');
    expect(md).toContain('kubectl get endpoints fraud-scorer -n ml-fraud');
    expect(md).toContain('kubectl describe pod -n ml-fraud -l app.kubernetes.io/name=fraud-scorer,app.kubernetes.io/instance=fraud-scorer');
    expect(md).toContain('kubectl logs <pod> -n ml-fraud -c server --previous');
    expect(md).toContain(`kubectl patch cronjob/nightly-scoring -n ml-batch -p '{"spec":{"suspend":true}}'`);
  });

  test('every alert of every PrometheusRule has its section, and its runbook_url anchor exists', () => {
    const rules = app.charts.flatMap((c) => rulesOf(synthValid(c)));
    expect(rules.length).toBeGreaterThan(20);
    for (const r of rules) {
      const anchor = r.annotations.runbook_url.split('#')[1];
      expect(md).toContain(`<a id="${anchor}"></a>\n#### ${r.alert}`);
    }
  });

  test('the PromQL shown in the runbook parses', () => {
    const blocks = [...md.matchAll(/```promql\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(20);
    for (const b of blocks) expectParses(b);
  });

  test('platform defaults reach the monitors: the Prometheus selector label', () => {
    const objects = synthValid(app.charts[0]);
    for (const o of objects.filter((x) => x.apiVersion === 'monitoring.coreos.com/v1'))
      expect(o.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });

  test('an app without monitoring says so', () => {
    expect(renderRunbook(Testing.app())).toContain('No workload in this app has monitoring enabled.');
  });
});

describe('writeRunbook', () => {
  test('writes RUNBOOK.md to reports/ beside the manifests folder, which keeps only manifests', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-runbook-'));
    const outdir = path.join(parent, 'dist');
    const app = exampleApp(new App({ outdir }));
    app.synth();
    const file = writeRunbook(app);
    expect(file).toBe(path.join(parent, 'reports', 'RUNBOOK.md'));
    expect(fs.readdirSync(outdir).sort()).toEqual(['batch.k8s.yaml', 'observability.k8s.yaml', 'queue.k8s.yaml']);
    expect(fs.readFileSync(file, 'utf8')).toBe(renderRunbook(app));
  });

  test("an MlApp's runbook goes to its reportsDir", () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-runbook-'));
    const app = exampleApp(new MlApp({ outdir: path.join(parent, 'dist'), reportsDir: path.join(parent, 'docs') }));
    app.synth();
    expect(writeRunbook(app)).toBe(path.join(parent, 'docs', 'RUNBOOK.md'));
  });
});
