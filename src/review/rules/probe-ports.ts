/** Probes aimed at the wrong container (ML031). */
import { Rec, at, recsAt, strAt } from '../access';
import { containersOf } from '../kube';
import { ALL_ROLES, Rule, RuleFinding } from '../types';
import { REF, containerLabel, containerPath, forTemplates } from './common';

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

/** The port a probe targets (`httpGet`, `tcpSocket` or `grpc`), unless it names another host. */
function probePort(probe: unknown): unknown {
  for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
    const h = at(probe, handler);
    if (h !== undefined) return strAt(h, 'host') ? undefined : at(h, 'port');
  }
  return undefined;
}

function ports(container: Rec): { numbers: Set<number>; names: Set<string> } {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const p of recsAt(container, 'ports')) {
    const n = at(p, 'containerPort');
    if (typeof n === 'number') numbers.add(n);
    const name = strAt(p, 'name');
    if (name) names.add(name);
  }
  return { numbers, names };
}

/**
 * ML031: a probe on a port that another container of the pod declares, and this one does not: a
 * named port is looked up in the probed container only (the probe fails and the pod never gets
 * ready: error); a numeric port probes the other container, not this one (warning).
 */
export const probeOtherContainerPort: Rule = {
  id: 'ML031',
  title: "Probe aimed at another container's port",
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  conditions: [{ severity: 'warning', when: 'a numeric probe port belongs to another container (the probe checks the wrong process)' }],
  reference: `${REF.health} "Probe types"; ${REF.debug} "Liveness vs readiness probes"`,
  check: forTemplates(ALL_ROLES, (t) => {
    const all = containersOf(t.podSpec).filter((c) => c.role !== 'init');
    const declared = all.map((c) => ({ c, ...ports(c.container) }));
    const findings: RuleFinding[] = [];
    for (const own of declared) {
      for (const kind of PROBES) {
        const port = probePort(at(own.c.container, kind));
        if (port === undefined) continue;
        const other = declared.find(
          (d) => d !== own && (typeof port === 'number' ? d.numbers.has(port) : typeof port === 'string' && d.names.has(port)),
        );
        if (!other) continue;
        if (typeof port === 'string' && !own.names.has(port)) {
          findings.push({
            path: containerPath(t, own.c, kind),
            message: `${containerLabel(own.c, t)} has a ${kind} on the named port '${port}', which only ${containerLabel(other.c, t)} declares; named probe ports are resolved in the probed container, so the probe always fails`,
            fix: `declare the port in ${containerPath(t, own.c, 'ports')} or move the ${kind} to ${containerLabel(other.c, t)}`,
          });
        } else if (typeof port === 'number' && !own.numbers.has(port) && own.numbers.size > 0) {
          findings.push({
            severity: 'warning',
            path: containerPath(t, own.c, kind),
            message: `${containerLabel(own.c, t)} has a ${kind} on port ${port}, which ${containerLabel(other.c, t)} declares, not this container (it declares ${[...own.numbers].join(', ')}); the probe checks the other container's health`,
            fix: `point ${containerPath(t, own.c, kind)} at one of this container's own ports`,
          });
        }
      }
    }
    return findings;
  }),
};
