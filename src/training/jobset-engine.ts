import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { addonSupports, requireAddonFeature } from '../core/addon-support';
import { MlEnvValue } from '../core/env';
import { check } from '../core/errors';
import { JOBSET_FACTS } from '../core/facts/jobset';
import { ExitCodes, JobPolicy } from '../core/job';
import { supports } from '../core/kube-version';

/** Elastic torchrun rendezvous: training goes on with fewer workers while a lost one is replaced. */
export interface ElasticOptions {
  /** Fewest workers the rendezvous proceeds with (from 1 to `workers - 1`). */
  readonly minWorkers: number;
  /** Times torchrun restarts the worker group in place before giving up (`--max-restarts`). @default 3 */
  readonly maxRestarts?: number;
}

/** Name of the JobSet's worker replicated job: its Job is `<name>-workers-0`, its pods `<name>-workers-0-<rank>`. */
export const JOBSET_WORKERS = 'workers';
/** Name of the replicated job hosting an elastic run's c10d rendezvous store: its pod is `<name>-rendezvous-0-0`. */
export const JOBSET_RENDEZVOUS = 'rendezvous';
/** Characters the JobSet adds to the workload name in its Job's name (`-workers-0`). */
export const JOBSET_JOB_SUFFIX_LENGTH = `-${JOBSET_WORKERS}-0`.length;

