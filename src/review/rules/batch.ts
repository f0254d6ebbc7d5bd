/** Runs to completion: Jobs, CronJobs, training custom resources (ML010, ML011, ML012). */
import { at, isRecord, recsAt, strAt } from '../access';
import { containersOf, groupOf } from '../kube';
import { KubeObject, Rule, RuleFinding } from '../types';
import { REF, BATCH_ROLES, containerLabel, containerPath, forTemplates } from './common';

/** Where a run-to-completion kind keeps its deadline and its clean-up TTL (paths for messages). */
interface RunLimits {
  /** Whether a deadline is set (every Job of a JobSet needs its own), and where to set it. */
  readonly deadline: boolean;
  readonly deadlinePath: string;
  /** JSON path of the (first) missing deadline field. */
  readonly deadlineField: string;
  readonly ttl: boolean;
  readonly ttlPath: string;
  /** JSON path of the missing TTL field. */
  readonly ttlField: string;
}

const has = (value: unknown, ...keys: string[]): boolean => at(value, ...keys) !== undefined;

/** The run limits of a Job, CronJob, Kubeflow training job, JobSet, Volcano Job or RayJob; `undefined` for other objects. */
function runLimitsOf(obj: KubeObject): RunLimits | undefined {
  const group = groupOf(obj.apiVersion);
  if ((obj.kind === 'Job' || obj.kind === 'CronJob') && group === 'batch') {
    const base = obj.kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec'] : ['spec'];
    if (!isRecord(at(obj, ...base))) return undefined;
    const path = base.join('.');
    return {
      deadline: has(obj, ...base, 'activeDeadlineSeconds'),
      deadlinePath: `${path}.activeDeadlineSeconds`,
      deadlineField: `${path}.activeDeadlineSeconds`,
      // A CronJob deletes its finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit
      // (3 and 1 when unset): they never pile up, and a TTL would only delete the kept runs first.
      ttl: obj.kind === 'CronJob' || has(obj, ...base, 'ttlSecondsAfterFinished'),
      ttlPath: `${path}.ttlSecondsAfterFinished`,
      ttlField: `${path}.ttlSecondsAfterFinished`,
    };
  }
  if (group === 'kubeflow.org' && obj.kind.endsWith('Job')) {
    return {
      deadline: has(obj, 'spec', 'runPolicy', 'activeDeadlineSeconds'),
      deadlinePath: 'spec.runPolicy.activeDeadlineSeconds',
      deadlineField: 'spec.runPolicy.activeDeadlineSeconds',
      ttl: has(obj, 'spec', 'runPolicy', 'ttlSecondsAfterFinished'),
      ttlPath: 'spec.runPolicy.ttlSecondsAfterFinished',
      ttlField: 'spec.runPolicy.ttlSecondsAfterFinished',
    };
  }
  if (group === 'jobset.x-k8s.io' && obj.kind === 'JobSet') {
    const jobs = recsAt(obj, 'spec', 'replicatedJobs');
    const missing = jobs.findIndex((rj) => !has(rj, 'template', 'spec', 'activeDeadlineSeconds'));
    return {
      deadline: jobs.length > 0 && missing < 0,
      deadlinePath: 'spec.replicatedJobs[].template.spec.activeDeadlineSeconds',
      deadlineField: missing < 0 ? 'spec.replicatedJobs' : `spec.replicatedJobs[${missing}].template.spec.activeDeadlineSeconds`,
      ttl: has(obj, 'spec', 'ttlSecondsAfterFinished'),
      ttlPath: 'spec.ttlSecondsAfterFinished',
      ttlField: 'spec.ttlSecondsAfterFinished',
    };
  }
  if (group === 'batch.volcano.sh' && obj.kind === 'Job') {
    // Volcano has no job-level deadline: each task's pods need their own activeDeadlineSeconds.
    const tasks = recsAt(obj, 'spec', 'tasks');
    const missing = tasks.findIndex((task) => !has(task, 'template', 'spec', 'activeDeadlineSeconds'));
    return {
      deadline: tasks.length > 0 && missing < 0,
      deadlinePath: 'spec.tasks[].template.spec.activeDeadlineSeconds',
      deadlineField: missing < 0 ? 'spec.tasks' : `spec.tasks[${missing}].template.spec.activeDeadlineSeconds`,
      ttl: has(obj, 'spec', 'ttlSecondsAfterFinished'),
      ttlPath: 'spec.ttlSecondsAfterFinished',
      ttlField: 'spec.ttlSecondsAfterFinished',
    };
  }
  if (group === 'ray.io' && obj.kind === 'RayJob') {
    // The TTL deletes the Ray cluster only with shutdownAfterJobFinishes: true.
    return {
      deadline: has(obj, 'spec', 'activeDeadlineSeconds'),
      deadlinePath: 'spec.activeDeadlineSeconds',
      deadlineField: 'spec.activeDeadlineSeconds',
      ttl: at(obj, 'spec', 'shutdownAfterJobFinishes') === true,
      ttlPath: 'spec.shutdownAfterJobFinishes: true with spec.ttlSecondsAfterFinished',
      ttlField: 'spec.shutdownAfterJobFinishes',
    };
  }
  return undefined;
}

