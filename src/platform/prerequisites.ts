import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { RenderedObject, podTemplates } from '../core/workload-floors';

/** An object the app's pods (or KEDA trigger authentications) use but the app does not create. */
export interface Prerequisite {
  /** Kind of the object to create. */
  readonly kind: 'PersistentVolumeClaim' | 'Secret' | 'ConfigMap' | 'ServiceAccount';
  /** Namespace it must be created in (the pods' namespace). */
  readonly namespace: string;
  /** Name the pods refer to. */
  readonly name: string;
  /** Keys read from it (Secrets and ConfigMaps), sorted. */
  readonly keys: string[];
  /** `Kind/name` of the objects that use it, sorted. */
  readonly usedBy: string[];
  /** Whether a pull secret (`kubernetes.io/dockerconfigjson`). */
  readonly pullSecret?: boolean;
}

type Use = { kind: Prerequisite['kind']; name: string; key?: string; pullSecret?: boolean };

/** What one pod spec refers to by name. */
function usesOf(spec: any): Use[] {
  const out: Use[] = [];
  for (const v of spec.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push({ kind: 'PersistentVolumeClaim', name: v.persistentVolumeClaim.claimName });
    if (v.secret?.secretName) out.push({ kind: 'Secret', name: v.secret.secretName });
    if (v.configMap?.name) out.push({ kind: 'ConfigMap', name: v.configMap.name });
    for (const s of v.projected?.sources ?? []) {
      if (s.secret?.name) out.push({ kind: 'Secret', name: s.secret.name });
      if (s.configMap?.name) out.push({ kind: 'ConfigMap', name: s.configMap.name });
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef;
      if (s?.name && !s.optional) out.push({ kind: 'Secret', name: s.name, key: s.key });
      const m = e.valueFrom?.configMapKeyRef;
      if (m?.name && !m.optional) out.push({ kind: 'ConfigMap', name: m.name, key: m.key });
    }
    for (const f of c.envFrom ?? []) {
      if (f.secretRef?.name && !f.secretRef.optional) out.push({ kind: 'Secret', name: f.secretRef.name });
      if (f.configMapRef?.name && !f.configMapRef.optional) out.push({ kind: 'ConfigMap', name: f.configMapRef.name });
    }
  }
  for (const s of spec.imagePullSecrets ?? []) if (s.name) out.push({ kind: 'Secret', name: s.name, pullSecret: true });
  if (spec.serviceAccountName && spec.serviceAccountName !== 'default') out.push({ kind: 'ServiceAccount', name: spec.serviceAccountName });
  return out;
}

/** Secrets a KEDA TriggerAuthentication reads (`secretTargetRef`). */
function triggerAuthUses(o: RenderedObject): Use[] {
  if (o.kind !== 'TriggerAuthentication' || !o.apiVersion.startsWith('keda.sh/')) return [];
  return (o.spec?.secretTargetRef ?? []).map((r: any) => ({ kind: 'Secret' as const, name: r.name, key: r.key }));
}

/**
 * The objects the pods of `objects` refer to by name (claims, secrets and their keys, config maps, pull secrets,
 * service accounts) that `objects` do not create: they must exist before the pods can start. Sorted by namespace,
 * kind and name.
 */
export function prerequisitesOf(objects: readonly RenderedObject[]): Prerequisite[] {
  const created = new Set(objects.map((o) => `${o.metadata.namespace ?? 'default'}/${o.kind}/${o.metadata.name}`));
  const found = new Map<
    string,
    { kind: Prerequisite['kind']; namespace: string; name: string; keys: Set<string>; usedBy: Set<string>; pullSecret: boolean }
  >();
  const add = (namespace: string, user: string, use: Use) => {
    const id = `${namespace}/${use.kind}/${use.name}`;
    if (created.has(id)) return;
    const entry = found.get(id) ?? { kind: use.kind, namespace, name: use.name, keys: new Set(), usedBy: new Set(), pullSecret: false };
    if (use.key) entry.keys.add(use.key);
    entry.usedBy.add(user);
    entry.pullSecret ||= use.pullSecret === true;
    found.set(id, entry);
  };
  for (const t of podTemplates(objects)) for (const use of usesOf(t.spec)) add(t.namespace, t.object, use);
  for (const o of objects)
    for (const use of triggerAuthUses(o)) add(o.metadata.namespace ?? 'default', `${o.kind}/${o.metadata.name}`, use);
  return [...found.values()]
    .map((e) => ({
      kind: e.kind,
      namespace: e.namespace,
      name: e.name,
      keys: [...e.keys].sort(),
      usedBy: [...e.usedBy].sort(),
      ...(e.pullSecret ? { pullSecret: true } : {}),
    }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** The prerequisites of the app `scope` belongs to (every API object in it). */
export function prerequisites(scope: IConstruct): Prerequisite[] {
  const objects = scope.node.root.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((c) => c.toJson() as RenderedObject);
  return prerequisitesOf(objects);
}

/** The prerequisites as a Markdown section (for CAPACITY.md and the README). */
export function formatPrerequisites(list: readonly Prerequisite[]): string {
  if (list.length === 0) return '## Prerequisites\n\nNone: the app creates every object its pods refer to.\n';
  return [
    '## Prerequisites: objects the pods use that this app does not create',
    '',
    'Create them before applying the manifests; a pod that refers to a missing one stays in ContainerCreating (claims,',
    'secret volumes) or CreateContainerConfigError (env from a secret or config map).',
    '',
    '| namespace | kind | name | keys | used by |',
    '| --- | --- | --- | --- | --- |',
    ...list.map(
      (p) =>
        `| ${p.namespace} | ${p.kind}${p.pullSecret ? ' (pull secret)' : ''} | ${p.name} | ${p.keys.join(', ') || '-'} | ${p.usedBy.join(', ')} |`,
    ),
    '',
  ].join('\n');
}
