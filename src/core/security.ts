/** Who the containers run as. The image's user is kept unless set (pinning a uid breaks images). */
export interface RunAsProps {
  /** @default - the image's USER, which must be non-root */
  readonly runAsUser?: number;
  /** @default - the image's group */
  readonly runAsGroup?: number;
  /** Group that owns mounted volumes (needed to write to some PVCs). @default - none */
  readonly fsGroup?: number;
}

/** Pod-level security context of the `restricted` Pod Security profile. */
export function podSecurityContext(props: RunAsProps = {}): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    ...(props.runAsUser !== undefined ? { runAsUser: props.runAsUser } : {}),
    ...(props.runAsGroup !== undefined ? { runAsGroup: props.runAsGroup } : {}),
    ...(props.fsGroup !== undefined ? { fsGroup: props.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context of the `restricted` profile, with a read-only root filesystem. */
export function containerSecurityContext(): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
