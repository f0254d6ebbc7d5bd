import { Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { ICapacityClaimant, WorkloadCapacity } from '../core/capacity';
import { egressOnlyPolicy } from '../core/network';
import { finiteJobWorkload } from '../observability/workload-descriptors';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { check } from '../core/errors';
import { ExitCodes, FiniteJobProps, JobPolicy } from '../core/job';
import { WorkloadLabels, workloadIdentity } from '../core/names';
import { PodTemplate, podBaseProps, requirePort, workloadServiceAccount } from '../core/pod';
import { parseQuantity } from '../core/quantity';
import { CheckpointProps, checkpointStorage } from './checkpoint';
import { DEFAULT_MASTER_PORT, requireWorkers, torchrunEnv, workerService } from './distributed';

/** Props of {@link GpuTrainingJob}. */
export interface GpuTrainingJobProps extends FiniteJobProps {
  /** Accelerators per worker, e.g. `Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-40GB' })`. */
  readonly accelerator: Accelerator;
  /**
   * Pods (nodes) to train on. Above 1: an Indexed Job with a headless Service, each pod getting
   * torchrun's environment (`MASTER_ADDR` = worker 0, `NODE_RANK` = completion index, `NNODES`,
   * `NPROC_PER_NODE`, `WORLD_SIZE`, and `PET_*`). All workers must run at the same time or the
   * rendezvous waits while holding accelerators: set `queueName` so Kueue admits all of them at once.
   * @default 1
   */
  readonly workers?: number;
  /** Port of the rendezvous store on worker 0. @default 29500 */
  readonly masterPort?: number;
  /**
   * Checkpoint volume, so preemption and retries resume instead of re-running epochs.
   * Required with `spot`.
   * @default - no checkpoints
   */
  readonly checkpoint?: CheckpointProps;
}

/**
 * GPU training on a plain Job (no operator): accelerators through the shared core, `/dev/shm` for
 * data loaders, a checkpoint volume and a SIGTERM grace period sized to save, disruptions ignored and
 * application errors failing fast (re-running expensive epochs rarely helps), no liveness probe, and a
 * deadline and TTL so no run holds accelerators forever. `workers > 1` trains on several nodes with
 * torchrun's environment; `schedule` retrains periodically with a CronJob.
 */
export class GpuTrainingJob extends Construct implements ICapacityClaimant {
  public readonly name: string;
  public readonly namespace: string;
  public readonly labels: WorkloadLabels;
  /** @internal */
  public readonly policy: JobPolicy;
  /** @internal */
  public readonly pod: PodTemplate;
  public readonly serviceAccount: plus.ServiceAccount;
  /** Undefined with `networkPolicy: false`. */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /** Undefined unless monitoring is on (prop or platform default). */
  public readonly monitoring?: WorkloadMonitoring;
  /** The Job; undefined with a schedule. */
  public readonly job?: plus.Job;
  /** The CronJob; undefined without a schedule. */
  public readonly cronJob?: plus.CronJob;
  /** The headless Service workers find each other through; only with `workers > 1`. */
  public readonly service?: plus.Service;
  /** The checkpoint claim created; undefined without `checkpoint` or with `checkpoint.existingClaim`. */
  public readonly checkpointClaim?: plus.PersistentVolumeClaim;
  public readonly workers: number;

  constructor(scope: Construct, id: string, props: GpuTrainingJobProps) {
    super(scope, id);
    const { name, namespace, labels, meta } = workloadIdentity(this, id, props, 'training');
    this.name = name;
    this.namespace = namespace;
    this.labels = labels;

    check(props.accelerator !== undefined, this, {
      field: 'accelerator', value: undefined, problem: 'is required for GPU training', fix: 'request the accelerators, e.g. Accelerator.nvidiaGpu(1)',
    });
    const workers = props.workers ?? 1;
    this.workers = workers;
    const masterPort = props.masterPort ?? DEFAULT_MASTER_PORT;
    if (workers > 1) requirePort(this, 'rendezvous', masterPort);
    const indexed = workers > 1 ? { completions: workers, parallelism: workers } : undefined;
    this.policy = new JobPolicy(this, props, {
      containerName: 'trainer', defaultActiveDeadline: Duration.hours(24), defaultBackoffLimit: 2, defaultNonRetryableExitCodes: ExitCodes.allExcept(), indexed,
    });
    requireWorkers(this, workers, name, this.policy.jobNameLength(name));

    const checkpoint = props.checkpoint ? checkpointStorage(this, props.checkpoint, meta, workers, props.runAs?.fsGroup) : undefined;
    this.checkpointClaim = checkpoint?.claim;
    this.requireSafeRetries(props, checkpoint?.interval);

    const shape = {
      kind: 'training' as const,
      containerName: 'trainer',
      ports: [
        ...(workers > 1 ? [{ name: 'rendezvous', containerPort: masterPort }] : []),
        ...(props.metricsPort ? [{ name: 'metrics', containerPort: props.metricsPort }] : []),
      ],
      env: {
        ...this.policy.env,
        ...checkpoint?.env,
        ...torchrunEnv(workers, props.accelerator?.count ?? 1, name, this.namespace, masterPort),
      },
      mounts: checkpoint ? [checkpoint.mount] : undefined,
      terminationGracePeriod: checkpoint?.terminationGracePeriod,
      defaultSharedMemory: defaultSharedMemory(props),
      extraTolerations: this.policy.spot?.tolerations,
      nodeAffinity: this.policy.spot?.nodeAffinity,
    };
    const podProps = checkpoint ? { ...props, runAs: { ...props.runAs, fsGroup: checkpoint.fsGroup } } : props;
    this.pod = new PodTemplate(this, podProps, shape);
    this.requireSharedMemoryFits(props);

    this.serviceAccount = workloadServiceAccount(this, name, this.namespace, this.labels.common, props.automountServiceAccountToken ?? false);
    if (workers > 1) this.service = workerService(this, meta, this.labels.selector, masterPort);
    const workload = this.policy.createWorkload({
      metadata: meta,
      podMetadata: { labels: this.labels.pod },
      podProps: { ...podBaseProps(podProps, this.serviceAccount, shape), ...(workers > 1 ? { dns: { subdomain: name } } : {}) },
      pod: this.pod,
    });
    this.job = workload.job;
    this.cronJob = workload.cronJob;
    // Workers exchange gradients on ports NCCL picks at run time: they may reach each other on every port.
    this.networkPolicy = egressOnlyPolicy(this, props.networkPolicy, {
      name, namespace: this.namespace, labels: this.labels.common, selector: this.labels.selector,
      peers: workers > 1 ? this.labels.selector : undefined,
      metricsPort: props.metricsPort,
    });
    this.monitoring = monitorWorkload(this, props.monitoring, () => finiteJobWorkload(this, props.metricsPort ? 'metrics' : undefined));
  }

  /** At worst: every worker at once, plus the checkpoint claim it creates. */
  public capacity(): WorkloadCapacity {
    const storage = (this.checkpointClaim?.storage?.toMebibytes() ?? 0) * 2 ** 20;
    return {
      name: this.name, namespace: this.namespace, kind: 'training', maxPods: this.workers, perPod: this.pod.amounts,
      claims: { count: this.checkpointClaim ? 1 : 0, storage },
    };
  }

  private requireSafeRetries(props: GpuTrainingJobProps, interval?: Duration): void {
    check(!(props.spot && !props.checkpoint), this, {
      field: 'checkpoint', value: undefined, problem: 'is required with spot, or every reclaim restarts training from the first epoch',
      fix: 'declare a checkpoint volume the trainer resumes from, or drop spot and train on on-demand nodes',
    });
    const deadline = this.policy.activeDeadline.toSeconds();
    check(interval === undefined || deadline >= interval.toSeconds(), this, {
      field: 'activeDeadline', value: `${deadline}s`, problem: `is shorter than checkpoint.interval (${interval?.toSeconds()}s), so the run is stopped before its first checkpoint`,
      fix: 'raise activeDeadline above the checkpoint interval, or checkpoint more often',
    });
    check(!(props.checkpoint && this.policy.concurrencyPolicy === 'Allow'), this, {
      field: 'cronJob.concurrencyPolicy', value: 'Allow', problem: 'lets two runs write the same checkpoints at once',
      fix: "use 'Forbid' (the default) or 'Replace'",
    });
  }

  private requireSharedMemoryFits(props: GpuTrainingJobProps): void {
    const shm = parseQuantity(this.pod.accelerator?.sharedMemory ?? '0') ?? 0;
    const limit = parseQuantity(this.pod.resources.limits.memory) ?? 0;
    check(shm < limit, this, {
      field: 'accelerator.sharedMemory', value: props.accelerator.options.sharedMemory,
      problem: `is not below the memory limit (${this.pod.resources.limits.memory}); /dev/shm is memory and counts against it`,
      fix: 'shrink sharedMemory or raise resources.memoryLimit',
    });
  }
}

const GiB = 2 ** 30;

/** `/dev/shm` for data loaders: 8Gi, but at most half the memory limit (it counts against the limit). */
function defaultSharedMemory(props: GpuTrainingJobProps): string {
  const limit = parseQuantity(props.resources?.memoryLimit ?? props.resources?.memory ?? '') ?? 16 * GiB;
  const bytes = Math.min(8 * GiB, limit / 2);
  return bytes === 8 * GiB ? '8Gi' : `${Math.max(64, Math.floor(bytes / 2 ** 20))}Mi`;
}
