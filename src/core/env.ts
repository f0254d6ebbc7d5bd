import { IConstruct } from 'constructs';
import { check } from './errors';
import { isEnvVarName } from './validation/strings';
import { requireNoLiteralSecret } from './secrets';

/** The value of one environment variable: a literal, or a reference (credentials never go in as literals). */
export class EnvValue {
  /** A literal value. */
  public static value(value: string): EnvValue {
    return new EnvValue({ value });
  }

  /** A key of a Secret. */
  public static fromSecret(name: string, key: string, options: { readonly optional?: boolean } = {}): EnvValue {
    return new EnvValue({ valueFrom: { secretKeyRef: { name, key, ...(options.optional ? { optional: true } : {}) } } });
  }

  /** A key of a ConfigMap. */
  public static fromConfigMap(name: string, key: string, options: { readonly optional?: boolean } = {}): EnvValue {
    return new EnvValue({ valueFrom: { configMapKeyRef: { name, key, ...(options.optional ? { optional: true } : {}) } } });
  }

  /** A field of the pod (e.g. `metadata.name`, `metadata.annotations['batch.kubernetes.io/job-completion-index']`). */
  public static fromField(fieldPath: string): EnvValue {
    return new EnvValue({ valueFrom: { fieldRef: { fieldPath } } });
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

/** A whole Secret or ConfigMap as environment variables. */
export class EnvFrom {
  /** Every key of a Secret. */
  public static secret(name: string, prefix?: string): EnvFrom {
    return new EnvFrom({ secretRef: { name }, ...(prefix ? { prefix } : {}) });
  }

  /** Every key of a ConfigMap. */
  public static configMap(name: string, prefix?: string): EnvFrom {
    return new EnvFrom({ configMapRef: { name }, ...(prefix ? { prefix } : {}) });
  }

  private constructor(private readonly kube: Record<string, unknown>) {}

  /** The `envFrom` entry. @internal */
  public toKube(): Record<string, unknown> {
    return this.kube;
  }
}

/** Environment as props take it: a literal string or an {@link EnvValue}. */
export type EnvMap = Record<string, string | EnvValue>;

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
      const value = typeof v === 'string' ? EnvValue.value(v) : v;
      if (value.literal !== undefined) requireNoLiteralSecret(scope, `${field}['${name}']`, name, value.literal);
      return value.toKube(name);
    });
}
