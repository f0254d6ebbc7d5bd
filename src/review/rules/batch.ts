/** Jobs and CronJobs: training and batch scoring (ML010, ML011, ML012). */
import { Rec, at, isRecord, recAt, strAt } from '../access';
import { BATCH_KINDS, containersOf } from '../kube';
import { KubeObject, Rule, RuleFinding } from '../types';
import { REF, BATCH_ROLES, containerLabel, containerPath, forTemplates } from './common';

/** The Job spec of a Job or of a CronJob's job template, with its path. */
function jobSpecOf(obj: KubeObject): { spec: Rec; path: string } | undefined {
  const path = obj.kind === 'CronJob' ? 'spec.jobTemplate.spec' : 'spec';
  const spec = obj.kind === 'CronJob' ? recAt(obj, 'spec', 'jobTemplate', 'spec') : recAt(obj, 'spec');
  return spec ? { spec, path } : undefined;
}

/** ML010: a Job needs a deadline (a hung run holds GPUs forever) and a TTL (finished Jobs pile up). */
export const jobLimits: Rule = {
  id: 'ML010',
  title: 'Job without activeDeadlineSeconds or ttlSecondsAfterFinished',
  severity: 'warning',
  kinds: BATCH_KINDS,
  reference: `${REF.ml} §8 (a failed training job wastes expensive accelerator hours), §10 "Separate Online Inference from Batch and Training"`,
  check(obj) {
    const job = jobSpecOf(obj);
    if (!job) return [];
    const findings: RuleFinding[] = [];
    if (at(job.spec, 'activeDeadlineSeconds') === undefined) {
      findings.push({
        message: 'has no activeDeadlineSeconds; a hung training or scoring run keeps its pods (and GPUs) until someone notices',
        fix: `set ${job.path}.activeDeadlineSeconds to the longest expected run time plus a margin`,
      });
    }
    if (at(job.spec, 'ttlSecondsAfterFinished') === undefined) {
      findings.push({
        message: 'has no ttlSecondsAfterFinished; finished Jobs and their pods stay in the cluster indefinitely',
        fix: `set ${job.path}.ttlSecondsAfterFinished (e.g. 86400) once logs and artifacts are shipped elsewhere`,
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
    return [{
      message: `has concurrencyPolicy ${policy ?? 'unset (Allow)'}; a run that outlasts the schedule overlaps with the next one, which competes for the same GPUs and writes the same outputs`,
      fix: 'set spec.concurrencyPolicy: Forbid (or Replace when only the latest run matters)',
    }];
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
  check: forTemplates(BATCH_ROLES, (t, obj, ctx) => {
    return containersOf(t.podSpec)
      .filter((c) => c.role === 'container' && isRecord(at(c.container, 'livenessProbe')))
      .map((c) => ({
        message: `${containerLabel(c, t)} has a livenessProbe; a training step that saturates the process fails the probe and the run is killed and restarted, losing progress since the last checkpoint`,
        fix: `remove ${containerPath(t, c, 'livenessProbe')} and bound the run with activeDeadlineSeconds instead`,
      }));
  }),
};
