import { fromAllowedRegistry, parseImage } from '../../core/image';
/** Image references (ML006, ML032). */
import { at } from '../access';
import { containersOf } from '../kube';
import { ALL_ROLES, Rule, RuleFinding } from '../types';
import { REF, containerLabel, containerPath, forTemplates } from './common';

/** Tags that move by design: latest (also main-latest, latest-gpu), branch names, channels. */
const MOVING_TAG = /^(?:main|master|nightly|edge|dev|develop|head|stable|canary)$|(?:^|[-_.])latest(?:$|[-_.])/i;

/**
 * ML006: mutable image references. `:latest` or no tag at all is an error (rollback becomes
 * guesswork, nodes may run different content); a tag without a digest is reported as info.
 */
export const mutableImage: Rule = {
  id: 'ML006',
  title: 'Mutable image reference',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  conditions: [{ severity: 'info', when: 'the image is pinned by a release tag but no digest' }],
  reference: `${REF.ml} §9 "Operate the Release Lifecycle" (if the image tag is mutable, rollback becomes guesswork), §2 "immutable image"; ${REF.debug} "Wrong predictions after release"`,
  check: forTemplates(
    ALL_ROLES,
    (t) => {
      const findings: RuleFinding[] = [];
      for (const c of containersOf(t.podSpec)) {
        const image = at(c.container, 'image');
        const where = containerPath(t, c, 'image');
        if (image === undefined && t.containersFromRuntime) continue; // the ServingRuntime supplies it
        if (typeof image !== 'string' || image.trim() === '') {
          findings.push({
            path: where,
            message: `${containerLabel(c, t)} has no image`,
            fix: `set ${where} to an immutable reference (name:tag@sha256:digest)`,
          });
          continue;
        }
        const ref = parseImage(image.trim());
        const name = ref.registry === 'docker.io' && !image.includes('docker.io') ? ref.repository : `${ref.registry}/${ref.repository}`;
        if (ref.digest) continue;
        if (ref.tag === undefined || MOVING_TAG.test(ref.tag)) {
          findings.push({
            path: where,
            message: `${containerLabel(c, t)} uses image '${image}' ${ref.tag === undefined ? 'without a tag or digest (implicitly :latest)' : `with the mutable tag :${ref.tag}`}; nodes may run different builds and rollback becomes guesswork`,
            fix: `pin ${where} to a release tag and digest, e.g. ${name}:v1.2.3@sha256:<digest>`,
          });
        } else {
          findings.push({
            severity: 'info',
            path: where,
            message: `${containerLabel(c, t)} uses image '${image}' pinned by tag only; a re-pushed tag silently changes what runs`,
            fix: `append the digest: ${name}:${ref.tag}@sha256:<digest> (tie it to the model-registry version)`,
          });
        }
      }
      return findings;
    },
    true,
  ),
};

export { fromAllowedRegistry };

/** ML032: images must come from the platform's allowed registries (only when `allowedRegistries` is set). */
export const disallowedRegistry: Rule = {
  id: 'ML032',
  title: 'Image from a registry outside the allowed list',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §12 "Review Security and Multi-Tenancy" (supply chain: trusted registries)`,
  check: forTemplates(
    ALL_ROLES,
    (t, obj, ctx) => {
      const allowed = ctx.platform.allowedRegistries;
      if (!allowed || allowed.length === 0) return [];
      return containersOf(t.podSpec).flatMap((c) => {
        const image = at(c.container, 'image');
        if (typeof image !== 'string' || image.trim() === '' || fromAllowedRegistry(image, allowed)) return [];
        return [
          {
            path: containerPath(t, c, 'image'),
            message: `${containerLabel(c, t)} uses image '${image}' from outside the allowed registries (${allowed.join(', ')})`,
            fix: `mirror the image into an allowed registry and update ${containerPath(t, c, 'image')}, or add its registry to platform.allowedRegistries`,
          },
        ];
      });
    },
    true,
  ),
};
