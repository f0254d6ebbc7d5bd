import { Duration, Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ICapacityClaimant, WorkloadCapacity } from './capacity';
import { requireWholeSeconds } from './durations';
import { check } from './errors';
import { FiniteJobProps, JobPolicy } from './job';
import { IModelCache, modelVolumeBytes } from './model';
import { HELPER_RESOURCES, ModelFetchProps, VERIFIED_MARKER, planModelFetch } from './model-fetch';
import { ModelLayout } from './model-source';
import { WorkloadLabels, requireDnsLabel, workloadIdentity } from './names';
import { EgressPolicyProps } from './network';
import { podTemplatePolicies } from './pod-policies';
import { PodTemplate, podBaseProps, workloadServiceAccount } from './pod';
import { RunAsProps } from './security';

/** Props of {@link ModelCache}. */
export interface ModelCacheProps extends ModelFetchProps {
  /** Name of the claim, the fill Job and their objects. Name it after the model version: a new version is a new cache. @default - the construct id */
  readonly name?: string;
  /** @default - the chart's namespace, else the platform's default namespace */
  readonly namespace?: string;
  /** Labels for every object, added to the platform's. @default - the platform's */
  readonly labels?: Record<string, string>;
  /**
   * How serving pods share the claim. `ReadOnlyMany`: the claim asks for `ReadWriteOnce` (the fill Job
   * writes once) and `ReadOnlyMany` (every replica, on any node, reads); the StorageClass must offer both.
   * `ReadWriteMany`: a shared filesystem (NFS, EFS, Filestore, CephFS); servers still mount it read-only.
   * @default 'ReadOnlyMany'
   */
  readonly accessMode?: 'ReadOnlyMany' | 'ReadWriteMany';
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /**
   * Longest the fill (download and verification, with retries) may take; the fill Job's deadline, and how
   * long serving pods wait for the cache before they fail.
   * @default - 3 × `fetcher.timeout` + 10 minutes
   */
  readonly fillDeadline?: Duration;
  /** Egress of the fill Job beyond DNS: the object store or the Hub. `false` for no NetworkPolicy. */
  readonly networkPolicy: EgressPolicyProps | false;
  /** @default - the platform's `runAs` */
  readonly runAs?: RunAsProps;
}

/**
 * A model fetched once into a PersistentVolumeClaim by a one-off Job that verifies its checksums, then
 * mounted read-only by every replica and every rollout through `model: { cache }` (no per-pod download).
 * Creates the claim, the fill Job, its ServiceAccount and NetworkPolicy, all named after the cache. The
 * fill is idempotent: a Job re-created by GitOps finds the verified marker and exits without downloading.
 */
export class ModelCache extends Construct implements IModelCache, ICapacityClaimant {
  public readonly name: string;
  public readonly namespace: string;
  public readonly claimName: string;
  public readonly labels: WorkloadLabels;
  public readonly digest: string;
  public readonly layout: ModelLayout;
  public readonly file?: string;
  public readonly sizeBytes: number;
  /** What a server loads from the cache: the size, or half of it for an extracted tarball. */
  public readonly contentBytes: number;
  public readonly fillTimeout: Duration;
  /** Bytes the claim requests: the model plus headroom, in whole GiB. */
  public readonly claimBytes: number;
  public readonly claim: plus.PersistentVolumeClaim;
  /** @internal */
  public readonly pod: PodTemplate;
  public readonly serviceAccount: plus.ServiceAccount;
  public readonly job: plus.Job;
  /** Undefined when `networkPolicy: false`. */
  public readonly networkPolicy?: plus.NetworkPolicy;

