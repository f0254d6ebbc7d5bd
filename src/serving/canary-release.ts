import { Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ScalingBehavior, ScalingMetric } from '../core/autoscaling';
import { check } from '../core/errors';
import { ModelArtifact, ModelProps, modelArtifact } from '../core/model';
import { WorkloadLabels, requireDns1035Label } from '../core/names';
import { claimDerivedName } from '../core/workload-identity';
import { MlPodProps, PodShape, PodTemplate } from '../core/pod';
import { CanaryPlan, CanaryProps, canaryPlan, requireDistinctCanary } from './canary';
import { trackAutoscaler, trackDeployment } from './serving-deployment';

/** What the canary takes from the stable release. */
export interface CanaryReleaseProps {
  readonly canary: CanaryProps;
  readonly stableProps: MlPodProps & { readonly model?: ModelProps };
  readonly trackShape: (model: ModelArtifact | undefined, track: 'stable' | 'canary') => PodShape;
  readonly track: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: WorkloadLabels;
    readonly serviceAccount: plus.IServiceAccount;
    readonly progressDeadline: Duration;
    readonly revisionHistoryLimit: number;
  };
  readonly stable: { readonly min: number; readonly max: number; readonly fixed?: number };
  readonly spareAccelerators: number;
  /** The stable autoscaling, reused for the canary; undefined with a fixed replica count. */
  readonly autoscaling?: { readonly metrics?: ScalingMetric[]; readonly behavior?: ScalingBehavior };
}

/** The canary track of an OnlineInference: `<name>-canary` Deployment (and autoscaler), never a PDB. */
export class CanaryRelease extends Construct {
  /** @internal */
  public readonly plan: CanaryPlan;
  /** The canary's image: `canary.image`, else the stable one. */
  public readonly image: string;
  /** The canary's model: the stable model with the fields `canary.model` gives. */
  public readonly model?: ModelProps;
  /** @internal */
  public readonly pod: PodTemplate;
  /**
   * The canary track's Deployment (cdk8s-plus), `<name>-canary`. Escape hatch (README "Extending a construct"): the
   * env, mounts, ports, containers, volumes, tolerations and pod metadata you add through cdk8s-plus are merged with
   * the construct's own at synth; changing what it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly deployment: plus.Deployment;
  /**
   * The canary's HorizontalPodAutoscaler (cdk8s-plus), keeping its share of the stable bounds; undefined when the
   * stable track has a fixed replica count. Escape hatch (README "Extending a construct"): changes through its
   * cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly autoscaler?: plus.HorizontalPodAutoscaler;
  /** Extra canary pods during its rollout: 0 for accelerator pods (they wait for a free accelerator), else 1. */
  public readonly maxSurge: number;

  /** @internal */
  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    const { canary, stableProps, track } = props;
    this.image = canary.image ?? stableProps.image;
    this.model = stableProps.model || canary.model ? ({ ...stableProps.model, ...canary.model } as ModelProps) : undefined;
    requireDistinctCanary(this, { image: stableProps.image, model: stableProps.model }, { image: this.image, model: this.model });
    check(
      !(stableProps.model?.sha256 && this.model?.version !== stableProps.model.version && this.model?.sha256 === stableProps.model.sha256),
      this,
      {
        field: 'canary.model.sha256',
        value: this.model?.sha256,
        problem: `is the stable artifact's checksum under a new version (${this.model?.version})`,
        fix: 'give the canary the uri and sha256 of the new artifact, or it serves the old model under the new version',
      },
    );
    this.plan = canaryPlan(this, canary, props.stable.fixed ?? props.stable.min, props.stable.max);

    const model = this.model ? modelArtifact(this, this.model) : undefined;
    const podProps = { ...stableProps, image: this.image };
    const shape = props.trackShape(model, 'canary');
    this.pod = new PodTemplate(this, podProps, shape);
    const perPod = this.pod.accelerator ? Number(Object.values(this.pod.accelerator.limits)[0]) : 0;
    const needed = this.plan.canaryMaxReplicas * perPod;
    check(needed <= props.spareAccelerators, this, {
      field: 'canary',
      value: `${this.plan.canaryMaxReplicas} pod(s) × ${perPod} accelerator(s)`,
      problem: `needs ${needed} accelerator(s) beyond the stable replicas, but rollout.spareAccelerators is ${props.spareAccelerators}`,
      fix: `declare rollout.spareAccelerators >= ${needed} if the node pool has them, or lower canary.weight`,
    });

    const name = `${track.name}-canary`;
    requireDns1035Label(this, 'name (with -canary)', name, 'Service');
    claimDerivedName(this.node.scope ?? this, track.namespace, name, 'canary');
    this.maxSurge = perPod > 0 ? 0 : 1;
    this.deployment = trackDeployment(this, {
      ...track,
      name,
      track: 'canary',
      podProps,
      shape,
      pod: this.pod,
      model,
      version: this.model?.version,
      replicas: props.autoscaling ? undefined : this.plan.canaryReplicas,
      maxSurge: this.maxSurge,
      maxUnavailable: this.maxSurge === 0 ? 1 : 0,
    });
    if (props.autoscaling) {
      const meta = { name, namespace: track.namespace, labels: track.labels.common };
      this.autoscaler = trackAutoscaler(
        this,
        meta,
        this.deployment,
        this.plan.canaryReplicas,
        this.plan.canaryMaxReplicas,
        props.autoscaling,
      );
    }
  }
}
