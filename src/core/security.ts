import { IConstruct } from 'constructs';
import { check } from './errors';

/**
 * The uid and gid every container runs as unless the workload or the platform says otherwise:
 * 65532, the `nonroot` user of distroless and Chainguard images. It is numeric, so the kubelet can
 * verify `runAsNonRoot` whatever the image's USER line says (a named USER is refused); it is above
 * 10000, so it maps to no user of the node (kube-score's low-uid rule); and no file of a typical
 * image belongs to it, so the image's world-readable files stay read-only to the process.
 */
export const DEFAULT_RUN_AS_ID = 65532;

/** Who the containers run as. */
export interface RunAsProps {
  /**
   * Numeric user of every container (not 0: pods run as non-root).
   * @default - the platform's `runAs.runAsUser`, else 65532
   */
  readonly runAsUser?: number;
  /** Numeric primary group of every container. @default - the platform's `runAs.runAsGroup`, else 65532 */
  readonly runAsGroup?: number;
  /** Group that owns mounted volumes, so the containers can write to them. @default - the platform's `runAs.fsGroup`, else `runAsGroup` */
  readonly fsGroup?: number;
}

/** A pod's numeric identity with every default filled in. */
export interface PodIdentity {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
}

/**
 * The identity a pod runs as: `props` over the platform's `platform` over {@link DEFAULT_RUN_AS_ID}.
 * The user must be a whole number from 1 to 2147483647 (0 is root; the kubelet refuses it with
 * runAsNonRoot). Groups may be 0: Pod Security `restricted` and the kubelet do not forbid group 0.
 */
export function podIdentity(scope: IConstruct, field: string, props: RunAsProps = {}, platform: RunAsProps = {}): PodIdentity {
  const runAsUser = props.runAsUser ?? platform.runAsUser ?? DEFAULT_RUN_AS_ID;
  const runAsGroup = props.runAsGroup ?? platform.runAsGroup ?? DEFAULT_RUN_AS_ID;
  const fsGroup = props.fsGroup ?? platform.fsGroup ?? runAsGroup;
  for (const [key, id] of Object.entries({ runAsUser, runAsGroup, fsGroup })) {
    const min = key === 'runAsUser' ? 1 : 0;
    check(Number.isInteger(id) && id >= min && id <= 2147483647, scope, {
      field: `${field}.${key}`,
      value: id,
      problem: id === 0 ? 'is root, which runAsNonRoot forbids' : `is not a numeric id from ${min} to 2147483647`,
      fix:
        key === 'runAsUser'
          ? `use a non-root numeric id, e.g. ${DEFAULT_RUN_AS_ID} (the image's files must be readable by it)`
          : `use a numeric group id from 0 to 2147483647, e.g. ${DEFAULT_RUN_AS_ID}`,
    });
  }
  return { runAsUser, runAsGroup, fsGroup };
}

/**
 * Pod-level security context of the `restricted` Pod Security profile. `fsGroup` is always set: every
 * pod has at least one writable volume (`/tmp`), and `OnRootMismatch` keeps large volumes from being
 * re-chowned at every start.
 */
export function podSecurityContext(id: PodIdentity): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: id.runAsUser,
    runAsGroup: id.runAsGroup,
    fsGroup: id.fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Container-level security context of the `restricted` profile, with a read-only root filesystem and
 * the numeric user and group on the container itself (so sidecars and init containers copied into
 * other pod specs keep them).
 */
export function containerSecurityContext(id: { readonly runAsUser: number; readonly runAsGroup: number }): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: id.runAsUser,
    runAsGroup: id.runAsGroup,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
