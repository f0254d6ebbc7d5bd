import type { BatchScoringJob } from '../batch/batch-scoring-job';
import type { QueueWorker } from '../queue/queue-worker';
import type { GpuTrainingJob } from '../training/gpu-training-job';
import { MonitoredWorkload, apiObjectsOf } from './workload';

/** Describes a BatchScoringJob or GpuTrainingJob for {@link WorkloadMonitoring}. */
export function finiteJobWorkload(job: BatchScoringJob | GpuTrainingJob, metricsPort?: string): MonitoredWorkload {
  const training = job.constructor.name === 'GpuTrainingJob';
  const cron = job.cronJob;
  const jobSet = 'jobSet' in job && job.jobSet !== undefined;
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

/** Describes a QueueWorker for {@link WorkloadMonitoring}. */
export function queueWorkerWorkload(w: QueueWorker, metricsPort?: string): MonitoredWorkload {
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
