import { Duration } from 'cdk8s';
import { MonitoringOptions, MonitoredWorkload, OnlineInference, OnlineInferenceProps, WorkloadMonitoring } from '../../src';
import { testChart } from '../helpers';
import { embedder, finetune, nightlyScoring } from './workloads';

const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1];
const base: OnlineInferenceProps = { image: 'registry.example.com/s:v1', resources: { cpu: '500m', memory: '1Gi' }, metricsPort: 9090 };

function serving(monitoring: MonitoringOptions, overrides: Partial<OnlineInferenceProps> = {}): () => OnlineInference {
  return () => new OnlineInference(testChart('prod'), 'svc', { ...base, ...overrides, monitoring });
}

function standalone(workload: MonitoredWorkload, options: MonitoringOptions = {}): () => WorkloadMonitoring {
  return () => new WorkloadMonitoring(testChart('prod'), 'mon', { workload, ...options });
}

/** Each message names the construct path, the field, the value given and the fix. */
const cases: [string, () => unknown, RegExp][] = [
  [
    'an availability objective given as a percentage',
    serving({ slo: { availability: { objective: 99.9 } } }),
    /OnlineInference 'test\/svc': monitoring.slo.availability.objective \(99.9\) is not a fraction between 0 and 1; write 99.9 % as 0.999/,
  ],
  [
    'a latency objective of 1',
    serving({ slo: { latency: { objective: 1, threshold: Duration.millis(250), buckets: BUCKETS } } }),
    /monitoring.slo.latency.objective \(1\) is not a fraction between 0 and 1; write "95 % of requests within the threshold" \(p95\) as 0.95/,
  ],
  [
    'a latency threshold that is not a bucket',
    serving({ slo: { latency: { objective: 0.95, threshold: Duration.millis(300), buckets: BUCKETS } } }),
    /OnlineInference 'test\/svc': monitoring.slo.latency.threshold \(0.3s\) is not one of the histogram's buckets \(0.05, 0.1, 0.25, 0.5, 1\); use a threshold that is a bucket bound, or add that bucket/,
  ],
  [
    'a histogram named with its _bucket suffix',
    serving({
      slo: { latency: { objective: 0.95, threshold: Duration.millis(250), histogram: 'latency_seconds_bucket', buckets: BUCKETS } },
    }),
    /monitoring.slo.latency.histogram \(latency_seconds_bucket\) is not a histogram base name; name the histogram without _bucket\/_count/,
  ],
  [
    'a request metric that is not a metric name',
    serving({ slo: { availability: { objective: 0.99, requestsMetric: 'http-requests' } } }),
    /monitoring.slo.availability.requestsMetric \(http-requests\) is not a Prometheus metric name/,
  ],
  [
    'a status label that is not a label name',
    serving({ slo: { availability: { objective: 0.99, statusLabel: 'status.code' } } }),
    /monitoring.slo.availability.statusLabel \(status.code\) is not a Prometheus label name/,
  ],
  [
    'an error status that is not a regex',
    serving({ slo: { availability: { objective: 0.99, errorStatus: '5(' } } }),
    /monitoring.slo.availability.errorStatus \(5\(\) is not a regular expression/,
  ],
  [
    'a compliance period shorter than the slowest window',
    serving({ slo: { period: Duration.days(2), availability: { objective: 0.999 } } }),
    /monitoring.slo.period \(2d\) is shorter than 7 days, but the slowest burn-rate window is 3 days; use a compliance period of at least Duration.days\(7\)/,
  ],
  ['an SLO without objectives', serving({ slo: {} }), /monitoring.slo \(\{\}\) declares no objective; set availability and\/or latency/],
  [
    'a sub-minute pending threshold',
    serving({ thresholds: { podsPendingFor: Duration.seconds(20) } }),
    /monitoring.thresholds.podsPendingFor \(20s\) is shorter than a minute; use at least Duration.minutes\(1\)/,
  ],
  [
    'a readiness change count of 1',
    serving({ thresholds: { readinessChanges: 1 } }),
    /monitoring.thresholds.readinessChanges \(1\) is not a whole number of at least 2/,
  ],
  [
    'a relative metrics path',
    serving({ metricsPath: 'metrics' }),
    /monitoring.metricsPath \(metrics\) is not an absolute URL path; use a path such as '\/metrics'/,
  ],
  [
    'a fractional scrape interval',
    serving({ scrapeInterval: Duration.millis(1500) }),
    /monitoring.scrapeInterval \(1.5s\) is not a whole number of seconds of at least 1/,
  ],
  [
    'an invalid monitor label',
    serving({ labels: { release: 'kube prometheus' } }),
    /monitoring.labels\['release'\] \(kube prometheus\) is not a valid label value/,
  ],
  [
    'excluding an alert that does not exist',
    serving({ exclude: ['MlJobFailed'] }),
    /OnlineInference 'test\/svc': monitoring.exclude \(MlJobFailed\) is not one of this workload's alerts; use one of .*MlNoReadyEndpoints/,
  ],
  [
    'a backlog objective without KEDA',
    serving({ queue: { backlog: { maxMessages: 100 } } }),
    /monitoring.queue.backlog \(100\) reads KEDA's queue metric, but svc is not scaled by a KEDA ScaledObject or ScaledJob; use queue.oldestMessageAge/,
  ],
  [
    'a deadline share of 1',
    standalone(nightlyScoring, { thresholds: { deadlineShare: 1 } }),
    /WorkloadMonitoring 'test\/mon': thresholds.deadlineShare \(1\) is not between 0 and 1; use a share of the deadline such as 0.9/,
  ],
  [
    'an SLO for a workload without metrics',
    standalone(finetune, { slo: { availability: { objective: 0.99 } } }),
    /WorkloadMonitoring 'test\/mon': slo \(availability\) needs the workload's metrics, but llm-finetune has no metrics port; expose a named metrics port/,
  ],
  [
    'a backlog of 0 messages',
    standalone(embedder, { queue: { backlog: { maxMessages: 0 } } }),
    /queue.backlog.maxMessages \(0\) is not a positive number/,
  ],
  [
    'an age metric that is not a metric name',
    standalone(embedder, { queue: { oldestMessageAge: { metric: 'age seconds', maxAge: Duration.minutes(5) } } }),
    /queue.oldestMessageAge.metric \(age seconds\) is not a Prometheus metric name/,
  ],
  [
    'a descriptor name that is not a DNS label',
    standalone({ ...embedder, name: 'Embedder' }),
    /WorkloadMonitoring 'test\/mon': workload.name \(Embedder\) is not a DNS-1123 label/,
  ],
  [
    'a descriptor with an empty selector',
    standalone({ ...embedder, selector: {} }),
    /workload.selector \(\{\}\) is empty; give the labels that select exactly the workload's pods/,
  ],
  [
    'a descriptor metrics port given as a number',
    standalone({ ...embedder, metricsPort: '9090' }),
    /workload.metricsPort \(9090\) is not a port name; name the container port/,
  ],
  [
    'a descriptor replica range upside down',
    standalone({ ...embedder, autoscaler: { kind: 'ScaledObject', minReplicas: 5, maxReplicas: 2 } }),
    /workload.autoscaler \(5-2\) is not a replica range/,
  ],
];

describe('bad monitoring input fails at construction with path, field, value and fix', () => {
  test.each(cases)('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
