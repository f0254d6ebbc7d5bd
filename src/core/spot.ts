import { IConstruct } from 'constructs';
import { check } from './errors';
import { AcceleratorTaint } from './platform-conventions';

/** How spot nodes are placed. */
export interface SpotOptions {
  /**
   * Prefer spot nodes but run on on-demand nodes when none are free, instead of waiting for spot capacity.
   * @default false (spot nodes only)
   */
  readonly fallbackToOnDemand?: boolean;
}

/** How a provider marks its spot/preemptible nodes. */
export interface SpotNodeConvention {
  /** Node label key every spot node carries. */
  readonly labelKey: string;
  /** Value of that label on spot nodes. */
  readonly labelValue: string;
  /** The taint that keeps other pods off spot nodes. @default - spot nodes are not tainted */
  readonly taint?: AcceleratorTaint;
}

/** What spot placement adds to a pod. */
export interface SpotPlacement {
  readonly tolerations: Record<string, string>[];
  readonly nodeAffinity: object;
}

/**
 * Interruptible (spot/preemptible) capacity: a toleration for the provider's spot taint and node
 * affinity to spot nodes. Only for work that retries safely: the node can vanish at any time.
 */
export class SpotCapacity {
  /** GKE Spot VMs: label and taint `cloud.google.com/gke-spot=true`. */
  public static gke(options: SpotOptions = {}): SpotCapacity {
    return new SpotCapacity(
      {
        labelKey: 'cloud.google.com/gke-spot',
        labelValue: 'true',
        taint: { key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' },
      },
      options,
    );
  }

  /** AKS spot node pools: label and taint `kubernetes.azure.com/scalesetpriority=spot`. */
  public static aks(options: SpotOptions = {}): SpotCapacity {
    return new SpotCapacity(
      {
        labelKey: 'kubernetes.azure.com/scalesetpriority',
        labelValue: 'spot',
        taint: { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
      },
      options,
    );
  }

  /** EKS managed node groups: label `eks.amazonaws.com/capacityType=SPOT` (not tainted by default). */
  public static eks(options: SpotOptions = {}): SpotCapacity {
    return new SpotCapacity({ labelKey: 'eks.amazonaws.com/capacityType', labelValue: 'SPOT' }, options);
  }

  /** Karpenter node pools: label `karpenter.sh/capacity-type=spot` (not tainted by default). */
  public static karpenter(options: SpotOptions = {}): SpotCapacity {
    return new SpotCapacity({ labelKey: 'karpenter.sh/capacity-type', labelValue: 'spot' }, options);
  }

  /** Any other convention, e.g. a self-managed pool labelled and tainted `node-pool=spot`. */
  public static custom(convention: SpotNodeConvention, options: SpotOptions = {}): SpotCapacity {
    return new SpotCapacity(convention, options);
  }

  private constructor(
    /** How the provider marks spot nodes. */
    public readonly convention: SpotNodeConvention,
    /** Placement options. */
    public readonly options: SpotOptions,
  ) {}

  /** Validates the convention and returns what it adds to the pod (`field` names the prop in errors). @internal */
  public placement(scope: IConstruct, field: string): SpotPlacement {
    const c = this.convention;
    check(typeof c.labelKey === 'string' && c.labelKey.length > 0 && typeof c.labelValue === 'string', scope, {
      field: `${field}.labelKey`,
      value: c.labelKey,
      problem: 'is empty',
      fix: "name the node label spot nodes carry, e.g. 'karpenter.sh/capacity-type'",
    });
    const requirement = { key: c.labelKey, operator: 'In', values: [c.labelValue] };
    const taint = c.taint;
    return {
      tolerations:
        taint === undefined
          ? []
          : [
              taint.value === undefined
                ? { key: taint.key, operator: 'Exists', effect: taint.effect ?? 'NoSchedule' }
                : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect ?? 'NoSchedule' },
            ],
      nodeAffinity: this.options.fallbackToOnDemand
        ? { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [requirement] } }] }
        : { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [requirement] }] } },
    };
  }
}
