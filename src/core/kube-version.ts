import { IConstruct } from 'constructs';
import { check } from './errors';
import { KUBE_FEATURES, KubeFeature, KubernetesVersion, requireKubernetesVersion, versionSupports } from './facts/kubernetes';
import { Platform } from './platform';

/** The Kubernetes version `scope`'s output targets: the platform's `kubernetesVersion`, else the newest supported. */
export function targetVersion(scope: IConstruct): KubernetesVersion {
  return requireKubernetesVersion(scope, 'platform kubernetesVersion', Platform.of(scope).kubernetesVersion);
}

/**
 * True when the target Kubernetes version of `scope` has `feature` on by default. Every construct asks
 * this before emitting a version-dependent field, and emits the `olderTargets` equivalent otherwise.
 */
export function supports(scope: IConstruct, feature: KubeFeature): boolean {
  return versionSupports(targetVersion(scope), feature);
}

/**
 * Throws unless the target version has `feature`: for props the user set explicitly that have no
 * equivalent on older versions. The error names the prop, the target and the version needed.
 */
export function requireFeature(scope: IConstruct, feature: KubeFeature, field: string, value: unknown): void {
  const target = targetVersion(scope);
  const info = KUBE_FEATURES[feature];
  check(versionSupports(target, feature), scope, {
    field,
    value,
    problem: `needs ${info.field}, available from Kubernetes ${info.since}, but the platform targets ${target}`,
    fix: `drop ${field}, or raise the platform's kubernetesVersion to ${info.since} or later`,
  });
}
