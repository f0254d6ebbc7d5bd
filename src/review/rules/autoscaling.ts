/** HorizontalPodAutoscalers (ML009, ML020). */
import { Rec, at, numAt, recsAt, strAt } from '../access';
import { groupOf, runningContainersOf, subjectOf } from '../kube';
import { KubeObject, Rule, RuleFinding } from '../types';
import { REF, acceleratorRequests, containerLabel, describeAccelerators, effectiveRequest, limitRangeDefaults } from './common';

/** A metric of an HPA, reduced to what the rules need. */
interface HpaMetric {
  /** `Resource`, `ContainerResource`, `Pods`, `Object` or `External`. */
  readonly type: string;
  /** Resource name for (Container)Resource metrics. */
  readonly resource?: string;
  /** Container name for ContainerResource metrics. */
  readonly container?: string;
  /** Whether the target is a utilization percentage (computed against requests). */
  readonly utilization: boolean;
  /** Where the metric is written (`spec.metrics[0]`), or where the default one applies. */
  readonly path: string;
}

/**
 * The metrics of an HPA in any API version: `autoscaling/v1` `targetCPUUtilizationPercentage`,
 * `v2beta1` `targetAverageUtilization`, `v2`/`v2beta2` `target.type`. An HPA without metrics
 * scales on 80% CPU utilization.
 */
function metricsOf(hpa: KubeObject): readonly HpaMetric[] {
  if (groupOf(hpa.apiVersion) === 'autoscaling' && hpa.apiVersion.endsWith('/v1')) {
    return [{ type: 'Resource', resource: 'cpu', utilization: true, path: 'spec.targetCPUUtilizationPercentage' }];
  }
  const metrics = recsAt(hpa, 'spec', 'metrics');
  if (metrics.length === 0) return [{ type: 'Resource', resource: 'cpu', utilization: true, path: 'spec.metrics' }];
  return metrics.map((m: Rec, i): HpaMetric => {
    const type = strAt(m, 'type') ?? '';
    const source = type === 'Resource' ? at(m, 'resource') : type === 'ContainerResource' ? at(m, 'containerResource') : undefined;
    return {
      type,
      resource: strAt(source, 'name'),
      container: strAt(source, 'container'),
      utilization: strAt(source, 'target', 'type') === 'Utilization' || numAt(source, 'targetAverageUtilization') !== undefined,
      path: `spec.metrics[${i}]`,
    };
  });
}

/** The object named by the HPA's scaleTargetRef, with a description for messages. */
function targetOf(hpa: KubeObject, ctx: Parameters<Rule['check']>[1]): { ref: string; target?: KubeObject } | undefined {
  const kind = strAt(hpa, 'spec', 'scaleTargetRef', 'kind');
  const name = strAt(hpa, 'spec', 'scaleTargetRef', 'name');
  if (kind === undefined || name === undefined) return undefined;
  return { ref: `${kind} '${name}'`, target: ctx.find(kind, ctx.namespaceOf(hpa), name) };
}

/**
 * ML009: HPA consistency: minReplicas above maxReplicas (error), a scaleTargetRef naming no object
 * of the set (warning), a CPU/memory utilization metric on a target whose containers lack the
 * request it is computed against (error: the HPA cannot compute utilization and does not scale).
 */
