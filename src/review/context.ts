/** The object set seen by cross-object rules. */
import { strAt } from './access';
import { effectiveNamespaceOf, extractPodTemplate, groupOf, isBuiltin, nameOf } from './kube';
import { KubeObject, PodTemplateInfo, ReviewContext } from './types';

/** Builds the {@link ReviewContext} of a set of objects, with indexes built once. */
export function createContext(objects: readonly KubeObject[]): ReviewContext {
  const byKey = new Map<string, KubeObject>();
  const byKind = new Map<string, KubeObject[]>();
  const templates = new Map<KubeObject, PodTemplateInfo>();
  const workloads: KubeObject[] = [];
  const autoscalers = new Map<string, KubeObject[]>();

  const key = (kind: string, namespace: string, name: string): string => JSON.stringify([kind, namespace, name]);
  const addAutoscaler = (kind: string | undefined, name: string | undefined, namespace: string, scaler: KubeObject): void => {
    if (kind === undefined || name === undefined) return;
    const t = key(kind, namespace, name);
    autoscalers.set(t, [...(autoscalers.get(t) ?? []), scaler]);
  };
  for (const obj of objects) {
    const namespace = effectiveNamespaceOf(obj);
    const k = key(obj.kind, namespace, nameOf(obj));
    if (!byKey.has(k)) byKey.set(k, obj);
    if (obj.kind === 'ScaledObject' && groupOf(obj.apiVersion) === 'keda.sh') {
      // KEDA creates and drives an HPA for its target (kind defaults to Deployment).
      addAutoscaler(strAt(obj, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment', strAt(obj, 'spec', 'scaleTargetRef', 'name'), namespace, obj);
    }
    if (!isBuiltin(obj)) continue;
    const list = byKind.get(obj.kind) ?? [];
    list.push(obj);
    byKind.set(obj.kind, list);
    const template = extractPodTemplate(obj);
    if (template) {
      templates.set(obj, template);
      workloads.push(obj);
    }
    if (obj.kind === 'HorizontalPodAutoscaler') {
      addAutoscaler(strAt(obj, 'spec', 'scaleTargetRef', 'kind'), strAt(obj, 'spec', 'scaleTargetRef', 'name'), namespace, obj);
    }
  }

  return {
    objects,
    namespaceOf: effectiveNamespaceOf,
    find: (kind, namespace, name) => byKey.get(key(kind, namespace, name)),
    ofKind: (kind, namespace) =>
      (byKind.get(kind) ?? []).filter((o) => namespace === undefined || effectiveNamespaceOf(o) === namespace),
    workloads: (namespace) =>
      namespace === undefined ? workloads : workloads.filter((o) => effectiveNamespaceOf(o) === namespace),
    podTemplate: (obj) => templates.get(obj),
    autoscalersOf: (obj) => autoscalers.get(key(obj.kind, effectiveNamespaceOf(obj), nameOf(obj))) ?? [],
  };
}
