/**
 * Which containers answer requests, judged by behaviour rather than by image name: a container
 * serves when a Service or InferencePool targets a port it declares, when its kind routes traffic
 * to it, when its own probe targets a port it declares, or when it runs a known model server.
 * Clients (benchmark tools, pods that only sleep) never serve; helpers (proxies, agents, exporters,
 * native sidecars) serve only when traffic is aimed at them.
 */
import { Rec, at, recsAt, scalarText, strAt } from '../access';
import { ContainerInfo, containersOf, nameOf } from '../kube';
import { isHelper, processOf } from '../process';
import { KubeObject, PodTemplateInfo, ReviewContext } from '../types';
import { isInferencePool, serviceSelection, servicesOf } from './selection';

/** A container that answers requests, with the reason. */
export interface ServingContainer {
  readonly container: ContainerInfo;
  /** Why it serves, for messages (`receives traffic from Service 'llm' on port 8000`). */
  readonly why: string;
  /**
   * Traffic is proven (a Service, an InferencePool or the kind routes to it, a probe targets its
   * port, or it runs a known model server) rather than presumed from a declared port.
   */
  readonly proven: boolean;
  /** A helper (proxy sidecar) in front of the pod's model server. */
  readonly helper: boolean;
}

/** A Service or InferencePool sending traffic to a template, with the ports it targets (`undefined`: any). */
interface TrafficSource {
  readonly label: string;
  readonly ports?: readonly (number | string)[];
}

/** The ports a Service (targetPort, defaulting to port) or InferencePool (targetPortNumber, targetPorts) sends traffic to. */
function targetPortsOf(source: KubeObject): (number | string)[] {
  if (isInferencePool(source)) {
    const legacy = at(source, 'spec', 'targetPortNumber');
    const ports = recsAt(source, 'spec', 'targetPorts').map((p) => at(p, 'number'));
    return [legacy, ...ports].filter((p): p is number => typeof p === 'number');
  }
  return recsAt(source, 'spec', 'ports')
    .map((p) => at(p, 'targetPort') ?? at(p, 'port'))
    .filter((p): p is number | string => typeof p === 'number' || typeof p === 'string')
    .map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p));
}

/**
 * The Services and InferencePools of the set that send traffic to this template's pods: for a
 * LeaderWorkerSet, a selector on worker-index "0" reaches leaders only and a label only one template
 * carries reaches that template only.
 */
export function trafficSourcesOf(t: PodTemplateInfo, obj: KubeObject, ctx: ReviewContext): readonly TrafficSource[] {
  if (t.role === 'daemon' || t.role === 'generic') return [];
  return servicesOf(obj, ctx)
    .filter((svc) => {
      const selection = serviceSelection(svc);
      if (![...(selection?.templateLabels ?? [])].every(([k, v]) => t.podLabels.get(k) === v)) return false;
      const index = selection?.controllerLabels.get('leaderworkerset.sigs.k8s.io/worker-index');
      return index === undefined || (!(t.servesTraffic === false && index === '0') && !(t.name === 'leader' && index !== '0'));
    })
    .map((svc) => ({ label: `${svc.kind} '${nameOf(svc)}'`, ports: targetPortsOf(svc) }));
}

/** Whether a container declares `port` (a number as containerPort, a name as ports[].name). */
export function declaresPort(container: Rec, port: number | string): boolean {
  return recsAt(container, 'ports').some((p) => (typeof port === 'number' ? at(p, 'containerPort') === port : strAt(p, 'name') === port));
}

/** The ports a container declares (numbers). */
export function declaredPorts(container: Rec): number[] {
  return recsAt(container, 'ports')
    .map((p) => at(p, 'containerPort'))
    .filter((p): p is number => typeof p === 'number');
}

/** A port one of the container's own probes targets, when it declares that port. */
function probedPort(container: Rec): { port: string; probe: string } | undefined {
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
      const port = at(container, probe, handler, 'port');
      if (port === undefined || strAt(container, probe, handler, 'host')) continue;
      const value = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
      if ((typeof value === 'number' || typeof value === 'string') && declaresPort(container, value)) {
        return { port: scalarText(port) ?? '?', probe };
      }
    }
  }
  return undefined;
}

