import { ApiObject, Cron, Duration, JsonPatch } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { MlEnvValue } from './env';
import { requireWholeSeconds } from './durations';
import { check } from './errors';
import { EgressPolicyProps } from './network';
import { supports, targetVersion } from './kube-version';
import { requireDnsLabel } from './names';
import { PodTemplate, MlWorkloadProps } from './pod';
import { CronSchedule, requireCronSchedule, requireTimeZone } from './schedule';
import { SpotCapacity, SpotPlacement } from './spot';

/** Label Kueue reads to admit a Job through a LocalQueue. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** A CronJob's Jobs are named `<cronjob>-<minutes since epoch>`. */
const CRON_JOB_SUFFIX_LENGTH = 9;
const MAX_CRON_JOB_NAME = 52;

/** Exit codes of the main container that mean "retrying cannot help" (bad input, a bug). */
export class ExitCodes {
  /** These exit codes (1-255), e.g. `ExitCodes.of(2)` for "invalid input". */
  public static of(...codes: number[]): ExitCodes {
    return new ExitCodes('In', codes);
  }

  /** Every non-zero exit code except these (1-255), e.g. `ExitCodes.allExcept(75)` to retry only on 75. */
  public static allExcept(...codes: number[]): ExitCodes {
    return new ExitCodes('NotIn', codes);
  }

  private constructor(
    /** `In`: these codes; `NotIn`: every failure except these. */
    public readonly operator: 'In' | 'NotIn',
    /** The codes as given. */
    public readonly codes: number[],
  ) {}

  /** Validates the codes and returns the `onExitCodes` requirement for `containerName`. @internal */
  public requirement(scope: IConstruct, field: string, containerName: string): Record<string, unknown> {
    check(this.operator === 'NotIn' || this.codes.length > 0, scope, {
      field,
      value: this.codes,
      problem: 'names no exit code',
      fix: 'list the exit codes that mean retrying cannot help, e.g. ExitCodes.of(2)',
    });
    this.codes.forEach((code, i) =>
      check(Number.isInteger(code) && code >= 1 && code <= 255, scope, {
        field: `${field}[${i}]`,
        value: code,
        problem: code === 0 ? 'is 0, which means success' : 'is not an exit code from 1 to 255',
        fix: 'list exit codes from 1 to 255 (e.g. 2 for invalid input)',
      }),
    );
    // 0 never matches (successful containers are not checked), it only keeps NotIn non-empty.
    const values = [...new Set([...(this.operator === 'NotIn' ? [0] : []), ...this.codes])].sort((a, b) => a - b);
    return { containerName, operator: this.operator, values };
  }
}

/** How a scheduled job's CronJob behaves. */
export interface CronJobOptions {
  /**
   * What happens when a run is due while the previous one still runs. `Forbid` skips it, so two
   * runs never write the same outputs or checkpoints at once.
   * @default 'Forbid'
   */
  readonly concurrencyPolicy?: 'Forbid' | 'Replace' | 'Allow';
  /**
   * How late a run may still start (e.g. after a control-plane outage); later runs are skipped.
   * At least 10 seconds (the CronJob controller checks every 10 seconds).
   * @default - the shorter of 1 hour and the shortest gap between runs
   */
  readonly startingDeadline?: Duration;
  /** Finished successful Jobs the CronJob keeps (older ones are deleted with their pods). @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs the CronJob keeps for inspection (older ones are deleted with their pods). @default 1 */
  readonly failedJobsHistoryLimit?: number;
  /** Stop creating runs (runs already started continue). @default false */
  readonly suspend?: boolean;
}

