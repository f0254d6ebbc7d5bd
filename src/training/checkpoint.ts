import { Duration, Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlEnvValue } from '../core/env';
import { requireWholeSeconds } from '../core/durations';
import { check } from '../core/errors';
import { PodMount } from '../core/pod-mount';
import { requireQuantity } from '../core/quantity';
import { DEFAULT_RUN_AS_ID } from '../core/security';
import { isDns1123Subdomain } from '../core/validation/strings';

/**
 * Where a training run saves checkpoints, so a preempted or retried run resumes instead of
 * starting over. The trainer must save on SIGTERM (or at least every `interval`) and resume from
 * the newest checkpoint in `CHECKPOINT_DIR` on start.
 */
export interface CheckpointProps {
  /** Where the trainer reads and writes checkpoints; passed as `CHECKPOINT_DIR`. @default '/checkpoints' */
  readonly mountPath?: string;
  /**
   * Size of a new PersistentVolumeClaim (`<name>-checkpoints`), rounded up to whole GiB. Required
   * unless `existingClaim` is set. The claim outlives the Job, so checkpoints survive its TTL.
   * @default - none
   */
  readonly size?: string;
  /** StorageClass of a new claim. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /**
   * Access mode of a new claim. Several workers on different nodes can only share a `ReadWriteMany`
   * volume; only rank 0 should write.
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
  /** Use this existing claim instead of creating one. @default - a new claim of `size` */
  readonly existingClaim?: string;
  /**
   * Longest a checkpoint write takes. On SIGTERM (drain, preemption, deadline) the pod gets this
   * long plus 15 seconds before it is killed. Spot reclaim notices can be shorter (often 30 s):
   * checkpoint periodically as well.
   * @default Duration.minutes(2)
   */
  readonly writeTime?: Duration;
  /** How often the trainer checkpoints; passed as `CHECKPOINT_INTERVAL_SECONDS`. @default - not declared */
  readonly interval?: Duration;
  /**
   * Group that owns the volume, so the non-root trainer can write to a fresh volume.
   * @default - the pod's fsGroup (`runAs.fsGroup`, else the platform's, else the run-as group, 65532)
   */
  readonly fsGroup?: number;
}

/** What checkpoint storage adds to a training pod. */
export interface CheckpointStorage {
  /** The claim created; undefined with `existingClaim`. */
  readonly claim?: plus.PersistentVolumeClaim;
  readonly mount: PodMount;
  readonly env: Record<string, MlEnvValue>;
  readonly terminationGracePeriod: Duration;
  readonly interval?: Duration;
  readonly fsGroup: number;
}

const RESERVED_PATHS = ['/', '/tmp', '/dev/shm', '/dev', '/proc', '/sys'];

