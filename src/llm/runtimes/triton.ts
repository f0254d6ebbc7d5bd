import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../../core/errors';
import { TRITON_FACTS } from '../../core/facts/triton';
import { ProbeHandler } from '../../core/probes';
import { RuntimeContext, RuntimePlan } from '../../serving/runtime';
import { TritonOptions } from '../runtime-options';
import { OwnedFlags, requireRenderedArgs } from '../../core/server-args';
import { loadBudget, serverIdentity, userArgs } from './common';

/** Triton's default ports: HTTP/REST, gRPC, Prometheus metrics. */
export const TRITON_PORTS = { http: TRITON_FACTS.ports.http, grpc: TRITON_FACTS.ports.grpc, metrics: TRITON_FACTS.ports.metrics } as const;

function tritonOwnedFlags(field: string): OwnedFlags {
  const port = 'the runtime (Triton is started on 8000/8001/8002; probes, the Service and the monitor target them)';
  return {
    '--model-repository': `${field}.modelRepository (or the mounted model)`,
    '--model-store': `${field}.modelRepository (or the mounted model)`,
    '--http-port': port,
    '--grpc-port': port,
    '--metrics-port': port,
    '--allow-http': port,
    '--allow-grpc': port,
    '--allow-metrics': port,
    '--http-address': port,
    '--grpc-address': port,
    '--metrics-address': port,
  };
}

/** Triton: HTTP 8000, gRPC 8001, metrics 8002, KServe v2 health endpoints. */
export function tritonPlan(scope: Construct, ctx: RuntimeContext, o: TritonOptions): RuntimePlan {
  const repo = o.modelRepository ?? ctx.modelDir;
  check(repo !== undefined && repo.startsWith('/'), scope, {
    field: `${ctx.field}.modelRepository`,
    value: repo,
    problem: repo === undefined ? 'is not set and no model is mounted' : 'is not an absolute path',
    fix: "mount the model repository (model: { claimName: '...' }) or give its path, e.g. '/models'",
  });
  check(o.modelRepository !== undefined || ctx.modelPath === undefined || ctx.modelPath === ctx.modelDir, scope, {
    field: 'model',
    value: ctx.modelPath,
    problem: 'is a single file, but Triton reads a model repository (<model>/config.pbtxt, <model>/<version>/...)',
    fix: 'fetch the repository as a tar archive (format: tar) or as files: { path: sha256 }',
  });
  const args = [
    `--model-repository=${repo}`,
    `--http-port=${TRITON_PORTS.http}`,
    `--grpc-port=${TRITON_PORTS.grpc}`,
    `--metrics-port=${TRITON_PORTS.metrics}`,
  ];
  requireRenderedArgs(TRITON_FACTS, args);
  const owned = tritonOwnedFlags(ctx.field);
  const identity = serverIdentity(scope);
  return {
    runtime: 'triton',
    port: TRITON_PORTS.http,
    extraPorts: [{ name: 'grpc', containerPort: TRITON_PORTS.grpc }],
    metricsPort: TRITON_PORTS.metrics,
    metricsPath: TRITON_FACTS.metrics.path,
    readiness: ProbeHandler.httpGet(TRITON_FACTS.health.ready),
    liveness: ProbeHandler.httpGet(TRITON_FACTS.health.live!),
    command: [...TRITON_FACTS.executable],
    args: [...args, ...userArgs(scope, TRITON_FACTS, ctx.field, o, owned)],
    facts: TRITON_FACTS,
    ownedFlags: owned,
    env: identity.env,
    mounts: identity.mounts,
    downloadsModel: false,
    loadBudget: loadBudget(scope, ctx, o.modelSize, o.loadThroughputMiBps, Duration.minutes(1)),
    queue: { metric: 'nv_inference_pending_request_count', query: (sel) => `sum(nv_inference_pending_request_count{${sel}})` },
  };
}
