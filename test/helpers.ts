import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { hasVendoredCrd, validateVendoredCrd } from './crd-schema';
import { validateKedaCrd } from './keda-crd';
import { fastObjectJson } from '../src/app/fast-object-json';

/** One synthesized manifest object. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [k: string]: any;
};

const MODULES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
  'gateway.networking.k8s.io/v1': '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1',
};

/**
 * Validates `obj` against the upstream schema of its apiVersion/kind (kubernetes-models and its
 * KEDA, Prometheus Operator and Gateway API siblings). Throws on an unknown kind: every object we
 * emit must be checkable. KEDA objects are also checked against the KEDA 2.20.2 CRD schemas,
 * which @kubernetes-models/keda 0.4.2 is older than (see keda-crd.ts). JobSet, LeaderWorkerSet and
 * InferencePool objects are checked against their vendored upstream CRD schemas (crd-schema.ts).
 */
export function validateManifest(obj: Manifest): void {
  if (hasVendoredCrd(obj.apiVersion, obj.kind)) return validateVendoredCrd(obj);
  const module = MODULES[obj.apiVersion] ?? `kubernetes-models/${obj.apiVersion}`;

  const Model = require(module)[obj.kind];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
  if (obj.apiVersion.startsWith('keda.sh/')) validateKedaCrd(obj);
}

/**
 * The schemas accept null for many fields, but a null in our output always means a value was lost on
 * the way (e.g. a plain string where a generated L1 type expected a Quantity object).
 */
function rejectNulls(value: unknown, at: string): void {
  if (value === null) throw new Error(`null at ${at || '/'}`);
  if (typeof value === 'object') for (const [k, v] of Object.entries(value as object)) rejectNulls(v, `${at}/${k}`);
}

/** A chart in a fresh test app. */
export function testChart(namespace = 'ml'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** Synthesizes `chart`, validates every object against its schema, and returns the objects. */
export function synthValid(chart: Chart): Manifest[] {
  const objects = Testing.synth(chart) as Manifest[];
  // MlApp renders objects in one pass: it must give exactly what cdk8s's toJson() gives (key order included).
  for (const o of chart.node.findAll()) {
    if (o instanceof ApiObject && JSON.stringify(fastObjectJson(o)) !== JSON.stringify(o.toJson())) {
      throw new Error(`${o.node.path}: MlApp's one-pass JSON differs from toJson()`);
    }
  }
  for (const o of objects) {
    try {
      rejectNulls(o, '');
      validateManifest(o);
    } catch (e) {
      throw new Error(`${o.kind}/${o.metadata.name} fails its schema: ${(e as Error).message}`);
    }
  }
  return objects;
}

/** Synthesizes the whole app to YAML per chart, validating every object. */
export function synthYaml(app: App): string {
  return app.charts.map((c) => YAML.stringify(synthValid(c))).join('---\n');
}

/** Objects as the YAML a chart writes, for snapshots. */
export function yamlOf(objects: Manifest[]): string {
  return objects.map((o) => YAML.stringify(o)).join('---\n');
}

/** The one object of `kind` (and `name`, if given); fails if there is not exactly one. */
export function one(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` '${name}'` : ''}, found ${found.length}`);
  return found[0];
}

/** The pod spec of a Deployment, Job, CronJob or (first replicated job of a) JobSet. */
export function podSpec(workload: Manifest): any {
  if (workload.kind === 'JobSet') return workload.spec.replicatedJobs[0].template.spec.template.spec;
  return workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template.spec : workload.spec.template.spec;
}

/** The container named `name` (default: the first) of a workload. */
export function container(workload: Manifest, name?: string): any {
  const cs = podSpec(workload).containers;
  return name ? cs.find((c: any) => c.name === name) : cs[0];
}
