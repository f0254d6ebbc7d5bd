import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { ResolvedPlatform } from './platform';
import { isImageRepository } from './validation/strings';

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
