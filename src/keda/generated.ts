/*
 * The generated KEDA classes (`cdk8s import` of the KEDA CRDs), loaded when the first KEDA object is created rather
 * than with the library: the ScaledJob module alone is thousands of lines.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** The generated ScaledObject module. */
export const scaledObjects = (): typeof import('../../imports/keda-scaledobject-keda.sh') =>
  require('../../imports/keda-scaledobject-keda.sh');

/** The generated ScaledJob module. */
export const scaledJobs = (): typeof import('../../imports/keda-scaledjob-keda.sh') => require('../../imports/keda-scaledjob-keda.sh');

/** The generated TriggerAuthentication module. */
export const triggerAuthentications = (): typeof import('../../imports/keda-triggerauthentication-keda.sh') =>
  require('../../imports/keda-triggerauthentication-keda.sh');