export const autoscalerConsistency: Rule = {
  id: 'ML009',
  title: 'HorizontalPodAutoscaler inconsistent with its target',
  severity: 'error',
  kinds: ['HorizontalPodAutoscaler'],
  conditions: [{ severity: 'warning', when: 'scaleTargetRef is missing or names an object that is not in the reviewed set' }],
  reference: `${REF.ml} §5 "Choose the Right Autoscaling Mechanism" (sentiment-inference HPA: minReplicas 3, maxReplicas 20, cpu averageUtilization 65)`,
  check(obj, ctx) {
    const findings: RuleFinding[] = [];
    const min = numAt(obj, 'spec', 'minReplicas') ?? 1;
    const max = numAt(obj, 'spec', 'maxReplicas');
    if (max !== undefined && min > max) {
      findings.push({
        path: numAt(obj, 'spec', 'minReplicas') === undefined ? 'spec.maxReplicas' : 'spec.minReplicas',
        message: `has minReplicas ${min} greater than maxReplicas ${max}; the API server rejects it`,
        fix: 'set spec.minReplicas to at most spec.maxReplicas (minReplicas = warm capacity, maxReplicas = what the cluster can place)',
      });
    }
    const ref = targetOf(obj, ctx);
    if (!ref) {
      findings.push({
        severity: 'warning',
        path: 'spec.scaleTargetRef',
        message: 'has no scaleTargetRef kind and name',
        fix: 'set spec.scaleTargetRef {apiVersion, kind, name} of the Deployment to scale',
      });
      return findings;
    }
    if (!ref.target) {
      findings.push({
        severity: 'warning',
        path: 'spec.scaleTargetRef.name',
        message: `scaleTargetRef names ${ref.ref}, which is not in the reviewed set (namespace '${ctx.namespaceOf(obj)}'); the HPA scales nothing if it does not exist`,
        fix: 'fix spec.scaleTargetRef kind/name, or review the HPA together with its target',
      });
      return findings;
    }
    const t = ctx.podTemplate(ref.target);
    if (!t) return findings;
    const defaulted = limitRangeDefaults(ctx, ctx.namespaceOf(ref.target));
    for (const metric of metricsOf(obj)) {
      if (!metric.utilization || (metric.resource !== 'cpu' && metric.resource !== 'memory')) continue;
      const resource = metric.resource;
      if (defaulted.has(resource)) continue;
      const containers = runningContainersOf(t.podSpec).filter((c) => metric.type !== 'ContainerResource' || c.name === metric.container);
      const lacking = containers.filter((c) => effectiveRequest(c.container, resource).state !== 'set');
      if (lacking.length === 0) continue;
      findings.push({
        path: metric.path,
        message: `scales on ${resource} utilization but ${lacking.map((c) => containerLabel(c)).join(', ')} of ${subjectOf(ref.target)} ${lacking.length > 1 ? 'have' : 'has'} no ${resource} request; utilization is computed against requests, so the HPA cannot compute it and does not scale`,
        fix: `set resources.requests.${resource} on every container of ${subjectOf(ref.target)}, or scale on an AverageValue target`,
      });
    }
    return findings;
  },
};

/**
 * ML020: scaling an accelerator workload only on CPU/memory misses accelerator saturation: an HPA
 * on a GPU target, or a PyTorchJob's `elasticPolicy.metrics` (the training operator creates the HPA).
 */
export const acceleratorAutoscaling: Rule = {
  id: 'ML020',
  title: 'Accelerator workload autoscaled on CPU/memory only',
  severity: 'warning',
  kinds: ['*'],
  appliesTo: ['HorizontalPodAutoscaler', 'PyTorchJob (elasticPolicy)'],
  reference: `${REF.ml} Common Mistakes: "Scaling on CPU when the bottleneck is GPU or queue depth"; §4 (Observability for GPU operations), §5`,
  check(obj, ctx) {
    const elastic =
      obj.kind === 'PyTorchJob' && groupOf(obj.apiVersion) === 'kubeflow.org' && recsAt(obj, 'spec', 'elasticPolicy', 'metrics').length > 0;
    if (obj.kind !== 'HorizontalPodAutoscaler' && !elastic) return [];
    if (obj.kind === 'HorizontalPodAutoscaler' && groupOf(obj.apiVersion) !== 'autoscaling') return [];
    const target = elastic ? obj : targetOf(obj, ctx)?.target;
    const templates = target ? ctx.podTemplates(target) : [];
    const accelerators = templates.flatMap((t) => acceleratorRequests(t.podSpec, ctx.platform.acceleratorResources));
    const metrics = elastic ? metricsOf({ ...obj, spec: at(obj, 'spec', 'elasticPolicy') }) : metricsOf(obj);
    if (!target || accelerators.length === 0 || metrics.some((m) => m.type !== 'Resource' && m.type !== 'ContainerResource')) return [];
    const resources = [...new Set(metrics.map((m) => m.resource ?? '?'))].join(' and ');
    return [
      {
        path: elastic ? 'spec.elasticPolicy.metrics' : 'spec.metrics',
        message: `${elastic ? 'elasticPolicy scales the job, which requests' : `scales ${subjectOf(target)}, which requests`} ${describeAccelerators(accelerators)}, only on ${resources}; CPU does not show accelerator saturation, so it adds replicas too late or not at all`,
        fix: `scale on a metric that matches the bottleneck: GPU utilization, queue depth, p95 latency or in-flight requests (Pods/External metric${elastic ? ' in spec.elasticPolicy.metrics' : ', or KEDA'})`,
      },
    ];
  },
};
