import { Duration } from 'cdk8s';
import { AlertSpec } from './alert';
import { ResolvedMonitoring } from './options';
import { Matcher, promDuration, series } from './promql';
import { Triage } from './triage';
import { MonitoredWorkload, podMatchers } from './workload';

/** Alerts every workload gets: crash loops, OOM kills, pods that never get a node. */
export function podAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  const t = new Triage(w);
  const pods = podMatchers(w);
  const by = 'namespace, pod, container';
  const at = `${w.name} in ${w.namespace}`;
  const restarted = `sum by (${by}) (increase(${series('kube_pod_container_status_restarts_total', pods)}[30m])) > 0`;
  return [
    {
      alert: 'MlCrashLooping',
      family: 'pods',
      expr: `max by (${by}) (max_over_time(${series('kube_pod_container_status_waiting_reason', [...pods, ['reason', '=', 'CrashLoopBackOff']])}[5m])) >= 1`,
      for: Duration.minutes(10),
      severity: 'critical',
      summary: `A pod of ${at} is crash looping`,
      when: 'a container has been in CrashLoopBackOff for 10 minutes (for models: usually the model or a dependency failing to load at start)',
      value: 'Pod {{ $labels.pod }}, container {{ $labels.container }}.',
      triage: [
        t.previousLogs(),
        t.describe(true),
        t.modelVersion(),
        ...(w.controller === 'Deployment' || w.controller === 'LeaderWorkerSet' ? [t.rollback()] : []),
      ],
      carries: ['pod'],
    },
    {
      alert: 'MlOOMKilled',
      family: 'pods',
      // Restarting pods (Deployments) show the kill as the last termination; Job pods that do not
      // restart show it as the current one.
      expr: `(\n  max by (${by}) (${series('kube_pod_container_status_last_terminated_reason', [...pods, ['reason', '=', 'OOMKilled']])}) == 1\n  and on (${by})\n  ${restarted}\n)\nor\nmax by (${by}) (${series('kube_pod_container_status_terminated_reason', [...pods, ['reason', '=', 'OOMKilled']])}) == 1`,
      severity: 'warning',
      summary: `A container of ${at} was OOMKilled`,
      when: 'a container was killed for exceeding its memory limit (in the last 30 minutes, or a Job pod ended that way)',
      value: 'Pod {{ $labels.pod }}, container {{ $labels.container }}.',
      triage: [t.lastTermination(), t.previousLogs(), t.modelVersion()],
      carries: ['pod'],
    },
    {
      alert: 'MlPodsPending',
      family: 'pods',
      expr: `max by (namespace, pod) (${series('kube_pod_status_phase', [...pods, ['phase', '=', 'Pending']])}) == 1`,
      for: o.thresholds.podsPendingFor,
      severity: 'warning',
      summary: `A pod of ${at} has been Pending for ${promDuration(o.thresholds.podsPendingFor)}`,
      when: `a pod stayed Pending for ${promDuration(o.thresholds.podsPendingFor)}: no node fits it (GPU capacity, quota, taints, node selector) or its image or volume does not arrive`,
      value: 'Pod {{ $labels.pod }}.',
      triage: [t.describe(true), t.pods()],
      carries: ['pod'],
    },
  ];
}

/** Alerts for Deployment-managed workloads: replicas missing, rollout stuck. */
export function rolloutAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  if (w.controller !== 'Deployment') return [];
  const t = new Triage(w);
  const d: Matcher[] = [
    ['namespace', '=', w.namespace],
    ['deployment', '=', w.name],
  ];
  return [
    {
      alert: 'MlReplicasUnavailable',
      family: 'rollout',
      expr: `${series('kube_deployment_status_replicas_unavailable', d)} > 0\nand on (namespace, deployment)\n${series('kube_deployment_spec_replicas', d)} > 0`,
      for: o.thresholds.replicasUnavailableFor,
      severity: 'warning',
      summary: `${w.name} in ${w.namespace} has unavailable replicas`,
      when: `replicas have been unavailable for ${promDuration(o.thresholds.replicasUnavailableFor)} (not ready: failing probes, slow model load, Pending or crashing pods)`,
      value: '{{ $value }} replicas unavailable.',
      triage: [t.rollout(), t.pods(), t.describe(), t.previousLogs()],
    },
    {
      alert: 'MlRolloutStuck',
      family: 'rollout',
      expr: `${series('kube_deployment_status_condition', [...d, ['condition', '=', 'Progressing'], ['status', '=', 'false']])} == 1`,
      for: Duration.minutes(1),
      severity: 'critical',
      summary: `The rollout of ${w.name} in ${w.namespace} exceeded its progress deadline`,
      when: "the Deployment's Progressing condition is False (ProgressDeadlineExceeded): new pods never became ready",
      triage: [t.rollout(), t.describe(), t.previousLogs(), t.rollback()],
    },
  ];
}
