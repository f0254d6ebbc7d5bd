import { IConstruct } from 'constructs';
import { check, invalidProp } from '../core/errors';
import { secretValueKind } from '../core/secrets';
import { TriggerAuth } from './trigger-auth';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const HOST_PORT = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?:\d{1,5}$/;
/**
 * Metadata keys whose value is a credential (a `...FromEnv` variant names a variable instead, and is fine):
 * passwords, tokens, API, application and private keys (Datadog `apiKey`/`appKey`, New Relic `queryKey`,
 * Snowflake-style `privateKey`), cloud credential files (GCP `credentials`).
 */
const CREDENTIAL_KEY =
  /(password|passwd|secret|secretkey|token|apikey|api_key|appkey|app_key|privatekey|private_key|querykey|accountkey|masterkey|licensekey|accesskey|accesskeyid|connectionstring|clientsecret|keypassword|credentials?|applicationcredentials)$|^(key|cert|ca|connection|pwd)$/i;
const CONNECTION_STRING_SECRET = /(SharedAccessKey|SharedAccessSignature|AccountKey|Password|Pwd)=/i;

/** Checks for the fields of one trigger, reporting them as `triggers[i].<field>`. */
export class TriggerFields {
  constructor(
    public readonly scope: IConstruct,
    private readonly prefix: string,
  ) {}

  /** The full prop path of `name`. */
  public field(name: string): string {
    return `${this.prefix}.${name}`;
  }

  /** A required non-empty string. */
  public text(name: string, value: string | undefined, example: string): string {
    check(typeof value === 'string' && value.trim().length > 0, this.scope, {
      field: this.field(name),
      value,
      problem: 'is required by the scaler',
      fix: `set ${name}, e.g. ${example}`,
    });
    return value!;
  }

  /** A number above zero (an integer if `integer`), as KEDA's string form. */
  public positive(name: string, value: number | undefined, integer: boolean): string {
    check(typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value)), this.scope, {
      field: this.field(name),
      value,
      problem: value === undefined ? 'is required by the scaler' : `is not a positive ${integer ? 'integer' : 'number'}`,
      fix: `set the per-replica target, e.g. ${name}: ${integer ? 10 : 5}`,
    });
    return String(value);
  }

  /** An optional number ≥ 0 (an integer if `integer`). */
  public nonNegative(name: string, value: number | undefined, integer: boolean): string | undefined {
    if (value === undefined) return undefined;
    check(Number.isFinite(value) && value >= 0 && (!integer || Number.isInteger(value)), this.scope, {
      field: this.field(name),
      value,
      problem: `is not a non-negative ${integer ? 'integer' : 'number'}`,
      fix: 'use 0 or more (0: active as soon as there is any work)',
    });
    return String(value);
  }

  /** One of `allowed`. */
  public oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
    check(allowed.includes(value), this.scope, {
      field: this.field(name),
      value,
      problem: 'is not supported by the scaler',
      fix: `use one of ${allowed.join(', ')}`,
    });
    return value;
  }

  /** A URL with a scheme and no credentials in it. */
  public url(name: string, value: string | undefined, schemes: readonly string[], example: string): string {
    const url = this.text(name, value, example);
    this.noCredentialsIn(name, url);
    const scheme = /^([a-z][a-z0-9+.-]*):\/\/[^\s/]+/i.exec(url)?.[1]?.toLowerCase();
    check(scheme !== undefined && schemes.includes(scheme), this.scope, {
      field: this.field(name),
      value: url,
      problem: `is not a URL with scheme ${schemes.join(', ')}`,
      fix: `use e.g. ${example}`,
    });
    return url;
  }

  /** `host:port`, without scheme or credentials. */
  public hostPort(name: string, value: string, example: string): string {
    this.noCredentialsIn(name, value);
    check(HOST_PORT.test(value) && Number(value.split(':')[1]) <= 65535, this.scope, {
      field: this.field(name),
      value,
      problem: "is not 'host:port'",
      fix: `use e.g. ${example}`,
    });
    return value;
  }

  /** The name of an environment variable of the worker container. */
  public envName(name: string, value: string): string {
    check(ENV_NAME.test(value), this.scope, {
      field: this.field(name),
      value,
      problem: 'is not an environment variable name',
      fix: 'name a variable the worker container sets, e.g. RABBITMQ_URL',
    });
    return value;
  }

  /**
   * Exactly one source for a connection setting: a literal, a container variable, or an auth
   * parameter. An existing TriggerAuthentication may hold it; it cannot be inspected.
   */
  public oneSource(
    name: string,
    literal: string | undefined,
    fromEnv: string | undefined,
    auth: TriggerAuth | undefined,
    example: string,
  ): void {
    const fromAuth = auth !== undefined && auth.secrets.some((s) => s.parameter === name);
    const count = [literal !== undefined, fromEnv !== undefined, fromAuth].filter(Boolean).length;
    check(count <= 1, this.scope, {
      field: this.field(name),
      value: literal ?? fromEnv ?? name,
      problem: 'is given more than once (literal, FromEnv or auth parameter)',
      fix: `give ${name} one source`,
    });
    check(count === 1 || auth?.existing !== undefined, this.scope, {
      field: this.field(name),
      value: undefined,
      problem: 'is required by the scaler',
      fix: `set ${name} (e.g. ${example}), ${name}FromEnv, or auth: TriggerAuth.fromSecret('<secret>', { ${name}: '<key>' })`,
    });
  }

  /** Requires `auth` to supply every parameter in `parameters` (why: the setting that needs them). */
  public authProvides(auth: TriggerAuth | undefined, parameters: string[], why: string): void {
    const missing = parameters.filter((p) => !auth?.provides(p));
    check(missing.length === 0, this.scope, {
      field: this.field('auth'),
      value: auth ? auth.secrets.map((s) => s.parameter) : undefined,
      problem: `lacks ${missing.join(', ')}, which ${why} needs`,
      fix: `add auth: TriggerAuth.fromSecret('<secret>', { ${missing.map((p) => `${p}: '<key>'`).join(', ')} })`,
    });
  }

  /** Rejects a credential written into a metadata value (a URL's password or token, a connection string's key, a key file). */
  public noCredentialsIn(name: string, value: string, parameter = name): void {
    const kind = CONNECTION_STRING_SECRET.test(value) ? 'a key in a connection string' : secretValueKind(value);
    if (kind !== undefined) {
      invalidProp(this.scope, {
        field: this.field(name),
        value: '<redacted>',
        problem: `contains a credential (${kind}), readable by anyone who can read the ScaledObject`,
        fix: `remove it and pass it by reference: auth: TriggerAuth.fromSecret('<secret>', { ${parameter}: '<key>' }) or ${parameter}FromEnv`,
      });
    }
  }

  /** Rejects credentials anywhere in trigger metadata, by key or by value. */
  public noCredentials(metadata: Record<string, string>): void {
    for (const [key, value] of Object.entries(metadata)) {
      if (!key.endsWith('FromEnv') && CREDENTIAL_KEY.test(key)) {
        invalidProp(this.scope, {
          field: this.field(`metadata.${key}`),
          value: '<redacted>',
          problem: 'is a credential written into trigger metadata (readable by anyone who can read the ScaledObject)',
          fix: `pass it by reference: auth: TriggerAuth.fromSecret('<secret>', { ${key}: '<key>' }) or ${key}FromEnv`,
        });
      }
      this.noCredentialsIn(`metadata.${key}`, value, key);
    }
  }
}
