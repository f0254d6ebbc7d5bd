import { IConstruct } from 'constructs';
import { check } from './errors';

/** A key of a Secret in the workload's namespace: how credentials reach a pod (never as literals). */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly secretName: string;
  /** The key in the Secret holding the value. @default 'token' */
  readonly key?: string;
}

/** Query parameters that carry a signature or a bearer credential (presigned S3/GCS URLs, Azure SAS, API keys). */
const CREDENTIAL_PARAMS = new Set([
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'signature',
  'sig',
  'token',
  'access_token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'password',
  'secret',
  'auth',
]);

/** Literal values that are credentials whatever their variable is called. */
const SECRET_VALUES: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bhf_[A-Za-z0-9]{30,}\b/, 'a Hugging Face token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, 'a GitHub token'],
  [/\bsk-[A-Za-z0-9_-]{20,}\b/, 'an API secret key'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/"private_key"\s*:/, 'a service-account key'],
  [/"type"\s*:\s*"(service_account|external_account|authorized_user)"/, 'a Google credentials file'],
  [/"(client_secret|refresh_token)"\s*:/, 'an OAuth client credential'],
];

/** Variables whose literal value is a credential by name. */
const SECRET_NAMES =
  /(^|_)(PASSWORD|PASSWD|SECRET|SECRET_ACCESS_KEY|SESSION_TOKEN|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_TOKEN|AUTH_TOKEN)$|^(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|GOOGLE_APPLICATION_CREDENTIALS_JSON|AZURE_STORAGE_KEY|AZURE_STORAGE_SAS_TOKEN)$/;

/** What looks like a credential in a literal value whatever it is called (a key, a token, a URL with a password), or undefined. */
export function secretValueKind(value: string): string | undefined {
  for (const [pattern, kind] of SECRET_VALUES) if (pattern.test(value)) return kind;
  if (urlHasPassword(value)) return 'a URL with a password';
  const params = credentialQueryParams(value);
  if (params.length > 0) return `a URL with a credential query parameter (${params.join(', ')})`;
  return undefined;
}

/** What looks like a credential in a literal env value, or undefined. */
export function literalSecretKind(name: string, value: string): string | undefined {
  const kind = secretValueKind(value);
  if (kind !== undefined) return kind;
  if (value.length > 0 && SECRET_NAMES.test(name.toUpperCase())) return `a credential (by its name ${name})`;
  return undefined;
}

/**
 * True when `value` is a URL with a user and a password (`scheme://user:pass@host`), also when the password
 * holds `/`, `?`, `#` or `@` (written unescaped, as people do): everything up to the last `@` is taken as the
 * user-info, unless it reads as `host:port` followed by a path.
 */
export function urlHasPassword(value: string): boolean {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/(\S*)@/i.exec(value)?.[1];
  if (userinfo === undefined || !userinfo.includes(':')) return false;
  return !/^[^:/?#@]+:\d{1,5}([/?#]|$)/.test(userinfo);
}

/** The query parameters of the URL `value` that carry a signature or a bearer credential (lower-cased). */
export function credentialQueryParams(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S*\?/i.test(value)) return [];
  const query = value.slice(value.indexOf('?') + 1).split('#')[0];
  return query
    .split('&')
    .map((p) => decodeURIComponentSafe(p.split('=')[0]).toLowerCase())
    .filter((k) => CREDENTIAL_PARAMS.has(k));
}

/** Throws when the literal value of env var `name` looks like a credential: it belongs in a Secret. */
export function requireNoLiteralSecret(scope: IConstruct, field: string, name: string, value: string): void {
  const kind = literalSecretKind(name, value);
  check(kind === undefined, scope, {
    field,
    value: redact(value),
    problem: `is a literal that looks like ${kind}, so it would be written into the manifest`,
    fix: `store it in a Secret and reference it: { ${name}: MlEnvValue.fromSecret('<secret>', '<key>') }`,
  });
}

/**
 * Throws when `uri` carries credentials: a user or password (`user:pass@host`) or a signed/credential
 * query string (presigned S3/GCS URLs, SAS tokens). Both end up in the manifest and expire or leak.
 */
export function requireNoCredentialsInUri(scope: IConstruct, field: string, uri: string, tokenField: string): void {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(uri);
  const authority = m?.[2] ?? '';
  check(!authority.includes('@') && !urlHasPassword(uri), scope, {
    field,
    value: redactUri(uri),
    problem: 'carries credentials in its user-info (user:password@)',
    fix: `remove them from the URI and give them by Secret reference (${tokenField}: { secretName: '...' }, or workload identity for the object store)`,
  });
  const signed = credentialQueryParams(uri);
  check(signed.length === 0, scope, {
    field,
    value: redactUri(uri),
    problem: `has a presigned or credential query string (${signed.join(', ')})`,
    fix: `use the plain object URI and give the credential by Secret reference (${tokenField}: { secretName: '...' }) or workload identity; presigned URLs expire and leak through the manifest`,
  });
}

/** A value shortened for error messages, so a leaked credential is not echoed in full into CI logs. */
export function redact(value: string): string {
  return value.length <= 12 ? value.replace(/./g, '*') : `${value.slice(0, 8)}…(${value.length} chars)`;
}

/** The URI with its user-info and query values masked. */
export function redactUri(uri: string): string {
  const userinfo = urlHasPassword(uri) ? /^([a-z][a-z0-9+.-]*:\/\/)\S*@/i : /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;
  return uri.replace(userinfo, '$1***@').replace(/([?&][^=&#]*=)[^&#]*/g, '$1***');
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