/**
 * The containers of a template that answer requests. Empty when a controller or a runtime object
 * owns the probes (KubeRay, KServe model specs), for LeaderWorkerSet workers (they run the engine
 * but take no requests) and DaemonSets; in templates found by shape, only known model servers
 * (presumed, not proven: the unknown controller may add probes).
 */
export function servingContainers(t: PodTemplateInfo, obj: KubeObject, ctx: ReviewContext): readonly ServingContainer[] {
  if (t.probesFromController || t.containersFromRuntime) return [];
  const running = containersOf(t.podSpec).filter((c) => c.role !== 'init');
  const mainCount = running.filter((c) => c.role === 'container').length;
  const entry = (c: ContainerInfo, why: string, proven: boolean): ServingContainer => ({
    container: c,
    why,
    proven,
    helper: isHelper(c.container, c.role, mainCount),
  });
  const candidates = running.filter((c) => !processOf(c.container).client);
  const servers = candidates.filter((c) => processOf(c.container).server);
  // Where traffic arrives without a port the pods declare: the model server, else the first main container.
  const receiver = (): ContainerInfo[] => {
    if (servers.length > 0) return servers;
    const main = candidates.find((c) => c.role === 'container' && !isHelper(c.container, c.role, mainCount));
    return main ? [main] : [];
  };

  const sources = trafficSourcesOf(t, obj, ctx);
  if (sources.length > 0) {
    const found: ServingContainer[] = [];
    for (const c of candidates) {
      for (const s of sources) {
        const port = (s.ports ?? []).find((p) => declaresPort(c.container, p));
        if (port !== undefined) {
          found.push(entry(c, `receives traffic from ${s.label} on port ${port}`, true));
          break;
        }
      }
    }
    if (found.length > 0) return found;
    return receiver().map((c) => entry(c, `receives traffic from ${sources[0].label}`, true));
  }
  if (t.servesTraffic) {
    const withPorts = candidates.filter((c) => declaredPorts(c.container).length > 0 && !isHelper(c.container, c.role, mainCount));
    const why = `receives traffic as the ${t.name ?? 'pods'} of a ${obj.kind}`;
    return (withPorts.length > 0 ? withPorts : receiver()).map((c) => entry(c, why, true));
  }
  if (t.role === 'generic') {
    // An unknown kind: a known model server in it answers requests, but the controller might add probes.
    return servers.map((c) =>
      entry(
        c,
        `runs a model server (${processOf(c.container).server?.name}: ${processOf(c.container).serverEvidence}) in a ${obj.kind}`,
        false,
      ),
    );
  }
  if (t.servesTraffic === false || !['serving', 'pod', 'long-running'].includes(t.role)) return [];
  const found: ServingContainer[] = servers.map((c) => {
    const p = processOf(c.container);
    return entry(c, `runs a model server (${p.server?.name}: ${p.serverEvidence})`, true);
  });
  if (t.role !== 'serving') return found;
  for (const c of candidates) {
    if (found.some((f) => f.container === c) || declaredPorts(c.container).length === 0) continue;
    if (isHelper(c.container, c.role, mainCount)) continue;
    const probed = probedPort(c.container);
    if (probed) found.push(entry(c, `serves on port ${probed.port} (its ${probed.probe} targets it)`, true));
    else found.push(entry(c, `declares port ${declaredPorts(c.container).join(', ')} in a ${obj.kind}`, false));
  }
  return found;
}

/**
 * The containers of a template that load a model: its known model servers; without one, its main
 * containers that are neither clients nor helpers (sidecars, proxies, agents).
 */
export function modelLoaders(t: PodTemplateInfo): readonly ContainerInfo[] {
  if (t.probesFromController || t.containersFromRuntime) return [];
  const running = containersOf(t.podSpec).filter((c) => c.role !== 'init');
  const mainCount = running.filter((c) => c.role === 'container').length;
  const servers = running.filter((c) => processOf(c.container).server);
  if (servers.length > 0) return servers;
  return running.filter((c) => c.role === 'container' && !processOf(c.container).client && !isHelper(c.container, c.role, mainCount));
}
