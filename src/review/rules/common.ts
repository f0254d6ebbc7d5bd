/** Helpers shared by the rules. */
import { Rec, at, isRecord, numAt, recAt, recsAt, show, strAt } from '../access';
import { ContainerInfo, containersOf } from '../kube';
import { parseQuantity } from '../quantity';
import { joinPath } from '../paths';
import { matchesKeyPattern } from '../platform';
import { KubeObject, PodTemplateInfo, ReviewContext, RuleFinding, WorkloadRole } from '../types';

/** Roles of pods that run for as long as they are not stopped. */
export const LONG_RUNNING_ROLES: readonly WorkloadRole[] = ['serving', 'long-running', 'daemon', 'pod'];
/** Roles of pods held to serving standards. */
export const SERVING_ROLES: readonly WorkloadRole[] = ['serving'];
/** Roles of pods that run to completion. */
export const BATCH_ROLES: readonly WorkloadRole[] = ['batch', 'training'];
/** Every role but `generic` (kind-specific rules). */
export const KNOWN_ROLES: readonly WorkloadRole[] = ['serving', 'long-running', 'daemon', 'pod', 'batch', 'training'];

/** A rule body for one pod template. */
export type TemplateCheck = (t: PodTemplateInfo, obj: KubeObject, ctx: ReviewContext) => readonly RuleFinding[];

/**
 * A rule `check` running `fn` on every pod template of the object whose role is in `roles`;
 * partial templates (see `PodTemplateInfo.partialFrom`) only when `partial` is set.
 */
export function forTemplates(
  roles: readonly WorkloadRole[],
  fn: TemplateCheck,
  partial = false,
): (obj: KubeObject, ctx: ReviewContext) => readonly RuleFinding[] {
  return (obj, ctx) =>
    ctx
      .podTemplates(obj)
      .filter((t) => roles.includes(t.role) && (partial || !t.partialFrom))
      .flatMap((t) => fn(t, obj, ctx));
}

/** Reference documents, as cited by the rules. */
export const REF = {
  ml: 'kubernetes-for-ml.txt',
  debug: 'deployment-debugging.txt',
  health: 'health-checks.txt',
} as const;

/**
 * Which template of its object `t` is, for messages: ` of Worker` in multi-template kinds, plus
 * ` at <path>` for templates found by shape or inside an embedded object, so two templates of one
 * object never get the same message; `''` for single-template kinds.
 */
export function templateSuffix(t?: PodTemplateInfo): string {
  if (!t) return '';
  const named = t.name ? ` of ${t.name}` : '';
  return t.generic || t.embeddedIn ? `${named} at ${t.path.replace(/\.spec$/, '')}` : named;
}

/** `pod template` followed by {@link templateSuffix}, for findings about the pod spec as a whole. */
export function podLabel(t: PodTemplateInfo): string {
  return `pod template${templateSuffix(t)}`;
}

/**
 * `container 'name'` (or `init container`/`sidecar container`) for messages, followed by
 * {@link templateSuffix} (`container 'pytorch' of Worker`).
 */
export function containerLabel(c: ContainerInfo, t?: PodTemplateInfo): string {
  const prefix = c.role === 'init' ? 'init container' : c.role === 'sidecar' ? 'sidecar container' : 'container';
  return `${prefix} '${c.name}'${templateSuffix(t)}`;
}

/**
 * Full path of a container field, e.g. `spec.template.spec.containers[0].resources.requests.memory`
 * (through the template's `containerPaths` where the reviewer assembled the pod spec).
 */
export function containerPath(t: PodTemplateInfo, c: ContainerInfo, rest?: string): string {
  const relative = joinPath(c.path, rest);
  for (const [from, to] of t.containerPaths ?? []) {
    if (relative === from || relative.startsWith(`${from}.`) || relative.startsWith(`${from}[`)) {
      return joinPath(joinPath(t.path, to), relative.slice(from.length).replace(/^\./, ''));
    }
  }
  return joinPath(t.path, relative);
}

