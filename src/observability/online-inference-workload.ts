import { Duration } from 'cdk8s';
import type { DescribedWorkload } from './workload-descriptors';
import { MonitoredWorkload, apiObjectsOf } from './workload';

/** What {@link onlineInferenceWorkload} reads of an OnlineInference. */
export interface DescribedOnlineInference extends DescribedWorkload {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly parked: boolean;
  /** The HorizontalPodAutoscaler, when the service scales on metrics. */
  readonly autoscaler?: unknown;
  /** The KEDA ScaledObject, when it scales on the runtime's queue. */
  readonly scaledObject?: unknown;
  /** The canary track, by its Deployment's name. */
  readonly canary?: { readonly deployment: { readonly name: string } };
}

/** What an OnlineInference knows only while it is being built. */
export interface OnlineInferenceShape {
  /** The named port Prometheus scrapes (`metrics`, or the serving port). */
  readonly metricsPort: string;
  readonly servicePort: number;
  /** Model load budget (modelLoadTimeout). */
  readonly modelLoadBudget: Duration;
  /** Init containers that fetch, verify or wait for the model. @default - none */
  readonly modelInitContainers?: string[];
}

/** Describes an OnlineInference for {@link WorkloadMonitoring}. */
export function onlineInferenceWorkload(w: DescribedOnlineInference, shape: OnlineInferenceShape): MonitoredWorkload {
  return {
    type: 'OnlineInference',
    description: `Stateless model serving behind the Service ${w.name}: ${w.parked ? 'parked (replicas: 0)' : w.minReplicas === w.maxReplicas ? `${w.minReplicas} replicas` : `${w.minReplicas}-${w.maxReplicas} replicas (HorizontalPodAutoscaler)`}.`,
    kind: 'serving',
    name: w.name,
    namespace: w.namespace,
    selector: w.labels.selector,
    labels: w.labels.common,
    controller: 'Deployment',
    container: 'server',
    metricsPort: shape.metricsPort,
    servicePort: shape.servicePort,
    autoscaler: w.autoscaler
      ? { kind: 'HorizontalPodAutoscaler', minReplicas: w.minReplicas, maxReplicas: w.maxReplicas }
      : // KEDA's HPA is named after the workload (advanced.horizontalPodAutoscalerConfig.name).
        w.scaledObject
        ? { kind: 'ScaledObject', hpaName: w.name, minReplicas: w.minReplicas, maxReplicas: w.maxReplicas }
        : undefined,
    modelLoad: { budget: shape.modelLoadBudget, initContainers: shape.modelInitContainers },
    objects: apiObjectsOf(w),
    canary: w.canary ? { name: w.canary.deployment.name } : undefined,
    ...(w.parked ? { parked: true } : {}),
  };
}
