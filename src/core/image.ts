import { IConstruct } from 'constructs';
import { check } from './errors';
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

/**
 * Checks that `image` is an immutable reference: a tag other than `latest`, or a digest
 * (required when the platform says so), from an allowed registry.
 */
export function requireImmutableImage(scope: IConstruct, field: string, image: string, platform: ResolvedPlatform): ImageReference {
  check(typeof image === 'string' && image.length > 0 && !/\s/.test(image), scope, {
    field,
    value: image,
    problem: 'is not an image reference',
    fix: "use 'registry/repository:tag' or 'registry/repository@sha256:<digest>'",
  });
  const ref = parseImage(image);
  const explicitRegistry = image.startsWith(`${ref.registry}/`) ? ref.registry : undefined;
  check(isImageRepository(explicitRegistry, ref.repository), scope, {
    field,
    value: image,
    problem: /[A-Z]/.test(ref.repository)
      ? 'has upper-case letters in its repository, which no registry accepts'
      : 'is not a valid image reference',
    fix: "use a repository of lowercase letters, digits and single '.', '_', '__' or '-' separators (e.g. 'registry.example.com/team/model-server:v1')",
  });
  check(ref.digest === undefined || DIGEST.test(ref.digest), scope, {
    field,
    value: image,
    problem: 'has a malformed digest',
    fix: "use '@sha256:' followed by 64 lowercase hex digits",
  });
  check(ref.tag === undefined || TAG.test(ref.tag), scope, {
    field,
    value: image,
    problem: 'has a malformed tag',
    fix: 'use a tag of letters, digits, _ . and -',
  });
  check(ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== 'latest'), scope, {
    field,
    value: image,
    problem: ref.tag === 'latest' ? "uses the mutable tag 'latest'" : 'has no tag or digest (it means :latest)',
    fix: 'pin a release tag (e.g. :v2.1.0) or a digest (@sha256:...) so every node runs the same bits and rollback works',
  });
  check(!platform.requireImageDigest || ref.digest !== undefined, scope, {
    field,
    value: image,
    problem: 'is not pinned by digest, which the platform requires',
    fix: 'append @sha256:<digest> to the image',
  });
  const full = `${ref.registry}/${ref.repository}`;
  check(
    platform.allowedRegistries.length === 0 ||
      platform.allowedRegistries.some((r) => full === r || full.startsWith(r.endsWith('/') ? r : `${r}/`)),
    scope,
    {
      field,
      value: image,
      problem: 'comes from a registry the platform does not allow',
      fix: `use an image from ${platform.allowedRegistries.join(', ')}`,
    },
  );
  return ref;
}