/** Path of a pod-spec field of a template, e.g. `spec.template.spec.tolerations`. */
export function podPath(t: PodTemplateInfo, rest: string): string {
  return joinPath(t.path, rest);
}

/** The state of one compute resource of a container. */
export type ResourceState =
  | { readonly state: 'set'; readonly value: number; readonly text: string }
  | { readonly state: 'missing' }
  | { readonly state: 'invalid'; readonly text: string }
  | { readonly state: 'zero'; readonly text: string };

/** Reads `resources.<section>.<resource>` of a container. */
export function resourceValue(container: Rec, section: 'requests' | 'limits', resource: string): ResourceState {
  const raw = at(container, 'resources', section, resource);
  if (raw === undefined || raw === null) return { state: 'missing' };
  const value = parseQuantity(raw);
  if (value === undefined) return { state: 'invalid', text: show(raw) };
  if (value <= 0) return { state: 'zero', text: show(raw) };
  return { state: 'set', value, text: typeof raw === 'string' ? raw : show(raw) };
}

/**
 * The effective request of a container: its request, or its limit (Kubernetes defaults a missing
 * request to the limit).
 */
export function effectiveRequest(container: Rec, resource: string): ResourceState {
  const request = resourceValue(container, 'requests', resource);
  if (request.state !== 'missing') return request;
  const limit = resourceValue(container, 'limits', resource);
  return limit.state === 'set' ? limit : request;
}

/**
 * Resources for which a `LimitRange` of `namespace` in the set gives containers a default request
 * (`defaultRequest`, or `default`, which also becomes the request when `defaultRequest` is unset).
 */
export function limitRangeDefaults(ctx: ReviewContext, namespace: string): ReadonlySet<string> {
  const defaults = new Set<string>();
  for (const range of ctx.ofKind('LimitRange', namespace)) {
    for (const limit of recsAt(range, 'spec', 'limits')) {
      if (strAt(limit, 'type') !== 'Container') continue;
      for (const section of ['defaultRequest', 'default']) {
        const values = recAt(limit, section);
        if (values) for (const key of Object.keys(values)) defaults.add(key);
      }
    }
  }
  return defaults;
}

/** Whether the pod spec sets pod-level `resources` (requests or limits) for `resource`. */
export function hasPodLevelResource(podSpec: Rec, resource: string): boolean {
  return ['requests', 'limits'].some((s) => (parseQuantity(at(podSpec, 'resources', s, resource)) ?? 0) > 0);
}

const ACCELERATOR_PATTERN = /gpu|\/mig-|\/tpu|\/neuron|\/gaudi/i;

/**
 * Whether a resource name is an accelerator: contains `gpu` (`nvidia.com/gpu`, `amd.com/gpu`,
 * `gpu.intel.com/i915`), is a MIG profile (`nvidia.com/mig-1g.5gb`), a TPU/Neuron/Gaudi device, or
 * one of the `extra` names (the platform's `acceleratorResources`).
 */
export function isAcceleratorResource(name: string, extra: readonly string[] = []): boolean {
  return ACCELERATOR_PATTERN.test(name) || extra.includes(name);
}

/** One accelerator resource asked for by a container. */
export interface AcceleratorRequest {
  readonly container: ContainerInfo;
  readonly resource: string;
  readonly text: string;
}

/** Accelerator resources (> 0) in the limits or requests of any container of the pod spec. */
export function acceleratorRequests(podSpec: Rec, extra: readonly string[] = []): readonly AcceleratorRequest[] {
  const found: AcceleratorRequest[] = [];
  for (const c of containersOf(podSpec)) {
    const seen = new Set<string>();
    for (const section of ['limits', 'requests'] as const) {
      const values = recAt(c.container, 'resources', section);
      if (!values) continue;
      for (const resource of Object.keys(values)) {
        if (!isAcceleratorResource(resource, extra) || seen.has(resource)) continue;
        const state = resourceValue(c.container, section, resource);
        // A value that is not a quantity (an unrendered `$GPU_PER_NODE`) still asks for the accelerator.
        if (state.state !== 'set' && state.state !== 'invalid') continue;
        seen.add(resource);
        found.push({ container: c, resource, text: state.text });
      }
    }
  }
  return found;
}