/**
 * ML010: a run to completion needs a deadline (a hung run holds GPUs forever) and a TTL (finished
 * runs pile up): Jobs, CronJobs, Kubeflow training jobs (runPolicy), JobSets, Volcano Jobs (per task)
 * and RayJobs. A CronJob's Jobs need no TTL: its history limits delete the older runs.
 */
export const jobLimits: Rule = {
  id: 'ML010',
  title: 'Job without activeDeadlineSeconds or ttlSecondsAfterFinished',
  severity: 'warning',
  kinds: ['*'],
  appliesTo: ['Job', 'CronJob', 'PyTorchJob, MPIJob, TFJob and the other Kubeflow training jobs', 'JobSet', 'Volcano Job', 'RayJob'],
  reference: `${REF.ml} §8 (a failed training job wastes expensive accelerator hours), §10 "Separate Online Inference from Batch and Training"`,
  check(obj) {
    const limits = runLimitsOf(obj);
    if (!limits) return [];
    const findings: RuleFinding[] = [];
    if (!limits.deadline) {
      findings.push({
        path: limits.deadlineField,
        message: 'has no activeDeadlineSeconds; a hung training or scoring run keeps its pods (and GPUs) until someone notices',
        fix: `set ${limits.deadlinePath} to the longest expected run time plus a margin`,
      });
    }
    if (!limits.ttl) {
      findings.push({
        path: limits.ttlField,
        message: `has no ttlSecondsAfterFinished; finished ${obj.kind === 'RayJob' ? 'runs keep their Ray cluster' : 'runs and their pods stay in the cluster'} indefinitely`,
        fix: `set ${limits.ttlPath} (e.g. 86400) once logs and artifacts are shipped elsewhere`,
      });
    }
    return findings;
  },
};

/** ML011: overlapping CronJob runs compete for the same accelerators and write the same outputs. */
export const cronConcurrency: Rule = {
  id: 'ML011',
  title: 'CronJob allows overlapping runs',
  severity: 'warning',
  kinds: ['CronJob'],
  reference: `${REF.ml} §1 (scheduled retraining as CronJob), §10 (idempotency of batch and training work)`,
  check(obj) {
    const policy = strAt(obj, 'spec', 'concurrencyPolicy');
    if (policy !== undefined && policy !== 'Allow') return [];
    return [
      {
        path: 'spec.concurrencyPolicy',
        message: `has concurrencyPolicy ${policy ?? 'unset (Allow)'}; a run that outlasts the schedule overlaps with the next one, which competes for the same GPUs and writes the same outputs`,
        fix: 'set spec.concurrencyPolicy: Forbid (or Replace when only the latest run matters)',
      },
    ];
  },
};

/** ML012: a training pod must not be killed for being busy: no liveness probes in Jobs. */
export const trainingLiveness: Rule = {
  id: 'ML012',
  title: 'Liveness probe on a training/batch pod',
  severity: 'warning',
  kinds: [],
  roles: BATCH_ROLES,
  reference: `${REF.ml} §10: "A Deployment template with aggressive liveness restarts can be harmful for a training job"`,
  check: forTemplates(BATCH_ROLES, (t) => {
    return containersOf(t.podSpec)
      .filter((c) => c.role === 'container' && isRecord(at(c.container, 'livenessProbe')))
      .map((c) => ({
        path: containerPath(t, c, 'livenessProbe'),
        message: `${containerLabel(c, t)} has a livenessProbe; a training step that saturates the process fails the probe and the run is killed and restarted, losing progress since the last checkpoint`,
        fix: `remove ${containerPath(t, c, 'livenessProbe')} and bound the run with activeDeadlineSeconds instead`,
      }));
  }),
};
