import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ScalingBehavior, ScalingMetric, scalingRules } from '../core/autoscaling';
import { ModelArtifact } from '../core/model';
import { WorkloadLabels } from '../core/names';
import { MlPodProps, PodShape, PodTemplate, podBaseProps } from '../core/pod';

/** One release track of a serving workload. */
export interface TrackDeploymentProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: WorkloadLabels;
  readonly track: 'stable' | 'canary';
  readonly podProps: MlPodProps;
  readonly shape: PodShape;
  readonly pod: PodTemplate;
  readonly model?: ModelArtifact;
  readonly version?: string;
  readonly serviceAccount: plus.IServiceAccount;
  /** Fixed replicas; undefined when an autoscaler owns the count. */
  readonly replicas?: number;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  readonly progressDeadline: Duration;
  readonly revisionHistoryLimit: number;
}

/**
 * The Deployment of one track. Its selector is the identity plus the track (fixed from the first
 * release, since selectors are immutable); the pod template carries the version, the model and the
 * image so `kubectl get pods -L app.kubernetes.io/version` and `kubectl rollout history` show what serves.
 */
export function trackDeployment(owner: Construct, props: TrackDeploymentProps): plus.Deployment {
  const { labels, model, podProps } = props;
  const modelName = model?.podAnnotations['cdk8s-ml.io/model-name'];
  const changeCause = [modelName ? `model ${modelName} ${props.version}` : undefined, `image ${podProps.image}`].filter(Boolean).join(', ');
  const deployment = new plus.Deployment(owner, 'Deployment', {
    metadata: {
      name: props.name,
      namespace: props.namespace,
      labels: labels.common,
      annotations: { 'kubernetes.io/change-cause': changeCause },
    },
    podMetadata: {
      labels: { ...labels.trackPod(props.track, props.version), ...model?.podLabels },
      annotations: { ...model?.podAnnotations, 'cdk8s-ml.io/image': podProps.image },
    },
    select: false,
    spread: false,
    replicas: props.replicas,
    strategy: plus.DeploymentStrategy.rollingUpdate({
      maxSurge: plus.PercentOrAbsolute.absolute(props.maxSurge),
      maxUnavailable: plus.PercentOrAbsolute.absolute(props.maxUnavailable),
    }),
    progressDeadline: props.progressDeadline,
    ...podBaseProps(podProps, props.serviceAccount, props.shape),
  });
  deployment.select(plus.LabelSelector.of({ labels: labels.trackSelector(props.track) }));
  props.pod.applyTo(deployment, '/spec/template');
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', props.revisionHistoryLimit));
  return deployment;
}

/** The HorizontalPodAutoscaler of one track: CPU 70 % unless metrics are given; fast up, slow down. */
export function trackAutoscaler(
  owner: Construct,
  meta: { name: string; namespace: string; labels: Record<string, string> },
  target: plus.Deployment,
  min: number,
  max: number,
  autoscaling: { readonly metrics?: ScalingMetric[]; readonly behavior?: ScalingBehavior } = {},
): plus.HorizontalPodAutoscaler {
  return new plus.HorizontalPodAutoscaler(owner, 'Autoscaler', {
    metadata: meta,
    target,
    minReplicas: min,
    maxReplicas: max,
    metrics: (autoscaling.metrics ?? [ScalingMetric.cpuUtilization(70)]).map((m, i) => m.toPlus(owner, `autoscaling.metrics[${i}]`)),
    scaleUp: scalingRules(owner, 'autoscaling.behavior.scaleUp', autoscaling.behavior?.scaleUp, true),
    scaleDown: scalingRules(owner, 'autoscaling.behavior.scaleDown', autoscaling.behavior?.scaleDown, false),
  });
}
