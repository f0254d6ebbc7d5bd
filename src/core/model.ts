import { Duration, Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { check } from './errors';
import { MlEnvValue } from './env';
import {
  HELPER_RESOURCES,
  ModelFetchProps,
  VERIFIED_MARKER,
  fetchUri,
  fetchesModel,
  modelFileName,
  modelSizeBytes,
  planModelFetch,
} from './model-fetch';
import { ModelLayout, ModelSource } from './model-source';
import { isLabelValue } from './names';
import { PodMount } from './pod-mount';
import { Platform } from './platform';
import { parseQuantity, sizeOfBytes } from './quantity';
import { MlResourceProps, containerResources } from './resources';
import { redactUri } from './secrets';

/** A filled, verified model on a shared claim (see `ModelCache`), as a workload's model needs it. */
export interface IModelCache extends IConstruct {
  /** The PersistentVolumeClaim holding the model. */
  readonly claimName: string;
  /** The claim's namespace: only pods of that namespace can mount it. */
  readonly namespace: string;
  /** What the fill Job writes to `.verified` once the model is verified. */
  readonly digest: string;
  /** `file`: one artifact (`file`); `directory`: a directory of files. */
  readonly layout: ModelLayout;
  /** The file's name, for single-file models. @default - none (a directory model) */
  readonly file?: string;
  /** The most disk the model takes, in bytes (for a tarball: archive plus extracted content). */
  readonly sizeBytes: number;
  /** What a server loads from it, in bytes (half of `sizeBytes` for an extracted tarball). @default - sizeBytes */
  readonly contentBytes?: number;
  /** Longest the fill may take; pods wait this long for it. */
  readonly fillTimeout: Duration;
  /**
   * `ReadWriteOnce`: one node attaches the claim at a time, so a workload whose pods may run on several
   * nodes cannot mount it. @default - unknown (not checked)
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
}

/** The model a workload serves, so that `kubectl` shows which model serves. */
export interface ModelProps extends ModelFetchProps {
  /** Model name, e.g. `sentiment-bert`. */
  readonly name: string;
  /** Model version; on the pod template as `app.kubernetes.io/version` when a valid label value, and as an annotation. */
  readonly version: string;
  /** An existing PersistentVolumeClaim holding the model, mounted read-only. @default - none */
  readonly claimName?: string;
  /**
   * A `ModelCache`: a claim filled and verified once by a Job, mounted read-only by every replica (no
   * download per pod or per rollout). Pods wait in a `wait-model` init container until the fill is verified.
   * @default - none
   */
  readonly cache?: IModelCache;
  /** Where the server finds the model. @default '/models' */
  readonly mountPath?: string;
}

/** What a model adds to a pod. */
export interface ModelArtifact {
  readonly env: Record<string, MlEnvValue>;
  readonly mounts: PodMount[];
  readonly initContainers: Record<string, unknown>[];
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  /** Where the model is in the pod; what a runtime passes to its server. */
  readonly source: ModelSource;
  /** Bytes of disk-backed `emptyDir` the model adds (its `sizeLimit`), charged to ephemeral-storage. */
  readonly volumeBytes: number;
  /** Time the fetch (or the wait for a cache) may take before the server starts. */
  readonly fetchTimeout: Duration;
  readonly fetchesOverNetwork: boolean;
}

const ANNOTATION = 'cdk8s-ml.io';
const MIN_HEADROOM = 256 * 2 ** 20;

/** The model download volume's `sizeLimit` for a model of `bytes`: 10% headroom, at least 256Mi, whole mebibytes. */
export function modelVolumeBytes(bytes: number): number {
  return Math.ceil((bytes + Math.max(bytes * 0.1, MIN_HEADROOM)) / 2 ** 20) * 2 ** 20;
}

/**
 * Where `model` will be in the pod, from its props alone (not validated; {@link modelArtifact} is).
 * Runtime presets use it to point their server at the model.
 */
export function modelSource(model: ModelProps): ModelSource {
  const mountPath = model.mountPath ?? '/models';
  const at = (layout: ModelLayout, file: string | undefined, sizeBytes: number | undefined, contentBytes = sizeBytes): ModelSource => ({
    mountPath,
    layout,
    modelPath: layout === 'file' && file ? `${mountPath}/${file}` : mountPath,
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
    ...(contentBytes !== undefined ? { contentBytes } : {}),
  });
  const size = model.size instanceof Size ? model.size.toKibibytes() * 2 ** 10 : parseQuantity(model.size);
  if (model.cache)
    return at(model.cache.layout, model.cache.file, model.cache.sizeBytes, model.cache.contentBytes ?? model.cache.sizeBytes);
  const uri = fetchUri(model);
  if (uri && !model.claimName) {
    const directory = model.files !== undefined || model.format === 'tar' || model.huggingFace !== undefined;
    return at(directory ? 'directory' : 'file', modelFileName(uri), size, model.format === 'tar' && size !== undefined ? size / 2 : size);
  }
  return at('directory', undefined, size);
}

/** Validates `model` and returns what it adds to the pod. */
export function modelArtifact(owner: Construct, model: ModelProps): ModelArtifact {
  check(typeof model.name === 'string' && model.name.length > 0, owner, {
    field: 'model.name',
    value: model.name,
    problem: 'is empty',
    fix: "set model.name, e.g. 'sentiment'",
  });
  check(typeof model.version === 'string' && model.version.length > 0, owner, {
    field: 'model.version',
    value: model.version,
    problem: 'is empty',
    fix: "set model.version to the version that serves, e.g. 'v3'",
  });
  const sources = [
    fetchesModel(model) ? (model.huggingFace ? 'huggingFace' : 'uri') : undefined,
    model.claimName ? 'claimName' : undefined,
    model.cache ? 'cache' : undefined,
  ].filter(Boolean);
  check(sources.length <= 1, owner, {
    field: `model.${sources[1]}`,
    value: model.claimName ?? model.cache?.node.path,
    problem: `is set together with model.${sources[0]}`,
    fix: 'either fetch from uri / huggingFace, mount an existing claim, or mount a ModelCache, not several',
  });
  const mountPath = model.mountPath ?? '/models';
  check(/^\/[^\s]*$/.test(mountPath) && !['/', '/tmp', '/dev/shm'].includes(mountPath.replace(/\/+$/, '') || '/'), owner, {
    field: 'model.mountPath',
    value: mountPath,
    problem: 'is not an absolute path of its own',
    fix: "use e.g. '/models'",
  });
  const source = modelSource(model);
  const uri = fetchUri(model);
  const env: Record<string, MlEnvValue> = {
    MODEL_NAME: MlEnvValue.value(model.name),
    MODEL_VERSION: MlEnvValue.value(model.version),
    MODEL_DIR: MlEnvValue.value(mountPath),
    ...(source.layout === 'file' && source.modelPath !== mountPath
      ? { MODEL_FILE: MlEnvValue.value(source.modelPath.slice(mountPath.length + 1)) }
      : {}),
  };
  const podLabels: Record<string, string> = isLabelValue(model.name) ? { [`${ANNOTATION}/model`]: model.name } : {};
  const podAnnotations: Record<string, string> = {
    [`${ANNOTATION}/model-name`]: model.name,
    [`${ANNOTATION}/model-version`]: model.version,
    ...(uri && !model.cache ? { [`${ANNOTATION}/model-uri`]: redactUri(uri) } : {}),
    ...(model.sha256 ? { [`${ANNOTATION}/model-sha256`]: model.sha256 } : {}),
    ...(model.cache ? { [`${ANNOTATION}/model-cache`]: model.cache.claimName } : {}),
  };
  const sizeBytes = model.size !== undefined ? modelSizeBytes(owner, 'model.size', model.size) : undefined;
  const base = {
    env,
    podLabels,
    podAnnotations,
    initContainers: [],
    fetchTimeout: Duration.seconds(0),
    fetchesOverNetwork: false,
    volumeBytes: 0,
    source:
      sizeBytes !== undefined && !model.cache
        ? { ...source, sizeBytes, contentBytes: model.format === 'tar' && fetchesModel(model) ? sizeBytes / 2 : sizeBytes }
        : source,
  };
  if (model.claimName) {
    const claim = plus.PersistentVolumeClaim.fromClaimName(owner, 'ModelClaim', model.claimName);
    const volume = plus.Volume.fromPersistentVolumeClaim(owner, 'ModelVolume', claim, { name: 'model', readOnly: true });
    return { ...base, ...claimedModel(owner, model, mountPath), mounts: [{ volume, mountPath, readOnly: true }] };
  }
  if (model.cache) return cachedModel(owner, model.cache, mountPath, base);
  if (!fetchesModel(model)) return { ...base, mounts: [] };

  const plan = planModelFetch(owner, 'model', model, mountPath, 'model');
  const volumeBytes = modelVolumeBytes(plan.sizeBytes);
  const volume = plus.Volume.fromEmptyDir(owner, 'ModelVolume', 'model', { sizeLimit: sizeOfBytes(volumeBytes) });
  return {
    ...base,
    podAnnotations: plan.digest === model.sha256 ? podAnnotations : { ...podAnnotations, [`${ANNOTATION}/model-digest`]: plan.digest },
    mounts: [{ volume, mountPath, readOnly: true }],
    initContainers: [plan.fetchContainer, plan.verifyContainer],
    volumeBytes,
    fetchTimeout: Duration.seconds(plan.timeout.toSeconds() + plan.budget.verifySeconds),
    fetchesOverNetwork: true,
  };
}

/**
 * Throws when `cache` is on storage one node attaches at a time (ReadWriteOnce) and `pods` pods of the
 * workload may run at once (`why` says which): pods on a second node never start (Multi-Attach error).
 * `single` is the setting that runs one pod.
 */
export function requireCacheAttachable(
  owner: Construct,
  cache: IModelCache | undefined,
  pods: number,
  why: string,
  single = 'replicas: 1, rollout: { maxSurge: 0, maxUnavailable: 1 }',
): void {
  check(!(cache?.accessMode === 'ReadWriteOnce' && pods > 1), owner, {
    field: 'model.cache',
    value: cache && `${cache.namespace}/${cache.claimName}`,
    problem: `is on ReadWriteOnce storage, which one node attaches at a time, but ${why} (${pods} pods) may run on several nodes: pods on a second node never start (Multi-Attach error)`,
    fix: `fill the cache on a shared filesystem (ModelCache accessMode: 'ReadWriteMany', or the platform's modelCacheStorage: { storageClass: '...', readWriteMany: true }), or run a single pod (${single})`,
  });
}

/** The namespace of the nearest workload construct above `owner` (a canary track or a worker template has none of its own). */
function workloadNamespace(owner: Construct): string | undefined {
  for (let s: IConstruct | undefined = owner; s; s = s.node.scope) {
    const ns = (s as IConstruct & { namespace?: unknown }).namespace;
    if (typeof ns === 'string') return ns;
  }
  return undefined;
}

/** True when the claim's name carries the model version as a whole token (`fraud-models-v13` for `v13` or `13`). */
export function claimNamesVersion(claimName: string, version: string): boolean {
  const token = version
    .toLowerCase()
    .replace(/^v(?=\d)/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (token.length === 0) return false;
  return new RegExp(`(^|[-.])v?${token.replace(/[-]/g, '[-.]')}($|[-.])`).test(claimName);
}

/**
 * An existing claim is plain storage: anything can be written to it under the same name. It serves a model
 * version only if its name is that version's (a new version is a new claim, a rollback mounts the old one), or
 * if the files are listed with their sha256 and checked, read-only, before the server starts.
 */
function claimedModel(owner: Construct, model: ModelProps, mountPath: string): Pick<ModelArtifact, 'initContainers'> {
  const files = model.files;
  check(files !== undefined || claimNamesVersion(model.claimName!, model.version), owner, {
    field: 'model.claimName',
    value: model.claimName,
    problem: `does not name the model version (${model.version}) and no files with their sha256 are given: whatever is on the claim serves as ${model.version}, and a rewritten claim silently serves another model`,
    fix: `name the claim after the version (e.g. '${model.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${model.version.toLowerCase().replace(/[^a-z0-9]+/g, '-')}'; a new version is a new claim), list model.files with their sha256 to check them at start, or use a ModelCache`,
  });
  if (files === undefined) return { initContainers: [] };
  const paths = Object.keys(files);
  check(
    paths.length > 0 && paths.every((p) => /^[a-f0-9]{64}$/.test(files[p]) && !p.startsWith('/') && !p.split('/').includes('..')),
    owner,
    {
      field: 'model.files',
      value: `${paths.length} files`,
      problem: 'must list relative paths, each with a SHA-256 (64 lowercase hex digits)',
      fix: "list every file the server reads, e.g. { 'model.onnx': '<sha256>' }",
    },
  );
  const manifest = paths
    .sort()
    .map((p) => `${files[p]}  ${p}`)
    .join('\n');
  // Read-only: a mismatch stops the pod (the claim is not ours to wipe).
  const verify = helperContainer(
    owner,
    'verify-model',
    'model.claimName',
    HELPER_RESOURCES.verify,
    mountPath,
    [
      'set -eu',
      'cd "$MODEL_DIR"',
      'printf \'%s\\n\' "$MODEL_FILES" | sha256sum -c - >/dev/null || { echo "model claim $MODEL_CLAIM does not hold $MODEL_NAME $MODEL_VERSION: sha256 mismatch or missing file" >&2; exit 1; }',
    ],
    {
      MODEL_CLAIM: model.claimName!,
      MODEL_NAME: model.name,
      MODEL_VERSION: model.version,
      MODEL_DIR: mountPath,
      MODEL_FILES: manifest,
    },
  );
  return { initContainers: [verify] };
}

/** The cache's claim, read-only, and a wait until its fill is verified (no download, no network). */
function cachedModel(owner: Construct, cache: IModelCache, mountPath: string, base: Omit<ModelArtifact, 'mounts'>): ModelArtifact {
  const namespace = workloadNamespace(owner);
  check(namespace === undefined || namespace === cache.namespace, owner, {
    field: 'model.cache',
    value: `${cache.namespace}/${cache.claimName}`,
    problem: `is in another namespace than the workload (${namespace})`,
    fix: `create the ModelCache in namespace '${namespace}' (a claim is mounted only in its own namespace)`,
  });
  const claim = plus.PersistentVolumeClaim.fromClaimName(owner, 'ModelClaim', cache.claimName);
  const volume = plus.Volume.fromPersistentVolumeClaim(owner, 'ModelVolume', claim, { name: 'model', readOnly: true });
  const timeout = cache.fillTimeout.toSeconds();
  const wait = helperContainer(
    owner,
    'wait-model',
    'model.cache',
    HELPER_RESOURCES.wait,
    mountPath,
    [
      'set -eu',
      `end=$(( $(date +%s) + ${timeout} ))`,
      `until [ "$(cat "$MODEL_DIR/${VERIFIED_MARKER}" 2>/dev/null)" = "$MODEL_DIGEST" ]; do`,
      `  if [ "$(date +%s)" -ge "$end" ]; then echo "model cache $MODEL_CACHE is not filled and verified after ${timeout}s; see its fill Job" >&2; exit 1; fi`,
      '  sleep 10',
      'done',
    ],
    { MODEL_CACHE: cache.claimName, MODEL_DIGEST: cache.digest, MODEL_DIR: mountPath },
  );
  return {
    ...base,
    podAnnotations: { ...base.podAnnotations, [`${ANNOTATION}/model-digest`]: cache.digest },
    mounts: [{ volume, mountPath, readOnly: true }],
    initContainers: [wait],
    fetchTimeout: cache.fillTimeout,
  };
}

/** An init container of the platform's fetcher image that runs `script` over the model volume, read-only. */
function helperContainer(
  owner: Construct,
  name: string,
  field: string,
  resources: MlResourceProps,
  mountPath: string,
  script: string[],
  env: Record<string, string>,
): Record<string, unknown> {
  const platform = Platform.of(owner);
  const helper = platform.modelFetcher;
  return {
    name,
    image: helper.image,
    imagePullPolicy: platform.imagePullPolicy,
    command: ['sh', '-c', script.join('\n')],
    env: Object.entries(env).map(([k, value]) => ({ name: k, value })),
    resources: containerResources(owner, field, resources),
    volumeMounts: [{ name: 'model', mountPath, readOnly: true }],
    runAs: { runAsUser: helper.runAsUser, runAsGroup: helper.runAsGroup },
  };
}
