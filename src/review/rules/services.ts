/** Services and their endpoints (ML007, ML021, ML034). */
import { Rec, at, formatMap, recsAt, scalarText, strAt } from '../access';
import { containersOf, nameOf } from '../kube';
import { isHelper, optionValue, processOf } from '../process';
import { KubeObject, ReviewContext, Rule } from '../types';
import { REF } from './common';
import { declaredPorts } from './serving';
import { serviceSelection, selectedBy } from './selection';

const MAX_LISTED = 5;

/** The workloads of the Service's namespace whose pod labels its selector matches (undefined: rule does not apply). */
function selectedWorkloads(
  obj: KubeObject,
  ctx: ReviewContext,
): { selected: readonly KubeObject[]; all: readonly KubeObject[] } | undefined {
  const all = ctx.workloads(ctx.namespaceOf(obj));
  if (all.length === 0) return undefined;
  const selected = selectedBy(obj, ctx);
  return selected ? { selected, all } : undefined;
}

/**
 * ML007: a Service whose selector matches no pod template has no endpoints. Only checked when the
 * set holds at least one workload of the Service's namespace; selector-less Services are skipped.
 * Labels that controllers add to pods (`job-name`, `batch.kubernetes.io/job-name`, JobSet, LWS,
 * KubeRay, Kubeflow labels, `statefulset.kubernetes.io/pod-name`, ...) count as selectable.
 */
export const serviceSelector: Rule = {
  id: 'ML007',
  title: 'Service selector matches no pod template',
  severity: 'error',
  kinds: ['Service'],
  reference: `${REF.ml} §2 ("The Service selector must match the Pod labels created by the Deployment"), Knowledge Check 7; ${REF.debug} "Empty endpoints = traffic has nowhere to go"`,
  check(obj, ctx) {
    const found = selectedWorkloads(obj, ctx);
    if (!found || found.selected.length > 0) return [];
    const namespace = ctx.namespaceOf(obj);
    const candidates = found.all
      .slice(0, MAX_LISTED)
      .map((w) => `${w.kind} '${nameOf(w)}' ${formatMap(ctx.podTemplate(w)?.podLabels ?? new Map())}`);
    const controller = serviceSelection(obj)?.controllerLabels ?? new Map<string, string>();
    const also = controller.size > 0 ? ` (besides the controller-added ${formatMap(controller)})` : '';
    const more = found.all.length > MAX_LISTED ? `, and ${found.all.length - MAX_LISTED} more` : '';
    return [
      {
        path: 'spec.selector',
        message: `selector ${formatMap(serviceSelection(obj)?.templateLabels ?? new Map())}${also} matches no pod template in namespace '${namespace}' (pod labels there: ${candidates.join(', ')}${more}); the Service has no endpoints and clients get connection errors`,
        fix: "select labels the pods carry: labels of the pod template (spec.template.metadata.labels of a Deployment, or the template of each replica/worker group of a training or Ray job), or labels its controller adds (job-name for a Job's pods, jobset.sigs.k8s.io/jobset-name for a JobSet's, leaderworkerset.sigs.k8s.io/name for a LeaderWorkerSet's)",
      },
    ];
  },
};

/** Where the port rules come from. */
const PORT_REFERENCE = `${REF.ml} §2 (Service targetPort 8000 / containerPort 8000), §7 ("If the Service has no endpoints, inspect labels and selectors"); ${REF.debug} "Validate service/endpoints"`;

