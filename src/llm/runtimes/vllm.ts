import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../../core/errors';
import { VLLM_FACTS } from '../../core/facts/vllm';
import { ProbeHandler } from '../../core/probes';
import { RuntimeContext, RuntimePlan } from '../../serving/runtime';
import { VllmOptions } from '../runtime-options';
import { OwnedFlags, requireRenderedArgs } from '../../core/server-args';
import {
  ModelSource,
  flag,
  fraction,
  loadBudget,
  modelSource,
  positiveInt,
  requireDtype,
  requireWeightsFit,
  serverIdentity,
  tensorParallelShm,
  tensorParallelSize,
  userArgs,
} from './common';

/** vLLM's OpenAI-compatible server listens on 8000 unless told otherwise. */
export const VLLM_PORT = VLLM_FACTS.ports.http;

/** The flags the library sets on `vllm serve`, each with the prop that owns it (`field` is the options' prop). */
export function vllmOwnedFlags(field: string, pipelineOwner: string): OwnedFlags {
  return {
    '--model': `${field}.model (or the mounted model)`,
    '--port': 'the runtime (vLLM serves on 8000; probes and the Service target it)',
    '--host': 'the runtime (probes and the Service reach the pod IP)',
    '--uds': 'the runtime (probes and the Service need the TCP port)',
    '--served-model-name': `${field}.servedModelName`,
    '--tensor-parallel-size': `accelerator (${field}.tensorParallelSize)`,
    '--pipeline-parallel-size': pipelineOwner,
    '--max-model-len': `${field}.maxModelLen`,
    '--dtype': `${field}.dtype`,
    '--gpu-memory-utilization': `${field}.gpuMemoryUtilization`,
    '--download-dir': 'model (the mounted model or the download cache)',
  };
}

/**
 * The `vllm serve` arguments every vLLM server shares (single pod, or the leader of a multi-host group),
 * the user's `extraArgs`/`uncheckedArgs` last. Every rendered flag is checked against vLLM's table.
 */
export function vllmServeArgs(
  scope: Construct,
  ctx: RuntimeContext,
  o: VllmOptions,
  source: ModelSource,
  tp: number,
  pipelineOwner = `${ctx.field}.pipelineParallelSize`,
): string[] {
  const args = [source.arg, '--port', String(VLLM_PORT)];
  flag(args, '--served-model-name', o.servedModelName ?? source.repoId ?? ctx.modelName);
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
  requireDtype(scope, VLLM_FACTS, `${ctx.field}.dtype`, o.dtype);
  flag(args, '--dtype', o.dtype);
  const utilization = fraction(scope, `${ctx.field}.gpuMemoryUtilization`, o.gpuMemoryUtilization);
  flag(args, '--gpu-memory-utilization', utilization);
  requireRenderedArgs(VLLM_FACTS, args);
  requireWeightsFit(scope, ctx, {
    dtype: o.dtype,
    parameters: o.parameters,
    weightsSize: o.modelSize ?? ctx.weightsSize,
    tensorParallel: tp,
    pipelineParallel: pp,
    utilization: utilization ?? 0.9,
    attentionHeads: o.attentionHeads,
  });
  return [...args, ...userArgs(scope, VLLM_FACTS, ctx.field, o, vllmOwnedFlags(ctx.field, pipelineOwner))];
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
  const identity = serverIdentity(scope);
  return {
    runtime: 'vllm',
    port: VLLM_PORT,
    extraPorts: [],
    metricsPath: VLLM_FACTS.metrics.path,
    // /health answers once the engine is up and fails when it dies; the TCP check only asks "is the process there".
    readiness: ProbeHandler.httpGet(VLLM_FACTS.health.ready),
    liveness: ProbeHandler.tcpSocket(),
    command: [...VLLM_FACTS.executable],
    args: vllmServeArgs(scope, ctx, o, source, tp),
    facts: VLLM_FACTS,
    ownedFlags: vllmOwnedFlags(ctx.field, `${ctx.field}.pipelineParallelSize`),
    env: { ...identity.env, ...source.env },
    mounts: [...identity.mounts, ...source.mounts],
    downloadsModel: source.downloads,
    // torch.compile and CUDA-graph capture after the weights are in.
    loadBudget: loadBudget(scope, ctx, o.modelSize, o.loadThroughputMiBps, Duration.minutes(3), source.downloads),
    tensorParallelSize: tp,
    sharedMemory: tensorParallelShm(tp),
    queue: { metric: 'vllm:num_requests_waiting', query: (sel) => `sum(vllm:num_requests_waiting{${sel}})` },
  };
}
