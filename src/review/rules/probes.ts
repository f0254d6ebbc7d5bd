/** Health probes of long-running workloads (ML002, ML003, ML018). */
import { Rec, arrAt, at, isRecord, numAt, recAt, recsAt, strAt } from '../access';
import { ContainerInfo, containersOf, nameOf } from '../kube';
import { KubeObject, PodTemplateInfo, ReviewContext, Rule, RuleFinding } from '../types';
import { REF, containerLabel, containerPath, forTemplates, LONG_RUNNING_ROLES, SERVING_ROLES } from './common';
import { serviceSelection, servicesOf } from './selection';

/** Whether a container declares at least one `containerPort`. */
export function exposesPorts(container: Rec): boolean {
  return recsAt(container, 'ports').some((p) => at(p, 'containerPort') !== undefined);
}

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

/** Why a pod template receives traffic: a Service selects it, or its kind serves (a LeaderWorkerSet leader, a KServe predictor). */
function trafficSource(t: PodTemplateInfo, obj: KubeObject, ctx: ReviewContext): string | undefined {
  if (t.servesTraffic) return `receives traffic as the ${t.name ?? 'pods'} of a ${obj.kind}`;
  if (t.role === 'daemon' || t.role === 'generic') return undefined;
  // Per template: a Service selecting a LeaderWorkerSet's leaders (by a label only the leader template has) sends its workers nothing.
  const services = servicesOf(obj, ctx).filter((svc) => {
    const selection = serviceSelection(svc);
    if (![...(selection?.templateLabels ?? [])].every(([k, v]) => t.podLabels.get(k) === v)) return false;
    // LeaderWorkerSet: worker-index "0" is the leader pod; a worker template (beside a leader template) never has it.
    const index = selection?.controllerLabels.get('leaderworkerset.sigs.k8s.io/worker-index');
    return index === undefined || (!(t.servesTraffic === false && index === '0') && !(t.name === 'leader' && index !== '0'));
  });
  if (services.length > 0) return `receives traffic from ${services[0].kind} '${nameOf(services[0])}'`;
  // A LeaderWorkerSet's workers run the engine too but take no requests (servesTraffic false).
  const server = (t.role === 'serving' || t.role === 'pod') && t.servesTraffic !== false ? modelServer(t) : undefined;
  return server ? `runs a model server (${server})` : undefined;
}

/** Images and commands of well-known model servers, which always answer requests. */
const MODEL_SERVERS: readonly [RegExp, string][] = [
  [/vllm/i, 'vLLM'],
  [/text-generation-inference|text-generation-launcher/i, 'TGI'],
  [/tritonserver/i, 'Triton'],
  [/sglang/i, 'SGLang'],
  [/torchserve/i, 'TorchServe'],
  [/\bmlserver\b|seldonio\/mlserver/i, 'MLServer'],
  [/ollama/i, 'Ollama'],
  [/llama\.cpp|llama-server/i, 'llama.cpp server'],
  [/tensorflow\/serving|tensorflow_model_server/i, 'TF Serving'],
];

/** The model server a template runs (by image, command or args), if it is a well-known one. */
function modelServer(t: PodTemplateInfo): string | undefined {
  for (const c of containersOf(t.podSpec).filter((x) => x.role === 'container')) {
    const text = [strAt(c.container, 'image') ?? '', ...arrAt(c.container, 'command'), ...arrAt(c.container, 'args')].map(String).join(' ');
    const hit = MODEL_SERVERS.find(([pattern]) => pattern.test(text));
    if (hit) return hit[1];
  }
  return undefined;
}

/**
 * The containers of a template that answer requests, with the reason: those that declare ports in
 * a serving workload, or, when the pods receive traffic (see {@link trafficSource}), the containers
 * declaring ports or else the first container. Empty when a controller or runtime owns the probes.
 */
export function servingContainers(
  t: PodTemplateInfo,
  obj: KubeObject,
  ctx: ReviewContext,
): { containers: readonly ContainerInfo[]; why: string } {
  if (t.probesFromController || t.containersFromRuntime) return { containers: [], why: '' };
  const main = containersOf(t.podSpec).filter((c) => c.role === 'container');
  const withPorts = main.filter((c) => exposesPorts(c.container));
  const source = trafficSource(t, obj, ctx);
  // A LeaderWorkerSet's workers (servesTraffic false) declare engine-internal ports without serving requests.
  if (source === undefined) return { containers: t.role === 'serving' && t.servesTraffic !== false ? withPorts : [], why: 'exposes ports' };
  return { containers: withPorts.length > 0 ? withPorts : main.slice(0, 1), why: withPorts.length > 0 ? 'exposes ports' : source };
}

