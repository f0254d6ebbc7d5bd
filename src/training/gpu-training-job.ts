import { ApiObject, Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { ICapacityClaimant, WorkloadCapacity, capacityOfKinds } from '../core/capacity';
import { podTemplatePolicies } from '../core/pod-policies';
import type { PodMonitoringProps } from '../observability/options';
import { finiteJobWorkload } from '../observability/workload-descriptors';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { check } from '../core/errors';
import { ExitCodes, FiniteJobProps, JobPolicy } from '../core/job';
import { WorkloadLabels } from '../core/names';
import { workloadIdentity } from '../core/workload-identity';
import { Platform } from '../core/platform';
import { TrainingEngine } from '../core/platform-conventions';
import { PodTemplate, podBaseProps, requirePort, workloadServiceAccount } from '../core/pod';
import { parseQuantity } from '../core/quantity';
import { podIdentity } from '../core/security';
import { CheckpointProps, CheckpointStorage, checkpointStorage } from './checkpoint';
import { DEFAULT_MASTER_PORT, requireWorkers, torchrunEnv, workerService } from './distributed';
import {
  ElasticOptions,
  JOBSET_JOB_SUFFIX_LENGTH,
  JOBSET_RENDEZVOUS,
  JOBSET_WORKERS,
  JobSetPlan,
  createJobSet,
  jobSetEnv,
  jobSetPlan,
} from './jobset-engine';
import { TORCHRUN_FACTS } from '../core/facts/jobset';

/** `workers` or `rendezvous` on the pods of a JobSet run. */
export const ROLE_LABEL = 'cdk8s-ml.io/role';

/** Props of {@link GpuTrainingJob}. */
export interface GpuTrainingJobProps extends FiniteJobProps, PodMonitoringProps {
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
  /**
   * What runs the pods. `'job'`: an (Indexed) Job with a headless Service, on any cluster; a lost
   * worker is replaced alone, and the surviving ranks usually fail with it. `'jobset'`: a JobSet
   * (needs the JobSet controller) that restarts the whole worker group on a lost worker, up to
   * `maxRestarts`; no schedule. Several workers on spot capacity need an explicit choice.
   * @default - the platform's `trainingEngine`, else 'job'
   */
  readonly engine?: TrainingEngine;
  /**
   * Group restarts a JobSet run may use for failures that are not disruptions (a rank failing again and
   * again); reclaimed or drained nodes restart the group without counting. With more than 0,
   * `checkpoint` is required so a restart resumes. Only with `engine: 'jobset'`.
   * @default - 10 on spot capacity, else 3
   */
  readonly maxRestarts?: number;
  /**
   * Elastic torchrun rendezvous (c10d, `--nnodes=min:max`): a lost worker, worker 0 included, is
   * replaced alone while the others go on. The rendezvous store runs in a pod of its own (the trainer
   * image running a torch TCPStore, on regular nodes): losing that pod restarts the group. Only with
   * `engine: 'jobset'` and several workers.
   * @default - fixed size: all workers or a group restart
   */
  readonly elastic?: ElasticOptions;
}

/**
 * GPU training on a plain Job (no operator): accelerators through the shared core, `/dev/shm` for
 * data loaders, a checkpoint volume and a SIGTERM grace period sized to save, disruptions ignored and
 * application errors failing fast (re-running expensive epochs rarely helps), no liveness probe, and a
 * deadline and TTL so no run holds accelerators forever. `workers > 1` trains on several nodes with
 * torchrun's environment; `schedule` retrains periodically with a CronJob.
 */
export class GpuTrainingJob extends Construct implements ICapacityClaimant {
  /**
   * The workload's name (`name`, else the construct id): the Job, JobSet or CronJob, its Service, ServiceAccount and
   * policies are named after it.
   */
  public readonly name: string;
  /** Namespace of every object: `namespace`, else the chart's, else the platform's `defaultNamespace`. */
  public readonly namespace: string;
  /** The workload's labels: the stable selector, the labels of every object and those of its pods. */
  public readonly labels: WorkloadLabels;
  /** @internal */
  public readonly policy: JobPolicy;
  /** @internal */
  public readonly pod: PodTemplate;
  /** An elastic run's rendezvous store pod (one, beside the workers). */
  private rendezvousPod?: PodTemplate;
  /**
   * The workload's ServiceAccount, named after it, with no API token mounted unless `automountServiceAccountToken`.
   * Escape hatch (README "Extending a construct"): annotations (e.g. a cloud IAM role) and other changes through
   * cdk8s-plus or `metadata` reach the YAML.
   */
  public readonly serviceAccount: plus.ServiceAccount;
  /**
   * The default-deny NetworkPolicy (cdk8s-plus) with the declared allowances; undefined with `networkPolicy: false`.
   * Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /**
   * Monitors, alert rules and runbook entries (`monitoring.serviceMonitor`/`podMonitor`, `monitoring.prometheusRule`
   * are escape hatches); undefined unless monitoring is on (prop or platform default).
   */
  public readonly monitoring?: WorkloadMonitoring;
  /**
   * The Job (cdk8s-plus), Indexed with one pod per worker; undefined with a `schedule` or `engine: 'jobset'`. Escape
   * hatch (README "Extending a construct"): the env, mounts, ports, containers, volumes, tolerations and pod metadata
   * you add through cdk8s-plus are merged with the construct's own at synth; changing what it owns (its containers'
   * probes, security context and env) fails synth.
   */
  public readonly job?: plus.Job;
  /**
   * The CronJob (cdk8s-plus); undefined without a `schedule`. Escape hatch (README "Extending a construct"): the env,
   * mounts, ports, containers, volumes, tolerations and pod metadata you add through cdk8s-plus are merged with the
   * construct's own at synth; changing what it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly cronJob?: plus.CronJob;
  /**
   * The headless Service (cdk8s-plus) workers find each other through; only with `workers > 1` and the `job` engine.
   * Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly service?: plus.Service;
  /**
   * The JobSet; only with `engine: 'jobset'` (its controller creates the headless Service). Escape hatch (README
   * "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML; a patch that changes what the
   * construct owns in its pod templates (probes, security context, env) fails synth.
   */
  public readonly jobSet?: ApiObject;
  /**
   * What runs the pods: `job` (an Indexed Job and a headless Service) or `jobset` (a JobSet): `engine`, else the
   * platform's `trainingEngine`.
   */
  public readonly engine: TrainingEngine;
  /**
   * The checkpoint PersistentVolumeClaim (cdk8s-plus); undefined without `checkpoint` or with
   * `checkpoint.existingClaim`. Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods,
   * `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly checkpointClaim?: plus.PersistentVolumeClaim;
  /** Pods that train together (`workers`); all must run at once. */
  public readonly workers: number;

  /**
   * Creates the training Job (or JobSet) and its objects; throws `MlValidationError` for props a cluster would refuse.
   */
  constructor(scope: Construct, id: string, props: GpuTrainingJobProps) {
    super(scope, id);
    const { name, namespace, labels, meta } = workloadIdentity(this, id, props, 'training');
    this.name = name;
    this.namespace = namespace;
    this.labels = labels;
    const run = this.runPlan(props);
    this.workers = run.workers;
    this.engine = run.engine;
    this.policy = new JobPolicy(this, props, {
      containerName: 'trainer',
      defaultActiveDeadline: Duration.hours(24),
      defaultBackoffLimit: 2,
      defaultNonRetryableExitCodes: ExitCodes.allExcept(),
      indexed: run.workers > 1 ? { completions: run.workers, parallelism: run.workers } : undefined,
    });
    const jobSet = this.jobSetPlan(props, run);
    const checkpoint = this.checkpointPlan(props, meta, run, jobSet);
    this.checkpointClaim = checkpoint?.claim;
    const shape = this.trainerShape(props, run, checkpoint, jobSet);
    const podProps = checkpoint ? { ...props, runAs: { ...props.runAs, fsGroup: checkpoint.fsGroup } } : props;
    this.pod = new PodTemplate(this, podProps, shape);
    this.requireSharedMemoryFits(props);

    this.serviceAccount = workloadServiceAccount(this, name, namespace, labels.common, props.automountServiceAccountToken ?? false);
    if (jobSet) {
      this.jobSet = this.renderJobSet(props, run, jobSet, meta);
    } else {
      if (run.workers > 1) this.service = workerService(this, meta, labels.selector, run.masterPort);
      const workload = this.policy.createWorkload({
        metadata: meta,
        podMetadata: { labels: labels.pod },
        podProps: { ...podBaseProps(podProps, this.serviceAccount, shape), ...(run.workers > 1 ? { dns: { subdomain: name } } : {}) },
        pod: this.pod,
      });
      this.job = workload.job;
      this.cronJob = workload.cronJob;
    }
    // Workers exchange gradients on ports NCCL picks at run time: they may reach each other on every port.
    const policies = podTemplatePolicies(this, {
      name,
      namespace,
      labels: labels.common,
      selector: labels.selector,
      networkPolicy: props.networkPolicy,
      peers: run.workers > 1 ? labels.selector : undefined,
      metrics: props.metricsPort !== undefined ? { port: props.metricsPort, portName: 'metrics' } : undefined,
      monitor: (metrics) => monitorWorkload(this, props.monitoring, () => finiteJobWorkload(this, metrics?.portName)),
    });
    this.networkPolicy = policies.networkPolicy;
    this.monitoring = policies.monitoring;
  }

  /** The workers, the engine that runs them, the rendezvous port, and the Kueue queue a worker group needs. */
  private runPlan(props: GpuTrainingJobProps): TrainingRun {
    check(props.accelerator !== undefined, this, {
      field: 'accelerator',
      value: undefined,
      problem: 'is required for GPU training',
      fix: 'request the accelerators, e.g. Accelerator.nvidiaGpu(1)',
    });
    const workers = props.workers ?? 1;
    const engine = this.requireEngine(props, workers);
    const masterPort = props.masterPort ?? DEFAULT_MASTER_PORT;
    if (workers > 1) requirePort(this, 'rendezvous', masterPort, 'masterPort');
    check(workers <= 1 || props.queueName !== undefined || !Platform.of(this).kueue, this, {
      field: 'queueName',
      value: undefined,
      problem: `is unset on a ${workers}-worker job, but the platform admits jobs through Kueue: without a queue the workers start one by one as GPUs free up, and a partial set holds its GPUs waiting for the rest (two such jobs can deadlock)`,
      fix: "set queueName to the team's Kueue LocalQueue (e.g. queueName: 'training'), so Kueue admits all workers at once",
    });
    return { workers, engine, masterPort };
  }

  /** The JobSet's restarts and elasticity (engine `jobset`), and worker names that fit what runs them. */
  private jobSetPlan(props: GpuTrainingJobProps, run: TrainingRun): JobSetPlan | undefined {
    const { workers } = run;
    const jobSet =
      run.engine === 'jobset' ? jobSetPlan(this, workers, props.maxRestarts ?? (props.spot ? 10 : 3), props.elastic) : undefined;
    if (jobSet) requireWorkers(this, workers, this.name, this.name.length + JOBSET_JOB_SUFFIX_LENGTH, 'JobSet');
    else requireWorkers(this, workers, this.name, this.policy.jobNameLength(this.name));
    return jobSet;
  }

  /** The checkpoint volume (its claim is created here), and retries that resume from it rather than start over. */
  private checkpointPlan(
    props: GpuTrainingJobProps,
    meta: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> },
    run: TrainingRun,
    jobSet: JobSetPlan | undefined,
  ): CheckpointStorage | undefined {
    const fsGroup = () => podIdentity(this, 'runAs', props.runAs, Platform.of(this).runAs).fsGroup;
    const checkpoint = props.checkpoint ? checkpointStorage(this, props.checkpoint, meta, run.workers, fsGroup()) : undefined;
    this.requireSafeRetries(props, checkpoint?.interval, jobSet);
    return checkpoint;
  }

  /** The trainer's pod shape: rendezvous and metrics ports, torchrun's (and the JobSet's) env, the checkpoint, spot placement. */
  private trainerShape(
    props: GpuTrainingJobProps,
    run: TrainingRun,
    checkpoint: CheckpointStorage | undefined,
    jobSet: JobSetPlan | undefined,
  ) {
    const { workers, masterPort } = run;
    return {
      kind: 'training' as const,
      containerName: 'trainer',
      ports: [
        ...(workers > 1 ? [{ name: 'rendezvous', containerPort: masterPort, field: 'masterPort' }] : []),
        ...(props.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.metricsPort, field: 'metricsPort' }] : []),
      ],
      env: {
        ...this.policy.env,
        ...checkpoint?.env,
        ...torchrunEnv(workers, props.accelerator?.count ?? 1, this.name, this.namespace, masterPort),
        ...(jobSet ? jobSetEnv(jobSet, workers, this.name, this.namespace, masterPort) : {}),
      },
      mounts: checkpoint ? [checkpoint.mount] : undefined,
      terminationGracePeriod: checkpoint?.terminationGracePeriod,
      defaultSharedMemory: defaultSharedMemory(props),
      extraTolerations: this.policy.spot?.tolerations,
      nodeAffinity: this.policy.spot?.nodeAffinity,
    };
  }

  /** The JobSet of the workers (and an elastic run's rendezvous store), its pod templates bound for the checks. */
  private renderJobSet(
    props: GpuTrainingJobProps,
    run: TrainingRun,
    jobSet: JobSetPlan,
    meta: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> },
  ): ApiObject {
    const exitCodes = props.nonRetryableExitCodes;
    this.requireExitCodesApartFromPeerLoss(exitCodes, run.workers, jobSet);
    const rendezvous = jobSet.elastic ? this.rendezvousStore(props, run.masterPort) : undefined;
    this.rendezvousPod = rendezvous?.pod;
    const created = createJobSet(this, this.policy, jobSet, {
      name: this.name,
      namespace: this.namespace,
      labels: meta.labels,
      jobSetLabels: this.policy.jobLabels(meta.labels),
      podLabels: this.labels.pod,
      podSpec: this.pod.toPodSpec({ serviceAccountName: this.serviceAccount.name, restartPolicy: 'Never' }),
      workers: run.workers,
      containerName: 'trainer',
      exitCodes,
      rendezvous,
    });
    const podOf = (job: string) => (json: any) =>
      json.spec?.replicatedJobs?.find((r: { name?: string }) => r.name === job)?.template?.spec?.template?.spec;
    this.pod.bindTo(created, podOf(JOBSET_WORKERS));
    rendezvous?.pod.bindTo(created, podOf(JOBSET_RENDEZVOUS));
    return created;
  }

  /** At worst: every worker at once and an elastic run's rendezvous store (as rendered), plus the checkpoint claim it creates. */
  public capacity(): WorkloadCapacity {
    const storage = (this.checkpointClaim?.storage?.toMebibytes() ?? 0) * 2 ** 20;
    return capacityOfKinds(
      { name: this.name, namespace: this.namespace, kind: 'training', claims: { count: this.checkpointClaim ? 1 : 0, storage } },
      [
        { role: JOBSET_WORKERS, maxPods: this.workers, perPod: this.pod.renderedAmounts() },
        ...(this.rendezvousPod ? [{ role: JOBSET_RENDEZVOUS, maxPods: 1, perPod: this.rendezvousPod.renderedAmounts() }] : []),
      ],
    );
  }

  private requireEngine(props: GpuTrainingJobProps, workers: number): TrainingEngine {
    const engine = props.engine ?? Platform.of(this).trainingEngine;
    check(engine === 'job' || engine === 'jobset', this, {
      field: 'engine',
      value: engine,
      problem: "is not 'job' or 'jobset'",
      fix: "use 'jobset' where the JobSet controller runs, else 'job'",
    });
    const explicit = props.engine !== undefined || Platform.of(this).trainingEngine !== 'job';
    check(!(workers > 1 && props.spot && !explicit), this, {
      field: 'engine',
      value: undefined,
      problem: `is not chosen for ${workers} workers on spot capacity: on the default Indexed Job a reclaimed worker is replaced alone while the surviving ranks fail`,
      fix: "set engine: 'jobset' (restarts the whole group from the checkpoint), or engine: 'job' to accept that",
    });
    if (engine === 'jobset') {
      check(props.schedule === undefined, this, {
        field: 'schedule',
        value: props.schedule,
        problem: "is not supported with engine 'jobset' (a JobSet has no schedule)",
        fix: "drop schedule, or use engine: 'job' for a CronJob",
      });
      check(props.backoffLimit === undefined, this, {
        field: 'backoffLimit',
        value: props.backoffLimit,
        problem: "does not apply with engine 'jobset' (any failed pod fails its Job; the JobSet restarts the group)",
        fix: 'use maxRestarts instead',
      });
    } else {
      for (const field of ['maxRestarts', 'elastic'] as const) {
        check(props[field] === undefined, this, {
          field,
          value: props[field],
          problem: "needs engine 'jobset' (a plain Job cannot restart the worker group)",
          fix: "set engine: 'jobset', or drop " + field,
        });
      }
    }
    return engine;
  }

  private requireSafeRetries(props: GpuTrainingJobProps, interval?: Duration, jobSet?: JobSetPlan): void {
    check(!(jobSet && jobSet.maxRestarts > 0 && !props.checkpoint), this, {
      field: 'checkpoint',
      value: undefined,
      problem: `is required for group restarts (maxRestarts ${jobSet?.maxRestarts}), or every restart trains again from the first epoch`,
      fix: 'declare a checkpoint volume the trainer resumes from, or set maxRestarts: 0 to fail on the first lost worker',
    });
    check(!(props.spot && !props.checkpoint), this, {
      field: 'checkpoint',
      value: undefined,
      problem: 'is required with spot, or every reclaim restarts training from the first epoch',
      fix: 'declare a checkpoint volume the trainer resumes from, or drop spot and train on on-demand nodes',
    });
    const deadline = this.policy.activeDeadline.toSeconds();
    check(interval === undefined || deadline >= interval.toSeconds(), this, {
      field: 'activeDeadline',
      value: `${deadline}s`,
      problem: `is shorter than checkpoint.interval (${interval?.toSeconds()}s), so the run is stopped before its first checkpoint`,
      fix: 'raise activeDeadline above the checkpoint interval, or checkpoint more often',
    });
    check(!(props.checkpoint && this.policy.concurrencyPolicy === 'Allow'), this, {
      field: 'cronJob.concurrencyPolicy',
      value: 'Allow',
      problem: 'lets two runs write the same checkpoints at once',
      fix: "use 'Forbid' (the default) or 'Replace'",
    });
  }

  /**
   * On several workers a surviving rank exits 1 (torchrun's ChildFailedError, NCCL errors) or 137/143
   * when a peer's node is reclaimed, often before the reclaimed pod reports its disruption: codes that
   * cover those would fail a recoverable preemption. Application errors need codes of their own.
   */
  private requireExitCodesApartFromPeerLoss(codes: ExitCodes | undefined, workers: number, plan: JobSetPlan): void {
    if (!codes || workers < 2 || plan.elastic) return;
    const peerLoss = [1, 137, 143];
    const covered = peerLoss.filter((c) => (codes.operator === 'In' ? codes.codes.includes(c) : !codes.codes.includes(c)));
    check(covered.length === 0, this, {
      field: 'nonRetryableExitCodes',
      value: `${codes.operator === 'In' ? '' : 'all except '}${codes.codes.join(', ') || (codes.operator === 'In' ? '' : 'none')}`,
      problem: `covers exit code ${covered.join(', ')}, which a surviving rank exits with when a peer's node is reclaimed: whichever rank reports first, a recoverable preemption would fail the run`,
      fix: 'give your application errors codes of their own (e.g. sys.exit(2) on a bad config) and list only those: ExitCodes.of(2)',
    });
  }

  /** The pod of an elastic run's c10d rendezvous store: the trainer image (it has torch), no accelerator, off spot. */
  private rendezvousStore(props: GpuTrainingJobProps, port: number) {
    const owner = new Construct(this, 'Rendezvous');
    const shape = {
      kind: 'training' as const,
      containerName: 'rendezvous',
      ports: [{ name: 'rendezvous', containerPort: port }],
      env: { RDZV_PORT: String(port) },
      terminationGracePeriod: Duration.seconds(5),
      defaultSharedMemory: '64Mi',
    };
    const pod = new PodTemplate(
      owner,
      {
        image: props.image,
        command: ['python3', '-c', TORCHRUN_FACTS.storeServer],
        resources: { cpu: '250m', memory: '512Mi' },
        runAs: props.runAs,
        imagePullSecrets: props.imagePullSecrets,
        priorityClassName: props.priorityClassName,
      },
      shape,
    );
    return {
      pod,
      podSpec: pod.toPodSpec({ serviceAccountName: this.serviceAccount.name, restartPolicy: 'Never' }),
      podLabels: { ...this.labels.pod, [ROLE_LABEL]: 'rendezvous' },
    };
  }

  private requireSharedMemoryFits(props: GpuTrainingJobProps): void {
    const shm = parseQuantity(this.pod.accelerator?.sharedMemory ?? '0') ?? 0;
    const limit = parseQuantity(this.pod.resources.limits.memory) ?? 0;
    check(shm < limit, this, {
      field: 'accelerator.sharedMemory',
      value: props.accelerator.options.sharedMemory,
      problem: `is not below the memory limit (${this.pod.resources.limits.memory}); /dev/shm is memory and counts against it`,
      fix: 'shrink sharedMemory or raise resources.memoryLimit',
    });
  }
}

/** How many workers train, what runs them and where they meet. */
interface TrainingRun {
  readonly workers: number;
  readonly engine: TrainingEngine;
  /** Port of the rendezvous store on worker 0. */
  readonly masterPort: number;
}

const GiB = 2 ** 30;

/** `/dev/shm` for data loaders: 8Gi, but at most half the memory limit (it counts against the limit). */
function defaultSharedMemory(props: GpuTrainingJobProps): string {
  const limit = parseQuantity(props.resources?.memoryLimit ?? props.resources?.memory ?? '') ?? 16 * GiB;
  const bytes = Math.min(8 * GiB, limit / 2);
  return bytes === 8 * GiB ? '8Gi' : `${Math.max(64, Math.floor(bytes / 2 ** 20))}Mi`;
}
