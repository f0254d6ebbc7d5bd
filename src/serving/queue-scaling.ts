import { Construct } from 'constructs';
import type { ScaledObject } from '../../imports/keda-scaledobject-keda.sh';
import { ScalingBehavior, scalingBehaviorSpec } from '../core/autoscaling';
import { QueueTrigger } from '../keda/triggers';
import { recordRenderedPath } from '../core/gate';
import { scaledObjects } from '../keda/generated';
import '../keda/keda-gate';
import { kedaTriggers } from '../keda/keda-objects';
import { QueueSignal } from './runtime';

/** Scale an LLM server on its runtime's queue depth (a KEDA Prometheus trigger). */
export interface QueueScalingProps {
  /**
   * Requests waiting per replica at which another replica is added. KEDA divides the workload's
   * total (summed over its pods) by the replica count and compares with this.
   */
  readonly waitingPerReplica: number;
  /** Prometheus that scrapes the server. @default 'http://prometheus-operated.monitoring.svc:9090' */
  readonly prometheusUrl?: string;
}

/** What {@link queueScaledObject} needs. */
export interface QueueScaledObjectProps {
  readonly meta: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  /** The Deployment scaled. */
  readonly target: string;
  readonly min: number;
  readonly max: number;
  readonly signal: QueueSignal;
  readonly scaling: QueueScalingProps;
  readonly behavior?: ScalingBehavior;
  /** Prop path for errors. */
  readonly field: string;
}

/**
 * A KEDA ScaledObject on the runtime's queue metric, summed over the workload's pods (the series
 * Prometheus scrapes through the workload's ServiceMonitor carry `namespace` and `service`).
 */
export function queueScaledObject(scope: Construct, p: QueueScaledObjectProps): ScaledObject {
  const selector = `namespace="${p.meta.namespace}",service="${p.meta.name}"`;
  const trigger = QueueTrigger.prometheus({
    name: 'queue-depth',
    serverAddress: p.scaling.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc:9090',
    query: p.signal.query(selector),
    threshold: p.scaling.waitingPerReplica,
    metricType: 'AverageValue',
  }).render(scope, `${p.field}.queue`);
  const scaledObject = new (scaledObjects().ScaledObject)(scope, 'ScaledObject', {
    metadata: p.meta,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: p.target },
      minReplicaCount: p.min,
      maxReplicaCount: p.max,
      advanced: {
        horizontalPodAutoscalerConfig: { name: p.meta.name, behavior: scalingBehaviorSpec(scope, `${p.field}.behavior`, p.behavior) },
      },
      triggers: kedaTriggers(scope, `${p.field}.queue`, [trigger], new Map()),
    },
  });
  recordRenderedPath(scaledObject, 'spec.triggers[0]', scope, `${p.field}.queue`, true);
  return scaledObject;
}
