import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../../core/errors';
import { TGI_FACTS } from '../../core/facts/tgi';
import { ProbeHandler } from '../../core/probes';
import { RuntimeContext, RuntimePlan } from '../../serving/runtime';
import { TgiOptions } from '../runtime-options';
import { OwnedFlags, requireRenderedArgs } from '../../core/server-args';
import {
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

/**
 * TGI's launcher defaults to 3000 and its image to 80; 80 needs NET_BIND_SERVICE, which the
 * restricted pod security drops, so the server is told to listen on 8080.
 */
export const TGI_PORT = 8080;

function tgiOwnedFlags(field: string): OwnedFlags {
  return {
    '--model-id': `${field}.model (or the mounted model)`,
    '--port': 'the runtime (TGI is started on 8080; probes and the Service target it)',
    '--hostname': 'the runtime (probes and the Service reach the pod IP)',
    '--num-shard': `accelerator (${field}.tensorParallelSize)`,
    '--sharded': `accelerator (${field}.tensorParallelSize)`,
    '--max-input-tokens': `${field}.maxInputTokens`,
    '--max-input-length': `${field}.maxInputTokens`,
    '--max-total-tokens': `${field}.maxModelLen`,
    '--dtype': `${field}.dtype`,
    '--cuda-memory-fraction': `${field}.gpuMemoryUtilization`,
    '--huggingface-hub-cache': 'model (the mounted model or the download cache)',
  };
}

/** Text Generation Inference: `text-generation-launcher`, `/health`, `tgi_*` metrics on the serving port. */
export function tgiPlan(scope: Construct, ctx: RuntimeContext, o: TgiOptions): RuntimePlan {
  const shards = tensorParallelSize(scope, ctx, o.tensorParallelSize, o.attentionHeads);
  const source = modelSource(scope, ctx, o);
  check(source.arg !== ctx.modelPath || ctx.modelPath === ctx.modelDir, scope, {
    field: 'model',
    value: ctx.modelPath,
    problem: 'is a single file, but TGI loads a model directory (config.json, tokenizer, *.safetensors)',
    fix: 'fetch the model as a tar archive (format: tar) or as files: { path: sha256 }',
  });
  requireDtype(scope, TGI_FACTS, `${ctx.field}.dtype`, o.dtype);
  const total = positiveInt(scope, `${ctx.field}.maxModelLen`, o.maxModelLen);
  const input = positiveInt(scope, `${ctx.field}.maxInputTokens`, o.maxInputTokens);
  check(input === undefined || total === undefined || input < total, scope, {
    field: `${ctx.field}.maxInputTokens`,
    value: input,
    problem: `is not below maxModelLen (${total}), leaving no room for output tokens`,
    fix: `use at most ${(total ?? 1) - 1}`,
  });
  const args = ['--model-id', source.arg, '--port', String(TGI_PORT), '--num-shard', String(shards)];
  flag(args, '--max-input-tokens', input);
  flag(args, '--max-total-tokens', total);
  flag(args, '--dtype', o.dtype === 'auto' ? undefined : o.dtype);
  const utilization = fraction(scope, `${ctx.field}.gpuMemoryUtilization`, o.gpuMemoryUtilization);
  flag(args, '--cuda-memory-fraction', utilization);
  check(o.servedModelName === undefined, scope, {
    field: `${ctx.field}.servedModelName`,
    value: o.servedModelName,
    problem: 'is not a TGI setting (TGI 3.3.4 has no --served-model-name: it serves the model under its model id)',
    fix: 'leave servedModelName unset',
  });
  requireRenderedArgs(TGI_FACTS, args);
  requireWeightsFit(scope, ctx, {
    dtype: o.dtype,
    parameters: o.parameters,
    weightsSize: o.modelSize ?? ctx.weightsSize,
    tensorParallel: shards,
    pipelineParallel: 1,
    utilization: utilization ?? 1,
    attentionHeads: o.attentionHeads,
  });
  const identity = serverIdentity(scope);
  const owned = tgiOwnedFlags(ctx.field);
  return {
    runtime: 'tgi',
    port: TGI_PORT,
    extraPorts: [],
    metricsPath: TGI_FACTS.metrics.path,
    readiness: ProbeHandler.httpGet(TGI_FACTS.health.ready),
    liveness: ProbeHandler.tcpSocket(),
    args: [...args, ...userArgs(scope, TGI_FACTS, ctx.field, o, owned)],
    facts: TGI_FACTS,
    ownedFlags: owned,
    env: { ...identity.env, ...source.env },
    mounts: [...identity.mounts, ...source.mounts],
    downloadsModel: source.downloads,
    loadBudget: loadBudget(scope, ctx, o.modelSize, o.loadThroughputMiBps, Duration.minutes(2), source.downloads),
    tensorParallelSize: shards,
    sharedMemory: tensorParallelShm(shards),
    queue: { metric: 'tgi_queue_size', query: (sel) => `sum(tgi_queue_size{${sel}})` },
  };
}