/** Validates `props` and creates (or references) the checkpoint claim for `workers` pods. */
export function checkpointStorage(
  owner: Construct,
  props: CheckpointProps,
  meta: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> },
  workers: number,
  defaultFsGroup: number | undefined,
): CheckpointStorage {
  const mountPath = props.mountPath ?? '/checkpoints';
  check(
    typeof mountPath === 'string' && mountPath.startsWith('/') && !RESERVED_PATHS.includes(mountPath.replace(/\/+$/, '') || '/'),
    owner,
    {
      field: 'checkpoint.mountPath',
      value: mountPath,
      problem: 'is not an absolute path of its own',
      fix: "use e.g. '/checkpoints'",
    },
  );
  check(!(props.size !== undefined && props.existingClaim !== undefined), owner, {
    field: 'checkpoint.size',
    value: props.size,
    problem: 'is set together with checkpoint.existingClaim',
    fix: 'keep checkpoint.size (a new claim) or checkpoint.existingClaim, and remove the other',
  });
  check(props.size !== undefined || props.existingClaim !== undefined, owner, {
    field: 'checkpoint.size',
    value: undefined,
    problem: 'is required to create a checkpoint claim',
    fix: "set size (e.g. '200Gi'), or existingClaim",
  });
  const writeTime = props.writeTime ?? Duration.minutes(2);
  requireWholeSeconds(owner, 'checkpoint.writeTime', writeTime, 1);
  if (props.interval !== undefined) requireWholeSeconds(owner, 'checkpoint.interval', props.interval, 1);
  const fsGroup = props.fsGroup ?? defaultFsGroup ?? DEFAULT_RUN_AS_ID;
  check(Number.isInteger(fsGroup) && fsGroup >= 0 && fsGroup <= 2147483647, owner, {
    field: 'checkpoint.fsGroup',
    value: fsGroup,
    problem: 'is not a numeric group id from 0 to 2147483647',
    fix: 'use a numeric group id, e.g. 1000',
  });

  let claim: plus.PersistentVolumeClaim | undefined;
  let ref: plus.IPersistentVolumeClaim;
  if (props.existingClaim !== undefined) {
    check(
      typeof props.existingClaim === 'string' &&
        /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.existingClaim) &&
        props.existingClaim.length <= 253,
      owner,
      {
        field: 'checkpoint.existingClaim',
        value: props.existingClaim,
        problem: 'is not a PersistentVolumeClaim name',
        fix: "use the claim's name (lowercase letters, digits, '-' and '.')",
      },
    );
    ref = plus.PersistentVolumeClaim.fromClaimName(owner, 'ExistingCheckpointClaim', props.existingClaim);
  } else {
    const bytes = requireQuantity(owner, 'checkpoint.size', props.size!, '200Gi');
    check(bytes > 0, owner, {
      field: 'checkpoint.size',
      value: props.size,
      problem: 'is zero',
      fix: "size the claim for a few checkpoints, e.g. '200Gi'",
    });
    const accessMode = props.accessMode ?? 'ReadWriteOnce';
    check(accessMode === 'ReadWriteOnce' || accessMode === 'ReadWriteMany', owner, {
      field: 'checkpoint.accessMode',
      value: accessMode,
      problem: 'is not ReadWriteOnce or ReadWriteMany',
      fix: "use 'ReadWriteOnce' (one worker) or 'ReadWriteMany' (several)",
    });
    check(workers === 1 || accessMode === 'ReadWriteMany', owner, {
      field: 'checkpoint.accessMode',
      value: accessMode,
      problem: `cannot be mounted by ${workers} workers on different nodes`,
      fix: "use accessMode 'ReadWriteMany' with a StorageClass that supports it (e.g. a shared filesystem), or an existingClaim",
    });
    check(props.storageClass === undefined || isDns1123Subdomain(props.storageClass), owner, {
      field: 'checkpoint.storageClass',
      value: props.storageClass,
      problem: 'is not a valid StorageClass name (a DNS-1123 subdomain)',
      fix: "use the StorageClass's name as 'kubectl get storageclass' lists it, e.g. 'shared-rwx'",
    });
    claim = new plus.PersistentVolumeClaim(owner, 'CheckpointClaim', {
      metadata: { ...meta, name: `${meta.name}-checkpoints` },
      accessModes: [
        accessMode === 'ReadWriteMany' ? plus.PersistentVolumeAccessMode.READ_WRITE_MANY : plus.PersistentVolumeAccessMode.READ_WRITE_ONCE,
      ],
      storage: Size.gibibytes(Math.ceil(bytes / 2 ** 30)),
      storageClassName: props.storageClass,
      volumeMode: plus.PersistentVolumeMode.FILE_SYSTEM,
    });
    ref = claim;
  }
  const volume = plus.Volume.fromPersistentVolumeClaim(owner, 'CheckpointVolume', ref, { name: 'checkpoints' });
  return {
    claim,
    mount: { volume, mountPath },
    env: {
      CHECKPOINT_DIR: MlEnvValue.value(mountPath),
      ...(props.interval ? { CHECKPOINT_INTERVAL_SECONDS: MlEnvValue.value(String(props.interval.toSeconds())) } : {}),
    },
    terminationGracePeriod: Duration.seconds(writeTime.toSeconds() + 15),
    interval: props.interval,
    fsGroup,
  };
}