/** The JobSet kind (imports/jobset-jobset.x-k8s.io.ts, not loaded at run time: it is 20,000 lines). */
export const JOBSET_GVK = { apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet' } as const;

/** Times a worker index is retried in place while a reclaimed peer is still terminating (see createJobSet). */
export const RANK_RETRIES = 2;

/** The validated restart behaviour of a JobSet training run. */
export interface JobSetPlan {
  /** Group restarts before the run fails (disruptions do not count). */
  readonly maxRestarts: number;
  readonly elastic?: Required<ElasticOptions>;
}

/** Throws unless the JobSet options fit `workers`; returns the plan. */
export function jobSetPlan(owner: Construct, workers: number, maxRestarts: number, elastic?: ElasticOptions): JobSetPlan {
  check(Number.isInteger(maxRestarts) && maxRestarts >= 0, owner, {
    field: 'maxRestarts',
    value: maxRestarts,
    problem: 'is not a non-negative integer',
    fix: 'allow a few group restarts, e.g. 3 (0 fails the run on the first failure other than a disruption)',
  });
  requireAddonFeature(owner, 'jobset.failurePolicy.rules', 'engine', 'jobset');
  if (!elastic) return { maxRestarts };
  check(Number.isInteger(elastic.minWorkers) && elastic.minWorkers >= 1 && elastic.minWorkers < workers, owner, {
    field: 'elastic.minWorkers',
    value: elastic.minWorkers,
    problem: `is not an integer from 1 to ${workers - 1} (workers - 1)`,
    fix: `set minWorkers below workers (${workers}), or drop elastic to always train on all workers`,
  });
  const inPlace = elastic.maxRestarts ?? 3;
  check(Number.isInteger(inPlace) && inPlace >= 0, owner, {
    field: 'elastic.maxRestarts',
    value: inPlace,
    problem: 'is not a non-negative integer',
    fix: 'allow a few in-place restarts, e.g. 3',
  });
  return { maxRestarts, elastic: { minWorkers: elastic.minWorkers, maxRestarts: inPlace } };
}

/** Where an elastic run's rendezvous store listens: the JobSet pod hostname of its own replicated job. */
export function rendezvousHost(name: string, namespace: string): string {
  return `${name}-${JOBSET_RENDEZVOUS}-0-0.${name}.${namespace}.svc`;
}

/**
 * Environment a JobSet pod gets on top of torchrun's: the restart attempt (for logs and resume) and,
 * when elastic, torchrun's c10d rendezvous with `min:max` nodes on the store pod (not a worker, so
 * losing any worker, worker 0 included, keeps the rendezvous). `$(VAR)`s refer to variables sorted
 * before them (`JOB_NAME` < `PET_*`).
 */
export function jobSetEnv(plan: JobSetPlan, workers: number, name: string, namespace: string, port: number): Record<string, MlEnvValue> {
  const v = MlEnvValue.value;
  return {
    JOBSET_RESTART_ATTEMPT: MlEnvValue.fromField(JOBSET_FACTS.restartAttemptField),
    ...(plan.elastic
      ? {
          PET_NNODES: v(`${plan.elastic.minWorkers}:${workers}`),
          PET_RDZV_BACKEND: v('c10d'),
          PET_RDZV_ENDPOINT: v(`${rendezvousHost(name, namespace)}:${port}`),
          // The store is elsewhere: no agent tries to host it when its hostname resolution is ambiguous.
          PET_RDZV_CONF: v('is_host=false'),
          PET_RDZV_ID: v('$(JOB_NAME)'),
          PET_MAX_RESTARTS: v(String(plan.elastic.maxRestarts)),
        }
      : {}),
  };
}

/** What the training construct hands the engine. */
export interface JobSetParts {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the worker Job (the workload's). */
  readonly labels: Record<string, string>;
  /** Labels of the JobSet: the workload's, plus Kueue's queue (Kueue admits the JobSet as a whole). */
  readonly jobSetLabels: Record<string, string>;
  readonly podLabels: Record<string, string>;
  /** The complete pod spec (from `PodTemplate.toPodSpec`). */
  readonly podSpec: Record<string, unknown>;
  readonly workers: number;
  readonly containerName: string;
  /** Exit codes that fail the run at once, whichever rank exits with one first. @default - none */
  readonly exitCodes?: ExitCodes;
  /** An elastic run's rendezvous store pod (spec and labels). */
  readonly rendezvous?: { readonly podSpec: Record<string, unknown>; readonly podLabels: Record<string, string> };
}

/**
 * Creates the JobSet: one replicated job of `workers` indexed pods, DNS hostnames from the JobSet's
 * own headless Service, and a failure policy that tells preemption from application errors whichever
 * rank's pod fails first:
 *
 * - a reclaimed or drained worker (pod condition `DisruptionTarget`) fails its Job with a message the
 *   JobSet recognises, and the JobSet recreates the whole group without counting it against
 *   `maxRestarts` (`RestartJobSetAndIgnoreMaxRestarts`). The surviving ranks usually exit first (their
 *   collectives break while the reclaimed pod still terminates): each index is retried in place
 *   (`backoffLimitPerIndex`), so their exits never fail the Job before the disruption is reported;
 * - an exit code in `nonRetryableExitCodes` from any rank fails the JobSet (a bug does not get better);
 * - the deadline fails the JobSet;
 * - any other failure (a rank failing again and again) restarts the group, up to `maxRestarts`.
 *
 * Elastic runs replace a reclaimed worker alone (`Ignore`) while torchrun goes on with the others; their
 * rendezvous store runs in a replicated job of its own. `BlockingRecreate` waits until every old pod is
 * gone, so no rank of the old group joins the new rendezvous.
 */
export function createJobSet(owner: Construct, policy: JobPolicy, plan: JobSetPlan, parts: JobSetParts): ApiObject {
  const multi = parts.workers > 1;
  const perIndex = multi && !plan.elastic && supports(owner, 'job.backoffLimitPerIndex');
  if (!plan.elastic) requireAddonFeature(owner, 'jobset.onJobFailureMessagePatterns', 'engine', 'jobset');
  const podFailurePolicy = (exitCodes: ExitCodes | undefined) => ({
    rules: [
      { action: plan.elastic ? 'Ignore' : 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ...(exitCodes
        ? [{ action: 'FailJob', onExitCodes: exitCodes.requirement(owner, 'nonRetryableExitCodes', parts.containerName) }]
        : []),
    ],
  });
  const patterns = addonSupports(owner, 'jobset.onJobFailureMessagePatterns');
  const rules = [
    ...(plan.elastic
      ? []
      : [
          {
            name: 'RestartGroupOnDisruption',
            action: 'RestartJobSetAndIgnoreMaxRestarts',
            onJobFailureReasons: ['PodFailurePolicy'],
            ...(patterns ? { onJobFailureMessagePatterns: [JOBSET_FACTS.messages.disruption] } : {}),
          },
        ]),
    {
      name: 'FailOnNonRetryableExit',
      action: 'FailJobSet',
      onJobFailureReasons: ['PodFailurePolicy'],
      ...(patterns ? { onJobFailureMessagePatterns: [JOBSET_FACTS.messages.exitCode] } : {}),
    },
    { name: 'FailPastDeadline', action: 'FailJobSet', onJobFailureReasons: ['DeadlineExceeded'] },
  ];
  const workerJob = {
    metadata: { labels: parts.labels },
    spec: {
      completionMode: 'Indexed',
      completions: parts.workers,
      parallelism: parts.workers,
      // Any failed index fails the Job (the JobSet's policy decides what happens next); a rank may be retried
      // in place a few times first, while a reclaimed peer's disruption is still on its way.
      ...(perIndex ? { backoffLimitPerIndex: RANK_RETRIES, maxFailedIndexes: 0 } : { backoffLimit: 0 }),
      activeDeadlineSeconds: policy.activeDeadline.toSeconds(),
      podFailurePolicy: podFailurePolicy(parts.exitCodes),
      ...(supports(owner, 'job.podReplacementPolicy') ? { podReplacementPolicy: 'Failed' } : {}),
      template: { metadata: { labels: parts.podLabels }, spec: parts.podSpec },
    },
  };
  const rendezvousJob = parts.rendezvous && {
    metadata: { labels: parts.labels },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 0,
      activeDeadlineSeconds: policy.activeDeadline.toSeconds(),
      podFailurePolicy: podFailurePolicy(undefined),
      template: { metadata: { labels: parts.rendezvous.podLabels }, spec: parts.rendezvous.podSpec },
    },
  };
  return new ApiObject(owner, 'JobSet', {
    ...JOBSET_GVK,
    metadata: { name: parts.name, namespace: parts.namespace, labels: parts.jobSetLabels },
    spec: {
      ...(policy.queueName ? { suspend: true } : {}),
      network: {
        enableDNSHostnames: true,
        subdomain: parts.name,
        ...(addonSupports(owner, 'jobset.publishNotReadyAddresses') ? { publishNotReadyAddresses: true } : {}),
      },
      // The workers decide; a finished JobSet deletes the rendezvous store's Job.
      successPolicy: { operator: 'All', targetReplicatedJobs: [JOBSET_WORKERS] },
      failurePolicy: {
        maxRestarts: plan.maxRestarts,
        ...(addonSupports(owner, 'jobset.blockingRecreate') ? { restartStrategy: 'BlockingRecreate' } : {}),
        rules,
      },
      ...(addonSupports(owner, 'jobset.ttlSecondsAfterFinished') ? { ttlSecondsAfterFinished: policy.ttlAfterFinished.toSeconds() } : {}),
      replicatedJobs: [
        { name: JOBSET_WORKERS, replicas: 1, template: workerJob },
        ...(rendezvousJob ? [{ name: JOBSET_RENDEZVOUS, replicas: 1, template: rendezvousJob }] : []),
      ],
    },
  });
}
