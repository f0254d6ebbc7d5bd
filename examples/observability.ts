import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { OnlineInference, Platform, ScalingMetric } from '../src';

/**
 * The reference's fraud scorer, mid-canary, with monitoring: a ServiceMonitor on its metrics port (8001), and
 * alert rules for 99.9 % availability and p95 ≤ 250 ms (multi-window burn rates) plus the serving
 * alerts, every one with its runbook. Monitoring is the platform default for this chart, and the
 * monitors carry the label the cluster's Prometheus selects. Call `writeRunbook(app)` after
 * `app.synth()` to write RUNBOOK.md beside the manifests.
 */
export function observabilityChart(scope: Construct): Chart {
  const chart = new Chart(scope, 'observability', { namespace: 'ml-fraud' });
  Platform.configure(chart, { labels: { team: 'risk' }, monitoring: { enabled: true, labels: { release: 'kube-prometheus-stack' } } });

  new OnlineInference(chart, 'fraud-scorer', {
    image: 'registry.example.com/fraud-scorer:v3.2.0',
    resources: { cpu: '1', memory: '2Gi', memoryLimit: '4Gi' },
    model: { name: 'fraud-gbm', version: 'v3.2.0', claimName: 'fraud-models-v3-2-0' },
    metricsPort: 8001,
    autoscaling: { minReplicas: 9, maxReplicas: 27, metrics: [ScalingMetric.cpuUtilization(65)] },
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
    monitoring: {
      slo: {
        availability: { objective: 0.999, requestsMetric: 'http_requests_total', statusLabel: 'code', errorStatus: '5..' },
        // The server's histogram buckets (prometheus_client): the 250 ms bound exists.
        latency: {
          objective: 0.95,
          threshold: Duration.millis(250),
          histogram: 'ml_inference_duration_seconds',
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        },
      },
    },
    // Mid-canary: model v3.3.0 takes 10 % of traffic next to v3.2.0 (9 stable pods + 1 canary at the floor),
    // with canary-vs-stable alerts. Promote by setting model to v3.3.0 and removing `canary`.
    canary: { weight: 10, model: { version: 'v3.3.0', claimName: 'fraud-models-v3-3-0' } },
  });
  return chart;
}
