import { Duration } from 'cdk8s';
import { OnlineInference, OnlineInferenceProps } from '../../src';
import { one, synthValid, testChart } from '../helpers';
import { expectRealPromql, rulesOf, selectorsOf } from './promql';

const props: OnlineInferenceProps = {
  image: 'registry.example.com/fraud-scorer:v4.2.0',
  resources: { cpu: '1', memory: '2Gi' },
  metricsPort: 9090,
  model: { name: 'fraud-xgb', version: 'v13' },
  autoscaling: { minReplicas: 9, maxReplicas: 27 },
  monitoring: {
    slo: {
      availability: { objective: 0.999 },
      latency: { objective: 0.95, threshold: Duration.millis(250), histogram: 'ml_inference_duration_seconds', buckets: [0.1, 0.25, 0.5] },
    },
  },
};

function synth(p: OnlineInferenceProps) {
  const chart = testChart('ml-serving');
  new OnlineInference(chart, 'fraud-scorer', p);
  return synthValid(chart);
}

describe('canary against stable', () => {
  const objects = synth({ ...props, canary: { weight: 10, model: { version: 'v14' }, image: 'registry.example.com/fraud-scorer:v4.3.0' } });
  const rules = rulesOf(objects);
  const byName = (n: string) => rules.find((r) => r.alert === n)!;

  test('the ServiceMonitor copies the track label onto every series', () => {
    expect(one(objects, 'ServiceMonitor').spec.podTargetLabels).toEqual(['cdk8s-ml.io/track']);
  });

  test('error ratio of the canary track against twice stable, with a floor', () => {
    const r = byName('MlCanaryErrorsAboveStable');
    expect(r.labels.severity).toBe('warning');
    expect(r.for).toBe('10m');
    for (const s of selectorsOf(r.expr)) expect(s.labels).toContain('cdk8s_ml_io_track');
    expect(r.expr.match(/cdk8s_ml_io_track="(\w+)"/g)).toEqual(
      ['canary', 'canary', 'stable', 'stable', 'canary', 'canary'].map((t) => `cdk8s_ml_io_track="${t}"`),
    );
    expect(r.expr).toMatch(
      /> 2 \* \(sum\(rate\(http_requests_total\{namespace="ml-serving", service="fraud-scorer", cdk8s_ml_io_track="stable", code=~"5\.\."\}\[10m\]\)\)/,
    );
    expect(r.expr).toMatch(/> 0\.005$/);
    expect(r.annotations.runbook).toContain('kubectl scale deploy/fraud-scorer-canary -n ml-serving --replicas=0');
  });

  test('latency quantile of the canary against 1.5 times stable', () => {
    const r = byName('MlCanaryLatencyAboveStable');
    expect(r.expr).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(ml_inference_duration_seconds_bucket{namespace="ml-serving", service="fraud-scorer", cdk8s_ml_io_track="canary"}[10m])))' +
        ' > 1.5 * histogram_quantile(0.95, sum by (le) (rate(ml_inference_duration_seconds_bucket{namespace="ml-serving", service="fraud-scorer", cdk8s_ml_io_track="stable"}[10m])))',
    );
  });

  test('every expression parses', () => {
    expectRealPromql(objects, ['http_requests_total', 'ml_inference_duration_seconds_bucket', 'ml_inference_duration_seconds_count']);
  });
});

test('no canary, no comparison', () => {
  expect(
    rulesOf(synth(props))
      .map((r) => r.alert)
      .filter((a) => a.startsWith('MlCanary')),
  ).toEqual([]);
});
