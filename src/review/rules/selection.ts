/** Which pods a Service (or InferencePool) selects, counting labels that controllers add to the pods they create. */
import { strAt, stringMapAt } from '../access';
import { KubeObject, ReviewContext } from '../types';

/** Exact label keys that controllers add to the pods they create (never in the pod template). */
const CONTROLLER_LABELS: ReadonlySet<string> = new Set([
  'job-name',
  'batch.kubernetes.io/job-name',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-completion-index',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
]);

/** Label prefixes set by ML controllers: JobSet, LeaderWorkerSet, KubeRay, Kubeflow training, KServe. */
const CONTROLLER_PREFIXES: readonly string[] = [
  'jobset.sigs.k8s.io/',
  'leaderworkerset.sigs.k8s.io/',
  'ray.io/',
  'training.kubeflow.org/',
  'trainer.kubeflow.org/',
  'serving.kserve.io/',
];

/** Whether a controller, not the pod template, sets this label on the pods. */
export function isControllerLabel(key: string): boolean {
  return CONTROLLER_LABELS.has(key) || CONTROLLER_PREFIXES.some((p) => key.startsWith(p));
}

/** A Service selector split into template labels and labels that controllers add. */
export interface ServiceSelection {
  /** Selector entries a pod template must carry. */
  readonly templateLabels: ReadonlyMap<string, string>;
  /** Selector entries that controllers add (`job-name`, `jobset.sigs.k8s.io/...`): selectable, not checkable here. */
  readonly controllerLabels: ReadonlyMap<string, string>;
}

/** Whether `obj` is a Gateway API Inference Extension InferencePool (it routes traffic to the pods it selects). */
export function isInferencePool(obj: KubeObject): boolean {
  return obj.kind === 'InferencePool' && /^inference\.networking\.(x-)?k8s\.io\//.test(obj.apiVersion);
}

/** The pod selector of a Service (`spec.selector`) or an InferencePool (`spec.selector.matchLabels`, or the v1alpha2 map). */
function selectorOf(obj: KubeObject): ReadonlyMap<string, string> {
  if (isInferencePool(obj)) {
    const matchLabels = stringMapAt(obj, 'spec', 'selector', 'matchLabels');
    return matchLabels.size > 0 ? matchLabels : stringMapAt(obj, 'spec', 'selector');
  }
  return stringMapAt(obj, 'spec', 'selector');
}

/** The selector of a Service (not ExternalName) or InferencePool, non-empty, split; `undefined` otherwise. */
export function serviceSelection(service: KubeObject): ServiceSelection | undefined {
  if (strAt(service, 'spec', 'type') === 'ExternalName') return undefined;
  const selector = selectorOf(service);
  if (selector.size === 0) return undefined;
  const templateLabels = new Map<string, string>();
  const controllerLabels = new Map<string, string>();
  for (const [k, v] of selector) (isControllerLabel(k) ? controllerLabels : templateLabels).set(k, v);
  return { templateLabels, controllerLabels };
}

/**
 * Workloads whose pods a Service selects, judged on template labels only (controller-added labels
 * count as present). `undefined` when it cannot be judged: no selector, or only controller labels.
 */
export function selectedBy(service: KubeObject, ctx: ReviewContext): readonly KubeObject[] | undefined {
  const selection = serviceSelection(service);
  if (!selection || selection.templateLabels.size === 0) return undefined;
  return ctx.workloadsWithLabels(ctx.namespaceOf(service), selection.templateLabels);
}

const SERVICES = new WeakMap<ReviewContext, Map<KubeObject, KubeObject[]>>();

/** The Services and InferencePools of the set that select `workload`'s pods (computed once per review). */
export function servicesOf(workload: KubeObject, ctx: ReviewContext): readonly KubeObject[] {
  let index = SERVICES.get(ctx);
  if (!index) {
    index = new Map();
    for (const service of [...ctx.ofKind('Service'), ...ctx.objects.filter(isInferencePool)]) {
      for (const w of selectedBy(service, ctx) ?? []) {
        const list = index.get(w);
        if (list) list.push(service);
        else index.set(w, [service]);
      }
    }
    SERVICES.set(ctx, index);
  }
  return index.get(workload) ?? [];
}
