// Alerting that fits a kube-prometheus-stack cluster: no double paging, routing labels, runbook out of the alerts.
import { App, Chart, Duration, Yaml } from 'cdk8s';
import { BatchScoringJob, OnlineInference, OnlineInferenceProps, Platform, renderRunbook } from '../../src';
import { one, synthValid } from '../helpers';

const props: OnlineInferenceProps = {
  image: 'registry.example.com/ranker:v1',
  resources: { cpu: '500m', memory: '1Gi' },
  metricsPort: 9090,
  autoscaling: { minReplicas: 2, maxReplicas: 6 },
  monitoring: { slo: { availability: { objective: 0.999 } } },
};

function app(monitoring: Parameters<typeof Platform.configure>[1]['monitoring']): { app: App; chart: Chart } {
  const a = new App();
  Platform.configure(a, { labels: { team: 'search' }, monitoring: { enabled: true, ...monitoring } });
  return { app: a, chart: new Chart(a, 'prod', { namespace: 'prod' }) };
}

function rules(objects: any[], kind = 'PrometheusRule'): any[] {
  return one(objects, kind).spec.groups.flatMap((g: any) => g.rules);
}

describe('alerting that fits kube-prometheus-stack', () => {
  test('alerts its default rules already raise are left out, the ML-specific ones stay, and the runbook names the covering rule', () => {
    const plain = app({});
    new OnlineInference(plain.chart, 'ranker', props);
    const before = rules(synthValid(plain.chart)).map((r) => r.alert);
    expect(before).toEqual(
      expect.arrayContaining(['MlCrashLooping', 'MlPodsPending', 'MlReplicasUnavailable', 'MlRolloutStuck', 'MlAtMaxReplicas']),
    );

    const kps = app({ alertsCoveredBy: 'kube-prometheus-stack' });
    const svc = new OnlineInference(kps.chart, 'ranker', props);
    const after = rules(synthValid(kps.chart)).map((r) => r.alert);
    expect(after).toEqual(
      before.filter((a) => !['MlCrashLooping', 'MlPodsPending', 'MlReplicasUnavailable', 'MlRolloutStuck', 'MlAtMaxReplicas'].includes(a)),
    );
    expect(after).toEqual(expect.arrayContaining(['MlAvailabilityFastBurn', 'MlOOMKilled', 'MlNoReadyEndpoints', 'MlModelLoadFailing']));
    expect(svc.monitoring!.coveredElsewhere.map((c) => c.rule)).toEqual(
      expect.arrayContaining([
        'KubePodCrashLooping',
        'KubePodNotReady',
        'KubeDeploymentReplicasMismatch',
        'KubeDeploymentRolloutStuck',
        'KubeHpaMaxedOut',
      ]),
    );
    expect(renderRunbook(kps.app)).toContain('Left to kube-prometheus-stack');
    expect(renderRunbook(kps.app)).toContain('KubePodCrashLooping (instead of MlCrashLooping)');
  });

  test('a failed Job is left to KubeJobFailed', () => {
    const kps = app({ alertsCoveredBy: 'kube-prometheus-stack' });
    new BatchScoringJob(kps.chart, 'scores', {
      image: 'registry.example.com/scores:v1',
      resources: { cpu: '1', memory: '2Gi' },
      monitoring: {},
    });
    const alerts = rules(synthValid(kps.chart)).map((r) => r.alert);
    expect(alerts).not.toContain('MlJobFailed');
    expect(alerts).toContain('MlJobPodsFailing');
  });

  test("every alert carries the workload's team and the platform's routing labels", () => {
    const { chart } = app({ alertLabels: { routing_key: 'ml-oncall', tier: 'prod' } });
    new OnlineInference(chart, 'ranker', props);
    const all = rules(synthValid(chart));
    expect(all.length).toBeGreaterThan(5);
    for (const r of all)
      expect(r.labels).toEqual({
        severity: r.labels.severity,
        namespace: 'prod',
        workload: 'ranker',
        team: 'search',
        routing_key: 'ml-oncall',
        tier: 'prod',
      });
  });

  test('the team label name is a platform setting', () => {
    const a = new App();
    Platform.configure(a, { labels: { 'example.com/owner': 'ranking' }, monitoring: { enabled: true, teamLabel: 'example.com/owner' } });
    new OnlineInference(new Chart(a, 'prod', { namespace: 'prod' }), 'ranker', props);
    for (const r of rules(synthValid(a.charts[0]))) expect(r.labels['example.com/owner']).toBe('ranking');
  });

  test('runbook: link keeps the steps only in RUNBOOK.md; alerts carry runbook_url, and the rule is a fraction of the size', () => {
    const inline = app({});
    new OnlineInference(inline.chart, 'ranker', props);
    const linked = app({ runbook: 'link', runbookUrl: 'https://git.example.com/ml/RUNBOOK.md' });
    new OnlineInference(linked.chart, 'ranker', props);
    const inlineRule = one(synthValid(inline.chart), 'PrometheusRule');
    const linkedRule = one(synthValid(linked.chart), 'PrometheusRule');
    for (const r of rules([linkedRule])) {
      expect(r.annotations.runbook).toBeUndefined();
      expect(r.annotations.runbook_url).toBe(`https://git.example.com/ml/RUNBOOK.md#prod-ranker-${r.alert.toLowerCase()}`);
      expect(r.annotations.summary).toBeTruthy();
    }
    expect(rules([inlineRule]).every((r) => typeof r.annotations.runbook === 'string')).toBe(true);
    expect(Yaml.stringify(linkedRule).length).toBeLessThan(0.75 * Yaml.stringify(inlineRule).length);
    const runbook = renderRunbook(linked.app);
    expect(runbook).toContain('the steps live only in this file');
    expect(runbook).toContain('kubectl rollout status');
  });

  test.each([
    [{ alertLabels: { severity: 'low' } }, /alertLabels.*severity.*would replace a label/],
    [{ alertLabels: { 'bad key!': 'x' } }, /alertLabels/],
    [{ runbook: 'both' as never }, /monitoring.runbook.*is not inline or link/],
    [{ alertsCoveredBy: 'grafana' as never }, /alertsCoveredBy.*is not a known alerting stack/],
  ])('bad platform alerting settings fail at synth with the fix (%j)', (monitoring, message) => {
    const { chart } = app(monitoring);
    expect(
      () => new OnlineInference(chart, 'ranker', { ...props, monitoring: { thresholds: { podsPendingFor: Duration.minutes(20) } } }),
    ).toThrow(message);
  });
});
