import { IConstruct } from 'constructs';
import { check } from './errors';
import { maxGpusPerNode } from './known-gpu-nodes';
import { ResolvedPlatform } from './platform-conventions';
import { requireLabels } from './names';
import { requireQuantity } from './quantity';
import { MIG_PROFILES, isExtendedResourceName, migProfile, migResourceName } from './validation/strings';

/** Placement options shared by every accelerator kind. */
export interface AcceleratorOptions {
  /**
   * Accelerator model, matched against the platform's product node label (e.g. `NVIDIA-A100-SXM4-40GB`).
   * @default - any model
   */
  readonly product?: string;
  /**
   * Extra node labels the pod must match (e.g. `{ accelerator: 'nvidia-a100' }`).
   * @default - none
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Size of the memory-backed `/dev/shm` (PyTorch data loaders and NCCL need more than the 64Mi default).
   * @default - the workload's default (1Gi for serving, 8Gi for training)
   */
  readonly sharedMemory?: string;
  /**
   * Devices one node of the target pool has (e.g. 8 on an 8-GPU node); a pod asking for more can
   * never be scheduled, and tensor parallelism beyond it needs multi-host serving.
   * @default - unknown (not checked)
   */
  readonly gpusPerNode?: number;
}

/** What an accelerator adds to a pod. */
export interface AcceleratorPlacement {
  readonly limits: Record<string, string>;
  readonly nodeSelector: Record<string, string>;
  readonly toleration: Record<string, string>;
  readonly sharedMemory?: string;
}

/** Accelerators a container requests: whole GPUs, MIG slices or any device-plugin resource. */
export class Accelerator {
  /** `count` whole NVIDIA GPUs (`nvidia.com/gpu`). */
  public static nvidiaGpu(count: number, options: AcceleratorOptions = {}): Accelerator {
    return new Accelerator('nvidia.com/gpu', count, options);
  }

  /**
   * `count` NVIDIA Multi-Instance GPU slices of `profile` (e.g. `1g.5gb` → `nvidia.com/mig-1g.5gb`;
   * `1g.10gb+me` → `nvidia.com/mig-1g.10gb.me`). The profile must exist on some MIG-capable GPU.
   */
  public static nvidiaMig(profile: string, count: number, options: AcceleratorOptions = {}): Accelerator {
    const known = migProfile(profile);
    return new Accelerator(known ? migResourceName(known) : `nvidia.com/mig-${profile}`, count, options, profile);
  }

  /** Any extended resource advertised by a device plugin (e.g. `amd.com/gpu`, `google.com/tpu`). */
  public static of(resource: string, count: number, options: AcceleratorOptions = {}): Accelerator {
    return new Accelerator(resource, count, options);
  }

  private constructor(
    /** The extended resource name. */
    public readonly resource: string,
    /** How many devices one pod gets. */
    public readonly count: number,
    /** Placement options. */
    public readonly options: AcceleratorOptions,
    private readonly migProfile?: string,
  ) {}

  /** Validates the request and returns what it adds to the pod (`field` names the prop in errors). @internal */
  public placement(scope: IConstruct, field: string, platform: ResolvedPlatform): AcceleratorPlacement {
    check(Number.isInteger(this.count) && this.count > 0, scope, {
      field: `${field}.count`,
      value: this.count,
      problem: 'is not a positive integer',
      fix: 'request a whole number of devices (1, 2, ...); share a GPU with a MIG profile, not a fraction',
    });
    check(this.migProfile === undefined || migProfile(this.migProfile) !== undefined, scope, {
      field: `${field}.profile`,
      value: this.migProfile,
      problem: 'is not a MIG profile of any MIG-capable NVIDIA GPU',
      fix: `use one of NVIDIA's profiles, e.g. ${MIG_PROFILES.slice(5, 12).join(', ')} (A100 40GB) or 1g.10gb, 3g.40gb, 7g.80gb (A100/H100 80GB)`,
    });
    check(isExtendedResourceName(this.resource), scope, {
      field: `${field}.resource`,
      value: this.resource,
      problem: 'is not an extended resource name',
      fix: "use 'vendor.domain/resource', e.g. 'nvidia.com/gpu'",
    });
    if (this.options.product !== undefined)
      requireLabels(scope, `${field}.product`, { [platform.acceleratorProductLabel]: this.options.product });
    if (this.options.nodeSelector !== undefined) requireLabels(scope, `${field}.nodeSelector`, this.options.nodeSelector);
    const perNode = this.options.gpusPerNode;
    check(perNode === undefined || (Number.isInteger(perNode) && perNode >= 1), scope, {
      field: `${field}.gpusPerNode`,
      value: perNode,
      problem: 'is not a positive integer',
      fix: 'give the device count of one node, e.g. 8',
    });
    check(perNode === undefined || this.count <= perNode, scope, {
      field: `${field}.count`,
      value: this.count,
      problem: `is more than one node has (gpusPerNode ${perNode}), so the pod can never be scheduled`,
      fix: `request at most ${perNode}, or shard the model across nodes (MultiHostInference)`,
    });
    // Where no gpusPerNode (or node pool) says otherwise: a product on a fixed baseboard has at most so many.
    const known =
      this.resource === 'nvidia.com/gpu' && this.options.product !== undefined ? maxGpusPerNode(this.options.product) : undefined;
    check(perNode !== undefined || known === undefined || this.count <= known.gpus, scope, {
      field: `${field}.count`,
      value: this.count,
      problem: `is more than any node with ${this.options.product} has (${known?.gpus}: ${known?.example}), so the pod can never be scheduled`,
      fix: `request at most ${known?.gpus} GPUs per pod (serve across nodes with MultiHostInference, train with more workers), or set gpusPerNode if your nodes carry more`,
    });
    if (this.options.sharedMemory !== undefined) requireQuantity(scope, `${field}.sharedMemory`, this.options.sharedMemory, '8Gi');
    const taint = platform.acceleratorTaint;
    return {
      limits: { [this.resource]: String(this.count) },
      nodeSelector: {
        [platform.acceleratorNodeLabel]: 'true',
        ...(this.options.product ? { [platform.acceleratorProductLabel]: this.options.product } : {}),
        ...this.options.nodeSelector,
      },
      toleration:
        taint.value === undefined
          ? { key: taint.key, operator: 'Exists', effect: taint.effect }
          : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect },
      sharedMemory: this.options.sharedMemory,
    };
  }
}
