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
import { WorkloadLabels, requireDnsLabel } from './names';
import { workloadIdentity } from './workload-identity';
import { EgressPolicyProps } from './network';
import { podTemplatePolicies } from './pod-policies';
import { PodTemplate, podBaseProps, workloadServiceAccount } from './pod';
import { Platform } from './platform';
import { RunAsProps } from './security';
import { isDns1123Subdomain } from './validation/strings';

/** Props of {@link ModelCache}. */
export interface ModelCacheProps extends ModelFetchProps {
  /** Name of the claim, the fill Job and their objects. Name it after the model version: a new version is a new cache. @default - the construct id */
  readonly name?: string;
  /**
   * Namespace of the claim and the fill Job; workloads that mount the cache must run in it.
   * @default - the chart's namespace, else the platform's default namespace
   */
  readonly namespace?: string;
  /** Labels for every object, added to the platform's. @default - the platform's */
  readonly labels?: Record<string, string>;
  /**
   * How the claim is shared. `ReadWriteMany`: a shared filesystem (NFS, EFS, Filestore, CephFS) every node
   * mounts at once; servers mount it read-only. `ReadWriteOnce`: block storage (PD, EBS, Azure Disk, RBD)
   * one node attaches at a time, so only workloads whose pods all fit on one node may use the cache (an
   * error names the others). `ReadOnlyMany` is refused: a claim asking for ReadWriteOnce and ReadOnlyMany
   * is never attached by a CSI driver (kubernetes-csi/external-attacher, csi-lib-utils accessmodes), and a
   * ReadOnlyMany-only claim cannot be filled.
   * @default - 'ReadWriteMany' when the platform's `modelCacheStorage.readWriteMany` is true, else 'ReadWriteOnce'
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
  /**
   * StorageClass of the claim.
   * @default - the platform's `modelCacheStorage.storageClass`, else the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Longest the fill (download with resumed retries, then verification) may take; the fill Job's deadline,
   * and how long serving pods wait for the cache before they fail. It must allow the download of `size`
   * at the platform's `downloadBandwidthMiBps` and its verification.
   * @default - the download budget (`fetcher.timeout`) + the verification time + 10 minutes
   */
  readonly fillDeadline?: Duration;
  /** Egress of the fill Job beyond DNS: the object store or the Hub. `false` for no NetworkPolicy. */
  readonly networkPolicy: EgressPolicyProps | false;
  /**
   * Numeric user, group and fsGroup of the fill Job; the files it writes belong to them.
   * @default - the platform's `runAs`
   */
  readonly runAs?: RunAsProps;
}

/**
 * A model fetched once into a PersistentVolumeClaim by a one-off Job that verifies its checksums, then
 * mounted read-only by every replica and every rollout through `model: { cache }` (no per-pod download).
 * Creates the claim, the fill Job, its ServiceAccount and NetworkPolicy, all named after the cache. The
 * fill is idempotent: a Job re-created by GitOps finds the verified marker and exits without downloading.
 */
