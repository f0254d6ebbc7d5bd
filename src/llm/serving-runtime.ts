import { Construct } from 'constructs';
import { recordOptions } from '../core/gate';
import { check } from '../core/errors';
import { IServingRuntime, RuntimeContext, RuntimePlan } from '../serving/runtime';
import { GenericRuntimeOptions, TgiOptions, TritonOptions, VllmOptions } from './runtime-options';

// A preset's planner and its fact table load when a workload plans it, not with the library.
/* eslint-disable @typescript-eslint/no-require-imports */
const vllm = (): typeof import('./runtimes/vllm') => require('./runtimes/vllm');
const tgi = (): typeof import('./runtimes/tgi') => require('./runtimes/tgi');
const triton = (): typeof import('./runtimes/triton') => require('./runtimes/triton');
const generic = (): typeof import('./runtimes/generic') => require('./runtimes/generic');
/* eslint-enable @typescript-eslint/no-require-imports */

/** How a runtime turns a workload into a plan. */
export type RuntimePlanner = (scope: Construct, ctx: RuntimeContext) => RuntimePlan;

/**
 * A model server preset: its real ports, health endpoints, metrics, arguments and autoscaling
 * signal. Give it to `OnlineInference` as `runtime`.
 */
export class ServingRuntime implements IServingRuntime {
  /** vLLM's OpenAI-compatible server (`vllm serve`): port 8000, `/health`, metrics on the serving port. */
  public static vllm(options: VllmOptions = {}): ServingRuntime {
    return recordOptions(new ServingRuntime('vllm', (scope, ctx) => vllm().vllmPlan(scope, ctx, options), options.modelSize), options);
  }

  /** Hugging Face Text Generation Inference (`text-generation-launcher`): `/health`, metrics on the serving port. */
  public static tgi(options: TgiOptions = {}): ServingRuntime {
    return recordOptions(new ServingRuntime('tgi', (scope, ctx) => tgi().tgiPlan(scope, ctx, options), options.modelSize), options);
  }

  /** NVIDIA Triton Inference Server: HTTP 8000, gRPC 8001, metrics 8002, `/v2/health/ready` and `/live`. */
  public static triton(options: TritonOptions = {}): ServingRuntime {
    return recordOptions(
      new ServingRuntime('triton', (scope, ctx) => triton().tritonPlan(scope, ctx, options), options.modelSize),
      options,
    );
  }

  /** Any HTTP server with its own readiness and liveness endpoints (the default of OnlineInference). */
  public static generic(options: GenericRuntimeOptions = {}): ServingRuntime {
    return recordOptions(new ServingRuntime('generic', (scope, ctx) => generic().genericPlan(scope, ctx, options)), options);
  }

  private constructor(
    /** `vllm`, `tgi`, `triton` or `generic`. */
    public readonly name: string,
    private readonly planner: RuntimePlanner,
    /** The weights' size the preset was given (`modelSize`), if any. */
    public readonly modelSize?: string,
  ) {}

  /** Validates the options against the workload and returns the plan. @internal */
  public plan(scope: Construct, ctx: RuntimeContext): RuntimePlan {
    const plan = this.planner(scope, ctx);
    const tp = plan.tensorParallelSize;
    if (tp !== undefined && ctx.gpusPerNode !== undefined) {
      check(tp <= ctx.gpusPerNode, scope, {
        field: `${ctx.field}.tensorParallelSize`,
        value: tp,
        problem: `is larger than the GPUs of one node (${ctx.gpusPerNode}), so no node can run a replica`,
        fix: `use at most ${ctx.gpusPerNode} GPUs per replica, or serve across nodes with MultiHostInference (pipeline parallelism over a LeaderWorkerSet)`,
      });
    }
    return plan;
  }
}
