import { Construct } from 'constructs';
import { ProbeHandler } from '../../core/probes';
import { requirePort } from '../../core/pod';
import { RuntimeContext, RuntimePlan } from '../../serving/runtime';
import { GenericRuntimeOptions } from '../runtime-options';

/** Your own server: the readiness and liveness endpoints OnlineInference has always assumed. */
export function genericPlan(scope: Construct, _ctx: RuntimeContext, o: GenericRuntimeOptions): RuntimePlan {
  const port = o.port ?? 8000;
  requirePort(scope, 'http', port, 'runtime port');
  return {
    runtime: 'generic',
    port,
    extraPorts: [],
    metricsPath: '/metrics',
    readiness: o.readiness ?? ProbeHandler.httpGet('/ready'),
    liveness: o.liveness ?? ProbeHandler.httpGet('/live'),
    env: {},
    mounts: [],
    downloadsModel: false,
  };
}
