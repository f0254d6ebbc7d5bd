import { createHash } from 'crypto';
import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvMap, MlEnvValue, envList } from './env';
import { requireWholeSeconds } from './durations';
import { check } from './errors';
import { requireImmutableImage } from './image';
import { DOWNLOAD_RETRIES, DownloadBudget, downloadBudget } from './download-budget';
import { ModelLayout } from './model-source';
import { Platform } from './platform';
import { requireQuantity } from './quantity';
import { MlResourceProps, containerResources } from './resources';
import { SecretKeyRef, requireNoCredentialsInUri } from './secrets';

/** How a model is downloaded before it is verified. */
export interface ModelFetcherProps {
  /**
   * Image that downloads the model. It gets `MODEL_URI`, `MODEL_DIR`, `MODEL_TARGET` (where to write a
   * single file or archive), `MODEL_FILES` (for directories: `<sha256>  <relative path>` lines),
   * `MODEL_TOKEN` (with `token`) and `HOME=/tmp`, and runs as the platform's `modelFetcher` uid/gid.
   * It also runs the verification (`verify-model`), so besides its download tool it needs a POSIX shell
   * and `sha256sum`, plus `tar` for `format: 'tar'` and `find`, `sort`, `cmp` and `comm` for `files`.
   * Like every image, it must come from a registry the platform allows.
   * @default - the platform's `modelFetcher.image` ('curlimages/curl:8.10.1'; https only)
   */
  readonly image?: string;
  /**
   * Command that downloads `$MODEL_URI` to `$MODEL_TARGET` (a file or an archive), or each file of
   * `$MODEL_FILES` from `$MODEL_URI/<path>` to `$MODEL_DIR/<path>` (a directory), e.g.
   * `['sh', '-c', 'aws s3 cp "$MODEL_URI" "$MODEL_TARGET"']` with an AWS CLI image.
   * Required for schemes other than https. It need not verify: `verify-model` does, for every scheme.
   * @default - curl with retries (https only)
   */
  readonly command?: string[];
  /**
   * Environment of the fetcher (e.g. `AWS_REGION`, or credentials by `MlEnvValue.fromSecret`); literal
   * values that look like credentials are an error.
   * @default - none
   */
  readonly env?: EnvMap;
  /**
   * Requests and limits of the `fetch-model` container (`verify-model` keeps the library's own).
   * @default { cpu: '100m', cpuLimit: '1', memory: '256Mi', ephemeralStorage: '256Mi' }
   */
  readonly resources?: MlResourceProps;
  /**
   * Longest the download may take, all resumed attempts together; counts against the rollout's progress
   * deadline. It must allow the transfer of `size` at the platform's `downloadBandwidthMiBps`.
   * @default - the transfer at the platform's bandwidth with 25 % margin, plus the retries' pauses and stalls
   */
  readonly timeout?: Duration;
}

/** A Hugging Face model repository at a pinned commit. */
export interface HuggingFaceRepo {
  /** Repository id, e.g. `meta-llama/Llama-3.1-8B-Instruct`. */
  readonly repo: string;
  /** The commit (40 hex digits) to fetch; a branch or tag can move under the same name. */
  readonly revision: string;
  /**
   * Hub URL the files are fetched from.
   * @default 'https://huggingface.co' (a mirror or proxy, e.g. an internal Hub mirror)
   */
  readonly endpoint?: string;
}

