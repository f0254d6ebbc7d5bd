import { OpenApiSchema, openApiErrors } from './openapi-schema';

const VENDORED: { source: string; schemas: Record<string, OpenApiSchema> }[] = [
  require('./schemas/jobset-v0.12.0.json'),
  require('./schemas/lws-v0.10.0.json'),
  require('./schemas/inference-extension-v1.6.0.json'),
];

const SCHEMAS: Record<string, { source: string; schema: OpenApiSchema }> = Object.fromEntries(
  VENDORED.flatMap((v) => Object.entries(v.schemas).map(([gvk, schema]) => [gvk, { source: v.source, schema }])),
);

/** True when `apiVersion`/`kind` is a CRD whose upstream schema is vendored in test/schemas (scripts/crd-schemas.js). */
export function hasVendoredCrd(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in SCHEMAS;
}

/**
 * Validates an object of a vendored CRD (JobSet, LeaderWorkerSet, InferencePool) against the upstream
 * openAPIV3Schema: types, required fields, enums, patterns, bounds and unknown fields. CEL rules are not evaluated.
 */
export function validateVendoredCrd(obj: { apiVersion: string; kind: string }): void {
  const entry = SCHEMAS[`${obj.apiVersion}/${obj.kind}`];
  if (!entry) throw new Error(`no vendored CRD schema for ${obj.apiVersion} ${obj.kind}`);
  const errors = openApiErrors(entry.schema, obj);
  if (errors.length) throw new Error(`${entry.source}: ${errors.join('; ')}`);
}