/** ML021: a named targetPort that no selected container declares leaves the Service port without endpoints. */
export const serviceTargetPort: Rule = {
  id: 'ML021',
  title: 'Service targetPort name not declared by the selected pods',
  severity: 'error',
  kinds: ['Service'],
  reference: PORT_REFERENCE,
  check(obj, ctx) {
    const found = selectedWorkloads(obj, ctx);
    if (!found || found.selected.length === 0) return [];
    const declared = new Set<string>();
    for (const w of found.selected) {
      for (const c of ctx.podTemplates(w).flatMap((t) => containersOf(t.podSpec))) {
        for (const p of recsAt(c.container, 'ports')) {
          const name = strAt(p, 'name');
          if (name) declared.add(name);
        }
      }
    }
    return recsAt(obj, 'spec', 'ports').flatMap((port, i) => {
      const target = at(port, 'targetPort');
      if (typeof target !== 'string' || declared.has(target)) return [];
      const portName = strAt(port, 'name') ?? scalarText(at(port, 'port')) ?? '?';
      return [
        {
          path: `spec.ports[${i}].targetPort`,
          message: `port '${portName}' targets the named port '${target}' but no selected pod (${found.selected.map((w) => `${w.kind} '${nameOf(w)}'`).join(', ')}) declares a container port named '${target}'; that Service port has no endpoints`,
          fix: `name the container port '${target}' (ports[].name) or use the numeric containerPort as targetPort`,
        },
      ];
    });
  },
};

/** The ports a container is known to listen on: its declared containerPorts and a known server's `--port`. */
function listeningPorts(container: Rec): Set<number> {
  const ports = new Set(declaredPorts(container));
  const p = processOf(container);
  const flag = p.server ? optionValue(p.text, ['--port']) : undefined;
  if (flag !== undefined && /^\d+$/.test(flag)) ports.add(Number(flag));
  return ports;
}

/**
 * ML034: a numeric targetPort (or the port itself when targetPort is unset) on which no selected
 * container listens: a Service port without a server behind it. Judged only when every main
 * container of the selected pods declares its ports (or starts a known server on a `--port`):
 * a container may listen on a port it does not declare, so undeclared ports leave it open.
 */
export const serviceNumericTargetPort: Rule = {
  id: 'ML034',
  title: 'Service targetPort number on which no selected container listens',
  severity: 'warning',
  kinds: ['Service'],
  reference: PORT_REFERENCE,
  check(obj, ctx) {
    const found = selectedWorkloads(obj, ctx);
    const selection = serviceSelection(obj);
    if (!found || found.selected.length === 0 || !selection) return [];
    const listening = new Set<number>();
    for (const w of found.selected) {
      for (const t of ctx.podTemplates(w)) {
        if (![...selection.templateLabels].every(([k, v]) => t.podLabels.get(k) === v)) continue;
        const running = containersOf(t.podSpec).filter((c) => c.role !== 'init');
        const mainCount = running.filter((c) => c.role === 'container').length;
        for (const c of running) {
          const ports = listeningPorts(c.container);
          if (ports.size === 0 && c.role === 'container' && !processOf(c.container).client && !isHelper(c.container, c.role, mainCount)) {
            return []; // listens on ports it does not declare: cannot be judged
          }
          for (const p of ports) listening.add(p);
        }
      }
    }
    if (listening.size === 0) return [];
    return recsAt(obj, 'spec', 'ports').flatMap((port, i) => {
      const explicit = at(port, 'targetPort');
      const raw = explicit ?? at(port, 'port');
      const target = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof target !== 'number' || listening.has(target)) return [];
      const portName = strAt(port, 'name') ?? scalarText(at(port, 'port')) ?? '?';
      return [
        {
          path: `spec.ports[${i}].${explicit === undefined ? 'port' : 'targetPort'}`,
          message: `port '${portName}' sends traffic to port ${target}${explicit === undefined ? ' (targetPort defaults to port)' : ''} but the selected pods (${found.selected.map((w) => `${w.kind} '${nameOf(w)}'`).join(', ')}) listen on ${[...listening].sort((a, b) => a - b).join(', ')}; connections to that Service port are refused`,
          fix: `set spec.ports[${i}].targetPort to the port the server listens on (${[...listening].sort((a, b) => a - b).join(' or ')}), or declare the port the server really uses in its containerPorts`,
        },
      ];
    });
  },
};
