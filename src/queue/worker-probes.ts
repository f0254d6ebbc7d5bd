import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check } from '../core/errors';
import { KubeProbe, ProbeHandler, ProbeTiming, probe, startupProbe } from '../core/probes';

/** One health check of a worker: an endpoint or command the worker itself provides. */
export interface WorkerProbe extends ProbeTiming {
  /** e.g. `ProbeHandler.httpGet('/healthz', { port: 8080 })` or `ProbeHandler.exec(['cat', '/tmp/alive'])`. */
  readonly handler: ProbeHandler;
}

/** Health checks of a queue worker. */
export interface WorkerProbesProps {
  /** "The consumer is not stuck": restarts the container after 3 failures (every 10s). @default - none */
  readonly liveness?: WorkerProbe;
  /** "Connected to the broker and consuming": a Deployment rollout waits for it before stopping old workers. @default - none */
  readonly readiness?: WorkerProbe;
}

/** The probes of a worker container; a port-based handler without its own port probes `metricsPort`. */
export function workerProbes(
  scope: IConstruct,
  props: WorkerProbesProps | undefined,
  metricsPort: number | undefined,
  startupTime: Duration | undefined,
): { livenessProbe?: KubeProbe; readinessProbe?: KubeProbe; startupProbe?: KubeProbe } {
  if (!props) return {};
  const build = (field: 'liveness' | 'readiness', p: WorkerProbe, defaults: Required<ProbeTiming>) => {
    check(p.handler instanceof ProbeHandler, scope, {
      field: `probes.${field}.handler`,
      value: p.handler,
      problem: 'is required: a worker serves no endpoint the library knows',
      fix: "give the check, e.g. handler: ProbeHandler.httpGet('/healthz', { port: 8080 })",
    });
    const port = Object.values(p.handler.toKube(0)).find((h): h is { port: number } => typeof (h as { port?: unknown }).port === 'number');
    check(port === undefined || port.port !== 0 || metricsPort !== undefined, scope, {
      field: `probes.${field}.handler`,
      value: p.handler.description,
      problem: 'names no port, and the worker has no metricsPort to probe',
      fix: "give the port the worker serves it on, e.g. ProbeHandler.httpGet('/healthz', { port: 8080 })",
    });
    return probe(scope, `probes.${field}`, p.handler, metricsPort ?? 0, p, defaults);
  };
  const liveness =
    props.liveness &&
    build('liveness', props.liveness, { period: Duration.seconds(10), timeout: Duration.seconds(2), failureThreshold: 3 });
  const readiness =
    props.readiness &&
    build('readiness', props.readiness, { period: Duration.seconds(5), timeout: Duration.seconds(2), failureThreshold: 3 });
  // A worker that loads a model for `startupTime` must not be killed by liveness meanwhile.
  const startup =
    props.liveness && startupTime !== undefined
      ? startupProbe(scope, 'startupTime', props.liveness.handler, metricsPort ?? 0, startupTime, Duration.seconds(10))
      : undefined;
  return {
    ...(startup ? { startupProbe: startup } : {}),
    ...(readiness ? { readinessProbe: readiness } : {}),
    ...(liveness ? { livenessProbe: liveness } : {}),
  };
}