/**
 * ML002: a container that serves traffic (declares ports in a serving workload, is selected by a
 * Service, or belongs to a serving kind) must have a readiness probe, whether or not it declares a
 * containerPort (otherwise traffic reaches it before the model is loaded); a readiness probe
 * identical to the liveness probe is a warning.
 */
export const readinessProbe: Rule = {
  id: 'ML002',
  title: 'Missing readiness probe, or readiness identical to liveness',
  severity: 'error',
  kinds: [],
  roles: LONG_RUNNING_ROLES,
  reference: `${REF.ml} §2 and Common Mistakes: "Reporting readiness too early"; ${REF.health} "Probe types"; ${REF.debug} "Liveness vs readiness probes"`,
  check: forTemplates(LONG_RUNNING_ROLES, (t, obj, ctx) => {
    const findings: RuleFinding[] = [];
    const serving = servingContainers(t, obj, ctx);
    for (const c of containersOf(t.podSpec).filter((x) => x.role === 'container')) {
      const readiness = at(c.container, 'readinessProbe');
      if (!isRecord(readiness)) {
        if (serving.containers.some((s) => s.path === c.path)) {
          findings.push({
            message: `${containerLabel(c, t)} ${serving.why} but has no readinessProbe; traffic arrives as soon as the process starts, before the model is loaded`,
            fix: `add ${containerPath(t, c, 'readinessProbe')} on an endpoint that succeeds only once the model is loaded and can answer (e.g. httpGet /ready)`,
          });
        }
        continue;
      }
      const ready = probeHandler(readiness, c.container);
      const live = probeHandler(at(c.container, 'livenessProbe'), c.container);
      if (ready !== undefined && ready === live) {
        findings.push({
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
function livenessBudget(probe: Rec): { seconds: number; formula: string } {
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
 * restarts a model server that takes longer than that to load, in a loop.
 */
export const livenessWithoutStartup: Rule = {
  id: 'ML003',
  title: 'Liveness probe without startup probe on a slow-loading server',
  severity: 'warning',
  kinds: [],
  roles: LONG_RUNNING_ROLES,
  reference: `${REF.health} "Startup probes"; ${REF.ml} §2 (liveness initialDelaySeconds 60), §13 (five-minute model startup)`,
  check: forTemplates(LONG_RUNNING_ROLES, (t) => {
    const findings: RuleFinding[] = [];
    for (const c of containersOf(t.podSpec).filter((x) => x.role === 'container')) {
      const liveness = recAt(c.container, 'livenessProbe');
      if (!liveness || isRecord(at(c.container, 'startupProbe'))) continue;
      const budget = livenessBudget(liveness);
      if (budget.seconds >= SLOW_START_SECONDS) continue;
      findings.push({
        message: `${containerLabel(c, t)}: liveness without startup probe on a slow-loading server; the livenessProbe kills the container after ${budget.seconds} s (${budget.formula}) and there is no startupProbe, so a model that loads slower is restarted in a loop`,
        fix: `add ${containerPath(t, c, 'startupProbe')} (e.g. the readiness endpoint with periodSeconds × failureThreshold covering the worst-case model load) or raise livenessProbe.initialDelaySeconds`,
      });
    }
    return findings;
  }),
};

/** ML018: a serving container that exposes ports but has no liveness probe is never restarted when it hangs. */
export const missingLiveness: Rule = {
  id: 'ML018',
  title: 'Serving container without liveness probe',
  severity: 'info',
  kinds: [],
  roles: SERVING_ROLES,
  reference: `${REF.debug} "Turning incidents into improvements": No liveness probe → add readiness and liveness probes; ${REF.ml} Knowledge Check 1`,
  check: forTemplates(SERVING_ROLES, (t, obj, ctx) => {
    const serving = servingContainers(t, obj, ctx);
    return serving.containers
      .filter((c) => !isRecord(at(c.container, 'livenessProbe')))
      .map((c) => ({
        message: `${containerLabel(c, t)} ${serving.why} but has no livenessProbe; a deadlocked scoring process hangs forever instead of being restarted`,
        fix: `add ${containerPath(t, c, 'livenessProbe')} on a cheap process-alive endpoint (e.g. httpGet /live) with a generous failureThreshold`,
      }));
  }),
};