/** Props every finite workload (batch scoring, training) takes, besides its pod. */
export interface FiniteJobProps extends MlWorkloadProps {
  /**
   * Longest a run may take before Kubernetes stops it and marks it failed, so a stuck run does not
   * hold its nodes (and accelerators) forever.
   * @default - 6 hours for batch scoring, 24 hours for training
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished (succeeded or failed) Job and its pods stay for inspection before they are deleted.
   * Not with `schedule`: a CronJob keeps its last runs by `cronJob.successfulJobsHistoryLimit` and
   * `failedJobsHistoryLimit`, and a TTL would delete them first (the failed run kept for inspection included).
   * @default Duration.days(1) (a Job); none for a CronJob's Jobs (the history limits clean up)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Failed pods the run tolerates before it fails. Disruptions (drain, preemption, spot reclaim) never
   * count; exit codes in `nonRetryableExitCodes` fail at once.
   * @default - 3 for batch scoring (unset with shards: `backoffLimitPerIndex` applies), 2 for training
   */
  readonly backoffLimit?: number;
  /**
   * Exit codes of the main container that fail the run (or, with shards, the shard) at once instead of retrying.
   * @default - none for batch scoring; for training every non-zero exit code (`ExitCodes.allExcept()`)
   */
  readonly nonRetryableExitCodes?: ExitCodes;
  /**
   * Run on a cron schedule (five fields, e.g. `'0 2 * * *'`, or `@daily`): creates a CronJob instead of a Job.
   * @default - one run (a Job)
   */
  readonly schedule?: string;
  /**
   * IANA time zone of `schedule`, e.g. `Europe/Berlin`.
   * @default - the kube-controller-manager's time zone (usually UTC)
   */
  readonly timeZone?: string;
  /** CronJob behaviour; only with `schedule`. @default - see {@link CronJobOptions} */
  readonly cronJob?: CronJobOptions;
  /**
   * Run on spot/preemptible nodes. Reclaimed pods are replaced without counting as failures.
   * @default - on-demand nodes
   */
  readonly spot?: SpotCapacity;
  /**
   * Kueue LocalQueue that admits the run: the Job is labelled `kueue.x-k8s.io/queue-name` and created
   * suspended; Kueue starts it when quota for all of its pods is free.
   * @default - no queue (the Job starts at once)
   */
  readonly queueName?: string;
  /** The pods' NetworkPolicy: DNS and these destinations only. `false` for none. @default - DNS only */
  readonly networkPolicy?: EgressPolicyProps | false;
}

/** Indexed completion: one pod per index (shard or worker). */
export interface IndexedPlan {
  readonly completions: number;
  readonly parallelism: number;
  /** Retries per index; a failed index does not fail the others. @default - retries count for the whole Job */
  readonly backoffLimitPerIndex?: number;
  /** Failed indexes after which the whole Job fails. @default - all indexes run */
  readonly maxFailedIndexes?: number;
}

/** What a workload construct decides for its Job. */
export interface JobPlan {
  /** Name of the main container (the one exit codes refer to). */
  readonly containerName: string;
  readonly defaultActiveDeadline: Duration;
  readonly defaultBackoffLimit: number;
  /** @default - none */
  readonly defaultNonRetryableExitCodes?: ExitCodes;
  /** @default - not indexed (one pod to completion) */
  readonly indexed?: IndexedPlan;
}

/** The objects a Job or CronJob workload consists of. */
export interface JobParts {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly podMetadata: { readonly labels: Record<string, string>; readonly annotations?: Record<string, string> };
  /** Pod props from {@link podBaseProps}, plus anything else cdk8s-plus supports (e.g. `dns`). */
  readonly podProps: plus.AbstractPodProps;
  readonly pod: PodTemplate;
}

/** The workload created: a Job, or a CronJob creating Jobs. */
export interface JobWorkload {
  readonly job?: plus.Job;
  readonly cronJob?: plus.CronJob;
}

/**
 * The validated run policy of one finite workload: retries, deadlines and cleanup, schedule,
 * spot placement and queue admission. Shared by every Job-based construct.
 */
export class JobPolicy {
  public readonly activeDeadline: Duration;
  public readonly ttlAfterFinished: Duration;
  /** Undefined with a per-index limit (Kubernetes then does not cap the Job-wide count). */
  public readonly backoffLimit?: number;
  public readonly podFailurePolicy: { readonly rules: Record<string, unknown>[] };
  public readonly schedule?: CronSchedule;
  public readonly spot?: SpotPlacement;
  public readonly queueName?: string;
  /** The concurrency policy of a scheduled job. */
  public readonly concurrencyPolicy?: 'Forbid' | 'Replace' | 'Allow';
  /** Environment every pod gets: `JOB_NAME` and `RUN_ID` (unique per run, stable across retries). */
  public readonly env: Record<string, MlEnvValue>;
  /** The indexed plan as emitted for the target Kubernetes version (per-index limits only from 1.29). */
  public readonly indexed?: IndexedPlan;