  constructor(scope: Construct, id: string, props: ModelCacheProps) {
    super(scope, id);
    const { name, namespace, labels, meta } = workloadIdentity(this, id, props, 'model-cache');
    requireDnsLabel(this, 'name', name);
    this.name = name;
    this.namespace = namespace;
    this.labels = labels;
    this.claimName = name;
    check(props.uri !== undefined || props.huggingFace !== undefined, this, {
      field: 'uri',
      value: undefined,
      problem: 'is required: a cache is filled from a URI or a Hugging Face repository',
      fix: "set uri (e.g. 's3://models/llama/v1') or huggingFace: { repo, revision }",
    });
    const mountPath = '/models';
    const plan = planModelFetch(this, 'cache', props, mountPath, 'model');
    this.digest = plan.digest;
    this.layout = plan.layout;
    this.file = plan.file;
    this.sizeBytes = plan.sizeBytes;
    this.contentBytes = props.format === 'tar' ? plan.sizeBytes / 2 : plan.sizeBytes;
    this.fillTimeout = props.fillDeadline ?? Duration.seconds(plan.timeout.toSeconds() * 3 + 600);
    requireWholeSeconds(this, 'fillDeadline', this.fillTimeout, 1);
    check(this.fillTimeout.toSeconds() > plan.timeout.toSeconds(), this, {
      field: 'fillDeadline',
      value: `${this.fillTimeout.toSeconds()}s`,
      problem: `is not longer than one download (fetcher.timeout ${plan.timeout.toSeconds()}s)`,
      fix: 'allow for the download, its verification and a retry',
    });
    this.claimBytes = Math.ceil(modelVolumeBytes(plan.sizeBytes) / 2 ** 30) * 2 ** 30;
    const accessMode = props.accessMode ?? 'ReadOnlyMany';
    check(accessMode === 'ReadOnlyMany' || accessMode === 'ReadWriteMany', this, {
      field: 'accessMode',
      value: accessMode,
      problem: "is not 'ReadOnlyMany' or 'ReadWriteMany'",
      fix: 'replicas on several nodes need one of them',
    });
    this.claim = new plus.PersistentVolumeClaim(this, 'Claim', {
      metadata: meta,
      accessModes:
        accessMode === 'ReadWriteMany'
          ? [plus.PersistentVolumeAccessMode.READ_WRITE_MANY]
          : [plus.PersistentVolumeAccessMode.READ_WRITE_ONCE, plus.PersistentVolumeAccessMode.READ_ONLY_MANY],
      storage: Size.gibibytes(this.claimBytes / 2 ** 30),
      storageClassName: props.storageClass,
      volumeMode: plus.PersistentVolumeMode.FILE_SYSTEM,
    });
    const volume = plus.Volume.fromPersistentVolumeClaim(this, 'ModelVolume', this.claim, { name: 'model' });

    // Both steps skip a cache already verified for this digest, so a re-created Job never re-downloads.
    const skip = `if [ "$(cat "$MODEL_DIR/${VERIFIED_MARKER}" 2>/dev/null)" = "$MODEL_DIGEST" ]; then echo "already verified"; exit 0; fi`;
    const fetchCommand = plan.fetchContainer.command as string[];
    const fetch = {
      ...plan.fetchContainer,
      command: ['sh', '-c', `${skip}\nexec "$@"`, 'fetch-model', ...fetchCommand],
      env: [...(plan.fetchContainer.env as object[]), { name: 'MODEL_DIGEST', value: this.digest }],
    };
    const verify = plan.verifyContainer;
    const verifyEnv = Object.fromEntries((verify.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    const podProps: FiniteJobProps = {
      image: String(verify.image),
      command: ['sh', '-c', `${skip}\n${(verify.command as string[])[2]}`],
      resources: HELPER_RESOURCES.fill,
      runAs: props.runAs,
      activeDeadline: this.fillTimeout,
      backoffLimit: 3,
      ttlAfterFinished: Duration.days(7),
    };
    const shape = {
      kind: 'batch' as const,
      containerName: 'verify-model',
      env: verifyEnv,
      mounts: [{ volume, mountPath }],
      initContainers: [fetch],
      defaultSharedMemory: '1Gi',
    };
    this.pod = new PodTemplate(this, podProps, shape);
    this.serviceAccount = workloadServiceAccount(this, name, namespace, labels.common, false);
    const policy = new JobPolicy(this, podProps, {
      containerName: 'verify-model',
      defaultActiveDeadline: this.fillTimeout,
      defaultBackoffLimit: 3,
    });
    this.job = policy.createWorkload({
      metadata: { name, namespace, labels: labels.common },
      podMetadata: { labels: labels.pod, annotations: { 'cdk8s-ml.io/model-digest': this.digest } },
      podProps: podBaseProps(podProps, this.serviceAccount, shape),
      pod: this.pod,
    }).job!;
    this.networkPolicy = podTemplatePolicies(this, {
      name,
      namespace,
      labels: labels.common,
      selector: labels.selector,
      networkPolicy: props.networkPolicy,
      needsEgressFor: 'the model fetch',
      monitor: () => undefined,
    }).networkPolicy;
  }

  /** One fill pod, and the claim. */
  public capacity(): WorkloadCapacity {
    return {
      name: this.name,
      namespace: this.namespace,
      kind: 'batch',
      maxPods: 1,
      perPod: this.pod.renderedAmounts(),
      claims: { count: 1, storage: this.claimBytes },
    };
  }
}
