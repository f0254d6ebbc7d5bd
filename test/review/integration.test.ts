import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { MlReviewValidation, OnlineInference, reviewApp, reviewOnSynth } from '../../src';

const good = { image: 'registry.example.com/s:v1', resources: { cpu: '500m', memory: '1Gi' } };

function appWith(outdir: string, bad: boolean, log: string[]): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'serving', { namespace: 'ml' });
  new OnlineInference(chart, 'sentiment', good);
  if (bad) {
    new ApiObject(chart, 'legacy', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'legacy', namespace: 'ml' },
      spec: {
        selector: { matchLabels: { app: 'legacy' } },
        template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'python:latest' }] } },
      },
    });
  }
  reviewOnSynth(app, { log: (t) => log.push(t) });
  return app;
}

describe('review on synth', () => {
  test('our constructs raise no error or warning', () => {
    const report = reviewApp(appWith(os.tmpdir(), false, []));
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('an error finding fails synthesis and nothing is written; warnings are printed', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
    const log: string[] = [];
    expect(() => appWith(outdir, true, log).synth()).toThrow(
      /ML006: Deployment 'ml\/legacy': container 'c' uses image 'python:latest' with the mutable tag :latest/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
    expect(log.join('')).toMatch(/ML015/); // token automounted: a warning, printed
  });

  test('a clean app synthesizes', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
    appWith(outdir, false, []).synth();
    expect(fs.readdirSync(outdir)).toEqual(['serving.k8s.yaml']);
  });
});

describe('cdk8s validation plugin', () => {
  function run(manifest: string, properties = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-'));
    const file = path.join(dir, 'm.k8s.yaml');
    fs.writeFileSync(file, manifest);
    const violations: any[] = [];
    let status = '';
    return new MlReviewValidation(properties)
      .validate({
        manifests: [file],
        report: {
          addViolation: (v) => violations.push(v),
          submit: (s) => {
            status = s;
          },
        },
      })
      .then(() => ({ violations, status }));
  }

  test('fails on an error finding and names rule, resource, the field (JSON path and line) and fix', async () => {
    const { violations, status } = await run(
      'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: old}\nspec: {maxUnavailable: 1}\n',
    );
    expect(status).toBe('failure');
    expect(violations).toContainEqual(
      expect.objectContaining({
        ruleName: 'ML013 (error)',
        violatingResources: [expect.objectContaining({ resourceName: 'PodDisruptionBudget/old', locations: ['apiVersion (line 1)'] })],
      }),
    );
  });

  test('passes our own synthesized output', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-app-'));
    appWith(outdir, false, []).synth();
    const { status, violations } = await run(fs.readFileSync(path.join(outdir, 'serving.k8s.yaml'), 'utf8'));
    expect(violations).toEqual([]);
    expect(status).toBe('success');
  });

  test('failOn: warning fails on warnings; malformed YAML is reported, not thrown', async () => {
    const { status, violations } = await run('kind: [unclosed', { failOn: 'warning' });
    expect(status).toBe('failure');
    expect(violations[0].ruleName).toBe('ML000 (error)');
  });
});
