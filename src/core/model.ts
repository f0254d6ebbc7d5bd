import { Duration, Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { check } from './errors';
import { EnvValue } from './env';
import { requireImmutableImage } from './image';
import { ModelSource } from './model-source';
import { isLabelValue } from './names';
import { PodMount } from './pod';
import { Platform } from './platform';
import { requireQuantity, sizeOfBytes } from './quantity';
import { ResourceProps, containerResources } from './resources';

/** How the artifact at `model.uri` is fetched before the server starts. */
export interface ModelFetcherProps {
  /**
   * Image of the init container. It gets `MODEL_URI`, `MODEL_SHA256`, `MODEL_DIR` and `MODEL_FILE`,
   * and runs as the platform's `modelFetcher` uid/gid (65532 by default).
   * @default - the platform's `modelFetcher.image` ('curlimages/curl:8.10.1'; http and https only)
   */
  readonly image?: string;
  /**
   * Command that downloads `$MODEL_URI` to `$MODEL_DIR/$MODEL_FILE` and verifies `$MODEL_SHA256`.
   * Required for schemes other than http(s), e.g. `s3://` with an AWS CLI image.
   * @default - curl with retries, then `sha256sum -c`
   */
  readonly command?: string[];
  /** @default { cpu: '100m', memory: '256Mi', ephemeralStorage: '256Mi' } */
  readonly resources?: ResourceProps;
  /** Longest the download may take; counts against the rollout's progress deadline. @default Duration.minutes(10) */
  readonly timeout?: Duration;
}

/** The model a workload serves, so that `kubectl` shows which model serves. */
export interface ModelProps {
  /** Model name, e.g. `sentiment-bert`. */
  readonly name: string;
  /** Model version; on the pod template as `app.kubernetes.io/version` when a valid label value, and as an annotation. */
  readonly version: string;
  /**
   * Where the artifact lives (`https://...`, `s3://...`). An init container fetches it and verifies
   * `sha256` before the server starts.
   * @default - the model is in the image or on `claimName`
   */
  readonly uri?: string;
  /** SHA-256 of the artifact (64 hex digits); required with `uri`. @default - none */
  readonly sha256?: string;
  /** An existing PersistentVolumeClaim holding the model, mounted read-only. @default - none */
  readonly claimName?: string;
  /** Where the server finds the model. @default '/models' */
  readonly mountPath?: string;
  /**
   * Size of the model on disk (`'40Gi'` or `Size.gibibytes(40)`); required with `uri`. The download
   * volume's `sizeLimit` is this plus 10% (at least 256Mi) for the partial file and filesystem
   * overhead, and is added to the server container's `ephemeral-storage` request and limit.
   * @default - none (required with `uri`)
   */
  readonly size?: string | Size;
  /** @default - curl for http(s) URIs */
  readonly fetcher?: ModelFetcherProps;
}

/** What a model adds to a pod. */
export interface ModelArtifact {
  readonly env: Record<string, EnvValue>;
  readonly mounts: PodMount[];
  readonly initContainers: Record<string, unknown>[];
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  /** Where the model is in the pod; what a runtime passes to its server. */
  readonly source: ModelSource;
  /** Bytes of disk-backed `emptyDir` the model adds (its `sizeLimit`), for the ephemeral-storage request. */
  readonly volumeBytes: number;
  /** Time the fetch may take before the server starts. */
  readonly fetchTimeout: Duration;
  readonly fetchesOverNetwork: boolean;
}

const ANNOTATION = 'cdk8s-ml.io';
const MIN_HEADROOM = 256 * 2 ** 20;

/** The model download volume's `sizeLimit` for a model of `bytes`: 10% headroom, at least 256Mi, whole mebibytes. */
export function modelVolumeBytes(bytes: number): number {
  return Math.ceil((bytes + Math.max(bytes * 0.1, MIN_HEADROOM)) / 2 ** 20) * 2 ** 20;
}

/** Bytes of `model.size` (a quantity string or a Size), or a clear error naming the field. */
export function modelSizeBytes(owner: Construct, field: string, size: string | Size): number {
  const bytes = size instanceof Size ? size.toKibibytes() * 2 ** 10 : requireQuantity(owner, field, size, '40Gi');
  check(bytes > 0, owner, { field, value: size instanceof Size ? `${size.toMebibytes()}Mi` : size, problem: 'is zero', fix: "declare the model's size on disk, e.g. '40Gi'" });
  return bytes;
}

/**
 * Where `model` will be in the pod, from its props alone (not validated; {@link modelArtifact} is).
 * Runtime presets use it to point their server at the model.
 */
export function modelSource(model: ModelProps, sizeBytes?: number): ModelSource {
  const mountPath = model.mountPath ?? '/models';
  if (model.uri && !model.claimName) return { mountPath, layout: 'file', modelPath: `${mountPath}/${modelFileName(model.uri)}`, sizeBytes };
  return { mountPath, layout: 'directory', modelPath: mountPath, sizeBytes };
}

function modelFileName(uri: string): string {
  return uri.split(/[?#]/)[0].replace(/^[a-z0-9+.-]+:\/\/[^/]*/i, '').split('/').filter(Boolean).pop() ?? 'model';
}

/** Validates `model` and returns what it adds to the pod. */
export function modelArtifact(owner: Construct, model: ModelProps): ModelArtifact {
  check(typeof model.name === 'string' && model.name.length > 0, owner, { field: 'model.name', value: model.name, problem: 'is empty', fix: 'name the model' });
  check(typeof model.version === 'string' && model.version.length > 0, owner, { field: 'model.version', value: model.version, problem: 'is empty', fix: 'give the model version that serves' });
  check(!(model.uri && model.claimName), owner, {
    field: 'model.claimName', value: model.claimName, problem: 'is set together with model.uri', fix: 'either fetch from uri or mount an existing claim, not both',
  });
  check(!model.uri || (model.sha256 !== undefined && /^[a-f0-9]{64}$/.test(model.sha256)), owner, {
    field: 'model.sha256', value: model.sha256, problem: 'is not a SHA-256 (64 lowercase hex digits)',
    fix: 'give the checksum of the artifact at model.uri so a changed or corrupt artifact never serves',
  });
  const mountPath = model.mountPath ?? '/models';
  check(mountPath.startsWith('/'), owner, { field: 'model.mountPath', value: mountPath, problem: 'is not an absolute path', fix: "use e.g. '/models'" });
  const env: Record<string, EnvValue> = {
    MODEL_NAME: EnvValue.value(model.name),
    MODEL_VERSION: EnvValue.value(model.version),
    MODEL_DIR: EnvValue.value(mountPath),
  };
  const podLabels: Record<string, string> = isLabelValue(model.name) ? { [`${ANNOTATION}/model`]: model.name } : {};
  const podAnnotations: Record<string, string> = {
    [`${ANNOTATION}/model-name`]: model.name,
    [`${ANNOTATION}/model-version`]: model.version,
    ...(model.uri ? { [`${ANNOTATION}/model-uri`]: model.uri } : {}),
    ...(model.sha256 ? { [`${ANNOTATION}/model-sha256`]: model.sha256 } : {}),
  };
  const sizeBytes = model.size !== undefined ? modelSizeBytes(owner, 'model.size', model.size) : undefined;
  const none = {
    env, podLabels, podAnnotations, initContainers: [], fetchTimeout: Duration.seconds(0), fetchesOverNetwork: false, volumeBytes: 0,
    source: modelSource(model, sizeBytes),
  };
  if (model.claimName) {
    const claim = plus.PersistentVolumeClaim.fromClaimName(owner, 'ModelClaim', model.claimName);
    const volume = plus.Volume.fromPersistentVolumeClaim(owner, 'ModelVolume', claim, { name: 'model', readOnly: true });
    return { ...none, mounts: [{ volume, mountPath, readOnly: true }] };
  }
  if (!model.uri) return { ...none, mounts: [] };
  return fetchedModel(owner, model, mountPath, none);
}

function fetchedModel(owner: Construct, model: ModelProps, mountPath: string, base: Omit<ModelArtifact, 'mounts'>): ModelArtifact {
  const uri = model.uri!;
  check(model.size !== undefined, owner, {
    field: 'model.size', value: model.size, problem: 'is required to fetch model.uri',
    fix: "declare the model's size on disk (e.g. size: '40Gi'): it bounds the download volume and is requested as ephemeral-storage, so the scheduler places the pod on a node with room and the kubelet never evicts it for a full disk",
  });
  const fetcher = model.fetcher ?? {};
  const http = /^https?:\/\//.test(uri);
  check(http || fetcher.command !== undefined, owner, {
    field: 'model.uri', value: uri, problem: 'has a scheme the default fetcher (curl) cannot read',
    fix: 'set model.fetcher.image and model.fetcher.command to a tool that reads it (e.g. the AWS CLI for s3://)',
  });
  const platform = Platform.of(owner);
  const image = fetcher.image ?? platform.modelFetcher.image;
  requireImmutableImage(owner, fetcher.image ? 'model.fetcher.image' : 'platform modelFetcher.image', image, platform);
  const timeout = fetcher.timeout ?? Duration.minutes(10);
  const volumeBytes = modelVolumeBytes(base.source.sizeBytes!);
  const file = modelFileName(uri);
  const command = fetcher.command ?? ['sh', '-c', [
    'set -eu',
    'tmp="$MODEL_DIR/.download"',
    `curl --fail --silent --show-error --location --retry 5 --retry-connrefused --max-time ${timeout.toSeconds()} --output "$tmp" "$MODEL_URI"`,
    'echo "$MODEL_SHA256  $tmp" | sha256sum -c -',
    'mv "$tmp" "$MODEL_DIR/$MODEL_FILE"',
  ].join('\n')];
  const volume = plus.Volume.fromEmptyDir(owner, 'ModelVolume', 'model', { sizeLimit: sizeOfBytes(volumeBytes) });
  const initContainer = {
    name: 'fetch-model',
    image,
    imagePullPolicy: 'IfNotPresent',
    command,
    env: [
      { name: 'MODEL_URI', value: uri },
      { name: 'MODEL_SHA256', value: model.sha256 },
      { name: 'MODEL_DIR', value: mountPath },
      { name: 'MODEL_FILE', value: file },
    ],
    resources: containerResources(owner, 'model.fetcher.resources', fetcher.resources ?? { cpu: '100m', memory: '256Mi' }),
    volumeMounts: [{ name: 'model', mountPath }, { name: 'tmp', mountPath: '/tmp' }],
    runAs: { runAsUser: platform.modelFetcher.runAsUser, runAsGroup: platform.modelFetcher.runAsGroup },
  };
  return {
    ...base,
    env: { ...base.env, MODEL_FILE: EnvValue.value(file) },
    mounts: [{ volume, mountPath, readOnly: true }],
    initContainers: [initContainer],
    volumeBytes,
    fetchTimeout: timeout,
    fetchesOverNetwork: true,
  };
}
