/** Resource requests and limits (ML001, ML017). */
import { containersOf, runningContainersOf } from '../kube';
import { processOf } from '../process';
import { formatBytes } from '../quantity';
import { ALL_ROLES, Rule, RuleFinding, Severity, WorkloadRole } from '../types';
import {
  REF,
  containerLabel,
  containerPath,
  effectiveRequest,
  forTemplates,
  hasPodLevelResource,
  limitRangeDefaults,
  resourceValue,
} from './common';

const COMPUTE = ['cpu', 'memory'] as const;

/** ML001 is an error for serving pods only: elsewhere the pod still runs, with worse scheduling. */
const ML001_SEVERITY: Readonly<Partial<Record<WorkloadRole, Severity>>> = {
  'long-running': 'warning',
  daemon: 'warning',
  pod: 'warning',
  batch: 'warning',
  training: 'warning',
  generic: 'warning',
};

/**
 * ML001: every long-running container needs CPU and memory requests (a limit alone counts: the
 * request defaults to it). Error for serving workloads, warning for the others.
 */
export const missingRequests: Rule = {
  id: 'ML001',
  title: 'Container without CPU/memory requests',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  roleSeverity: ML001_SEVERITY,
  conditions: [{ severity: 'warning', when: 'every container of the pod is a client (a benchmark tool, a placeholder that sleeps)' }],
  reference: `${REF.ml} §3 "Configure CPU, Memory, and Quality of Service"; Common Mistakes: "Forgetting resource requests"`,
  check: forTemplates(
    ALL_ROLES,
    (t, obj, ctx) => {
      if (t.resourcesDefaulted) return []; // KServe fills default requests and limits
      const containers = runningContainersOf(t.podSpec);
      // A Deployment whose containers only sleep or run a benchmark client serves nothing.
      const clientsOnly = containers.length > 0 && containers.every((c) => processOf(c.container).client);
      const severity = clientsOnly ? 'warning' : (ML001_SEVERITY[t.role] ?? 'error');
      const defaulted = limitRangeDefaults(ctx, ctx.namespaceOf(obj));
      const findings: RuleFinding[] = [];
      let requestsSeen = false;
      const pending: { label: string; problems: string[]; missing: string[]; path: string }[] = [];
      for (const c of containers) {
        const problems: string[] = [];
        const missing: string[] = [];
        for (const resource of COMPUTE) {
          if (defaulted.has(resource) || hasPodLevelResource(t.podSpec, resource)) {
            requestsSeen = true;
            continue;
          }
          const state = effectiveRequest(c.container, resource);
          if (state.state === 'set') {
            requestsSeen = true;
            continue;
          }
          missing.push(resource);
          problems.push(
            state.state === 'missing'
              ? `no ${resource} request`
              : state.state === 'zero'
                ? `a zero ${resource} request (${state.text})`
                : `an invalid ${resource} request ${state.text}`,
          );
        }
        if (problems.length)
          pending.push({ label: containerLabel(c, t), problems, missing, path: containerPath(t, c, 'resources.requests') });
      }
      for (const p of pending) {
        const qos =
          !requestsSeen && p.missing.length === COMPUTE.length
            ? 'the pod is BestEffort: scheduled without reserving capacity and the first evicted under node pressure'
            : 'the scheduler cannot place the pod predictably and it may be starved or evicted under pressure';
        findings.push({
          severity,
          path: p.path,
          message: `${p.label} has ${p.problems.join(' and ')}${t.partialFrom ? ` (unless ${t.partialFrom} sets them)` : ''}; ${qos}`,
          fix: `set ${p.missing.map((r) => `${p.path}.${r}`).join(' and ')} to the measured steady-state usage (e.g. cpu: 500m, memory: 1Gi)`,
        });
      }
      return findings;
    },
    true,
  ),
};

/** ML017: a limit below its request is rejected by the API server (and a memory limit below the request OOM-kills). */
export const limitBelowRequest: Rule = {
  id: 'ML017',
  title: 'Resource limit below its request',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §3 (requests are scheduling promises, limits runtime boundaries); ${REF.debug} "Resource requests and limits" table`,
  check: forTemplates(
    ALL_ROLES,
    (t) => {
      const findings: RuleFinding[] = [];
      for (const c of containersOf(t.podSpec)) {
        for (const resource of [...COMPUTE, 'ephemeral-storage']) {
          const request = resourceValue(c.container, 'requests', resource);
          const limit = resourceValue(c.container, 'limits', resource);
          if (request.state !== 'set' || limit.state !== 'set' || limit.value >= request.value) continue;
          // Mixed units (1000M vs 1Gi) are hard to compare by eye: show bytes in binary units too.
          const fmt = (v: number, text: string): string => (resource === 'cpu' || /i$/.test(text) ? text : `${text} (${formatBytes(v)})`);
          findings.push({
            path: containerPath(t, c, `resources.limits.${resource}`),
            message: `${containerLabel(c, t)} has a ${resource} limit ${fmt(limit.value, limit.text)} below its request ${fmt(request.value, request.text)}; the API server rejects the pod`,
            fix: `raise ${containerPath(t, c, `resources.limits.${resource}`)} to at least the request (covering the model-loading peak) or lower the request`,
          });
        }
      }
      return findings;
    },
    true,
  ),
};