/** Where a model is downloaded from and how it is verified. */
export interface ModelFetchProps {
  /**
   * Where the model lives: `https://...`, `s3://...`, `gs://...` (any scheme with `fetcher.command`).
   * For a directory (`files`) it is the directory's prefix. `http://` needs `allowInsecureHttp`.
   * @default - none (the model is in the image, on `claimName`, in `cache`, or on `huggingFace`)
   */
  readonly uri?: string;
  /** A Hugging Face repository at a pinned commit, fetched file by file (`files` required). @default - none */
  readonly huggingFace?: HuggingFaceRepo;
  /** SHA-256 (64 lowercase hex digits) of the file or archive at `uri`. @default - none (required unless `files`) */
  readonly sha256?: string;
  /**
   * A directory model: relative path → SHA-256 of every file (e.g. `{ 'config.json': '...', 'model-00001-of-00004.safetensors': '...' }`).
   * Each file is fetched from `<uri>/<path>` and verified; a missing, changed or extra file fails the fetch.
   * @default - a single file or archive verified by `sha256`
   */
  readonly files?: Record<string, string>;
  /**
   * `file`: one artifact. `tar`: an archive (`.tar`, `.tar.gz`, `.tgz`) verified by `sha256`, then extracted into
   * the model directory (its members may not be absolute or contain `..`).
   * @default 'file'
   */
  readonly format?: 'file' | 'tar';
  /**
   * The most disk the model takes while it is fetched (`'40Gi'` or `Size.gibibytes(40)`): the file, the
   * directory's files, or for a tarball the archive plus its extracted content. Required with a fetch.
   * @default - none (required with `uri` or `huggingFace`)
   */
  readonly size?: string | Size;
  /** A bearer token for `https` (sent as `Authorization: Bearer`; the Hugging Face token for `huggingFace`). @default - none */
  readonly token?: SecretKeyRef;
  /** Allow `http://` (no transport security; the checksum still protects integrity). @default false */
  readonly allowInsecureHttp?: boolean;
  /** The image and command that download the model, for stores other than https. @default - curl for https */
  readonly fetcher?: ModelFetcherProps;
}

/** A validated fetch: where from, what is verified, and the containers that do it. */
export interface ModelFetchPlan {
  readonly uri: string;
  readonly layout: ModelLayout;
  /** The file's name, for single-file models. */
  readonly file?: string;
  readonly sizeBytes: number;
  /** What `.verified` holds once the model is verified: the sha256, or the sha256 of the file list. */
  readonly digest: string;
  /** The download budget (fetcher.timeout or derived). */
  readonly timeout: Duration;
  /** How the budget was derived, and the verification time it does not include. */
  readonly budget: DownloadBudget;
  /** Downloads the model into the volume mounted at `mountPath`. */
  readonly fetchContainer: Record<string, unknown>;
  /** Verifies it with the fetcher's image (wipes the volume and fails on a mismatch). */
  readonly verifyContainer: Record<string, unknown>;
  /** The platform's fetcher image and identity (verification, cache waits). */
  readonly helperImage: string;
  readonly helperRunAs: { readonly runAsUser: number; readonly runAsGroup: number };
}

/**
 * Resources of the library's own short-lived helper containers. Each has a CPU limit: a download, a
 * checksum or a wait loop is not latency-sensitive, and a limit keeps a helper from taking a node's idle
 * CPU from the servers beside it. One core is what curl, sha256sum and tar use (each is single-threaded).
 */
export const HELPER_RESOURCES = {
  fetch: { cpu: '100m', cpuLimit: '1', memory: '256Mi' },
  verify: { cpu: '100m', cpuLimit: '1', memory: '128Mi' },
  /** The ModelCache fill Job's verifying container (its main container). */
  fill: { cpu: '500m', cpuLimit: '1', memory: '256Mi' },
  wait: { cpu: '10m', cpuLimit: '100m', memory: '16Mi' },
} as const;

/** The file written beside a verified model, holding {@link ModelFetchPlan.digest}. */
export const VERIFIED_MARKER = '.verified';

const SHA256 = /^[a-f0-9]{64}$/;
const REL_PATH = /^(?!.*(^|\/)\.{1,2}(\/|$))[\w@+=-][\w.@+=-]*(\/[\w@+=-][\w.@+=-]*)*$/;

/** True when `props` downloads a model (rather than mounting one). */
export function fetchesModel(props: ModelFetchProps): boolean {
  return props.uri !== undefined || props.huggingFace !== undefined;
}

/** The size in bytes of a `size` prop, or a clear error. */
export function modelSizeBytes(owner: Construct, field: string, size: string | Size): number {
  const bytes = size instanceof Size ? size.toKibibytes() * 2 ** 10 : requireQuantity(owner, field, size, '40Gi');
  check(bytes > 0, owner, {
    field,
    value: size instanceof Size ? `${size.toMebibytes()}Mi` : size,
    problem: 'is zero',
    fix: "declare the model's size on disk, e.g. '40Gi'",
  });
  return bytes;
}

