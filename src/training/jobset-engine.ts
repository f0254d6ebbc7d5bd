import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { ExitCodes, JobPolicy } from '../core/job';
import { supports } from '../core/kube-version';

/** Elastic torchrun rendezvous: training goes on with fewer workers while a lost one is replaced. */
export interface ElasticOptions {
  /** Fewest workers the rendezvous proceeds with (from 1 to `workers - 1`). */
  readonly minWorkers: number;
  /** Times torchrun restarts the worker group in place before giving up (`--max-restarts`). @default 3 */
  readonly maxRestarts?: number;
}

/** Name of the JobSet's one replicated job: its Job is `<name>-workers-0`, its pods `<name>-workers-0-<rank>`. */
export const JOBSET_WORKERS = 'workers';
/** Characters the JobSet adds to the workload name in its Job's name (`-workers-0`). */
export const JOBSET_JOB_SUFFIX_LENGTH = `-${JOBSET_WORKERS}-0`.length;

/** The JobSet kind (imports/jobset-jobset.x-k8s.io.ts, not loaded at run time: it is 20,000 lines). */
export const JOBSET_GVK = { apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet' } as const;

/** JobSet's per-pod annotation counting group restarts. */
const RESTART_ATTEMPT = "metadata.annotations['jobset.sigs.k8s.io/restart-attempt']";

/** The Job controller's failure message when a pod condition matched a FailJob rule. */
const DISRUPTION_MESSAGE = 'has condition DisruptionTarget matching FailJob rule';

/** The validated restart behaviour of a JobSet training run. */
export interface JobSetPlan {
  /** Group restarts before the run fails. */
  readonly maxRestarts: number;
  readonly elastic?: Required<ElasticOptions>;
}

/** Throws unless the JobSet options fit `workers`; returns the plan. */
export function jobSetPlan(owner: Construct, workers: number, maxRestarts: number, elastic?: ElasticOptions): JobSetPlan {
  check(Number.isInteger(maxRestarts) && maxRestarts >= 0, owner, {
    field: 'maxRestarts',
    value: maxRestarts,
    problem: 'is not a non-negative integer',
    fix: 'allow a few group restarts, e.g. 3 (0 fails the run on the first lost worker)',
  });
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

/**
 * Environment a JobSet pod gets on top of torchrun's: the restart attempt (for logs and resume) and,
 * when elastic, torchrun's c10d rendezvous on worker 0 with `min:max` nodes. `$(VAR)`s refer to
 * variables sorted before them (`JOB_NAME`, `MASTER_*` < `PET_*`).
 */
export function jobSetEnv(plan: JobSetPlan, workers: number): Record<string, EnvValue> {
  const v = EnvValue.value;
  return {
    JOBSET_RESTART_ATTEMPT: EnvValue.fromField(RESTART_ATTEMPT),
    ...(plan.elastic
      ? {
          PET_NNODES: v(`${plan.elastic.minWorkers}:${workers}`),
          PET_RDZV_BACKEND: v('c10d'),
          PET_RDZV_ENDPOINT: v('$(MASTER_ADDR):$(MASTER_PORT)'),
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
  /** Exit codes that fail the run at once. @default - none: every failure restarts the group */
  readonly exitCodes?: ExitCodes;
}

/**
 * Creates the JobSet: one replicated job of `workers` indexed pods, DNS hostnames from the JobSet's
 * own headless Service, and a failure policy that tells preemption from application errors:
 *
 * - a reclaimed or drained worker (pod condition `DisruptionTarget`) fails its Job at once, and the
 *   JobSet recreates the whole group (all ranks re-rendezvous, resuming from the checkpoint), counting
 *   against `maxRestarts`; elastic runs instead replace the worker alone and go on with the others;
 * - an exit code in `nonRetryableExitCodes` fails the JobSet (a bug does not get better on retry);
 * - the deadline fails the JobSet;
 * - any other failure restarts the group, up to `maxRestarts`.
 *
 * `BlockingRecreate` waits until every old pod is gone, so no rank of the old group joins the new rendezvous.
 */
export function createJobSet(owner: Construct, policy: JobPolicy, plan: JobSetPlan, parts: JobSetParts): ApiObject {
  const disruption = plan.elastic ? 'Ignore' : 'FailJob';
  const podFailurePolicy = {
    rules: [
      { action: disruption, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ...(parts.exitCodes
        ? [{ action: 'FailJob', onExitCodes: parts.exitCodes.requirement(owner, 'nonRetryableExitCodes', parts.containerName) }]
        : []),
    ],
  };
  const rules = [
    ...(plan.elastic
      ? []
      : [
          {
            name: 'RestartGroupOnDisruption',
            action: 'RestartJobSet',
            onJobFailureReasons: ['PodFailurePolicy'],
            onJobFailureMessagePatterns: [DISRUPTION_MESSAGE],
          },
        ]),
    { name: 'FailOnNonRetryableExit', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'] },
    { name: 'FailPastDeadline', action: 'FailJobSet', onJobFailureReasons: ['DeadlineExceeded'] },
  ];
  const workerJob = {
    metadata: { labels: parts.labels },
    spec: {
      completionMode: 'Indexed',
      completions: parts.workers,
      parallelism: parts.workers,
      // Any failed pod fails the Job; the JobSet's failure policy decides what happens next.
      backoffLimit: 0,
      activeDeadlineSeconds: policy.activeDeadline.toSeconds(),
      podFailurePolicy,
      ...(supports(owner, 'job.podReplacementPolicy') ? { podReplacementPolicy: 'Failed' } : {}),
      template: { metadata: { labels: parts.podLabels }, spec: parts.podSpec },
    },
  };
  return new ApiObject(owner, 'JobSet', {
    ...JOBSET_GVK,
    metadata: { name: parts.name, namespace: parts.namespace, labels: parts.jobSetLabels },
    spec: {
      ...(policy.queueName ? { suspend: true } : {}),
      network: { enableDNSHostnames: true, subdomain: parts.name, publishNotReadyAddresses: true },
      successPolicy: { operator: 'All', targetReplicatedJobs: [JOBSET_WORKERS] },
      failurePolicy: { maxRestarts: plan.maxRestarts, restartStrategy: 'BlockingRecreate', rules },
      ttlSecondsAfterFinished: policy.ttlAfterFinished.toSeconds(),
      replicatedJobs: [{ name: JOBSET_WORKERS, replicas: 1, template: workerJob }],
    },
  });
}
