import { Duration } from 'cdk8s';
import { AlertSpec } from './alert';
import { ResolvedMonitoring } from './options';
import { Matcher, promDuration, promNumber, secondsOf, series } from './promql';
import { Triage } from './triage';
import { MonitoredWorkload, jobMatchers } from './workload';

/** Alerts for Jobs, CronJobs, ScaledJobs and JobSets (none for Deployments and LeaderWorkerSets): failed, failing pods, past the deadline budget, missed schedule. */
export function jobAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  if (w.controller === 'Deployment' || w.controller === 'LeaderWorkerSet') return [];
  const t = new Triage(w);
  const jobs = jobMatchers(w);
  const by = 'namespace, job_name';
  const at = `${w.name} in ${w.namespace}`;
  const running = `max by (${by}) (${series('kube_job_status_active', jobs)}) > 0`;
  const alerts: AlertSpec[] = [
    {
      alert: 'MlJobFailed',
      family: 'jobs',
      expr: `max by (${by}) (${series('kube_job_failed', [...jobs, ['condition', '=', 'true']])}) == 1`,
      severity: 'warning',
      summary: `A Job of ${at} failed`,
      when: 'a Job has the Failed condition (backoff limit or deadline exceeded, or a pod failure policy ended it)',
      value: 'Job {{ $labels.job_name }}.',
      triage: [t.job(), t.jobLogs(), t.rollback()],
      carries: ['job_name'],
    },
    {
      alert: 'MlJobPodsFailing',
      family: 'jobs',
      expr: `sum by (${by}) (${series('kube_job_status_failed', jobs)}) > 0\nand on (${by})\n${running}`,
      for: Duration.minutes(5),
      severity: 'warning',
      summary: `A running Job of ${at} is retrying failed pods`,
      when: 'pods of a still-running Job have failed and are being retried (each retry repeats the work; on GPUs it burns accelerator hours)',
      value: 'Job {{ $labels.job_name }}: {{ $value }} failed pods.',
      triage: [t.job(), t.jobLogs()],
      carries: ['job_name'],
    },
  ];
  const overdue = deadlineAlert(w, o, t, jobs, running);
  if (overdue) alerts.push(overdue);
  if (w.controller === 'CronJob') alerts.push(missedScheduleAlert(w, o, t));
  return alerts;
}

/** Running past the share of activeDeadlineSeconds, or past the expected duration without a deadline. */
function deadlineAlert(w: MonitoredWorkload, o: ResolvedMonitoring, t: Triage, jobs: Matcher[], running: string): AlertSpec | undefined {
  const { activeDeadline, expectedDuration } = w.job ?? {};
  if (!activeDeadline && !expectedDuration) return undefined;
  const by = 'namespace, job_name';
  const elapsed = `time() - max by (${by}) (${series('kube_job_status_start_time', jobs)})`;
  const share = o.thresholds.deadlineShare;
  const limit = activeDeadline
    ? `${promNumber(share)} * max by (${by}) (${series('kube_job_spec_active_deadline_seconds', jobs)})`
    : String(secondsOf(expectedDuration!));
  const budget = activeDeadline
    ? `${promNumber(share * 100)}% of its ${promDuration(activeDeadline)} deadline (it is killed at the deadline)`
    : `its expected duration of ${promDuration(expectedDuration!)}`;
  return {
    alert: 'MlJobOverRunning',
    family: 'jobs',
    expr: `(\n  ${elapsed}\n) > ${limit}\nand on (${by})\n${running}`,
    severity: 'warning',
    summary: `A Job of ${w.name} in ${w.namespace} has run past ${budget}`,
    when: `a running Job has used ${budget}: slow input, throttled or missing accelerators, or a stuck worker`,
    value: 'Job {{ $labels.job_name }} has run {{ $value | humanizeDuration }}.',
    triage: [
      t.job(),
      t.jobLogs(),
      {
        say: 'Check whether the pods got the CPU/GPU they asked for',
        run: [`kubectl top pods -n ${w.namespace} -l batch.kubernetes.io/job-name=${w.controller === 'Job' ? w.name : '<job>'}`],
      },
    ],
    carries: ['job_name'],
  };
}

/** The CronJob's next run is overdue: not started, and not suspended. */
function missedScheduleAlert(w: MonitoredWorkload, o: ResolvedMonitoring, t: Triage): AlertSpec {
  const grace = o.thresholds.missedScheduleGrace ?? w.job?.startingDeadline ?? Duration.minutes(10);
  const c: Matcher[] = [
    ['namespace', '=', w.namespace],
    ['cronjob', '=', w.name],
  ];
  return {
    alert: 'MlCronJobMissedSchedule',
    family: 'jobs',
    // kube_cronjob_next_schedule_time is the run after the last one that started; once it is
    // further in the past than the grace, that run never started.
    expr: `(time() - max by (namespace, cronjob) (${series('kube_cronjob_next_schedule_time', c)})) > ${secondsOf(grace)}\nand on (namespace, cronjob)\nmax by (namespace, cronjob) (${series('kube_cronjob_spec_suspend', c)}) == 0`,
    severity: 'warning',
    summary: `The CronJob ${w.name} in ${w.namespace} missed its schedule${w.job?.schedule ? ` (${w.job.schedule})` : ''}`,
    when: `a scheduled run has not started ${promDuration(grace)} after its time (controller skipped it: concurrency policy Forbid with a run still active, startingDeadlineSeconds passed, or the controller was down)`,
    triage: [t.cronJob(), t.rollback()],
  };
}
