import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, BatchScoringJob, ExitCodes, GpuTrainingJob, GpuTrainingJobProps, Platform, SpotCapacity } from '../src';

/** A nightly sharded batch-scoring job, the reference's embedding trainer and a 4-worker variant. */
export function batchChart(scope: Construct): Chart {
  const chart = new Chart(scope, 'batch', { namespace: 'ml-batch' });
  Platform.configure(chart, { labels: { team: 'search' } });

  // kubernetes-for-ml sections 10 and 13: nightly scoring in 32 shards on spot nodes; a shard that
  // exits 2 (invalid input) fails alone at once, preempted shards are replaced without burning retries.
  new BatchScoringJob(chart, 'churn-scoring', {
    image: 'registry.example.com/churn-scorer:v3.4.1',
    command: ['python', 'score.py'],
    resources: { cpu: '2', memory: '4Gi' },
    model: { name: 'churn-gbm', version: 'v3.4.1' },
    schedule: '0 2 * * *',
    timeZone: 'Europe/Berlin',
    shards: 32,
    parallelism: 8,
    nonRetryableExitCodes: ExitCodes.of(2),
    activeDeadline: Duration.hours(4),
    outputUri: 's3://scores/churn',
    metricsPort: 9100,
    networkPolicy: { egressTo: [{ to: { cidr: '10.30.0.0/16' }, ports: [443] }] }, // the object store
    spot: SpotCapacity.karpenter(),
    queueName: 'batch',
  });

  // kubernetes-for-ml section 4: one A100, 8 CPU, 48Gi, `python train.py`.
  new GpuTrainingJob(chart, 'embedding-trainer', {
    image: 'registry.example.com/embedding-trainer:v1.8.0',
    command: ['python', 'train.py'],
    resources: { cpu: '8', cpuLimit: '8', memory: '48Gi' },
    accelerator: Accelerator.nvidiaGpu(1, { nodeSelector: { accelerator: 'nvidia-a100' } }),
    checkpoint: { size: '100Gi', writeTime: Duration.minutes(3), interval: Duration.minutes(30) },
    activeDeadline: Duration.hours(24),
  });

  // The same trainer on 4 spot nodes with torchrun on a JobSet, admitted as a whole by Kueue: a
  // reclaimed node restarts the whole group from the shared checkpoint (not counted against the 10
  // restarts); the trainer exits 2 on a bad config, which fails the run whichever rank reports it.
  new GpuTrainingJob(chart, 'embedding-trainer-4x', { ...embeddingTrainer4x, engine: 'jobset', nonRetryableExitCodes: ExitCodes.of(2) });
  return chart;
}

/** The embedding trainer on 4 spot A100 nodes, engine left to the caller (the example uses a JobSet). */
export const embeddingTrainer4x: GpuTrainingJobProps = {
  image: 'registry.example.com/embedding-trainer:v1.8.0',
  command: ['torchrun', 'train.py'],
  resources: { cpu: '8', cpuLimit: '8', memory: '48Gi' },
  accelerator: Accelerator.nvidiaGpu(1, { nodeSelector: { accelerator: 'nvidia-a100' } }),
  workers: 4,
  checkpoint: {
    size: '100Gi',
    storageClass: 'shared-rwx',
    accessMode: 'ReadWriteMany',
    writeTime: Duration.minutes(3),
    interval: Duration.minutes(30),
  },
  activeDeadline: Duration.hours(24),
  spot: SpotCapacity.gke({ fallbackToOnDemand: true }),
  queueName: 'training',
};
