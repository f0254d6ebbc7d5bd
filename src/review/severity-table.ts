/** Severity of each rule per workload kind, as the rule pages and `--help` document it. */
import { Rule, Severity, WorkloadRole } from './types';

/** The kinds whose pod templates play each role (see `templates.ts` and `kube.ts`). */
export const ROLE_KINDS: Readonly<Record<WorkloadRole, string>> = {
  serving: 'Deployment, StatefulSet, LeaderWorkerSet, RayService, InferenceService',
  'long-running': 'ReplicaSet, RayCluster',
  daemon: 'DaemonSet',
  pod: 'Pod',
  batch: 'Job, CronJob, RayJob submitter',
  training: 'PyTorchJob, MPIJob, TFJob and other Kubeflow jobs, JobSet, TrainJob, TrainingRuntime, RayJob cluster, Volcano Job',
  generic: 'other custom resources (pod templates found by shape)',
};

/** One row of a rule's severity table. */
export interface SeverityRow {
  readonly kinds: string;
  readonly severity: Severity;
}

/** The severity of a rule per workload kind: one row per role of a pod-template rule, else per kind it examines. */
export function severityRows(rule: Rule): readonly SeverityRow[] {
  if (rule.roles && rule.roles.length > 0) {
    return rule.roles.map((role) => ({ kinds: `${ROLE_KINDS[role]} (${role})`, severity: rule.roleSeverity?.[role] ?? rule.severity }));
  }
  const kinds = rule.kinds.includes('*') ? (rule.appliesTo ?? ['every kind']) : rule.kinds;
  return kinds.map((kinds) => ({ kinds, severity: rule.severity }));
}

/** A one-paragraph summary for `--help`: `error for serving; warning for batch, training; ... Also warning when ...`. */
export function severitySummary(rule: Rule): string {
  const byRole = rule.roles && rule.roles.length > 0;
  const groups = new Map<Severity, string[]>();
  for (const role of rule.roles ?? []) {
    const severity = rule.roleSeverity?.[role] ?? rule.severity;
    groups.set(severity, [...(groups.get(severity) ?? []), role]);
  }
  const main = byRole
    ? [...groups].map(([severity, roles]) => `${severity} for ${roles.join(', ')}`).join('; ')
    : `${rule.severity} for ${(rule.kinds.includes('*') ? (rule.appliesTo ?? ['every kind']) : rule.kinds).join(', ')}`;
  const also = (rule.conditions ?? []).map((c) => `${c.severity} when ${c.when}`);
  return `Severity: ${main}${also.length ? `; ${also.join('; ')}` : ''}.`;
}
