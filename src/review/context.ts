/** The object set seen by cross-object rules. */
import { strAt } from './access';
import { effectiveNamespaceOf, extractPodTemplates, groupOf, isBuiltin, nameOf } from './kube';
import { PlatformAssumptions, resolvePlatform } from './platform';
import { KubeObject, PodTemplateInfo, ReviewContext } from './types';

const NONE: readonly KubeObject[] = Object.freeze([]);
const NONE_TEMPLATES: readonly PodTemplateInfo[] = Object.freeze([]);

/** Appends `value` to the list of `key`, creating it. */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Builds the {@link ReviewContext} of a set of objects, with indexes built once: objects by key, by
 * kind and namespace, workloads by namespace and by pod label, so every lookup a rule makes costs
 * what it returns and a review stays linear in the number of objects.
 */
export function createContext(objects: readonly KubeObject[], platform: PlatformAssumptions = {}): ReviewContext {
  const byKey = new Map<string, KubeObject>();
  const byKind = new Map<string, KubeObject[]>();
  const byKindNamespace = new Map<string, Map<string, KubeObject[]>>();
  const templates = new Map<KubeObject, readonly PodTemplateInfo[]>();
  const workloads: KubeObject[] = [];
  const workloadsByNamespace = new Map<string, KubeObject[]>();
  // namespace -> `key=value` -> workloads whose pods carry that label, in input order
  const byLabel = new Map<string, Map<string, KubeObject[]>>();
  const autoscalers = new Map<string, KubeObject[]>();

  const key = (kind: string, namespace: string, name: string): string => JSON.stringify([kind, namespace, name]);
  const labelKey = (k: string, v: string): string => `${k}=${v}`;
  const addAutoscaler = (kind: string | undefined, name: string | undefined, namespace: string, scaler: KubeObject): void => {
    if (kind === undefined || name === undefined) return;
    push(autoscalers, key(kind, namespace, name), scaler);
  };
  for (const obj of objects) {
    const namespace = effectiveNamespaceOf(obj);
    const k = key(obj.kind, namespace, nameOf(obj));
    if (!byKey.has(k)) byKey.set(k, obj);
    if (obj.kind === 'HTTPScaledObject' && groupOf(obj.apiVersion) === 'http.keda.sh') {
      // The KEDA HTTP add-on creates a ScaledObject for its target (a Deployment unless kind says otherwise).
      addAutoscaler(
        strAt(obj, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment',
        strAt(obj, 'spec', 'scaleTargetRef', 'name') ?? strAt(obj, 'spec', 'scaleTargetRef', 'deployment'),
        namespace,
        obj,
      );
    }
    if (obj.kind === 'ScaledObject' && groupOf(obj.apiVersion) === 'keda.sh') {
      // KEDA creates and drives an HPA for its target (kind defaults to Deployment).
      addAutoscaler(
        strAt(obj, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment',
        strAt(obj, 'spec', 'scaleTargetRef', 'name'),
        namespace,
        obj,
      );
    }
    const found = extractPodTemplates(obj);
    if (found.length > 0) {
      templates.set(obj, found);
      workloads.push(obj);
      push(workloadsByNamespace, namespace, obj);
      let labels = byLabel.get(namespace);
      if (!labels) byLabel.set(namespace, (labels = new Map()));
      const keys = new Set(found.flatMap((t) => [...t.podLabels].map(([lk, lv]) => labelKey(lk, lv))));
      for (const lk of keys) push(labels, lk, obj);
    }
    if (!isBuiltin(obj)) continue;
    push(byKind, obj.kind, obj);
    let kindIndex = byKindNamespace.get(obj.kind);
    if (!kindIndex) byKindNamespace.set(obj.kind, (kindIndex = new Map()));
    push(kindIndex, namespace, obj);
    if (obj.kind === 'HorizontalPodAutoscaler') {
      addAutoscaler(strAt(obj, 'spec', 'scaleTargetRef', 'kind'), strAt(obj, 'spec', 'scaleTargetRef', 'name'), namespace, obj);
    }
  }

  return {
    objects,
    namespaceOf: effectiveNamespaceOf,
    find: (kind, namespace, name) => byKey.get(key(kind, namespace, name)),
    ofKind: (kind, namespace) =>
      namespace === undefined ? (byKind.get(kind) ?? NONE) : (byKindNamespace.get(kind)?.get(namespace) ?? NONE),
    workloads: (namespace) => (namespace === undefined ? workloads : (workloadsByNamespace.get(namespace) ?? NONE)),
    workloadsWithLabels: (namespace, labels) => {
      const index = byLabel.get(namespace);
      if (labels.size === 0 || !index) return NONE;
      // Start from the rarest label of the selector, then check the others.
      let rarest: readonly KubeObject[] | undefined;
      for (const [lk, lv] of labels) {
        const list = index.get(labelKey(lk, lv));
        if (!list) return NONE;
        if (!rarest || list.length < rarest.length) rarest = list;
      }
      return rarest!.filter((w) =>
        templates.get(w)!.some(({ podLabels }) => {
          for (const [lk, lv] of labels) if (podLabels.get(lk) !== lv) return false;
          return true;
        }),
      );
    },
    podTemplate: (obj) => templates.get(obj)?.[0],
    podTemplates: (obj) => templates.get(obj) ?? NONE_TEMPLATES,
    platform: resolvePlatform(platform),
    autoscalersOf: (obj) => autoscalers.get(key(obj.kind, effectiveNamespaceOf(obj), nameOf(obj))) ?? NONE,
  };
}
