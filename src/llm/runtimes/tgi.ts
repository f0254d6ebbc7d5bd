import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../../core/errors';
import { ProbeHandler } from '../../core/probes';
import { RuntimeContext, RuntimePlan, TgiOptions } from '../serving-runtime';
import { flag, fraction, loadBudget, modelSource, positiveInt, tensorParallelShm, tensorParallelSize } from './common';

/**
 * TGI's launcher defaults to 3000 and its image to 80; 80 needs NET_BIND_SERVICE, which the
 * restricted pod security drops, so the server is told to listen on 8080.
 */
export const TGI_PORT = 8080;

/** Text Generation Inference: `text-generation-launcher`, `/health`, `tgi_*` metrics on the serving port. */
export function tgiPlan(scope: Construct, ctx: RuntimeContext, o: TgiOptions): RuntimePlan {
  const shards = tensorParallelSize(scope, ctx, o.tensorParallelSize, o.attentionHeads);
  const source = modelSource(scope, ctx, o);
  check(o.dtype === undefined || o.dtype === 'auto' || o.dtype === 'float16' || o.dtype === 'bfloat16', scope, {
    field: `${ctx.field}.dtype`,
    value: o.dtype,
    problem: 'is not a dtype TGI accepts',
    fix: "use 'float16' or 'bfloat16', or leave it unset",
  });
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
  flag(args, '--cuda-memory-fraction', fraction(scope, `${ctx.field}.gpuMemoryUtilization`, o.gpuMemoryUtilization));
  check(o.servedModelName === undefined, scope, {
    field: `${ctx.field}.servedModelName`,
    value: o.servedModelName,
    problem: 'is not a TGI setting (TGI serves the model under its model id)',
    fix: 'leave it unset',
  });
  return {
    runtime: 'tgi',
    port: TGI_PORT,
    extraPorts: [],
    metricsPath: '/metrics',
    readiness: ProbeHandler.httpGet('/health'),
    liveness: ProbeHandler.tcpSocket(),
    args: [...args, ...(o.extraArgs ?? [])],
    env: source.env,
    mounts: source.mounts,
    downloadsModel: source.downloads,
    loadBudget: loadBudget(scope, ctx, o.modelSize, o.loadThroughputMiBps, Duration.minutes(2)),
    tensorParallelSize: shards,
    sharedMemory: tensorParallelShm(shards),
    queue: { metric: 'tgi_queue_size', query: (sel) => `sum(tgi_queue_size{${sel}})` },
  };
}
