import { IConstruct } from 'constructs';
import { check, invalidProp } from './errors';
import { ResolvedPlatform } from './platform-conventions';
import { isDns1123Subdomain, isImageRepository } from './validation/strings';

/** An image reference split into its parts. */
export interface ImageReference {
  /** Registry host, `docker.io` when none is written. */
  readonly registry: string;
  /** Repository path without the registry. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Parses `[registry/]repository[:tag][@sha256:...]`. */
export function parseImage(image: string): ImageReference {
  const [nameAndTag, digest] = image.split('@', 2);
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : undefined;
  const name = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag;
  const first = name.split('/')[0];
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return {
    registry: hasRegistry ? first : 'docker.io',
    repository: hasRegistry ? name.slice(first.length + 1) : name,
    tag,
    digest,
  };
}

/** Whether `image` comes from one of `allowed` (a registry host, or a registry/path prefix; Docker Hub is `docker.io`). */
export function fromAllowedRegistry(image: string, allowed: readonly string[]): boolean {
  const ref = parseImage(image.trim());
  const names = [`${ref.registry}/${ref.repository}`];
  // Docker Hub's official images are `library/<name>`: `nginx` is also `docker.io/library/nginx`.
  if (ref.registry === 'docker.io' && !ref.repository.includes('/')) names.push(`docker.io/library/${ref.repository}`);
  return allowed.some((a) => {
    const prefix = a.replace(/\/+$/, '');
    return names.some((full) => full === prefix || full.startsWith(`${prefix}/`));
  });
}

/** An allowed-registry entry that names no registry host (`vllm` instead of `docker.io/vllm`), with its correction. */
export function registryEntryProblem(entry: string): string | undefined {
  const first = entry.split('/')[0];
  if (first.includes('.') || first.includes(':') || first === 'localhost') return undefined;
  return `docker.io/${entry.replace(/\/+$/, '')}`;
}

/** What is wrong with `image` under `platform`'s rules (immutable reference, digest, registry), or undefined. */
export function imageProblem(image: string, platform: ResolvedPlatform): { problem: string; fix: string } | undefined {
  if (!(typeof image === 'string' && image.length > 0 && !/\s/.test(image)))
    return { problem: 'is not an image reference', fix: "use 'registry/repository:tag' or 'registry/repository@sha256:<digest>'" };
  const ref = parseImage(image);
  const explicitRegistry = image.startsWith(`${ref.registry}/`) ? ref.registry : undefined;
  if (!isImageRepository(explicitRegistry, ref.repository))
    return {
      problem: /[A-Z]/.test(ref.repository)
        ? 'has upper-case letters in its repository, which no registry accepts'
        : 'is not a valid image reference',
      fix: "use a repository of lowercase letters, digits and single '.', '_', '__' or '-' separators (e.g. 'registry.example.com/team/model-server:v1')",
    };
  if (ref.digest !== undefined && !DIGEST.test(ref.digest))
    return { problem: 'has a malformed digest', fix: "use '@sha256:' followed by 64 lowercase hex digits" };
  if (ref.tag !== undefined && !TAG.test(ref.tag))
    return { problem: 'has a malformed tag', fix: 'use a tag of letters, digits, _ . and -' };
  if (ref.digest === undefined && (ref.tag === undefined || ref.tag === 'latest'))
    return {
      problem: ref.tag === 'latest' ? "uses the mutable tag 'latest'" : 'has no tag or digest (it means :latest)',
      fix: 'pin a release tag (e.g. :v2.1.0) or a digest (@sha256:...) so every node runs the same bits and rollback works',
    };
  if (platform.requireImageDigest && ref.digest === undefined)
    return {
      problem: 'is not pinned by digest, which the platform requires (requireImageDigest)',
      fix: 'append @sha256:<digest> to the image',
    };
  const allowed = platform.allowedRegistries;
  if (allowed.length === 0 || fromAllowedRegistry(image, allowed)) return undefined;
  const full = `${ref.registry}/${ref.repository}`;
  const misSet = allowed.map((a) => [a, registryEntryProblem(a)] as const).find(([, fixed]) => fixed && full.startsWith(`${fixed}/`));
  const lock = platform.locked.allowedRegistries;
  return {
    problem: `is ${full}, which no entry of the platform's allowedRegistries (${allowed.join(', ')}) covers`,
    fix: misSet
      ? `the entry '${misSet[0]}' is not a registry: images are matched as <registry>/<repository> and Docker Hub's registry is docker.io, so set allowedRegistries: ['${misSet[1]}'] in Platform.configure`
      : `use an image from ${allowed.join(' or ')} (mirror it there)${
          lock === undefined
            ? `, or add its registry (e.g. '${ref.registry}') to allowedRegistries in Platform.configure`
            : `; allowedRegistries is locked by the platform at ${scopeLabel(lock)}`
        }`,
  };
}

/** A construct path as messages show it (`the app` for the root, whose path is empty). */
export function scopeLabel(path: string): string {
  return path === '' ? 'the app (root scope)' : `'${path}'`;
}

/**
 * Checks that `image` is an immutable reference: a tag other than `latest`, or a digest
 * (required when the platform says so), from an allowed registry.
 */
export function requireImmutableImage(scope: IConstruct, field: string, image: string, platform: ResolvedPlatform): ImageReference {
  const p = imageProblem(image, platform);
  if (p) invalidProp(scope, { field, value: image, ...p });
  return parseImage(image);
}

/** True when `ref` comes from `registry` (a host, or a host and path prefix such as `registry.example.com/team`). */
function isFromRegistry(ref: ImageReference, registry: string): boolean {
  const full = `${ref.registry}/${ref.repository}`;
  return full === registry || full.startsWith(registry.endsWith('/') ? registry : `${registry}/`);
}

/**
 * The pull secret the platform declares for `image`'s registry (`registryPullSecrets`; the longest matching
 * registry wins), or undefined when its registry needs none.
 */
export function requiredPullSecret(image: string, platform: ResolvedPlatform): { registry: string; secret: string } | undefined {
  const ref = parseImage(image);
  const match = Object.keys(platform.registryPullSecrets)
    .filter((r) => isFromRegistry(ref, r))
    .sort((a, b) => b.length - a.length)[0];
  return match === undefined ? undefined : { registry: match, secret: platform.registryPullSecrets[match] };
}

/**
 * What is wrong when `image` comes from a registry the platform says needs a pull secret that `pullSecrets`
 * (the pod's `imagePullSecrets`) lacks: the kubelet would get 401 from the registry and the pod would stay in
 * ImagePullBackOff. Undefined when nothing is.
 */
export function pullSecretProblem(
  image: string,
  platform: ResolvedPlatform,
  pullSecrets: readonly string[],
): { problem: string; fix: string } | undefined {
  const needed = requiredPullSecret(image, platform);
  if (needed === undefined || pullSecrets.includes(needed.secret)) return undefined;
  return {
    problem: `comes from ${needed.registry}, which needs the pull secret '${needed.secret}' (platform registryPullSecrets), but the pod's imagePullSecrets ${pullSecrets.length ? `are ${pullSecrets.join(', ')}` : 'are empty'}: the pod would stay in ImagePullBackOff`,
    fix: `add imagePullSecrets: ['${needed.secret}'] to the workload, or to the platform's imagePullSecrets for every pod`,
  };
}

/** Throws when `image` lacks the pull secret its registry needs (see {@link pullSecretProblem}). */
export function requirePullSecret(
  scope: IConstruct,
  field: string,
  image: string,
  platform: ResolvedPlatform,
  pullSecrets: string[],
): void {
  const p = pullSecretProblem(image, platform, pullSecrets);
  if (p) invalidProp(scope, { field, value: image, ...p });
}

/** Throws on a pull secret name the API server refuses (a Secret name is a DNS-1123 subdomain). */
export function requirePullSecretNames(scope: IConstruct, field: string, names: readonly string[]): void {
  names.forEach((name, i) =>
    check(typeof name === 'string' && isDns1123Subdomain(name), scope, {
      field: `${field}[${i}]`,
      value: name,
      problem: 'is not a valid Secret name, which the API server refuses',
      fix: "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. 'registry-credentials')",
    }),
  );
}