/** `nvidia.com/gpu: 1 (container 'trainer')` for messages. */
export function describeAccelerators(requests: readonly AcceleratorRequest[]): string {
  return requests.map((r) => `${r.resource}: ${r.text} (${containerLabel(r.container)})`).join(', ');
}

const ACCELERATOR_TAINT_WORDS = ['gpu', 'accelerator', 'nvidia', 'tpu', 'neuron', 'gaudi'];

/** Whether a toleration tolerates every taint (`operator: Exists` without a key). */
export function toleratesEverything(toleration: Rec): boolean {
  return strAt(toleration, 'key') === undefined || strAt(toleration, 'key') === '' ? strAt(toleration, 'operator') === 'Exists' : false;
}

/**
 * Whether a toleration is meant for accelerator nodes: it tolerates everything, its key is one of
 * `resources`, or its key or value mentions gpu/accelerator/nvidia/tpu/neuron/gaudi (`dedicated=gpu`).
 */
export function isAcceleratorToleration(toleration: Rec, resources: readonly string[] = []): boolean {
  if (toleratesEverything(toleration)) return true;
  const key = strAt(toleration, 'key') ?? '';
  if (resources.includes(key)) return true;
  const text = `${key}=${strAt(toleration, 'value') ?? ''}`.toLowerCase();
  return ACCELERATOR_TAINT_WORDS.some((w) => text.includes(w));
}

/** Whether the pod spec pins its nodes: non-empty `nodeSelector`, required node affinity, or `nodeName`. */
export function hasNodeSelection(podSpec: Rec): boolean {
  const selector = recAt(podSpec, 'nodeSelector');
  if (selector && Object.keys(selector).length > 0) return true;
  if (strAt(podSpec, 'nodeName')) return true;
  const terms = at(podSpec, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  return Array.isArray(terms) && terms.some((t) => isRecord(t) && Object.keys(t).length > 0);
}

/** The replica count of a pod template, or `undefined` when it cannot be known from the manifest. */
export function replicasOf(_obj: KubeObject, t: PodTemplateInfo): number | undefined {
  return t.replicas;
}

/** Label keys of the required node selection (nodeSelector keys and required node-affinity expression keys). */
export function nodeSelectionKeys(podSpec: Rec): readonly string[] {
  const keys = Object.keys(recAt(podSpec, 'nodeSelector') ?? {});
  const terms = at(podSpec, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  if (Array.isArray(terms)) {
    for (const term of terms)
      for (const expr of recsAt(term, 'matchExpressions')) {
        const key = strAt(expr, 'key');
        if (key) keys.push(key);
      }
  }
  return keys;
}

/** Whether the platform adds the accelerator toleration to this pod itself (GKE accelerator selectors, admission plugin). */
export function platformTolerates(podSpec: Rec, ctx: ReviewContext): boolean {
  return (
    ctx.platform.admissionAddsAcceleratorTolerations ||
    nodeSelectionKeys(podSpec).some((k) => matchesKeyPattern(k, ctx.platform.autoTolerationSelectors))
  );
}

/** Integer percentage text (`"50%"`) as a number, otherwise `undefined`. */
export function percentOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)%$/.exec(value.trim());
  return match ? Number(match[1]) : undefined;
}

/** The lowest replica count an autoscaler allows: HPA minReplicas (default 1), KEDA minReplicaCount or HTTPScaledObject replicas.min (default 0). */
export function autoscalerFloor(scaler: KubeObject): { min: number; text: string } {
  if (scaler.kind === 'ScaledObject') return { min: numAt(scaler, 'spec', 'minReplicaCount') ?? 0, text: 'minReplicaCount' };
  if (scaler.kind === 'HTTPScaledObject') return { min: numAt(scaler, 'spec', 'replicas', 'min') ?? 0, text: 'replicas.min' };
  return { min: numAt(scaler, 'spec', 'minReplicas') ?? 1, text: 'minReplicas' };
}
