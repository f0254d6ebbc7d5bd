import { IConstruct } from 'constructs';
import { check } from './errors';
import { isDns1123Subdomain, isEnvVarName } from './validation/strings';
import { requireNoLiteralSecret } from './secrets';

/** The value of one environment variable: a literal, or a reference (credentials never go in as literals). */
export class MlEnvValue {
  /** A literal value. */
  public static value(value: string): MlEnvValue {
    return new MlEnvValue({ value });
  }

  /** A key of a Secret. */
  public static fromSecret(name: string, key: string, options: { readonly optional?: boolean } = {}): MlEnvValue {
    return new MlEnvValue({ valueFrom: { secretKeyRef: { name, key, ...(options.optional ? { optional: true } : {}) } } });
  }

  /** A key of a ConfigMap. */
  public static fromConfigMap(name: string, key: string, options: { readonly optional?: boolean } = {}): MlEnvValue {
    return new MlEnvValue({ valueFrom: { configMapKeyRef: { name, key, ...(options.optional ? { optional: true } : {}) } } });
  }

  /** A field of the pod (e.g. `metadata.name`, `metadata.annotations['batch.kubernetes.io/job-completion-index']`). */
  public static fromField(fieldPath: string): MlEnvValue {
    return new MlEnvValue({ valueFrom: { fieldRef: { fieldPath } } });
  }

  private constructor(private readonly kube: Record<string, unknown>) {}

  /** The literal value, or undefined for a reference. */
  public get literal(): string | undefined {
    return typeof this.kube.value === 'string' ? this.kube.value : undefined;
  }

  /** The `env` entry for `name`. @internal */
  public toKube(name: string): Record<string, unknown> {
    return { name, ...this.kube };
  }
}

/**
 * The name {@link MlEnvValue} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `EnvValue`
 * (fromValue, fromSecretValue, fromProcess, ...).
 * @deprecated Import `MlEnvValue` instead; this alias is removed in 0.4.0.
 */
export const EnvValue = MlEnvValue;
/**
 * The name {@link MlEnvValue} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `EnvValue`
 * (fromValue, fromSecretValue, fromProcess, ...).
 * @deprecated Import `MlEnvValue` instead; this alias is removed in 0.4.0.
 */
export type EnvValue = MlEnvValue;

/** A whole Secret or ConfigMap as environment variables. */
export class MlEnvFrom {
  /** Every key of a Secret. */
  public static secret(name: string, prefix?: string): MlEnvFrom {
    return new MlEnvFrom({ secretRef: { name }, ...(prefix ? { prefix } : {}) });
  }

  /** Every key of a ConfigMap. */
  public static configMap(name: string, prefix?: string): MlEnvFrom {
    return new MlEnvFrom({ configMapRef: { name }, ...(prefix ? { prefix } : {}) });
  }

  private constructor(private readonly kube: Record<string, unknown>) {}

  /** The `envFrom` entry. @internal */
  public toKube(): Record<string, unknown> {
    return this.kube;
  }
}

/**
 * The name {@link MlEnvFrom} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `EnvFrom`
 * (built from ConfigMap and Secret objects).
 * @deprecated Import `MlEnvFrom` instead; this alias is removed in 0.4.0.
 */
export const EnvFrom = MlEnvFrom;
/**
 * The name {@link MlEnvFrom} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `EnvFrom`
 * (built from ConfigMap and Secret objects).
 * @deprecated Import `MlEnvFrom` instead; this alias is removed in 0.4.0.
 */
export type EnvFrom = MlEnvFrom;

/** Environment as props take it: a literal string or an {@link MlEnvValue}. */
export type EnvMap = Record<string, string | MlEnvValue>;

/**
 * Validates names, rejects literal values that look like credentials (they belong in Secrets), and
 * returns the `env` list, sorted by name for stable output.
 */
export function envList(scope: IConstruct, field: string, env: EnvMap): Record<string, unknown>[] {
  return Object.keys(env)
    .sort()
    .map((name) => {
      check(isEnvVarName(name), scope, {
        field: `${field}['${name}']`,
        value: name,
        problem: 'is not a valid environment variable name',
        fix: "use letters, digits, '_', '-' and '.', not starting with a digit",
      });
      const v = env[name];
      const value = typeof v === 'string' ? MlEnvValue.value(v) : v;
      if (value.literal !== undefined) requireNoLiteralSecret(scope, `${field}['${name}']`, name, value.literal);
      return value.toKube(name);
    });
}

/** Validates the Secrets and ConfigMaps of `envFrom` (names, prefixes) and returns the `envFrom` list. */
export function envFromList(scope: IConstruct, field: string, envFrom: EnvFrom[]): Record<string, unknown>[] {
  return envFrom.map((e, i) => {
    const kube = e.toKube() as { secretRef?: { name: string }; configMapRef?: { name: string }; prefix?: string };
    const name = (kube.secretRef ?? kube.configMapRef)?.name;
    check(isDns1123Subdomain(name ?? ''), scope, {
      field: `${field}[${i}] name`,
      value: name,
      problem: `is not a valid ${kube.secretRef ? 'Secret' : 'ConfigMap'} name (a DNS-1123 subdomain)`,
      fix: "use lowercase letters, digits, '-' and '.', e.g. 'model-store'",
    });
    check(kube.prefix === undefined || isEnvVarName(kube.prefix), scope, {
      field: `${field}[${i}] prefix`,
      value: kube.prefix,
      problem: 'is not a valid environment variable name prefix',
      fix: "use letters, digits, '_', '-' and '.', not starting with a digit, e.g. 'STORE_'",
    });
    return kube;
  });
}
