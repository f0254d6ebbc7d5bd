import type { Duration } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { WorkloadLabels } from '../core/names';
import { MonitoredWorkload, apiObjectsOf } from './workload';

/*
 * How the workload families describe themselves to WorkloadMonitoring. Each descriptor names what it reads
 * of a workload (an interface the workload classes meet), so observability depends on no family.
 */

/** Who a workload is: what every descriptor reads. */
export interface DescribedWorkload extends IConstruct {
  readonly name: string;
  readonly namespace: string;
  readonly labels: WorkloadLabels;
}

/** What {@link finiteJobWorkload} reads of a BatchScoringJob or GpuTrainingJob. */
export interface DescribedFiniteJob extends DescribedWorkload {
  readonly policy: { readonly activeDeadline: Duration };
  readonly cronJob?: { readonly schedule: { readonly expressionString: string }; readonly startingDeadline?: Duration };
  /** The JobSet, when the job runs as one. */
  readonly jobSet?: unknown;
}

/** Describes a BatchScoringJob or GpuTrainingJob for {@link WorkloadMonitoring}. */
export function finiteJobWorkload(job: DescribedFiniteJob, metricsPort?: string): MonitoredWorkload {
  const training = job.constructor.name === 'GpuTrainingJob';
  const cron = job.cronJob;
  const jobSet = job.jobSet !== undefined;
  const what = training ? 'Accelerator training' : 'Batch scoring';
  return {
    type: job.constructor.name,
    description: `${what} as a ${cron ? `CronJob (${cron.schedule.expressionString})` : jobSet ? 'JobSet (the worker group restarts together)' : 'Job'}; it must finish within ${job.policy.activeDeadline.toHumanString()}${jobSet ? ' per attempt' : ''}.`,
    kind: training ? 'training' : 'batch',
    name: job.name,
    namespace: job.namespace,
    selector: job.labels.selector,
    labels: job.labels.common,
    controller: cron ? 'CronJob' : jobSet ? 'JobSet' : 'Job',
    container: training ? 'trainer' : 'scorer',
    metricsPort,
    job: { activeDeadline: job.policy.activeDeadline, schedule: cron?.schedule.expressionString, startingDeadline: cron?.startingDeadline },
    objects: apiObjectsOf(job),
  };
}

/** What {@link queueWorkerWorkload} reads of a QueueWorker. */
export interface DescribedQueueWorker extends DescribedWorkload {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly terminationGracePeriod: Duration;
  /** The KEDA ScaledObject, when the worker is a Deployment scaled by KEDA. */
  readonly scaledObject?: unknown;
  /** The KEDA ScaledJob, when the worker runs as Jobs. */
  readonly scaledJob?: unknown;
}

/** Describes a QueueWorker for {@link WorkloadMonitoring}. */
export function queueWorkerWorkload(w: DescribedQueueWorker, metricsPort?: string): MonitoredWorkload {
  const scaledJob = w.scaledJob !== undefined;
  const autoscaler = scaledJob
    ? { kind: 'ScaledJob' as const, minReplicas: w.minReplicas, maxReplicas: w.maxReplicas }
    : w.scaledObject
      ? { kind: 'ScaledObject' as const, hpaName: w.name, minReplicas: w.minReplicas, maxReplicas: w.maxReplicas }
      : { kind: 'HorizontalPodAutoscaler' as const, minReplicas: w.minReplicas, maxReplicas: w.maxReplicas };
  return {
    type: 'QueueWorker',
    description: scaledJob
      ? `Queue consumer run as a KEDA ScaledJob (one Job per batch of messages, at most ${w.maxReplicas} at once).`
      : `Queue consumer Deployment scaled ${w.minReplicas}-${w.maxReplicas} on queue demand; a scale-in waits ${w.terminationGracePeriod.toHumanString()} for the message in flight.`,
    kind: 'queue',
    name: w.name,
    namespace: w.namespace,
    selector: w.labels.selector,
    labels: w.labels.common,
    controller: scaledJob ? 'ScaledJob' : 'Deployment',
    container: 'worker',
    metricsPort,
    autoscaler,
    objects: apiObjectsOf(w),
  };
}
