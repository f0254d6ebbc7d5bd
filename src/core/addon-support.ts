import { IConstruct } from 'constructs';
import { check } from './errors';
import { ADDON_FEATURES, AddonFeature, AddonFeatureInfo, addonVersionSupports } from './facts/addons';
import { Platform } from './platform';

/**
 * True when the add-on versions the platform states at `scope` have `feature`. Every construct asks
 * this before emitting a version-dependent add-on field, and emits the `olderTargets` equivalent otherwise.
 */
export function addonSupports(scope: IConstruct, feature: AddonFeature): boolean {
  return addonVersionSupports(Platform.of(scope).addons, feature);
}

/** Throws unless the platform's add-on version has `feature`, naming the prop that needs it and the version needed. */
export function requireAddonFeature(scope: IConstruct, feature: AddonFeature, field: string, value: unknown): void {
  const info: AddonFeatureInfo = ADDON_FEATURES[feature];
  const version = Platform.of(scope).addons[info.addon];
  check(addonVersionSupports(Platform.of(scope).addons, feature), scope, {
    field,
    value,
    problem: `needs ${info.field}, available from ${info.addon} ${info.since}, but the platform states ${info.addon} ${version}`,
    fix: `upgrade ${info.addon} to ${info.since} or later and set platform addons.${info.addon}, or ${info.olderTargets.startsWith('an error') ? `drop ${field}` : 'leave it'}`,
  });
}
