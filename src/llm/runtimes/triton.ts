import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../../core/errors';
import { ProbeHandler } from '../../core/probes';
import { RuntimeContext, RuntimePlan, TritonOptions } from '../serving-runtime';
import { loadBudget } from './common';

/** Triton's default ports: HTTP/REST, gRPC, Prometheus metrics. */
export const TRITON_PORTS = { http: 8000, grpc: 8001, metrics: 8002 } as const;

/** Triton: HTTP 8000, gRPC 8001, metrics 8002, KServe v2 health endpoints. */
export function tritonPlan(scope: Construct, ctx: RuntimeContext, o: TritonOptions): RuntimePlan {
  const repo = o.modelRepository ?? ctx.modelDir;
  check(repo !== undefined && repo.startsWith('/'), scope, {
    field: `${ctx.field}.modelRepository`,
    value: repo,
    problem: repo === undefined ? 'is not set and no model is mounted' : 'is not an absolute path',
    fix: "mount the model repository (model: { claimName: '...' }) or give its path, e.g. '/models'",
  });
  return {
    runtime: 'triton',
    port: TRITON_PORTS.http,
    extraPorts: [{ name: 'grpc', containerPort: TRITON_PORTS.grpc }],
    metricsPort: TRITON_PORTS.metrics,
    metricsPath: '/metrics',
    readiness: ProbeHandler.httpGet('/v2/health/ready'),
    liveness: ProbeHandler.httpGet('/v2/health/live'),
    command: ['tritonserver'],
    args: [
      `--model-repository=${repo}`,
      `--http-port=${TRITON_PORTS.http}`,
      `--grpc-port=${TRITON_PORTS.grpc}`,
      `--metrics-port=${TRITON_PORTS.metrics}`,
      ...(o.extraArgs ?? []),
    ],
    env: {},
    mounts: [],
    downloadsModel: false,
    loadBudget: loadBudget(scope, ctx, o.modelSize, o.loadThroughputMiBps, Duration.minutes(1)),
    queue: { metric: 'nv_inference_pending_request_count', query: (sel) => `sum(nv_inference_pending_request_count{${sel}})` },
  };
}
