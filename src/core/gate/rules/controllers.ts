import { cronScheduleProblem } from '../../schedule';
import { isIanaZoneName, isMetricName, isPercent, isPathSegmentName } from '../../validation/strings';
import { checkCount, checkQuantity, checkSelector } from '../checks';
import { GateContext, GateObject } from '../gate';

/** An int-or-percent field (`maxSurge`, `minAvailable`): a whole number ≥ 0 or `N%` (≤ 100% when `max100`). */
function checkIntOrPercent(ctx: GateContext, o: GateObject, p: string, v: unknown, max100: boolean): number | string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    if (!isPercent(v)) ctx.report(o, p, v, 'is not a whole number or a percentage', "use e.g. 1 or '25%'");
    else if (max100 && Number(v.slice(0, -1)) > 100) ctx.report(o, p, v, 'is above 100%', 'use at most 100%');
    return v;
  }
  checkCount(ctx, o, p, v, 0);
  return v as number;
}

function isZero(v: unknown): boolean {
  return v === 0 || v === '0%';
}

/** Whether every `matchLabels` pair of `selector` is among `labels` (what Deployments and Jobs require of their template). */
function selects(selector: any, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}

/** Deployments, Jobs, CronJobs (`ValidateDeploymentSpec`, `validateJobSpec`, `validateCronJobSpec`). */
export function controllerRule(ctx: GateContext, o: GateObject): void {
  if (o.group !== 'batch' && o.group !== 'apps') return;
  if (o.kind === 'Deployment' && o.group === 'apps') {
    const s = o.json.spec ?? {};
    checkCount(ctx, o, 'spec.replicas', s.replicas, 0);
    checkSelector(ctx, o, 'spec.selector', s.selector);
    if (!selects(s.selector, s.template?.metadata?.labels))
      ctx.report(
        o,
        'spec.selector',
        s.selector?.matchLabels,
        'does not match the pod template labels',
        'select labels the template carries',
      );
    const ru = s.strategy?.rollingUpdate;
    if (ru) {
      const surge = checkIntOrPercent(ctx, o, 'spec.strategy.rollingUpdate.maxSurge', ru.maxSurge, false);
      const unavailable = checkIntOrPercent(ctx, o, 'spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, true);
      if (isZero(surge ?? '25%') && isZero(unavailable ?? '25%'))
        ctx.report(
          o,
          'spec.strategy.rollingUpdate.maxUnavailable',
          unavailable,
          'is 0 together with maxSurge 0, so no rollout can progress',
          'allow one surge pod or one unavailable pod',
        );
    }
    checkCount(ctx, o, 'spec.revisionHistoryLimit', s.revisionHistoryLimit, 0);
    checkCount(ctx, o, 'spec.minReadySeconds', s.minReadySeconds, 0);
    if (s.progressDeadlineSeconds !== undefined && checkCount(ctx, o, 'spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 1))
      if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0))
        ctx.report(
          o,
          'spec.progressDeadlineSeconds',
          s.progressDeadlineSeconds,
          `is not above minReadySeconds (${s.minReadySeconds})`,
          'give a longer progress deadline',
        );
  }
  if (o.kind === 'Job' && o.group === 'batch') checkJobSpec(ctx, o, 'spec', o.json.spec);
  if (o.kind === 'CronJob' && o.group === 'batch') {
    const s = o.json.spec ?? {};
    const problem = cronScheduleProblem(s.schedule);
    if (problem)
      ctx.report(
        o,
        'spec.schedule',
        s.schedule,
        problem,
        "use five fields (minute hour day month weekday), e.g. '0 3 * * *', or a macro such as '@daily'",
      );
    if (s.timeZone !== undefined && !isIanaZoneName(s.timeZone))
      ctx.report(
        o,
        'spec.timeZone',
        s.timeZone,
        'is not an IANA time zone name',
        "use an Area/Location name such as 'Europe/Berlin', or 'UTC'",
      );
    if (s.concurrencyPolicy !== undefined && !['Allow', 'Forbid', 'Replace'].includes(s.concurrencyPolicy))
      ctx.report(o, 'spec.concurrencyPolicy', s.concurrencyPolicy, 'is not Allow, Forbid or Replace', 'use one of them');
    checkCount(ctx, o, 'spec.startingDeadlineSeconds', s.startingDeadlineSeconds, 0);
    checkCount(ctx, o, 'spec.successfulJobsHistoryLimit', s.successfulJobsHistoryLimit, 0);
    checkCount(ctx, o, 'spec.failedJobsHistoryLimit', s.failedJobsHistoryLimit, 0);
    checkJobSpec(ctx, o, 'spec.jobTemplate.spec', s.jobTemplate?.spec);
  }
}

/** A Job spec, wherever it is embedded (Job, CronJob, JobSet). */
export function checkJobSpec(ctx: GateContext, o: GateObject, p: string, s: any): void {
  if (!s) return;
  checkCount(ctx, o, `${p}.parallelism`, s.parallelism, 0);
  checkCount(ctx, o, `${p}.completions`, s.completions, 0);
  checkCount(ctx, o, `${p}.backoffLimit`, s.backoffLimit, 0);
  checkCount(ctx, o, `${p}.activeDeadlineSeconds`, s.activeDeadlineSeconds, 1);
  checkCount(ctx, o, `${p}.ttlSecondsAfterFinished`, s.ttlSecondsAfterFinished, 0);
  if (s.completionMode === 'Indexed') {
    if (s.completions === undefined)
      ctx.report(
        o,
        `${p}.completions`,
        s.completions,
        'is required with completionMode Indexed',
        'set completions (the number of indexes)',
      );
    checkCount(ctx, o, `${p}.completions`, s.completions, 0, 100000);
    checkCount(ctx, o, `${p}.parallelism`, s.parallelism, 0, 100000);
  } else if (s.completionMode !== undefined && s.completionMode !== 'NonIndexed')
    ctx.report(o, `${p}.completionMode`, s.completionMode, 'is not Indexed or NonIndexed', 'use one of them');
  const pfp = s.podFailurePolicy;
  if (pfp) {
    const restart = s.template?.spec?.restartPolicy;
    if (restart !== 'Never')
      ctx.report(
        o,
        `${p}.template.spec.restartPolicy`,
        restart,
        'is not Never, which a pod failure policy needs',
        "set restartPolicy 'Never'",
      );
    (pfp.rules ?? []).forEach((r: any, i: number) => {
      const rp = `${p}.podFailurePolicy.rules[${i}]`;
      if (!['FailJob', 'Ignore', 'Count', 'FailIndex'].includes(r?.action))
        ctx.report(o, `${rp}.action`, r?.action, 'is not a pod failure policy action', 'use FailJob, Ignore, Count or FailIndex');
      const codes = r?.onExitCodes;
      if (codes) {
        if (!['In', 'NotIn'].includes(codes.operator))
          ctx.report(o, `${rp}.onExitCodes.operator`, codes.operator, 'is not In or NotIn', 'use In or NotIn');
        const values: unknown[] = codes.values ?? [];
        values.forEach((v, j) => {
          checkCount(
            ctx,
            o,
            `${rp}.onExitCodes.values[${j}]`,
            v,
            codes.operator === 'In' ? 1 : 0,
            255,
            'use exit codes from 1 to 255 (0 only with NotIn)',
          );
          if (j > 0 && typeof v === 'number' && typeof values[j - 1] === 'number' && v <= (values[j - 1] as number))
            ctx.report(
              o,
              `${rp}.onExitCodes.values[${j}]`,
              v,
              'is not in increasing order without repeats, which the API server requires',
              'sort the exit codes and drop repeats',
            );
        });
      }
    });
  }
}

const TARGET_TYPES = ['Utilization', 'Value', 'AverageValue'];

/** HorizontalPodAutoscalers (`validateHorizontalPodAutoscalerSpec`) and PodDisruptionBudgets. */
export function scalingRule(ctx: GateContext, o: GateObject): void {
  if (o.kind === 'HorizontalPodAutoscaler' && o.group === 'autoscaling') {
    const s = o.json.spec ?? {};
    checkCount(
      ctx,
      o,
      'spec.minReplicas',
      s.minReplicas,
      1,
      undefined,
      'use 1 or more (an HPA cannot scale to zero without an alpha feature gate)',
    );
    if (checkCount(ctx, o, 'spec.maxReplicas', s.maxReplicas, 1) && typeof s.minReplicas === 'number' && s.maxReplicas < s.minReplicas)
      ctx.report(o, 'spec.maxReplicas', s.maxReplicas, `is below minReplicas (${s.minReplicas})`, 'set maxReplicas ≥ minReplicas');
    if (typeof s.scaleTargetRef?.name !== 'string' || !isPathSegmentName(s.scaleTargetRef.name))
      ctx.report(o, 'spec.scaleTargetRef.name', s.scaleTargetRef?.name, 'is not a valid object name', 'name the Deployment to scale');
    (s.metrics ?? []).forEach((m: any, i: number) => {
      const mp = `spec.metrics[${i}]`;
      const key = { Resource: 'resource', Pods: 'pods', Object: 'object', External: 'external', ContainerResource: 'containerResource' }[
        m?.type as string
      ];
      if (!key || !m[key]) {
        ctx.report(
          o,
          `${mp}.type`,
          m?.type,
          'is not a metric type with its source',
          'use Resource, Pods, Object, External or ContainerResource with the matching field',
        );
        return;
      }
      const src = m[key];
      if (key === 'resource' || key === 'containerResource') {
        if (!['cpu', 'memory'].includes(src.name) && !src.name?.includes('/'))
          ctx.report(o, `${mp}.${key}.name`, src.name, 'is not a resource the metrics server reports', 'use cpu or memory');
      } else {
        const name = src.metric?.name;
        if (typeof name !== 'string' || !isMetricName(name))
          ctx.report(
            o,
            `${mp}.${key}.metric.name`,
            name,
            "is not a metric name (a path segment: no '/', '%' or spaces)",
            'use the metric name the adapter serves',
          );
        checkSelector(ctx, o, `${mp}.${key}.metric.selector`, src.metric?.selector);
      }
      const target = src.target;
      if (!target || !TARGET_TYPES.includes(target.type)) {
        ctx.report(o, `${mp}.${key}.target.type`, target?.type, 'is not a target type', `use one of ${TARGET_TYPES.join(', ')}`);
        return;
      }
      if (target.type === 'Utilization') checkCount(ctx, o, `${mp}.${key}.target.averageUtilization`, target.averageUtilization, 1);
      const field = target.type === 'Value' ? 'value' : target.type === 'AverageValue' ? 'averageValue' : undefined;
      if (field) {
        const n = checkQuantity(ctx, o, `${mp}.${key}.target.${field}`, target[field], false);
        if (n !== undefined && n <= 0)
          ctx.report(o, `${mp}.${key}.target.${field}`, target[field], 'is not above 0', 'give a positive target');
      }
    });
    for (const dir of ['scaleUp', 'scaleDown'] as const) {
      const rules = s.behavior?.[dir];
      if (!rules) continue;
      checkCount(ctx, o, `spec.behavior.${dir}.stabilizationWindowSeconds`, rules.stabilizationWindowSeconds, 0, 3600);
      (rules.policies ?? []).forEach((pol: any, i: number) => {
        const pp = `spec.behavior.${dir}.policies[${i}]`;
        if (!['Pods', 'Percent'].includes(pol?.type))
          ctx.report(o, `${pp}.type`, pol?.type, 'is not Pods or Percent', 'use Pods or Percent');
        checkCount(ctx, o, `${pp}.value`, pol?.value, 1);
        checkCount(ctx, o, `${pp}.periodSeconds`, pol?.periodSeconds, 1, 1800);
      });
    }
  }
  if (o.kind === 'PodDisruptionBudget' && o.group === 'policy') {
    const s = o.json.spec ?? {};
    if (s.minAvailable !== undefined && s.maxUnavailable !== undefined)
      ctx.report(
        o,
        'spec.maxUnavailable',
        s.maxUnavailable,
        'is set together with minAvailable',
        'keep minAvailable or maxUnavailable, and remove the other',
      );
    checkIntOrPercent(ctx, o, 'spec.minAvailable', s.minAvailable, true);
    checkIntOrPercent(ctx, o, 'spec.maxUnavailable', s.maxUnavailable, true);
    checkSelector(ctx, o, 'spec.selector', s.selector);
  }
}
