import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { requireWholeSeconds } from './durations';
import { check } from './errors';
import { isPortName, isPortNumber } from './validation/strings';

/** How a probe checks the container. */
export class ProbeHandler {
  /** HTTP GET on `path`; success is a 2xx/3xx status. */
  public static httpGet(path: string, options: { readonly port?: number; readonly scheme?: 'HTTP' | 'HTTPS' } = {}): ProbeHandler {
    return new ProbeHandler(
      'httpGet',
      (port) => ({ httpGet: { path, port: options.port ?? port, ...(options.scheme === 'HTTPS' ? { scheme: 'HTTPS' } : {}) } }),
      `http ${path}`,
      path,
    );
  }

  /** A TCP connect to the port. Proves only that something listens, not that the model is loaded. */
  public static tcpSocket(options: { readonly port?: number } = {}): ProbeHandler {
    return new ProbeHandler(
      'tcpSocket',
      (port) => ({ tcpSocket: { port: options.port ?? port } }),
      `tcp ${options.port ?? 'serving port'}`,
    );
  }

  /** The gRPC health-checking protocol (`grpc.health.v1.Health/Check`), optionally for one `service`. */
  public static grpc(options: { readonly port?: number; readonly service?: string } = {}): ProbeHandler {
    return new ProbeHandler(
      'grpc',
      (port) => ({ grpc: { port: options.port ?? port, ...(options.service ? { service: options.service } : {}) } }),
      `grpc ${options.service ?? ''}`,
      options.service ?? '',
    );
  }

  /** A command run in the container; exit code 0 is success. */
  public static exec(command: string[]): ProbeHandler {
    return new ProbeHandler('exec', () => ({ exec: { command } }), `exec ${command.join(' ')}`, command.join('\u0000'));
  }

  private constructor(
    /** The handler type. */
    public readonly type: 'httpGet' | 'tcpSocket' | 'grpc' | 'exec',
    private readonly render: (port: number) => Record<string, unknown>,
    /** Human-readable form for messages. */
    public readonly description: string,
    /** What two probes of the same type would have to share to check the same thing. @internal */
    public readonly target?: string,
  ) {}

  /** The handler's Kubernetes fields, with `defaultPort` where no port was given. @internal */
  public toKube(defaultPort: number): Record<string, unknown> {
    return this.render(defaultPort);
  }
}

/** Timing of one probe. */
export interface ProbeTiming {
  /** Time between checks (whole seconds). @default - per probe: 5s readiness, 10s liveness and startup */
  readonly period?: Duration;
  /** Time one check may take before it counts as failed (whole seconds). @default Duration.seconds(2) */
  readonly timeout?: Duration;
  /** Consecutive failures before acting. @default 3 */
  readonly failureThreshold?: number;
}

/** A readiness or liveness probe: a handler plus timing. */
export interface MlProbeOptions extends ProbeTiming {
  /**
   * How the container is checked (HTTP, TCP, gRPC or a command), on the serving port unless it names one.
   * @default - an HTTP GET on the probe's default path
   */
  readonly handler?: ProbeHandler;
}

/**
 * The name {@link MlProbeOptions} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `ProbeOptions`
 * (the timing of a `Probe`, without a handler).
 * @deprecated Import `MlProbeOptions` instead; this alias is removed in 0.4.0.
 */
export type ProbeOptions = MlProbeOptions;

/** A probe in Kubernetes form. */
export type KubeProbe = Record<string, unknown>;

/** Builds a probe; `field` names it in errors. */
export function probe(
  scope: IConstruct,
  field: string,
  handler: ProbeHandler,
  port: number,
  timing: ProbeTiming,
  defaults: Required<ProbeTiming>,
): KubeProbe {
  const period = requireWholeSeconds(scope, `${field}.period`, timing.period ?? defaults.period, 1);
  const timeout = requireWholeSeconds(scope, `${field}.timeout`, timing.timeout ?? defaults.timeout, 1);
  const failureThreshold = timing.failureThreshold ?? defaults.failureThreshold;
  check(Number.isInteger(failureThreshold) && failureThreshold >= 1, scope, {
    field: `${field}.failureThreshold`,
    value: failureThreshold,
    problem: 'is not a positive integer',
    fix: 'use 1 or more',
  });
  // A timeout longer than the period is legal: the kubelet waits for a probe to finish before the next one.
  const kube = handler.toKube(port);
  requireHandler(scope, field, kube);
  return { ...kube, periodSeconds: period, timeoutSeconds: timeout, failureThreshold };
}

/** Throws on a handler the kubelet cannot run: a port outside 1-65535 (or a bad port name), an empty command. */
function requireHandler(scope: IConstruct, field: string, kube: Record<string, unknown>): void {
  for (const type of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    const port = (kube[type] as { port?: unknown } | undefined)?.port;
    if (port === undefined) continue;
    check(typeof port === 'number' ? isPortNumber(port) : typeof port === 'string' && isPortName(port), scope, {
      field: `${field}.port`,
      value: port,
      problem: 'is not a port from 1 to 65535 or a valid port name',
      fix: "probe the container's own port (e.g. 8000), or leave port unset to use the serving port",
    });
  }
  const exec = kube.exec as { command?: unknown[] } | undefined;
  if (exec) {
    const command = exec.command ?? [];
    check(
      command.length > 0 && command.every((c) => typeof c === 'string') && typeof command[0] === 'string' && command[0].trim().length > 0,
      scope,
      {
        field: `${field}.exec`,
        value: command,
        problem: 'is an empty command, which always fails',
        fix: "give the command and its arguments, e.g. ProbeHandler.exec(['cat', '/tmp/ready'])",
      },
    );
  }
}

/**
 * A startup probe that allows `budget` for the model to load: failureThreshold × period ≥ budget.
 * Liveness and readiness only start once it has succeeded.
 */
export function startupProbe(
  scope: IConstruct,
  field: string,
  handler: ProbeHandler,
  port: number,
  budget: Duration,
  period: Duration,
  periodField = 'probes.startup.period',
): KubeProbe {
  const seconds = requireWholeSeconds(scope, field, budget, 1);
  const failureThreshold = Math.ceil(seconds / requireWholeSeconds(scope, periodField, period, 1));
  return probe(
    scope,
    `${field} (startup probe)`,
    handler,
    port,
    { period, failureThreshold },
    { period, timeout: Duration.seconds(2), failureThreshold },
  );
}

/** Throws when readiness and liveness check the same thing (a slow model would then be killed, not only unrouted). */
export function requireDistinctProbes(scope: IConstruct, readiness: ProbeHandler, liveness: ProbeHandler): void {
  check(!(readiness.type === liveness.type && readiness.target !== undefined && readiness.target === liveness.target), scope, {
    field: 'probes.liveness',
    value: liveness.description,
    problem: 'checks the same endpoint as probes.readiness',
    fix: "point liveness at a cheap 'process alive' endpoint (e.g. /live) and readiness at 'model loaded and can predict' (e.g. /ready)",
  });
}
