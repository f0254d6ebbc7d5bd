/** Health probes of long-running workloads (ML002, ML003, ML018). */
import { Rec, arrAt, at, isRecord, numAt, recAt, recsAt, strAt } from '../access';
import { containersOf } from '../kube';
import { processOf } from '../process';
import { Rule, RuleFinding, WorkloadRole } from '../types';
import { REF, containerLabel, containerPath, forTemplates, LONG_RUNNING_ROLES, SERVING_ROLES } from './common';
import { expectedLoad } from './model-load';
import { modelLoaders, servingContainers } from './serving';

/** A port value resolved through the container's named ports (`http` → `8000`). */
function resolvePort(port: unknown, container: Rec): string {
  if (typeof port === 'number') return String(port);
  if (typeof port !== 'string') return '?';
  const named = recsAt(container, 'ports').find((p) => strAt(p, 'name') === port);
  const number = named ? at(named, 'containerPort') : undefined;
  return typeof number === 'number' ? String(number) : port;
}

/** A comparable description of a probe's handler, e.g. `httpGet /ready on port 8000`; `undefined` when none. */
export function probeHandler(probe: unknown, container: Rec): string | undefined {
  if (!isRecord(probe)) return undefined;
  const http = recAt(probe, 'httpGet');
  if (http) {
    const scheme = strAt(http, 'scheme') ?? 'HTTP';
    const host = strAt(http, 'host');
    return `httpGet ${scheme === 'HTTP' ? '' : `${scheme} `}${strAt(http, 'path') ?? '/'} on port ${resolvePort(at(http, 'port'), container)}${host ? ` of ${host}` : ''}`;
  }
  const tcp = recAt(probe, 'tcpSocket');
  if (tcp) return `tcpSocket on port ${resolvePort(at(tcp, 'port'), container)}`;
  const exec = recAt(probe, 'exec');
  if (exec) return `exec ${JSON.stringify(arrAt(exec, 'command').map((a) => (typeof a === 'string' ? a : '?')))}`;
  const grpc = recAt(probe, 'grpc');
  if (grpc)
    return `grpc on port ${resolvePort(at(grpc, 'port'), container)}${strAt(grpc, 'service') ? ` service ${strAt(grpc, 'service')}` : ''}`;
  return undefined;
}

/** Roles whose pods may answer requests (DaemonSets are node agents; see `serving.ts`). */
const TRAFFIC_ROLES: readonly WorkloadRole[] = ['serving', 'long-running', 'pod', 'generic'];

/**
 * ML002: a container that answers requests (see `serving.ts`: a Service, InferencePool or its kind
 * sends it traffic, or it runs a known model server) must have a readiness probe, whether or not it
 * declares a containerPort, or traffic reaches it before the model is loaded: an error when the
 * traffic is proven, a warning when it is only presumed from a declared port. A proxy sidecar in
 * front of a model server whose readiness gates the pod is fine. A readiness probe identical to
 * the liveness probe is a warning.
 */
export const readinessProbe: Rule = {
  id: 'ML002',
  title: 'Missing readiness probe, or readiness identical to liveness',
  severity: 'error',
  kinds: [],
  roles: TRAFFIC_ROLES,
  roleSeverity: { generic: 'warning' },
  conditions: [
    {
      severity: 'warning',
      when: 'the container only declares a port in a Deployment/StatefulSet (nothing in the reviewed set sends it traffic)',
    },
    { severity: 'warning', when: 'readiness and liveness use the same check' },
  ],
  reference: `${REF.ml} §2 and Common Mistakes: "Reporting readiness too early"; ${REF.health} "Probe types"; ${REF.debug} "Liveness vs readiness probes"`,
  check: forTemplates(TRAFFIC_ROLES, (t, obj, ctx) => {
    const findings: RuleFinding[] = [];
    const serving = servingContainers(t, obj, ctx);
    const gated = containersOf(t.podSpec).some(
      (c) => c.role !== 'init' && isRecord(at(c.container, 'readinessProbe')) && processOf(c.container).server,
    );
    const reported = new Set<string>();
    for (const s of serving) {
      let c = s.container;
      let why = s.why;
      if (isRecord(at(c.container, 'readinessProbe')) || (s.helper && gated)) continue;
      // A proxy in front of the model server: the server's readiness is what gates the pod.
      const behind = s.helper ? containersOf(t.podSpec).find((x) => x.role !== 'init' && processOf(x.container).server) : undefined;
      if (behind) {
        why = `is behind ${containerLabel(c)}, which ${s.why},`;
        c = behind;
      }
      if (reported.has(c.path)) continue;
      reported.add(c.path);
      findings.push({
        path: containerPath(t, c, 'readinessProbe'),
        ...(s.proven ? {} : { severity: 'warning' as const }),
        message: `${containerLabel(c, t)} ${why} but has no readinessProbe; traffic arrives as soon as the process starts, before it can answer (a model server is still loading its model)`,
        fix: `add ${containerPath(t, c, 'readinessProbe')} on an endpoint that succeeds only once the model is loaded and can answer (e.g. httpGet /ready)`,
      });
    }
    for (const c of containersOf(t.podSpec).filter((x) => x.role === 'container')) {
      const readiness = at(c.container, 'readinessProbe');
      if (!isRecord(readiness)) continue;
      const ready = probeHandler(readiness, c.container);
      const live = probeHandler(at(c.container, 'livenessProbe'), c.container);
      if (ready !== undefined && ready === live) {
        findings.push({
          path: containerPath(t, c, 'readinessProbe'),
          severity: 'warning',
          message: `${containerLabel(c, t)} uses the same check for readiness and liveness (${ready}); a replica that is merely busy or still loading is restarted instead of being taken out of rotation`,
          fix: 'point readinessProbe at a model-loaded/can-serve check (/ready) and livenessProbe at a cheap process-alive check (/live)',
        });
      }
    }
    return findings;
  }),
};