/** The URI a fetch reads from, before validation (the Hub's resolve URL for `huggingFace`). */
export function fetchUri(props: ModelFetchProps): string | undefined {
  const hf = props.huggingFace;
  if (hf) return `${(hf.endpoint ?? 'https://huggingface.co').replace(/\/+$/, '')}/${hf.repo}/resolve/${hf.revision}`;
  return props.uri;
}

/** The file name a single-file model is saved as. */
export function modelFileName(uri: string): string {
  return (
    uri
      .split(/[?#]/)[0]
      .replace(/^[a-z0-9+.-]+:\/\/[^/]*/i, '')
      .split('/')
      .filter(Boolean)
      .pop() ?? 'model'
  );
}

/**
 * Validates a model fetch (`field` is the prop's name, e.g. `model`) and builds its containers, which
 * mount the model volume `volumeName` at `mountPath`.
 */
export function planModelFetch(
  owner: Construct,
  field: string,
  props: ModelFetchProps,
  mountPath: string,
  volumeName: string,
): ModelFetchPlan {
  check(!(props.uri !== undefined && props.huggingFace !== undefined), owner, {
    field: `${field}.huggingFace`,
    value: props.huggingFace?.repo,
    problem: `is set together with ${field}.uri`,
    fix: `keep ${field}.uri or ${field}.huggingFace, and remove the other`,
  });
  const hf = props.huggingFace;
  if (hf) requireHuggingFace(owner, `${field}.huggingFace`, hf, props);
  const uri = fetchUri(props)!;
  check(typeof uri === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+\S*$/i.test(uri), owner, {
    field: `${field}.uri`,
    value: uri,
    problem: 'is not an absolute URI',
    fix: "use e.g. 'https://models.example.com/sentiment/v3/model.onnx' or 's3://bucket/models/sentiment/v3/'",
  });
  requireNoCredentialsInUri(owner, `${field}.uri`, uri, `${field}.token`);
  const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase();
  check(scheme !== 'http' || props.allowInsecureHttp === true, owner, {
    field: `${field}.uri`,
    value: uri,
    problem: 'uses http://, which anyone on the path can read or replace',
    fix: `use https://, or set ${field}.allowInsecureHttp: true for a trusted network (the sha256 check still runs)`,
  });
  const fetcher = props.fetcher ?? {};
  check(scheme === 'https' || scheme === 'http' || fetcher.command !== undefined, owner, {
    field: `${field}.uri`,
    value: uri,
    problem: `has a scheme (${scheme}://) the default fetcher (curl) cannot read`,
    fix: `set ${field}.fetcher.image and ${field}.fetcher.command to a tool that reads it (e.g. an AWS CLI image with ['sh', '-c', 'aws s3 cp "$MODEL_URI" "$MODEL_TARGET"']); the sha256 check runs after it`,
  });
  check(props.size !== undefined, owner, {
    field: `${field}.size`,
    value: props.size,
    problem: `is required to fetch ${field}.${hf ? 'huggingFace' : 'uri'}`,
    fix: "declare the model's size on disk (e.g. size: '40Gi'): it bounds the download volume and is requested as ephemeral-storage, so the scheduler places the pod on a node with room and the kubelet never evicts it for a full disk",
  });
  const sizeBytes = modelSizeBytes(owner, `${field}.size`, props.size!);
  const format = props.format ?? 'file';
  check(format === 'file' || format === 'tar', owner, {
    field: `${field}.format`,
    value: format,
    problem: "is not 'file' or 'tar'",
    fix: "use 'file', 'tar', or files: {...} for a directory",
  });
  const files = props.files !== undefined ? requireManifest(owner, `${field}.files`, props.files) : undefined;
  check(files === undefined || (props.sha256 === undefined && format === 'file'), owner, {
    field: `${field}.files`,
    value: `${Object.keys(props.files ?? {}).length} files`,
    problem: `is set together with ${field}.${props.sha256 !== undefined ? 'sha256' : 'format'}`,
    fix: 'verify a directory by its files, or a single file or archive by sha256, not both',
  });
  if (files === undefined) {
    check(props.sha256 !== undefined && SHA256.test(props.sha256), owner, {
      field: `${field}.sha256`,
      value: props.sha256,
      problem: 'is not a SHA-256 (64 lowercase hex digits)',
      fix: `give the checksum of the artifact at ${field}.uri (or files: { path: sha256 } for a directory) so a changed or corrupt artifact never serves`,
    });
  }
  const tarFlags = format === 'tar' ? tarFlagsOf(owner, `${field}.uri`, uri) : '';

  const platform = Platform.of(owner);
  const helper = platform.modelFetcher;
  Platform.requireOverridable(owner, 'modelFetcher', `${field}.fetcher.image`, fetcher.image, helper.image);
  const image = fetcher.image ?? helper.image;
  requireImmutableImage(owner, fetcher.image ? `${field}.fetcher.image` : 'platform modelFetcher.image', image, platform);
  const budget = downloadBudget(sizeBytes, platform.downloadBandwidthMiBps, format === 'tar');
  const timeout = fetcher.timeout ?? Duration.seconds(budget.downloadSeconds);
  requireWholeSeconds(owner, `${field}.fetcher.timeout`, timeout, 1);
  check(timeout.toSeconds() >= budget.transferSeconds && timeout.toSeconds() >= 1, owner, {
    field: `${field}.fetcher.timeout`,
    value: `${timeout.toSeconds()}s`,
    problem: `cannot fit the download: ${budget.arithmetic}`,
    fix: `allow at least ${budget.downloadSeconds}s (or leave it unset), or declare the real bandwidth in the platform's downloadBandwidthMiBps`,
  });
  const layout: ModelLayout = files || format === 'tar' ? 'directory' : 'file';
  const file = layout === 'file' ? modelFileName(uri) : undefined;
  const target = format === 'tar' ? `${mountPath}/.archive` : file ? `${mountPath}/${file}` : mountPath;
  const manifest = files
    ? Object.keys(files)
        .sort()
        .map((p) => `${files[p]}  ${p}`)
        .join('\n')
    : undefined;
  const digest = manifest !== undefined ? createHash('sha256').update(manifest).digest('hex') : props.sha256!;
  const runAs = { runAsUser: helper.runAsUser, runAsGroup: helper.runAsGroup };
  const resources = containerResources(owner, `${field}.fetcher.resources`, fetcher.resources ?? HELPER_RESOURCES.fetch);
  const mounts = [
    { name: volumeName, mountPath },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const common: EnvMap = {
    MODEL_URI: uri,
    MODEL_DIR: mountPath,
    MODEL_TARGET: target,
    ...(manifest !== undefined ? { MODEL_FILES: manifest } : { MODEL_SHA256: props.sha256! }),
  };
  const token: EnvMap = props.token ? { MODEL_TOKEN: MlEnvValue.fromSecret(props.token.secretName, props.token.key ?? 'token') } : {};
  const fetchContainer = {
    name: 'fetch-model',
    image,
    imagePullPolicy: platform.imagePullPolicy,
    command: fetcher.command ?? ['sh', '-c', curlScript(timeout, manifest !== undefined, scheme === 'http')],
    env: envList(owner, `${field}.fetcher.env`, { ...fetcher.env, ...common, ...token, HOME: '/tmp' }),
    resources,
    volumeMounts: mounts,
    runAs,
  };
  const verifyContainer = {
    name: 'verify-model',
    image,
    imagePullPolicy: platform.imagePullPolicy,
    command: ['sh', '-c', verifyScript(manifest !== undefined ? 'files' : format, tarFlags)],
    env: envList(owner, `${field}.verify`, { ...common, MODEL_DIGEST: digest, ...(file ? { MODEL_FILE: file } : {}) }),
    resources: containerResources(owner, `${field}.fetcher.resources`, HELPER_RESOURCES.verify),
    volumeMounts: mounts,
    runAs,
  };
  return {
    uri,
    layout,
    file,
    sizeBytes,
    digest,
    timeout,
    budget,
    fetchContainer,
    verifyContainer,
    helperImage: helper.image,
    helperRunAs: runAs,
  };
}

function requireHuggingFace(owner: Construct, field: string, hf: HuggingFaceRepo, props: ModelFetchProps): void {
  check(typeof hf.repo === 'string' && /^[A-Za-z0-9][\w.-]{0,95}\/[\w.-]{1,96}$/.test(hf.repo) && !hf.repo.includes('..'), owner, {
    field: `${field}.repo`,
    value: hf.repo,
    problem: 'is not a Hugging Face repository id (owner/name)',
    fix: "use e.g. 'meta-llama/Llama-3.1-8B-Instruct'",
  });
  check(typeof hf.revision === 'string' && /^[a-f0-9]{40}$/.test(hf.revision), owner, {
    field: `${field}.revision`,
    value: hf.revision,
    problem: 'is not a commit hash (40 lowercase hex digits)',
    fix: "pin the commit (the repo's 'main' can change under the same name): copy it from the repo's history on the Hub",
  });
  if (hf.endpoint !== undefined) {
    check(/^https:\/\/[^/?#@\s]+(\/[^?#@\s]*)?$/.test(hf.endpoint), owner, {
      field: `${field}.endpoint`,
      value: hf.endpoint,
      problem: 'is not an https URL without credentials',
      fix: "use e.g. 'https://hf-mirror.internal.example.com'",
    });
  }
  check(props.files !== undefined, owner, {
    field: `${field.replace(/\.huggingFace$/, '')}.files`,
    value: props.files,
    problem: `is required to verify ${hf.repo}`,
    fix: "list every file the server needs with its SHA-256 (the Hub shows it for LFS files), e.g. files: { 'config.json': '...', 'model.safetensors': '...' }",
  });
}

function requireManifest(owner: Construct, field: string, files: Record<string, string>): Record<string, string> {
  const paths = Object.keys(files ?? {});
  check(paths.length > 0, owner, {
    field,
    value: files,
    problem: 'lists no file',
    fix: "list every file with its SHA-256, e.g. { 'config.json': '<sha256>' }",
  });
  for (const p of paths) {
    check(p.length <= 1024 && REL_PATH.test(p), owner, {
      field: `${field}['${p}']`,
      value: p,
      problem: 'is not a relative path inside the model directory',
      fix: "use a path such as 'config.json' or 'original/params.json': no leading '/', no '.' or '..' segments, no spaces",
    });
    check(typeof files[p] === 'string' && SHA256.test(files[p]), owner, {
      field: `${field}['${p}']`,
      value: files[p],
      problem: 'is not a SHA-256 (64 lowercase hex digits)',
      fix: 'give the sha256sum of the file',
    });
  }
  return files;
}

function tarFlagsOf(owner: Construct, field: string, uri: string): string {
  const path = uri.split(/[?#]/)[0];
  if (/\.tar$/.test(path)) return '';
  if (/\.(tar\.gz|tgz)$/.test(path)) return 'z';
  return check(false, owner, {
    field,
    value: uri,
    problem: "is a tarball without a '.tar', '.tar.gz' or '.tgz' name",
    fix: `point ${field} at a name ending in .tar, .tar.gz or .tgz (rename the object in the store), or use format: 'file'`,
  }) as never;
}

/**
 * Downloads with curl within `timeout` (all attempts): each attempt resumes the partial file
 * (`--continue-at -`), a transfer slower than 1 KiB/s for a minute is cut and resumed, and a file the
 * server reports complete (416 on the resume) is left to the verification that follows.
 */
function curlScript(timeout: Duration, directory: boolean, insecureHttp: boolean): string {
  const r = DOWNLOAD_RETRIES;
  // Only https, redirects included (no downgrade to http); an http:// model the user allowed may be upgraded.
  const protocols = insecureHttp ? '--proto =http,https --proto-redir =http,https' : '--proto =https --proto-redir =https';
  return [
    'set -eu',
    'auth="${TMPDIR:-/tmp}/.auth"',
    `opts="--fail --silent --show-error --location ${protocols} --connect-timeout 30 --speed-limit ${r.stallBytesPerSecond} --speed-time ${r.stallSeconds}"`,
    // The token goes in a header file, never on the command line (visible in the process list), and is
    // removed however the script ends (/tmp is shared with the server).
    'trap \'rm -f "$auth"\' EXIT',
    'if [ -n "${MODEL_TOKEN:-}" ]; then printf \'Authorization: Bearer %s\\n\' "$MODEL_TOKEN" > "$auth"; opts="$opts --header @$auth"; fi',
    `end=$(( $(date +%s) + ${timeout.toSeconds()} ))`,
    'fetch() {',
    '  attempt=1',
    '  while :; do',
    '    left=$(( end - $(date +%s) ))',
    `    if [ "$left" -le 0 ]; then echo "download of $1 did not finish within ${timeout.toSeconds()}s (fetcher.timeout)" >&2; return 1; fi`,
    '    if code=$(curl $opts --continue-at - --max-time "$left" --write-out \'%{http_code}\' --output "$2" "$1"); then return 0; else rc=$?; fi',
    '    if [ "$code" = 416 ]; then return 0; fi',
    // Transfer errors are resumed; a refused protocol or redirect, a bad URL or a 4xx answer would fail again.
    '    case "$rc:$code" in 22:5??|22:408|22:429|6:*|7:*|18:*|28:*|35:*|52:*|55:*|56:*) ;; *) echo "download of $1 failed (curl exit $rc, HTTP $code), not retried" >&2; return 1 ;; esac',
    `    if [ "$attempt" -ge ${r.attempts} ]; then echo "download of $1 failed after ${r.attempts} attempts (HTTP $code)" >&2; return 1; fi`,
    '    attempt=$(( attempt + 1 ))',
    `    echo "resuming $1 at $(wc -c < "$2" 2>/dev/null || echo 0) bytes (attempt $attempt of ${r.attempts})" >&2`,
    `    sleep ${r.pauseSeconds}`,
    '  done',
    '}',
    ...(directory
      ? [
          'printf \'%s\\n\' "$MODEL_FILES" | while read -r sum path; do',
          '  mkdir -p "$(dirname "$MODEL_DIR/$path")"',
          '  fetch "$MODEL_URI/$path" "$MODEL_DIR/$path"',
          'done',
        ]
      : ['fetch "$MODEL_URI" "$MODEL_TARGET"']),
  ].join('\n');
}

function verifyScript(kind: 'file' | 'tar' | 'files', tarFlags: string): string {
  const fail = 'fail() { echo "model verification failed: $1 ($MODEL_URI)" >&2; rm -rf "$MODEL_DIR"/* "$MODEL_DIR"/.[!.]*; exit 1; }';
  const body: Record<typeof kind, string[]> = {
    file: ['echo "$MODEL_SHA256  $MODEL_FILE" | sha256sum -c - || fail "sha256 mismatch"'],
    tar: [
      'echo "$MODEL_SHA256  .archive" | sha256sum -c - || fail "sha256 mismatch"',
      `if tar -t${tarFlags}f .archive | grep -Eq '^/|(^|/)[.][.](/|$)'; then fail "archive members escape the model directory"; fi`,
      `tar -x${tarFlags}f .archive -C "$MODEL_DIR" || fail "cannot extract"`,
      'rm -f .archive',
    ],
    files: [
      'printf \'%s\\n\' "$MODEL_FILES" | sha256sum -c - || fail "sha256 mismatch"',
      `find . -type f ! -name ${VERIFIED_MARKER} | sed 's|^[.]/||' | sort > "$tmp/have"`,
      'printf \'%s\\n\' "$MODEL_FILES" | sed \'s/^[0-9a-f]*  //\' | sort > "$tmp/want"',
      'cmp -s "$tmp/have" "$tmp/want" || fail "files not in the manifest: $(comm -23 "$tmp/have" "$tmp/want" | head -5 | tr \'\\n\' \' \')"',
    ],
  };
  return ['set -eu', 'tmp="${TMPDIR:-/tmp}"', fail, 'cd "$MODEL_DIR"', ...body[kind], `echo "$MODEL_DIGEST" > ${VERIFIED_MARKER}`].join(
    '\n',
  );
}
