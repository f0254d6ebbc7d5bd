import type * as plus from 'cdk8s-plus-28';

/** A volume and where the main container mounts it. */
export interface PodMount {
  /** The volume (cdk8s-plus), added to the pod once however many containers mount it. */
  readonly volume: plus.Volume;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /** Mount it read-only. @default false */
  readonly readOnly?: boolean;
}