/** Seconds a liveness probe lets a container live before killing it when it never succeeds. */
export function livenessBudget(probe: Rec): { seconds: number; formula: string } {
  const delay = numAt(probe, 'initialDelaySeconds') ?? 0;
  const period = numAt(probe, 'periodSeconds') ?? 10;
  const failures = numAt(probe, 'failureThreshold') ?? 3;
  return {
    seconds: delay + period * failures,
    formula: `initialDelaySeconds ${delay} + periodSeconds ${period} × failureThreshold ${failures}`,
  };
}

/** Below this many seconds a liveness probe without a startup probe kills a slow-loading model server. */
export const SLOW_START_SECONDS = 60;

/**
 * ML003: a liveness probe without a startupProbe that gives up within {@link SLOW_START_SECONDS}
 * restarts a model server that takes longer than that to load, in a loop. Only containers that load
 * the model count (not clients, sidecars or agents), and only where the load time cannot be judged
 * more precisely (known model servers and stated load times are ML036's).
 */
export const livenessWithoutStartup: Rule = {
  id: 'ML003',
  title: 'Liveness probe without startup probe on a slow-loading server',
  severity: 'warning',
  kinds: [],
  roles: LONG_RUNNING_ROLES,
  reference: `${REF.health} "Startup probes"; ${REF.ml} §2 (liveness initialDelaySeconds 60), §13 (five-minute model startup)`,
  check: forTemplates(LONG_RUNNING_ROLES, (t, obj) => {
    const findings: RuleFinding[] = [];
    for (const c of modelLoaders(t)) {
      const liveness = recAt(c.container, 'livenessProbe');
      if (!liveness || isRecord(at(c.container, 'startupProbe')) || expectedLoad(c, t, obj)) continue;
      const budget = livenessBudget(liveness);
      if (budget.seconds >= SLOW_START_SECONDS) continue;
      findings.push({
        path: containerPath(t, c, 'livenessProbe'),
        message: `${containerLabel(c, t)}: liveness without startup probe on a slow-loading server; the livenessProbe kills the container after ${budget.seconds} s (${budget.formula}) and there is no startupProbe, so a model that loads slower is restarted in a loop`,
        fix: `add ${containerPath(t, c, 'startupProbe')} (e.g. the readiness endpoint with periodSeconds × failureThreshold covering the worst-case model load) or raise livenessProbe.initialDelaySeconds`,
      });
    }
    return findings;
  }),
};

/** ML018: a serving container without a liveness probe is never restarted when it hangs. */
export const missingLiveness: Rule = {
  id: 'ML018',
  title: 'Serving container without liveness probe',
  severity: 'info',
  kinds: [],
  roles: SERVING_ROLES,
  reference: `${REF.debug} "Turning incidents into improvements": No liveness probe → add readiness and liveness probes; ${REF.ml} Knowledge Check 1`,
  check: forTemplates(SERVING_ROLES, (t, obj, ctx) =>
    servingContainers(t, obj, ctx)
      .filter((s) => !s.helper && !isRecord(at(s.container.container, 'livenessProbe')))
      .map((s) => ({
        path: containerPath(t, s.container, 'livenessProbe'),
        message: `${containerLabel(s.container, t)} ${s.why} but has no livenessProbe; a deadlocked scoring process hangs forever instead of being restarted`,
        fix: `add ${containerPath(t, s.container, 'livenessProbe')} on a cheap process-alive endpoint (e.g. httpGet /live) with a generous failureThreshold`,
      })),
  ),
};
