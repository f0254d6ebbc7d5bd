import { App, Chart, Duration } from 'cdk8s';
import { OnlineInference, OnlineInferenceProps, Platform } from '../../src';
import { one, synthValid } from '../helpers';
import { rule } from './promql';

const props: OnlineInferenceProps = { image: 'registry.example.com/s:v1', resources: { cpu: '500m', memory: '1Gi' }, metricsPort: 9090 };

describe('monitoring as a platform default', () => {
  function platformApp() {
    const app = new App();
    Platform.configure(app, {
      monitoring: {
        enabled: true,
        labels: { release: 'kube-prometheus-stack' },
        runbookUrl: 'https://git.example.com/ml/deploy/blob/main/dist/RUNBOOK.md',
        scrapeInterval: Duration.seconds(15),
      },
    });
    return app;
  }

  test('every workload below the scope is monitored with the platform labels, interval and runbook URL', () => {
    const chart = new Chart(platformApp(), 'prod', { namespace: 'prod' });
    const svc = new OnlineInference(chart, 'ranker', props);
    const objects = synthValid(chart);
    expect(svc.monitoring).toBeDefined();
    expect(one(objects, 'ServiceMonitor').metadata.labels).toMatchObject({
      release: 'kube-prometheus-stack',
      'app.kubernetes.io/name': 'ranker',
    });
    expect(one(objects, 'ServiceMonitor').spec.endpoints[0].interval).toBe('15s');
    expect(one(objects, 'PrometheusRule').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(rule(objects, 'MlNoReadyEndpoints').annotations.runbook_url).toBe(
      'https://git.example.com/ml/deploy/blob/main/dist/RUNBOOK.md#prod-ranker-mlnoreadyendpoints',
    );
  });

  test("a workload opts out with monitoring: false; its own options add to the platform's", () => {
    const chart = new Chart(platformApp(), 'prod', { namespace: 'prod' });
    new OnlineInference(chart, 'quiet', { ...props, monitoring: false });
    const loud = new OnlineInference(chart, 'loud', { ...props, monitoring: { labels: { team: 'search' } } });
    const objects = synthValid(chart);
    expect(objects.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceMonitor/loud',
      'PrometheusRule/loud',
    ]);
    expect(loud.monitoring!.prometheusRule.metadata.getLabel('release')).toBe('kube-prometheus-stack');
    expect(loud.monitoring!.prometheusRule.metadata.getLabel('team')).toBe('search');
  });

  test('a nearer scope can turn the default off', () => {
    const app = platformApp();
    const chart = new Chart(app, 'dev', { namespace: 'dev' });
    Platform.configure(chart, { monitoring: { enabled: false } });
    expect(new OnlineInference(chart, 'svc', props).monitoring).toBeUndefined();
  });

  test('without platform configuration monitoring stays off', () => {
    expect(Platform.of(new App()).monitoring).toEqual({
      enabled: false,
      labels: {},
      runbookUrl: 'RUNBOOK.md',
      scrapeInterval: Duration.seconds(30),
      alertsCoveredBy: 'none',
      alertLabels: {},
      teamLabel: 'team',
      runbook: 'inline',
      scrapeFrom: [{ namespace: 'monitoring' }],
    });
  });
});
