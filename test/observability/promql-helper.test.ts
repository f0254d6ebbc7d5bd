import { expectParses, expectRealPromql, promqlErrors, selectorsOf } from './promql';

/** The checks the other tests rely on must themselves catch bad PromQL. */
describe('the PromQL test helpers', () => {
  test.each([
    ['an unclosed call', 'sum(rate(x[5m])'],
    ['a dangling operator', 'up{job="a"} >'],
    ['two selectors side by side', 'foo bar'],
    ['a bad matcher', 'up{job=}'],
    ['an unclosed string', 'up{job="a}'],
  ])('lezer-promql reports %s', (_name, expr) => {
    expect(promqlErrors(expr).length).toBeGreaterThan(0);
    expect(() => expectParses(expr)).toThrow(/PromQL does not parse/);
  });

  test('valid PromQL has no error node', () => {
    expect(promqlErrors('(sum by (a) (rate(x_total{a="1", b=~"2|3"}[5m])) or vector(0)) > 0.0144 and on (a) y == 1')).toEqual([]);
  });

  test('selectors come from the parse tree', () => {
    expect(selectorsOf('max by (pod) (kube_pod_status_phase{namespace="a", phase="Pending"}) == 1 and on (pod) up')).toEqual([
      { metric: 'kube_pod_status_phase', labels: ['namespace', 'phase'] },
      { metric: 'up', labels: [] },
    ]);
  });

  test('unknown metrics and labels are rejected', () => {
    const objects = (expr: string) => [
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'x' },
        spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr }] }] },
      },
    ];
    expect(() => expectRealPromql(objects('kube_deployment_replicas_unavailable{namespace="a"} > 0'))).toThrow(
      /unknown metric kube_deployment_replicas_unavailable/,
    );
    expect(() => expectRealPromql(objects('kube_job_failed{job="a"} == 1'))).toThrow(/kube_job_failed has no label job/);
    expect(() => expectRealPromql(objects('kube_job_failed{job_name="a"} == 1'))).not.toThrow();
  });
});
