import { IConstruct } from 'constructs';
import type {
  ScaledJobSpec,
  ScaledJobSpecJobTargetRef,
  ScaledJobSpecScalingStrategyStrategy,
  ScaledJobSpecTriggers,
} from '../../imports/keda-scaledjob-keda.sh';
import type { ScaledObjectSpecTriggers, ScaledObjectSpecTriggersAuthenticationRefKind } from '../../imports/keda-scaledobject-keda.sh';
import { scaledJobs } from './generated';
import { requireAddonFeature } from '../core/addon-support';
import { check } from '../core/errors';
import { RenderedTrigger } from './triggers';

/** ScaledJob settings (long-running work: one Job per batch of messages). */
export interface ScaledJobOptions {
  /**
   * How KEDA counts the Jobs to start: `default` (queue length minus running Jobs), `accurate`
   * (for queues that hide locked messages, e.g. SQS/Service Bus), `eager` (fill up to maxReplicas).
   * @default 'default'
   */
  readonly scalingStrategy?: 'default' | 'accurate' | 'eager';
  /** Finished Jobs kept for inspection. @default 5 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept for inspection. @default 10 */
  readonly failedJobsHistoryLimit?: number;
  /**
   * Retries of a failed Job pod. The queue redelivers an unacknowledged message to a new Job, so a
   * retry inside the Job would process it twice.
   * @default 0
   */
  readonly backoffLimit?: number;
}

/**
 * KEDA triggers with their authentication references; fields newer than the platform's KEDA version
 * are errors naming the trigger (`field` is the triggers' prop).
 */
export function kedaTriggers(
  scope: IConstruct,
  field: string,
  triggers: RenderedTrigger[],
  auth: Map<RenderedTrigger, { name: string; kind?: string }>,
): ScaledObjectSpecTriggers[] {
  triggers.forEach((t, i) => {
    if (t.metricType) requireAddonFeature(scope, 'keda.metricType', `${field}[${i}].metricType`, t.metricType);
    if (t.useCachedMetrics) requireAddonFeature(scope, 'keda.useCachedMetrics', `${field}[${i}].useCachedMetrics`, true);
  });
  return triggers.map((t) => {
    const ref = auth.get(t);
    return {
      type: t.type,
      ...(t.name ? { name: t.name } : {}),
      ...(t.metricType ? { metricType: t.metricType } : {}),
      ...(t.useCachedMetrics ? { useCachedMetrics: true } : {}),
      metadata: t.metadata,
      ...(ref
        ? {
            authenticationRef: { name: ref.name, ...(ref.kind ? { kind: ref.kind as ScaledObjectSpecTriggersAuthenticationRefKind } : {}) },
          }
        : {}),
    };
  });
}

/** A ScaledJob spec whose pod template is the plain pod spec of the core. */
export type ScaledJobSpecWithPodTemplate = Omit<ScaledJobSpec, 'jobTargetRef'> & {
  readonly jobTargetRef: Omit<ScaledJobSpecJobTargetRef, 'template'> & {
    readonly template: {
      readonly metadata: { readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
      readonly spec: Record<string, unknown>;
    };
  };
};

/** What {@link scaledJobSpec} needs. */
export interface ScaledJobInputs {
  readonly podLabels: Record<string, string>;
  readonly podSpec: Record<string, unknown>;
  readonly activeDeadlineSeconds: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly pollingInterval: number;
  readonly triggers: ScaledObjectSpecTriggers[];
  readonly options: ScaledJobOptions;
}

/**
 * The ScaledJob spec. It is emitted through the generic ApiObject, not the generated ScaledJob
 * class: that class's toJson re-maps the whole pod template through generated types, which read
 * quantities (resources, emptyDir sizeLimit) and int-or-string ports as wrapper objects, so a plain
 * pod spec loses its resource requests. The spec is still typed by the generated interfaces.
 */
export function scaledJobSpec(scope: IConstruct, i: ScaledJobInputs): ScaledJobSpecWithPodTemplate {
  const o = i.options;
  const count = (field: string, value: number | undefined, fallback: number, min: number) => {
    const v = value ?? fallback;
    check(Number.isInteger(v) && v >= min, scope, {
      field: `job.${field}`,
      value: v,
      problem: `is not an integer ≥ ${min}`,
      fix: `use ${min} or more`,
    });
    return v;
  };
  const strategy = o.scalingStrategy ?? 'default';
  check(['default', 'accurate', 'eager'].includes(strategy), scope, {
    field: 'job.scalingStrategy',
    value: strategy,
    problem: 'is not supported',
    fix: "use 'default', 'accurate' or 'eager'",
  });
  return {
    jobTargetRef: {
      parallelism: 1,
      completions: 1,
      backoffLimit: count('backoffLimit', o.backoffLimit, 0, 0),
      activeDeadlineSeconds: i.activeDeadlineSeconds,
      template: {
        // A node scale-down would kill the Job mid-message: keep the Cluster Autoscaler off its node.
        metadata: { labels: i.podLabels, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } },
        spec: i.podSpec,
      },
    },
    pollingInterval: i.pollingInterval,
    minReplicaCount: i.minReplicas,
    maxReplicaCount: i.maxReplicas,
    successfulJobsHistoryLimit: count('successfulJobsHistoryLimit', o.successfulJobsHistoryLimit, 5, 0),
    failedJobsHistoryLimit: count('failedJobsHistoryLimit', o.failedJobsHistoryLimit, 10, 0),
    scalingStrategy: { strategy: strategy as ScaledJobSpecScalingStrategyStrategy },
    // `gradual`: an update of the ScaledJob leaves running Jobs to finish their messages.
    rollout: { strategy: scaledJobs().ScaledJobSpecRolloutStrategy.GRADUAL },
    // Same trigger schema; the generated enums of the two CRDs are distinct types with equal values.
    triggers: i.triggers as unknown as ScaledJobSpecTriggers[],
  };
}
