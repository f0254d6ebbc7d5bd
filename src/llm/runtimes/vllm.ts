import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../../core/errors';
import { ProbeHandler } from '../../core/probes';
import { RuntimeContext, RuntimePlan, VllmOptions } from '../serving-runtime';
import { flag, fraction, loadBudget, modelSource, positiveInt, tensorParallelShm, tensorParallelSize } from './common';

/** vLLM's OpenAI-compatible server listens on 8000 unless told otherwise. */
export const VLLM_PORT = 8000;

/** The `vllm serve` arguments every vLLM server shares (single pod, or the leader of a multi-host group). */
export function vllmServeArgs(scope: Construct, ctx: RuntimeContext, o: VllmOptions, model: string, tp: number): string[] {
  const args = [model, '--port', String(VLLM_PORT)];
  flag(args, '--served-model-name', o.servedModelName ?? ctx.modelName);
  args.push('--tensor-parallel-size', String(tp));
  const pp = o.pipelineParallelSize ?? 1;
  check(Number.isInteger(pp) && pp >= 1, scope, {
    field: `${ctx.field}.pipelineParallelSize`,
    value: pp,
    problem: 'is not a positive integer',
    fix: 'use the number of nodes one replica spans',
  });
  if (pp > 1) args.push('--pipeline-parallel-size', String(pp));
  flag(args, '--max-model-len', positiveInt(scope, `${ctx.field}.maxModelLen`, o.maxModelLen));
  flag(args, '--dtype', o.dtype);
  flag(args, '--gpu-memory-utilization', fraction(scope, `${ctx.field}.gpuMemoryUtilization`, o.gpuMemoryUtilization));
  return [...args, ...(o.extraArgs ?? [])];
}

/** vLLM: `vllm serve`, `/health`, Prometheus metrics (`vllm:*`) on the serving port. */
export function vllmPlan(scope: Construct, ctx: RuntimeContext, o: VllmOptions): RuntimePlan {
  const tp = tensorParallelSize(scope, ctx, o.tensorParallelSize, o.attentionHeads);
  check((o.pipelineParallelSize ?? 1) === 1, scope, {
    field: `${ctx.field}.pipelineParallelSize`,
    value: o.pipelineParallelSize,
    problem: 'spans several nodes, which one Deployment pod cannot',
    fix: 'serve across nodes with MultiHostInference (a LeaderWorkerSet), or use tensor parallelism within one node',
  });
  const source = modelSource(scope, ctx, o);
  return {
    runtime: 'vllm',
    port: VLLM_PORT,
    extraPorts: [],
    metricsPath: '/metrics',
    // /health answers once the engine is up and fails when it dies; the TCP check only asks "is the process there".
    readiness: ProbeHandler.httpGet('/health'),
    liveness: ProbeHandler.tcpSocket(),
    command: ['vllm', 'serve'],
    args: vllmServeArgs(scope, ctx, o, source.arg, tp),
    env: source.env,
    mounts: source.mounts,
    downloadsModel: source.downloads,
    // torch.compile and CUDA-graph capture after the weights are in.
    loadBudget: loadBudget(scope, ctx, o.modelSize, o.loadThroughputMiBps, Duration.minutes(3)),
    tensorParallelSize: tp,
    sharedMemory: tensorParallelShm(tp),
    queue: { metric: 'vllm:num_requests_waiting', query: (sel) => `sum(vllm:num_requests_waiting{${sel}})` },
  };
}
