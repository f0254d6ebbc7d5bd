/**
 * How a folder of manifests is split into sets reviewed together: by file, by declared app, all as
 * one set, or (the default) files related by references reviewed together and every other file alone.
 */
import { at, field, isRecord, recsAt, strAt, stringMapAt } from './access';
import { createContext } from './context';
import { effectiveNamespaceOf, isBuiltin, isKubeObject, labelSelectorSelects } from './kube';
import { isInferencePool, selectedBy } from './rules/selection';
import { KubeObject, ManifestDocument } from './types';

/** How the CLI groups its input into review sets. */
export type GroupMode = 'auto' | 'file' | 'app' | 'all';

/** Every group mode, for option parsing. */
export const GROUP_MODES: readonly GroupMode[] = ['auto', 'file', 'app', 'all'];

/** Labels that declare the application an object belongs to, most specific last. */
const APP_LABELS = ['app.kubernetes.io/part-of', 'app.kubernetes.io/instance'];

/** The objects of a document (the items of a List). */
function objectsOf(doc: ManifestDocument): KubeObject[] {
  const value = doc.object;
  if (!isKubeObject(value)) return [];
  const items = field(value, 'items');
  return value.kind.endsWith('List') && Array.isArray(items) ? items.filter(isKubeObject) : [value];
}

/** Union-find over string keys. */
class Groups {
  private readonly parent = new Map<string, string>();

  find(key: string): string {
    let root = key;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(key, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** The declared app of an object (`app.kubernetes.io/part-of`, else `app.kubernetes.io/instance`), in its namespace. */
function declaredApp(obj: KubeObject): string | undefined {
  const labels = stringMapAt(obj, 'metadata', 'labels');
  const app = APP_LABELS.map((k) => labels.get(k)).find((v) => v !== undefined && v !== '');
  return app === undefined ? undefined : `${effectiveNamespaceOf(obj)}/${app}`;
}

/**
 * Files whose objects refer to each other, joined: a Service, InferencePool, PodDisruptionBudget or
 * NetworkPolicy and the workloads it selects, an autoscaler and its target, a LimitRange or
 * namespace-wide NetworkPolicy and the workloads of its namespace, a pod and its ServiceAccount, a
 * RoleBinding and its ServiceAccounts. Linear in the number of objects (the context's indexes).
 */
function relatedFiles(documents: readonly ManifestDocument[]): Groups {
  const groups = new Groups();
  const fileOf = new Map<KubeObject, string>();
  const objects: KubeObject[] = [];
  for (const doc of documents) {
    for (const obj of objectsOf(doc)) {
      fileOf.set(obj, doc.file ?? '');
      objects.push(obj);
    }
  }
  const ctx = createContext(objects);
  const join = (a: KubeObject, b: KubeObject | undefined): void => {
    if (b && fileOf.has(b)) groups.union(fileOf.get(a)!, fileOf.get(b)!);
  };
  for (const obj of objects) {
    const namespace = ctx.namespaceOf(obj);
    if ((obj.kind === 'Service' && isBuiltin(obj)) || isInferencePool(obj)) for (const w of selectedBy(obj, ctx) ?? []) join(obj, w);
    if ((obj.kind === 'PodDisruptionBudget' || obj.kind === 'NetworkPolicy') && isBuiltin(obj)) {
      const selector = obj.kind === 'NetworkPolicy' ? at(obj, 'spec', 'podSelector') : at(obj, 'spec', 'selector');
      const matchLabels = stringMapAt(selector, 'matchLabels');
      const candidates = matchLabels.size > 0 ? ctx.workloadsWithLabels(namespace, matchLabels) : ctx.workloads(namespace);
      for (const w of candidates) if (ctx.podTemplates(w).some((t) => labelSelectorSelects(selector, t.podLabels))) join(obj, w);
    }
    if (obj.kind === 'LimitRange' && isBuiltin(obj)) for (const w of ctx.workloads(namespace)) join(obj, w);
    const target = at(obj, 'spec', 'scaleTargetRef');
    if (isRecord(target) && /Autoscaler|ScaledObject/.test(obj.kind)) {
      const name = strAt(target, 'name') ?? strAt(target, 'deployment');
      if (name) join(obj, ctx.find(strAt(target, 'kind') ?? 'Deployment', namespace, name));
    }
    if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') {
      for (const s of recsAt(obj, 'subjects')) {
        const name = strAt(s, 'name');
        if (strAt(s, 'kind') === 'ServiceAccount' && name) join(obj, ctx.find('ServiceAccount', strAt(s, 'namespace') ?? namespace, name));
      }
    }
    for (const t of ctx.podTemplates(obj)) {
      const account = strAt(t.podSpec, 'serviceAccountName') ?? strAt(t.podSpec, 'serviceAccount');
      if (account) join(obj, ctx.find('ServiceAccount', namespace, account));
    }
  }
  return groups;
}

/**
 * Splits documents into the sets the review runs on, each a list of documents in input order:
 * `all` one set; `file` one per file; `app` one per declared app (objects without one stay with
 * their file); `auto` one per group of related files (see {@link relatedFiles}).
 */
export function groupDocuments(documents: readonly ManifestDocument[], mode: GroupMode): ManifestDocument[][] {
  const files = new Set(documents.map((d) => d.file ?? ''));
  if (mode === 'all' || (mode !== 'app' && files.size <= 1)) return [[...documents]];
  const keyOf: (doc: ManifestDocument) => string =
    mode === 'file'
      ? (doc) => `file:${doc.file ?? ''}`
      : mode === 'app'
        ? (doc) => {
            const app = objectsOf(doc)
              .map(declaredApp)
              .find((a) => a !== undefined);
            return app !== undefined ? `app:${app}` : `file:${doc.file ?? ''}`;
          }
        : (() => {
            const groups = relatedFiles(documents);
            return (doc: ManifestDocument) => `files:${groups.find(doc.file ?? '')}`;
          })();
  const sets = new Map<string, ManifestDocument[]>();
  for (const doc of documents) {
    const key = keyOf(doc);
    const set = sets.get(key);
    if (set) set.push(doc);
    else sets.set(key, [doc]);
  }
  return [...sets.values()];
}
