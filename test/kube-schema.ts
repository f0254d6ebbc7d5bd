import * as fs from 'fs';
import * as path from 'path';
import { KubeFeature, SUPPORTED_KUBERNETES_VERSIONS } from '../src/core/facts/kubernetes';

/** One field type in a vendored per-version schema (see scripts/kube-version-schemas.js). */
type FieldType =
  | { readonly t: 'string'; readonly enum?: string[]; readonly format?: string }
  | { readonly t: 'number' | 'boolean' | 'any' | 'quantity' | 'intOrString' }
  | { readonly t: 'array'; readonly items: FieldType }
  | { readonly t: 'map'; readonly values: FieldType }
  | { readonly ref: string; readonly t?: undefined };

interface Definition {
  readonly properties: Record<string, FieldType>;
  readonly required?: string[];
}
interface VersionSchema {
  readonly kubernetes: string;
  readonly source: string;
  readonly kinds: Record<string, string>;
  readonly definitions: Record<string, Definition>;
}

const cache = new Map<string, VersionSchema>();

/** The vendored schema of Kubernetes `version` (`1.26` ... `1.34`). */
export function kubeSchema(version: string): VersionSchema {
  let schema = cache.get(version);
  if (!schema) {
    schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', 'kubernetes', `v${version}.json`), 'utf8')) as VersionSchema;
    cache.set(version, schema);
  }
  return schema;
}

/** True for apiVersions of built-in Kubernetes groups (everything else is a CRD with its own schema). */
export function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return BUILT_IN_GROUPS.includes(group);
}

const BUILT_IN_GROUPS = [
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'scheduling.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'coordination.k8s.io',
];

function typeErrors(schema: VersionSchema, type: FieldType, value: unknown, at: string): string[] {
  if (value === null || value === undefined) return [`${at} is ${value}`];
  if ('ref' in type && type.ref) return objectErrors(schema, type.ref, value, at);
  switch (type.t) {
    case 'string':
      if (typeof value !== 'string') return [`${at} is not a string`];
      return type.enum && !type.enum.includes(value) ? [`${at} (${value}) is not one of ${type.enum.join(', ')}`] : [];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${at} is not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at} is not a boolean`];
    case 'quantity':
    case 'intOrString':
      return typeof value === 'string' || typeof value === 'number' ? [] : [`${at} is neither a string nor a number`];
    case 'any':
      return [];
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => typeErrors(schema, type.items, v, `${at}/${i}`)) : [`${at} is not an array`];
    case 'map':
      return typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value as object).flatMap(([k, v]) => typeErrors(schema, type.values, v, `${at}/${k}`))
        : [`${at} is not an object`];
    default:
      return [];
  }
}

function objectErrors(schema: VersionSchema, name: string, value: unknown, at: string, extra: string[] = []): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at} is not an object`];
  const def = schema.definitions[name];
  const errors: string[] = [];
  for (const r of def.required ?? []) if (!(r in (value as object))) errors.push(`${at} misses required field ${r}`);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (extra.includes(k)) continue;
    const type = def.properties[k];
    if (!type) errors.push(`${at}/${k} is not in the Kubernetes ${schema.kubernetes} schema`);
    else errors.push(...typeErrors(schema, type, v, `${at}/${k}`));
  }
  return errors;
}

/**
 * Validates a built-in object against Kubernetes `version`'s own schema with strict unknown-field
 * checks (what `kubectl apply --validate=strict` rejects). Throws for a built-in kind the schema lacks.
 */
export function kubeSchemaErrors(obj: { apiVersion: string; kind: string }, version: string): string[] {
  const schema = kubeSchema(version);
  const props = schema.kinds[`${obj.apiVersion}/${obj.kind}`];
  if (!props) throw new Error(`no Kubernetes ${version} schema for ${obj.apiVersion} ${obj.kind}`);
  return objectErrors(schema, props, obj, '', ['apiVersion', 'kind']);
}

/** The version-dependent fields (KUBE_FEATURES) `obj` uses, wherever its pod template and Job spec live. */
export function featuresUsed(obj: any): KubeFeature[] {
  const used = new Set<KubeFeature>();
  const jobSpec = obj.kind === 'Job' ? obj.spec : obj.kind === 'CronJob' ? obj.spec?.jobTemplate?.spec : undefined;
  if (obj.kind === 'CronJob' && obj.spec?.timeZone !== undefined) used.add('cronjob.timeZone');
  if (obj.kind === 'PodDisruptionBudget' && obj.spec?.unhealthyPodEvictionPolicy !== undefined) used.add('pdb.unhealthyPodEvictionPolicy');
  if (jobSpec) {
    if (jobSpec.podFailurePolicy !== undefined) used.add('job.podFailurePolicy');
    if (jobSpec.podReplacementPolicy !== undefined) used.add('job.podReplacementPolicy');
    if (
      jobSpec.backoffLimitPerIndex !== undefined ||
      jobSpec.maxFailedIndexes !== undefined ||
      (jobSpec.podFailurePolicy?.rules ?? []).some((r: any) => r.action === 'FailIndex')
    )
      used.add('job.backoffLimitPerIndex');
    if (jobSpec.successPolicy !== undefined) used.add('job.successPolicy');
    if (jobSpec.managedBy !== undefined) used.add('job.managedBy');
  }
  const pod = jobSpec?.template?.spec ?? obj.spec?.template?.spec ?? (obj.kind === 'Pod' ? obj.spec : undefined);
  if (pod) {
    if ((pod.initContainers ?? []).some((c: any) => c.restartPolicy !== undefined)) used.add('pod.sidecarContainers');
    if ((pod.topologySpreadConstraints ?? []).some((t: any) => t.matchLabelKeys !== undefined)) used.add('topologySpread.matchLabelKeys');
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      if (c.lifecycle?.preStop?.sleep !== undefined || c.lifecycle?.postStart?.sleep !== undefined) used.add('lifecycle.sleep');
    }
  }
  return [...used].sort();
}

export { SUPPORTED_KUBERNETES_VERSIONS };
