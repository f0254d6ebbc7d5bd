/** A CRD's structural schema (the openAPIV3Schema subset CRDs use). */
export interface OpenApiSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Record<string, OpenApiSchema>;
  readonly additionalProperties?: OpenApiSchema | boolean;
  readonly required?: string[];
  readonly items?: OpenApiSchema;
  readonly enum?: unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly anyOf?: OpenApiSchema[];
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/**
 * Validates `value` against a CRD schema as the API server would: types, required fields, enums,
 * patterns, minimums, nulls, and unknown fields (which the server prunes, or rejects under strict
 * field validation). CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
export function openApiErrors(schema: OpenApiSchema, value: unknown, path = ''): string[] {
  const at = path || '/';
  if (value === null || value === undefined) return schema.nullable ? [] : [`${at} is ${value === null ? 'null' : 'undefined'}`];
  if (schema['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || Number.isInteger(value) ? [] : [`${at} is neither an integer nor a string`];
  }
  const errors: string[] = [];
  if (schema.anyOf && !schema.anyOf.some((s) => openApiErrors(s, value, path).length === 0))
    errors.push(`${at} matches none of its alternatives`);
  if (schema.enum && !schema.enum.includes(value))
    errors.push(`${at} (${JSON.stringify(value)}) is not one of ${JSON.stringify(schema.enum)}`);
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [...errors, `${at} is not an object`];
      const obj = value as Record<string, unknown>;
      for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${at} misses required field ${r}`);
      for (const [k, v] of Object.entries(obj)) {
        const child = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (child) errors.push(...openApiErrors(child, v, `${path}/${k}`));
        else if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true)
          errors.push(`${path}/${k} is not in the schema`);
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) return [...errors, `${at} is not an array`];
      if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at} has fewer than ${schema.minItems} items`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at} has more than ${schema.maxItems} items`);
      if (schema.items) value.forEach((v, i) => errors.push(...openApiErrors(schema.items!, v, `${path}/${i}`)));
      break;
    case 'string':
      if (typeof value !== 'string') return [...errors, `${at} is not a string`];
      if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at} is shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at} is longer than ${schema.maxLength}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at} does not match ${schema.pattern}`);
      break;
    case 'integer':
    case 'number': {
      const integer = schema.type === 'integer';
      if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
        return [...errors, `${at} is not ${integer ? 'an integer' : 'a number'}`];
      if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at} is below ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at} is above ${schema.maximum}`);
      if (schema.format === 'int32' && Math.abs(value) > 2 ** 31 - 1) errors.push(`${at} does not fit int32`);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${at} is not a boolean`);
      break;
  }
  return errors;
}
