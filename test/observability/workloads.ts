import { Duration } from 'cdk8s';
import { MonitoredWorkload } from '../../src';

/**
 * Descriptors as BatchScoringJob, GpuTrainingJob and QueueWorker will build them: the alert
 * families are tested on these before those constructs exist.
 */
const identity = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name });

/** A nightly batch-scoring CronJob with a 2-hour deadline. */
export const nightlyScoring: MonitoredWorkload = {
  type: 'BatchScoringJob',
  description: "Scores yesterday's transactions every night at 02:00 in 8 indexed shards.",
  kind: 'batch',
  name: 'nightly-scoring',
  namespace: 'ml-batch',
  selector: identity('nightly-scoring'),
  controller: 'CronJob',
  container: 'scorer',
  metricsPort: 'metrics',
  job: { activeDeadline: Duration.hours(2), schedule: '0 2 * * *', startingDeadline: Duration.minutes(20) },
  objects: ['ServiceAccount/nightly-scoring', 'CronJob/nightly-scoring'],
};

/** A one-off GPU fine-tuning Job without a deadline, normally done in 6 hours, no metrics port. */
export const finetune: MonitoredWorkload = {
  type: 'GpuTrainingJob',
  description: 'Fine-tunes the chat model on 8 GPUs with checkpoints every 30 minutes.',
  kind: 'training',
  name: 'llm-finetune',
  namespace: 'ml-training',
  selector: identity('llm-finetune'),
  controller: 'Job',
  container: 'trainer',
  job: { expectedDuration: Duration.hours(6) },
};

/** An embedding worker: a Deployment scaled 0-20 by a KEDA ScaledObject on a queue. */
export const embedder: MonitoredWorkload = {
  type: 'QueueWorker',
  description: 'Embeds documents from the embeddings queue.',
  kind: 'queue',
  name: 'embedder',
  namespace: 'ml-queue',
  selector: identity('embedder'),
  controller: 'Deployment',
  container: 'worker',
  metricsPort: 'metrics',
  autoscaler: { kind: 'ScaledObject', minReplicas: 0, maxReplicas: 20 },
};

/** An OCR worker: a KEDA ScaledJob running up to 10 Jobs. */
export const ocr: MonitoredWorkload = {
  type: 'QueueWorker',
  description: 'Runs one OCR Job per uploaded document batch.',
  kind: 'queue',
  name: 'doc-ocr',
  namespace: 'ml-queue',
  selector: identity('doc-ocr'),
  controller: 'ScaledJob',
  container: 'ocr',
  metricsPort: 'metrics',
  autoscaler: { kind: 'ScaledJob', minReplicas: 0, maxReplicas: 10 },
};