  constructor(
    private readonly owner: Construct,
    private readonly props: FiniteJobProps,
    plan: JobPlan,
  ) {
    this.activeDeadline = props.activeDeadline ?? plan.defaultActiveDeadline;
    requireWholeSeconds(owner, 'activeDeadline', this.activeDeadline, 1);
    if (props.ttlAfterFinished !== undefined) requireWholeSeconds(owner, 'ttlAfterFinished', props.ttlAfterFinished, 0);
    check(props.ttlAfterFinished === undefined || props.schedule === undefined, owner, {
      field: 'ttlAfterFinished',
      value: `${props.ttlAfterFinished?.toSeconds()}s`,
      problem:
        "is set with schedule: the TTL controller would delete the CronJob's finished Jobs before its history limits apply, failed runs kept for inspection included",
      fix: 'remove ttlAfterFinished; a CronJob keeps cronJob.successfulJobsHistoryLimit (3) and failedJobsHistoryLimit (1) runs and deletes older ones',
    });
    this.ttlAfterFinished = props.ttlAfterFinished ?? Duration.days(1);
    requireWholeSeconds(owner, 'ttlAfterFinished', this.ttlAfterFinished, 0);
    // Per-index retries need Kubernetes 1.29; older targets get the same total as one Job-wide budget.
    const perIndexAsked = plan.indexed?.backoffLimitPerIndex !== undefined;
    const perIndex = perIndexAsked && supports(owner, 'job.backoffLimitPerIndex');
    this.indexed =
      plan.indexed && !perIndex ? { completions: plan.indexed.completions, parallelism: plan.indexed.parallelism } : plan.indexed;
    const jobWide = perIndexAsked && !perIndex ? plan.indexed!.backoffLimitPerIndex! * plan.indexed!.completions : plan.defaultBackoffLimit;
    this.backoffLimit = props.backoffLimit ?? (perIndex ? undefined : jobWide);
    check(this.backoffLimit === undefined || (Number.isInteger(this.backoffLimit) && this.backoffLimit >= 0), owner, {
      field: 'backoffLimit',
      value: this.backoffLimit,
      problem: 'is not a non-negative integer',
      fix: 'set backoffLimit to a few retries, e.g. 3',
    });
    const exitCodes = props.nonRetryableExitCodes ?? plan.defaultNonRetryableExitCodes;
    this.podFailurePolicy = {
      rules: [
        // Drains, preemption and spot reclaim are not the workload's fault: replace the pod, keep the retries.
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ...(exitCodes
          ? [
              {
                action: perIndex ? 'FailIndex' : 'FailJob',
                onExitCodes: exitCodes.requirement(owner, 'nonRetryableExitCodes', plan.containerName),
                // The 1.26-1.28 OpenAPI marks onPodConditions required (fixed in 1.29); an empty list satisfies it.
                ...(['1.26', '1.27', '1.28'].includes(targetVersion(owner)) ? { onPodConditions: [] } : {}),
              },
            ]
          : []),
      ],
    };

    if (props.timeZone !== undefined) {
      check(props.schedule !== undefined, owner, {
        field: 'timeZone',
        value: props.timeZone,
        problem: 'is set without schedule',
        fix: 'set schedule, or drop timeZone',
      });
      requireTimeZone(owner, 'timeZone', props.timeZone);
    }
    check(props.cronJob === undefined || props.schedule !== undefined, owner, {
      field: 'cronJob',
      value: props.cronJob,
      problem: 'is set without schedule',
      fix: 'set schedule, or drop cronJob',
    });
    if (props.schedule !== undefined) {
      this.schedule = requireCronSchedule(owner, 'schedule', props.schedule, props.timeZone);
      this.concurrencyPolicy = props.cronJob?.concurrencyPolicy ?? 'Forbid';
      check(['Forbid', 'Replace', 'Allow'].includes(this.concurrencyPolicy), owner, {
        field: 'cronJob.concurrencyPolicy',
        value: this.concurrencyPolicy,
        problem: 'is not Forbid, Replace or Allow',
        fix: "use 'Forbid'",
      });
    }
    this.spot = props.spot?.placement(owner, 'spot');
    if (props.queueName !== undefined) requireDnsLabel(owner, 'queueName', props.queueName);
    this.queueName = props.queueName;
    this.env = {
      JOB_NAME: MlEnvValue.fromField("metadata.labels['batch.kubernetes.io/job-name']"),
      RUN_ID: MlEnvValue.fromField("metadata.labels['batch.kubernetes.io/controller-uid']"),
    };
  }

