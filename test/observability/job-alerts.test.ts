import { Duration } from 'cdk8s';
import { MonitoringOptions, MonitoredWorkload, WorkloadMonitoring } from '../../src';
import { one, synthValid, testChart, yamlOf } from '../helpers';
import { expectRealPromql, rule, rulesOf } from './promql';
import { finetune, nightlyScoring } from './workloads';

function synth(workload: MonitoredWorkload, options: MonitoringOptions = {}) {
  const chart = testChart(workload.namespace);
  const monitoring = new WorkloadMonitoring(chart, workload.name, { workload, ...options });
  return { monitoring, objects: synthValid(chart) };
}

describe('batch scoring CronJob (descriptor)', () => {
  const { objects } = synth(nightlyScoring);
  const JOBS = 'job_name=~"nightly-scoring-[0-9]+"';

  test('scrapes with a PodMonitor on the named port (no Service)', () => {
    expect(objects.map((o) => o.kind)).toEqual(['PodMonitor', 'PrometheusRule']);
    expect(one(objects, 'PodMonitor').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'nightly-scoring', 'app.kubernetes.io/instance': 'nightly-scoring' } },
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
    });
  });

  test('every expression parses and uses real metric and label names', () => {
    expectRealPromql(objects);
    expect(rulesOf(objects).map((r) => r.alert)).toEqual([
      'MlCrashLooping',
      'MlOOMKilled',
      'MlPodsPending',
      'MlJobFailed',
      'MlJobPodsFailing',
      'MlJobOverRunning',
      'MlCronJobMissedSchedule',
    ]);
  });

  test('job failed: the Failed condition of a Job the CronJob created', () => {
    const r = rule(objects, 'MlJobFailed');
    expect(r.expr).toBe(`max by (namespace, job_name) (kube_job_failed{namespace="ml-batch", ${JOBS}, condition="true"}) == 1`);
    expect(r.annotations.runbook).toContain('kubectl describe job/{{ $labels.job_name }} -n ml-batch');
    expect(r.annotations.runbook).toContain('kubectl logs job/{{ $labels.job_name }} -n ml-batch -c scorer');
    expect(r.annotations.runbook).toContain(`kubectl patch cronjob/nightly-scoring -n ml-batch -p '{"spec":{"suspend":true}}'`);
  });

  test('pods failing while the Job still runs (retries)', () => {
    expect(rule(objects, 'MlJobPodsFailing').expr).toBe(
      `sum by (namespace, job_name) (kube_job_status_failed{namespace="ml-batch", ${JOBS}}) > 0\nand on (namespace, job_name)\nmax by (namespace, job_name) (kube_job_status_active{namespace="ml-batch", ${JOBS}}) > 0`,
    );
  });

  test('running past 90 % of activeDeadlineSeconds, read from the Job spec', () => {
    const r = rule(objects, 'MlJobOverRunning');
    expect(r.expr).toBe(
      `(\n  time() - max by (namespace, job_name) (kube_job_status_start_time{namespace="ml-batch", ${JOBS}})\n) > 0.9 * max by (namespace, job_name) (kube_job_spec_active_deadline_seconds{namespace="ml-batch", ${JOBS}})\nand on (namespace, job_name)\nmax by (namespace, job_name) (kube_job_status_active{namespace="ml-batch", ${JOBS}}) > 0`,
    );
    expect(r.annotations.summary).toBe(
      'A Job of nightly-scoring in ml-batch has run past 90% of its 2h deadline (it is killed at the deadline)',
    );
  });

  test('missed schedule: next schedule time older than the starting deadline (20m), CronJob not suspended', () => {
    const r = rule(objects, 'MlCronJobMissedSchedule');
    expect(r.expr).toBe(
      '(time() - max by (namespace, cronjob) (kube_cronjob_next_schedule_time{namespace="ml-batch", cronjob="nightly-scoring"})) > 1200\nand on (namespace, cronjob)\nmax by (namespace, cronjob) (kube_cronjob_spec_suspend{namespace="ml-batch", cronjob="nightly-scoring"}) == 0',
    );
    expect(r.annotations.summary).toBe('The CronJob nightly-scoring in ml-batch missed its schedule (0 2 * * *)');
    expect(r.annotations.runbook.split('\n')[1].trim()).toBe('kubectl describe cronjob/nightly-scoring -n ml-batch');
  });

  test("pods of the CronJob's Jobs, indexed or not, are matched by name", () => {
    expect(rule(objects, 'MlPodsPending').expr).toContain('pod=~"nightly-scoring-[0-9]+-([0-9]+-)?[a-z0-9]{5}"');
    const re = new RegExp('^nightly-scoring-[0-9]+-([0-9]+-)?[a-z0-9]{5}$');
    expect(['nightly-scoring-29012345-x7k2p', 'nightly-scoring-29012345-3-x7k2p'].every((p) => re.test(p))).toBe(true);
    expect(['nightly-scoring-x7k2p', 'nightly-scoring-other-29012345-x7k2p'].some((p) => re.test(p))).toBe(false);
  });

  test('the grace can be set; the PrometheusRule matches the snapshot', () => {
    const { objects: o } = synth(nightlyScoring, { thresholds: { missedScheduleGrace: Duration.minutes(5), deadlineShare: 0.75 } });
    expect(rule(o, 'MlCronJobMissedSchedule').expr).toContain('> 300\n');
    expect(rule(o, 'MlJobOverRunning').expr).toContain('> 0.75 * max by');
    expect(yamlOf([one(objects, 'PrometheusRule')])).toMatchSnapshot();
  });
});

describe('GPU training Job (descriptor)', () => {
  const { objects } = synth(finetune, { thresholds: { podsPendingFor: Duration.minutes(30) } });

  test('no metrics port: rules only, no monitor', () => {
    expect(objects.map((o) => o.kind)).toEqual(['PrometheusRule']);
    expectRealPromql(objects);
  });

  test('a plain Job is matched by its exact name; its pods by name with an optional completion index', () => {
    expect(rule(objects, 'MlJobFailed').expr).toContain('job_name="llm-finetune"');
    expect(rule(objects, 'MlPodsPending').expr).toContain('pod=~"llm-finetune-([0-9]+-)?[a-z0-9]{5}"');
  });

  test('pods Pending (waiting for GPU capacity) for the configured 30m', () => {
    const r = rule(objects, 'MlPodsPending');
    expect(r.for).toBe('30m');
    expect(r.annotations.description).toMatch(/GPU capacity/);
    expect(r.annotations.runbook.split('\n')[1].trim()).toBe('kubectl describe pod {{ $labels.pod }} -n ml-training');
  });

  test('without a deadline, running past the expected 6 hours alerts', () => {
    const r = rule(objects, 'MlJobOverRunning');
    expect(r.expr).toContain(') > 21600\nand on (namespace, job_name)');
    expect(r.annotations.summary).toBe('A Job of llm-finetune in ml-training has run past its expected duration of 6h');
  });

  test('no CronJob alert for a Job; rollback deletes and reruns', () => {
    expect(rulesOf(objects).map((r) => r.alert)).not.toContain('MlCronJobMissedSchedule');
    expect(rule(objects, 'MlJobFailed').annotations.runbook).toContain('kubectl delete job/llm-finetune -n ml-training');
  });

  test('no deadline and no expected duration: no over-running alert', () => {
    const { objects: o } = synth({ ...finetune, job: undefined });
    expect(rulesOf(o).map((r) => r.alert)).not.toContain('MlJobOverRunning');
  });
});