export class ModelCache extends Construct implements IModelCache, ICapacityClaimant {
  /** Name of the claim, the fill Job and their objects. */
  public readonly name: string;
  /** Namespace of the claim; workloads that mount the cache must run in it. */
  public readonly namespace: string;
  /** The PersistentVolumeClaim holding the model (the cache's `name`). */
  public readonly claimName: string;
  /** Labels of the cache's objects (selector, common and pod labels). */
  public readonly labels: WorkloadLabels;
  /** What the fill Job writes to `.verified` once the model is verified: the sha256, or that of the file list. */
  public readonly digest: string;
  /** `file`: one artifact (`file`); `directory`: a directory of files or an extracted archive. */
  public readonly layout: ModelLayout;
  /** The model file's name in the claim, for single-file models. */
  public readonly file?: string;
  /** The most disk the model takes, in bytes (`size`). */
  public readonly sizeBytes: number;
  /** What a server loads from the cache: the size, or half of it for an extracted tarball. */
  public readonly contentBytes: number;
  /** The fill Job's deadline (`fillDeadline`); serving pods wait this long for the cache before they fail. */
  public readonly fillTimeout: Duration;
  /** How the claim is shared: one node at a time, or every node. */
  public readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
  /** Bytes the claim requests: the model plus headroom, in whole GiB. */
  public readonly claimBytes: number;
  /**
   * The PersistentVolumeClaim (cdk8s-plus). Escape hatch (README "Extending a construct"): changes through its
   * cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly claim: plus.PersistentVolumeClaim;
  /** @internal */
  public readonly pod: PodTemplate;
  /**
   * The fill Job's ServiceAccount, named after it, with no API token mounted. Escape hatch (README "Extending a
   * construct"): annotations (e.g. a cloud IAM role) and other changes through cdk8s-plus or `metadata` reach the YAML.
   */
  public readonly serviceAccount: plus.ServiceAccount;
  /**
   * The fill Job (cdk8s-plus): fetches and verifies the model, then exits; a re-created Job finds the verified marker
   * and exits at once. Escape hatch (README "Extending a construct"): the env, mounts, ports, containers, volumes,
   * tolerations and pod metadata you add through cdk8s-plus are merged with the construct's own at synth; changing what
   * it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly job: plus.Job;
  /**
   * The fill Job's NetworkPolicy: DNS and the declared store only; undefined with `networkPolicy: false`. Escape hatch
   * (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;

  /** Creates the claim and the fill Job; throws `MlValidationError` for props a cluster would refuse. */
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
    const minimum = plan.budget.transferSeconds + plan.budget.verifySeconds;
    this.fillTimeout = props.fillDeadline ?? Duration.seconds(plan.timeout.toSeconds() + plan.budget.verifySeconds + 600);
    requireWholeSeconds(this, 'fillDeadline', this.fillTimeout, 1);
    check(this.fillTimeout.toSeconds() >= minimum, this, {
      field: 'fillDeadline',
      value: `${this.fillTimeout.toSeconds()}s`,
      problem: `cannot fit the fill: ${plan.budget.arithmetic}, together at least ${minimum} s`,
      fix: `allow at least ${plan.timeout.toSeconds() + plan.budget.verifySeconds + 600}s (or leave it unset), or declare the real bandwidth in the platform's downloadBandwidthMiBps`,
    });
    this.claimBytes = Math.ceil(modelVolumeBytes(plan.sizeBytes) / 2 ** 30) * 2 ** 30;
    const storage = Platform.of(this).modelCacheStorage;
    const accessMode = props.accessMode ?? (storage.readWriteMany ? 'ReadWriteMany' : 'ReadWriteOnce');
    check(accessMode === 'ReadWriteOnce' || accessMode === 'ReadWriteMany', this, {
      field: 'accessMode',
      value: accessMode,
      problem:
        (accessMode as string) === 'ReadOnlyMany'
          ? 'would ask for ReadWriteOnce and ReadOnlyMany on one claim, which the CSI external-attacher refuses to attach ("CSI does not support ReadOnlyMany and ReadWriteOnce on the same PersistentVolume"), so the cache is never filled'
          : "is not 'ReadWriteOnce' or 'ReadWriteMany'",
      fix: "use 'ReadWriteMany' on a shared filesystem (set the platform's modelCacheStorage: { storageClass, readWriteMany: true }), or 'ReadWriteOnce' for replicas on one node",
    });
    check(props.storageClass === undefined || isDns1123Subdomain(props.storageClass), this, {
      field: 'storageClass',
      value: props.storageClass,
      problem: 'is not a valid StorageClass name (a DNS-1123 subdomain)',
      fix: "use the StorageClass's name as 'kubectl get storageclass' lists it, e.g. 'shared-rwx'",
    });
    this.accessMode = accessMode;
    this.claim = new plus.PersistentVolumeClaim(this, 'Claim', {
      metadata: meta,
      accessModes: [
        accessMode === 'ReadWriteMany' ? plus.PersistentVolumeAccessMode.READ_WRITE_MANY : plus.PersistentVolumeAccessMode.READ_WRITE_ONCE,
      ],
      storage: Size.gibibytes(this.claimBytes / 2 ** 30),
      storageClassName: props.storageClass ?? storage.storageClass,
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