  /**
   * Creates the Job (or, with a schedule, the CronJob) and writes the pod and the run policy onto it.
   * The Job carries the Kueue queue label; a CronJob passes it on to the Jobs it creates.
   */
  public createWorkload(parts: JobParts): JobWorkload {
    const jobProps = {
      metadata: { ...parts.metadata, labels: this.schedule ? parts.metadata.labels : this.jobLabels(parts.metadata.labels) },
      podMetadata: parts.podMetadata,
      select: false,
      activeDeadline: this.activeDeadline,
      backoffLimit: this.backoffLimit,
      ...parts.podProps,
      restartPolicy: plus.RestartPolicy.NEVER,
    };
    if (!this.schedule) {
      const job = new plus.Job(this.owner, 'Job', { ...jobProps, ttlAfterFinished: this.ttlAfterFinished });
      parts.pod.applyTo(job, '/spec/template');
      this.patchJobSpec(ApiObject.of(job), '/spec');
      return { job };
    }
    const name = parts.metadata.name;
    check(name.length <= MAX_CRON_JOB_NAME, this.owner, {
      field: 'name',
      value: name,
      problem: `is longer than ${MAX_CRON_JOB_NAME} characters, the limit for a CronJob (its Jobs append a suffix)`,
      fix: `use at most ${MAX_CRON_JOB_NAME} characters`,
    });
    const cron = this.cronOptions();
    const [minute, hour, day, month, weekDay] = this.schedule.fields;
    const cronJob = new plus.CronJob(this.owner, 'CronJob', {
      ...jobProps,
      schedule: Cron.schedule({ minute, hour, day, month, weekDay }),
      timeZone: this.props.timeZone,
      concurrencyPolicy: this.concurrencyPolicy as plus.ConcurrencyPolicy,
      startingDeadline: cron.startingDeadline,
      successfulJobsRetained: cron.successfulJobsHistoryLimit,
      failedJobsRetained: cron.failedJobsHistoryLimit,
      suspend: cron.suspend,
    });
    parts.pod.applyTo(cronJob, '/spec/jobTemplate/spec/template');
    const obj = ApiObject.of(cronJob);
    // Jobs the CronJob creates carry the workload's labels (cost, ownership, Kueue's queue).
    obj.addJsonPatch(JsonPatch.add('/spec/jobTemplate/metadata', { labels: this.jobLabels(parts.metadata.labels) }));
    this.patchJobSpec(obj, '/spec/jobTemplate/spec');
    return { cronJob };
  }

  /** Length of the name of a Job this policy creates from `name` (a CronJob appends `-<minutes since epoch>`). */
  public jobNameLength(name: string): number {
    return name.length + (this.schedule ? CRON_JOB_SUFFIX_LENGTH : 0);
  }

  /** The labels of a Job (or JobSet): the workload's, plus the Kueue queue. */
  public jobLabels(labels: Record<string, string>): Record<string, string> {
    return { ...labels, ...(this.queueName ? { [KUEUE_QUEUE_LABEL]: this.queueName } : {}) };
  }

  /** Job spec fields cdk8s-plus has no props for (all in the Kubernetes 1.28 JobSpec, so the L1 mapping keeps them). */
  private patchJobSpec(obj: ApiObject, specPath: string): void {
    const indexed = this.indexed;
    const fields: Record<string, unknown> = {
      ...(indexed
        ? {
            completionMode: 'Indexed',
            completions: indexed.completions,
            parallelism: indexed.parallelism,
            ...(indexed.backoffLimitPerIndex !== undefined ? { backoffLimitPerIndex: indexed.backoffLimitPerIndex } : {}),
            ...(indexed.maxFailedIndexes !== undefined ? { maxFailedIndexes: indexed.maxFailedIndexes } : {}),
          }
        : {}),
      podFailurePolicy: this.podFailurePolicy,
      // A replacement starts only once the old pod is gone: never two pods of one index at once.
      ...(supports(this.owner, 'job.podReplacementPolicy') ? { podReplacementPolicy: 'Failed' } : {}),
      ...(this.queueName ? { suspend: true } : {}),
    };
    for (const [key, value] of Object.entries(fields)) obj.addJsonPatch(JsonPatch.add(`${specPath}/${key}`, value));
  }

  private cronOptions() {
    const c = this.props.cronJob ?? {};
    const startingDeadline = c.startingDeadline ?? Duration.seconds(Math.min(3600, this.schedule!.shortestGapSeconds));
    check(requireWholeSeconds(this.owner, 'cronJob.startingDeadline', startingDeadline) >= 10, this.owner, {
      field: 'cronJob.startingDeadline',
      value: `${startingDeadline.toSeconds()}s`,
      problem: 'is below 10 seconds, so runs may never start',
      fix: 'allow at least Duration.seconds(10) (the CronJob controller checks every 10 seconds)',
    });
    const successfulJobsHistoryLimit = c.successfulJobsHistoryLimit ?? 3;
    const failedJobsHistoryLimit = c.failedJobsHistoryLimit ?? 1;
    for (const [field, v] of [
      ['successfulJobsHistoryLimit', successfulJobsHistoryLimit],
      ['failedJobsHistoryLimit', failedJobsHistoryLimit],
    ] as const) {
      check(Number.isInteger(v) && v >= 0, this.owner, {
        field: `cronJob.${field}`,
        value: v,
        problem: 'is not a non-negative integer',
        fix: 'keep 0 or more finished Jobs',
      });
    }
    return { startingDeadline, successfulJobsHistoryLimit, failedJobsHistoryLimit, suspend: c.suspend ?? false };
  }
}
