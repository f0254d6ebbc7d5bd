import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator, AcceleratorPlacement } from './accelerator';
import { PodAmounts, largestAmounts, podAmounts } from './capacity';
import { ExtraContainerProps, SidecarProps, extraContainers } from './extra-containers';
import type { PodMount } from './pod-mount';
import { isDns1123Subdomain, isPortName } from './validation/strings';
import { portNumberProblem } from './validation/numbers';
import { check } from './errors';
import { OwnedPod, bindPodTemplate, ownEnv, ownPorts } from './gate';
import { MlEnvFrom, EnvMap, envFromList, envList } from './env';
import { requireImmutableImage, requirePullSecret, requirePullSecretNames } from './image';
import { supports } from './kube-version';
import { Platform } from './platform';
import { ResolvedPlatform, WorkloadKind } from './platform-conventions';
import { parseQuantity, requireQuantity, sizeOfBytes } from './quantity';
import { renderedJson } from './rendered-json';
import { ContainerResources, MlResourceProps, containerResources } from './resources';
import { PodIdentity, RunAsProps, containerSecurityContext, podIdentity, podSecurityContext } from './security';
import { Toleration, tolerationList } from './tolerations';

/** Props every workload construct takes for its pod. */
export interface MlPodProps {
  /** Container image: a tag other than `latest`, or a digest. */
  readonly image: string;
  /** Replaces the image's entrypoint (`ENTRYPOINT`). @default - the image's entrypoint */
  readonly command?: string[];
  /** Replaces the image's arguments (`CMD`). @default - the image's arguments */
  readonly args?: string[];
  /** CPU and memory requests (required) and limits. */
  readonly resources: MlResourceProps;
  /**
   * GPUs (or other devices) per pod: adds their limit, the accelerator node selector and toleration, and a
   * memory-backed `/dev/shm`.
   * @default - no accelerator
   */
  readonly accelerator?: Accelerator;
  /** Environment variables: literals or references to Secrets/ConfigMaps. @default - none */
  readonly env?: EnvMap;
  /** Whole Secrets/ConfigMaps as environment. @default - none */
  readonly envFrom?: MlEnvFrom[];
  /** Secrets for pulling the image, added to the platform's. @default - the platform's */
  readonly imagePullSecrets?: string[];
  /**
   * PriorityClass of the pods (e.g. one `PlatformPriorityClasses` creates); refused when the platform locked
   * `priorityClasses`.
   * @default - the platform's default for this workload kind, else none
   */
  readonly priorityClassName?: string;
  /**
   * Numeric user, group and volume group (`fsGroup`) of every container. The image's files must be
   * readable by this uid; writable paths are volumes (`/tmp`, the model), owned through `fsGroup`.
   * @default - the platform's `runAs`, else uid 65532, gid 65532, fsGroup 65532
   */
  readonly runAs?: RunAsProps;
  /**
   * Mount a service-account token. Only for workloads that call the Kubernetes API.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Extra node taints the pod tolerates (e.g. a dedicated node pool). The accelerator taint is
   * tolerated through `accelerator`, never here.
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * Containers that run beside the main one for the pod's whole life (a proxy, a log or metrics agent),
   * as native sidecars (init containers with `restartPolicy: Always`: they start first and never keep a
   * Job from finishing; Kubernetes 1.29 or later). Restricted like the library's own containers; their
   * requests count in the quota, capacity and node-pool checks.
   * @default - none
   */
  readonly sidecars?: SidecarProps[];
  /**
   * Containers that run to completion before the main one, after the construct's own (the model is
   * fetched and verified by then). Restricted like the library's own containers; requests required.
   * @default - none
   */
  readonly initContainers?: ExtraContainerProps[];
}

/**
 * The name {@link MlPodProps} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `PodProps`
 * (the props of its `Pod` construct).
 * @deprecated Import `MlPodProps` instead; this alias is removed in 0.4.0.
 */
export type PodProps = MlPodProps;

/** Props of every workload construct: who it is, and its pod. */
export interface MlWorkloadProps extends MlPodProps {
  /** Name of every object. @default - the construct id */
  readonly name?: string;
  /**
   * Namespace of every object; refused when it differs from a `defaultNamespace` the platform locked.
   * @default - the chart's namespace, else the platform's default namespace
   */
  readonly namespace?: string;
  /** The application this workload is part of (`app.kubernetes.io/part-of`). @default - none */
  readonly partOf?: string;
  /** Labels for every object (team, cost-center), added to the platform's. @default - the platform's */
  readonly labels?: Record<string, string>;
}

/**
 * The name {@link MlWorkloadProps} had until 0.2.0. Renamed: cdk8s-plus-28 exports a different `WorkloadProps`
 * (the props of its `Workload` base class).
 * @deprecated Import `MlWorkloadProps` instead; this alias is removed in 0.4.0.
 */
export type WorkloadProps = MlWorkloadProps;

/** What a workload construct adds to the shared pod core. */
export interface PodShape {
  readonly kind: WorkloadKind;
  /** Name of the main container. */
  readonly containerName: string;
  /** Container ports; `field` is the prop each comes from (for errors). */
  readonly ports?: { readonly name: string; readonly containerPort: number; readonly field?: string }[];
  readonly probes?: { readonly startupProbe?: object; readonly readinessProbe?: object; readonly livenessProbe?: object };
  readonly lifecycle?: object;
  /** Environment the construct sets (merged under the user's). */
  readonly env?: EnvMap;
  readonly mounts?: PodMount[];
  /**
   * Init containers, complete except security context (added here, with the pod's identity unless
   * the entry pins its own `runAs: { runAsUser, runAsGroup }`, e.g. a helper image whose uid we chose).
   */
  readonly initContainers?: Record<string, unknown>[];
  readonly terminationGracePeriod?: Duration;
  /** Spread pods over nodes and zones, selecting with these labels. @default - no spread */
  readonly spreadSelector?: Record<string, string>;
  /** `/dev/shm` size for accelerator pods when the accelerator does not say. */
  readonly defaultSharedMemory: string;
  readonly extraTolerations?: Record<string, string>[];
  readonly nodeAffinity?: object;
}

/** The validated pod of one workload, ready to be written onto a cdk8s-plus workload. */
export class PodTemplate implements OwnedPod {
  public readonly platform: ResolvedPlatform;
  public readonly resources: ContainerResources;
  public readonly accelerator?: AcceleratorPlacement;
  public readonly priorityClassName?: string;
  /** Effective per-pod requests and limits from the props (containers, sidecars and init containers). */
  public readonly amounts: PodAmounts;
  /** The numeric user, group and fsGroup every container runs as. */
  public readonly identity: PodIdentity;
  /** The main container as the library renders it. */
  public readonly container: Record<string, unknown>;
  /** Native sidecars, the construct's init containers, then the props' init containers, as rendered. */
  public readonly initContainers: Record<string, unknown>[];
  /** Pod-level fields the library sets (security context, placement, priority, pull secrets, spread). */
  public readonly spec: Record<string, unknown>;
  /** Environment variable names the construct sets itself (not overridden through props). */
  public readonly ownedEnv: ReadonlySet<string>;
  /** Names of the construct's helper init containers (model fetch, verification, cache wait): wholly the library's. */
  public readonly helperContainers: ReadonlySet<string>;
  /** Whether the pod mounts a service-account token. */
  public readonly automountServiceAccountToken: boolean;
  private readonly extraMounts: PodMount[];
  private podVolumes?: plus.Volume[];
  private readonly bound: { readonly object: ApiObject; readonly spec: (json: any) => any }[] = [];

  constructor(
    private readonly owner: Construct,
    private readonly props: MlPodProps,
    private readonly shape: PodShape,
  ) {
    const platform = Platform.of(owner);
    this.platform = platform;
    requireImmutableImage(owner, 'image', props.image, platform);
    this.accelerator = props.accelerator?.placement(owner, 'accelerator', platform);
    Platform.requireOverridable(owner, 'runAs', 'runAs', props.runAs, platform.runAs);
    this.identity = podIdentity(owner, 'runAs', props.runAs, platform.runAs);
    this.resources = containerResources(
      owner,
      'resources',
      props.resources,
      this.accelerator?.limits,
      TMP_SIZE_BYTES + diskVolumeBytes(owner, shape.mounts ?? []),
    );
    for (const p of shape.ports ?? []) requirePort(owner, p.name, p.containerPort, p.field);
    ownPorts(owner, shape.containerName, shape.ports ?? []);
    const env = envList(owner, 'env', { ...shape.env, ...props.env });
    // The contract variables the construct wires: the gate rejects a user value that replaces one.
    ownEnv(
      owner,
      shape.containerName,
      Object.entries(shape.env ?? {}).map(([n, v]) => (typeof v === 'string' ? { name: n, value: v } : v.toKube(n))),
    );
    this.ownedEnv = new Set(Object.keys(shape.env ?? {}).filter((k) => props.env?.[k] === undefined));
    const mounts = [
      { name: 'tmp', mountPath: '/tmp' },
      ...(this.accelerator ? [{ name: 'dshm', mountPath: '/dev/shm' }] : []),
      ...(shape.mounts ?? []).map((m) => ({ name: m.volume.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}) })),
    ];
    this.container = compact({
      name: shape.containerName,
      image: props.image,
      imagePullPolicy: platform.imagePullPolicy,
      command: props.command,
      args: props.args,
      ports: shape.ports?.length ? shape.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })) : undefined,
      env: env.length ? env : undefined,
      envFrom: props.envFrom?.length ? envFromList(owner, 'envFrom', props.envFrom) : undefined,
      resources: this.resources,
      ...shape.probes,
      lifecycle: shape.lifecycle,
      securityContext: containerSecurityContext(this.identity),
      volumeMounts: mounts,
    });
    const shapeInits = (shape.initContainers ?? []).map(({ runAs, ...c }): Record<string, unknown> => ({
      ...c,
      securityContext: containerSecurityContext({ ...this.identity, ...(runAs as object | undefined) }),
    }));
    for (const sidecar of props.sidecars ?? []) for (const p of sidecar.ports ?? []) requirePort(owner, p.name, p.containerPort);
    const extras = extraContainers(owner, props.sidecars, props.initContainers, {
      identity: this.identity,
      platform,
      reserved: [shape.containerName, ...shapeInits.map((c) => String(c.name))],
      ports: shape.ports ?? [],
      tmpVolume: 'tmp',
      volumeBytes: (m) =>
        diskVolumeBytes(
          owner,
          m.filter((x) => !(shape.mounts ?? []).some((s) => s.volume === x.volume)),
        ),
    });
    this.extraMounts = extras.mounts;
    this.helperContainers = new Set(shapeInits.map((c) => String(c.name)));
    this.automountServiceAccountToken = props.automountServiceAccountToken ?? false;
    this.initContainers = [...extras.sidecars, ...shapeInits, ...extras.initContainers];
    Platform.requireOverridable(
      owner,
      'priorityClasses',
      'priorityClassName',
      props.priorityClassName,
      platform.priorityClasses[shape.kind],
    );
    this.priorityClassName = props.priorityClassName ?? platform.priorityClasses[shape.kind];
    check(this.priorityClassName === undefined || isDns1123Subdomain(this.priorityClassName), owner, {
      field: props.priorityClassName !== undefined ? 'priorityClassName' : `platform priorityClasses.${shape.kind}`,
      value: this.priorityClassName,
      problem: 'is not a valid PriorityClass name (a DNS-1123 subdomain)',
      fix: "use lowercase letters, digits, '-' and '.', e.g. 'serving-critical'",
    });
    this.amounts = podAmounts([this.container], this.initContainers);
    requirePullSecretNames(owner, 'imagePullSecrets', props.imagePullSecrets ?? []);
    const pullSecrets = [...new Set([...platform.imagePullSecrets, ...(props.imagePullSecrets ?? [])])];
    requirePullSecret(owner, 'image', props.image, platform, pullSecrets);
    for (const c of this.initContainers)
      requirePullSecret(owner, `image of init container '${String(c.name)}'`, String(c.image), platform, pullSecrets);
    const tolerations = [
      ...(this.accelerator ? [this.accelerator.toleration] : []),
      ...(shape.extraTolerations ?? []),
      ...tolerationList(owner, 'tolerations', props.tolerations ?? [], platform, this.accelerator !== undefined),
    ];
    this.spec = compact({
      securityContext: podSecurityContext(this.identity),
      nodeSelector: this.accelerator?.nodeSelector,
      tolerations: tolerations.length ? tolerations : undefined,
      affinity: shape.nodeAffinity ? { nodeAffinity: shape.nodeAffinity } : undefined,
      priorityClassName: this.priorityClassName,
      imagePullSecrets: pullSecrets.length ? pullSecrets.map((name) => ({ name })) : undefined,
      topologySpreadConstraints: shape.spreadSelector
        ? spreadConstraints(shape.spreadSelector, shape.kind === 'serving' && supports(owner, 'topologySpread.matchLabelKeys'))
        : undefined,
    });
  }

  /**
   * Writes the pod onto `workload` (a Deployment, Job or CronJob), whose pod template sits at
   * `templatePath` in the manifest. cdk8s-plus renders the controller, volumes and service account from
   * the workload's own state when the app is synthesized, so what a user adds through the escape hatch
   * (`containers[0].env.addVariable`, `mount`, `addPort`, `addContainer`, `addInitContainer`, `addVolume`,
   * `scheduling.tolerate`, ...) is kept: the library's containers and pod fields are written over
   * cdk8s-plus's placeholders at that moment, merged with what the user added rather than replacing it.
   */
  public applyTo(workload: plus.Workload, templatePath: string): void {
    for (const v of this.volumes()) workload.addVolume(v);
    const obj = ApiObject.of(workload);
    const spec = `${templatePath}/spec`;
    const main = workload.addContainer({ name: this.shape.containerName, image: this.props.image });
    obj.addJsonPatch(
      JsonPatch.replace(
        `${spec}/containers/0`,
        atRender(() => withUserAdditions(typedForL1(this.container), main._toKube())),
      ),
    );
    this.initContainers.forEach((c, i) => {
      const placeholder = workload.addInitContainer({ name: String(c.name), image: String(c.image) });
      obj.addJsonPatch(
        JsonPatch.replace(
          `${spec}/initContainers/${i}`,
          atRender(() => withUserAdditions(typedForL1(c), placeholder._toKube())),
        ),
      );
    });
    const scheduling = () => workload.scheduling._toKube();
    for (const [key, value] of Object.entries(this.spec)) {
      const merged =
        key === 'tolerations'
          ? atRender(() => joined(value as k8s.Toleration[], scheduling().tolerations))
          : key === 'affinity'
            ? atRender(() => mergeAffinity(value as k8s.Affinity, scheduling().affinity))
            : value;
      obj.addJsonPatch(JsonPatch.add(`${spec}/${key}`, merged));
    }
    obj.addJsonPatch(JsonPatch.remove(`${templatePath}/metadata/labels/cdk8s.io~1metadata.addr`));
    const steps = templatePath.split('/').filter(Boolean);
    this.bindTo(obj, (json) => steps.reduce((at: any, key) => at?.[key], json)?.spec);
  }

  /**
   * The pod spec as plain JSON, for objects that embed a pod template but have no cdk8s-plus class
   * (e.g. a KEDA ScaledJob's `jobTargetRef.template.spec`). Same containers, volumes and scheduling
   * fields as {@link applyTo}; quantities stay plain strings, so embed it only in objects whose
   * `toJson` does not re-map pod fields through generated L1 types. Call {@link bindTo} with the object.
   */
  public toPodSpec(options: PodSpecOptions): Record<string, unknown> {
    return compact({
      serviceAccountName: options.serviceAccountName,
      automountServiceAccountToken: this.props.automountServiceAccountToken ?? false,
      restartPolicy: options.restartPolicy,
      terminationGracePeriodSeconds: this.shape.terminationGracePeriod?.toSeconds(),
      initContainers: this.initContainers.length ? this.initContainers : undefined,
      containers: [this.container],
      volumes: this.volumes().map((v) => k8s.toJson_Volume(v._toKube())),
      ...this.spec,
    });
  }

  /**
   * Records that `object` renders this pod template (at `spec(json)`), so the checks over rendered pods
   * (owned values, images, Pod Security, requests) and the capacity read what is actually written.
   */
  public bindTo(object: ApiObject, spec: (json: any) => any): void {
    this.bound.push({ object, spec });
    bindPodTemplate(object, spec, this);
  }

  /**
   * Per-pod requests and limits as rendered, hatch edits included (per resource the largest of the
   * objects this template is rendered in); the props' amounts when it is rendered nowhere yet.
   */
  public renderedAmounts(): PodAmounts {
    const specs = this.bound.map((b) => b.spec(renderedJson(b.object))).filter(Boolean);
    if (specs.length === 0) return this.amounts;
    return largestAmounts(specs.map((s) => podAmounts(s.containers ?? [], s.initContainers ?? [])));
  }

  private volumes(): plus.Volume[] {
    if (this.podVolumes) return this.podVolumes;
    const { owner, shape } = this;
    const volumes = [plus.Volume.fromEmptyDir(owner, 'TmpVolume', 'tmp', { sizeLimit: sizeOfBytes(TMP_SIZE_BYTES) })];
    const shm = this.accelerator ? (this.accelerator.sharedMemory ?? shape.defaultSharedMemory) : undefined;
    if (shm) {
      const bytes = requireQuantity(owner, 'accelerator.sharedMemory', shm, '8Gi');
      volumes.push(
        plus.Volume.fromEmptyDir(owner, 'ShmVolume', 'dshm', { medium: plus.EmptyDirMedium.MEMORY, sizeLimit: sizeOfBytes(bytes) }),
      );
    }
    const all = [...volumes, ...(shape.mounts ?? []).map((m) => m.volume), ...this.extraMounts.map((m) => m.volume)];
    this.podVolumes = [...new Set(all)];
    return this.podVolumes;
  }
}

/** Size limit of the `/tmp` emptyDir every pod gets (charged to the main container's ephemeral-storage). */
export const TMP_SIZE_BYTES = 2 ** 30;

/** Pod-level fields a controller-less pod spec needs (cdk8s-plus fills these in for its workloads). */
export interface PodSpecOptions {
  readonly serviceAccountName: string;
  /** `Never` or `OnFailure` for Jobs, `Always` for long-running pods. */
  readonly restartPolicy: 'Always' | 'OnFailure' | 'Never';
}

/** A ServiceAccount for one workload, without a mounted token unless asked. */
export function workloadServiceAccount(
  owner: Construct,
  name: string,
  namespace: string,
  labels: Record<string, string>,
  automount: boolean,
): plus.ServiceAccount {
  return new plus.ServiceAccount(owner, 'ServiceAccount', { metadata: { name, namespace, labels }, automountToken: automount });
}

/** Pod-level cdk8s-plus props every workload uses. */
export function podBaseProps(props: MlPodProps, serviceAccount: plus.IServiceAccount, shape: PodShape): plus.AbstractPodProps {
  return {
    serviceAccount,
    automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    terminationGracePeriod: shape.terminationGracePeriod,
    securityContext: { ensureNonRoot: true },
  };
}

/**
 * Throws unless `port` is a valid port number and `name` a valid port name (IANA_SVC_NAME); `field`
 * and `nameField` are the props they come from.
 */
export function requirePort(owner: Construct, name: string, port: number, field = `port '${name}'`, nameField = 'port name'): void {
  const problem = portNumberProblem(port);
  check(problem === undefined, owner, {
    field,
    value: port,
    problem: problem ?? '',
    fix: 'use a whole port number from 1 to 65535 (above 1023 for non-root containers)',
  });
  check(isPortName(name), owner, {
    field: nameField,
    value: name,
    problem: name.length > 15 ? 'is longer than 15 characters' : 'is not a valid port name',
    fix: "use at most 15 lowercase letters, digits and single '-', with at least one letter (e.g. 'http', 'metrics')",
  });
}

/**
 * The node disk the disk-backed `emptyDir` volumes in `mounts` may fill (their `sizeLimit`s), charged to
 * the main container's `ephemeral-storage`. Memory-backed ones count against memory instead.
 */
function diskVolumeBytes(owner: Construct, mounts: PodMount[]): number {
  let total = 0;
  for (const volume of new Set(mounts.map((m) => m.volume))) {
    const emptyDir = volume._toKube().emptyDir;
    if (!emptyDir || emptyDir.medium === 'Memory') continue;
    const bytes = parseQuantity(emptyDir.sizeLimit?.value);
    check(bytes !== undefined, owner, {
      field: `volume '${volume.name}'`,
      value: emptyDir.sizeLimit?.value,
      problem: 'is an emptyDir without a sizeLimit',
      fix: 'give every emptyDir a sizeLimit, so the kubelet bounds it and the pod requests it as ephemeral-storage',
    });
    total += bytes!;
  }
  return total;
}

function spreadConstraints(selector: Record<string, string>, perRevision: boolean): object[] {
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    ...(perRevision ? { matchLabelKeys: ['pod-template-hash'] } : {}),
  }));
}

/**
 * cdk8s-plus-28 maps patched JSON through its generated L1 types, which read quantities and
 * int-or-string ports as objects: plain strings and numbers there would come out as null.
 */
function typedForL1(container: Record<string, unknown>): Record<string, unknown> {
  const quantities = (r?: Record<string, string>) =>
    r && Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
  const ports = (handler: any) => {
    if (!handler) return handler;
    const out = { ...handler };
    for (const key of ['httpGet', 'tcpSocket']) {
      if (out[key]) out[key] = { ...out[key], port: k8s.IntOrString.fromNumber(out[key].port) };
    }
    return out;
  };
  const res = container.resources as ContainerResources;
  const lifecycle = container.lifecycle as { preStop?: unknown } | undefined;
  return {
    ...container,
    resources: { requests: quantities(res.requests), limits: quantities(res.limits) },
    ...Object.fromEntries(
      ['startupProbe', 'readinessProbe', 'livenessProbe'].filter((k) => container[k]).map((k) => [k, ports(container[k])]),
    ),
    ...(lifecycle?.preStop ? { lifecycle: { ...lifecycle, preStop: ports(lifecycle.preStop) } } : {}),
  };
}

/**
 * A patch value computed when the object is rendered (cdk8s copies patch values through JSON, which
 * calls `toJSON`), so it sees what was added through the escape hatch after construction.
 */
function atRender(produce: () => unknown): { toJSON(): unknown } {
  return { toJSON: produce };
}

/**
 * The library's container `own` (typed for the L1 mapping) with what a user added to its cdk8s-plus
 * placeholder `added` through the escape hatch: environment variables (a name the library sets is
 * replaced in place; the checks over rendered pods report it if the library owns it), envFrom sources,
 * volume mounts and ports.
 */
function withUserAdditions(own: Record<string, any>, added?: k8s.Container): k8s.Container {
  if (!added) return own as k8s.Container;
  const env = [...((own.env as k8s.EnvVar[] | undefined) ?? [])];
  for (const e of added.env ?? []) {
    const at = env.findIndex((x) => x.name === e.name);
    if (at >= 0) env[at] = e;
    else env.push(e);
  }
  return {
    ...own,
    env: env.length ? env : undefined,
    envFrom: joined(own.envFrom, added.envFrom),
    volumeMounts: joined(own.volumeMounts, added.volumeMounts),
    ports: joined(own.ports, added.ports),
  } as k8s.Container;
}

/** `a` then `b` (entries of `b` equal to one of `a` left out), or undefined when both are empty. */
function joined<T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined {
  const seen = new Set((a ?? []).map((x) => JSON.stringify(x)));
  const out = [...(a ?? []), ...(b ?? []).filter((x) => !seen.has(JSON.stringify(x)))];
  return out.length ? out : undefined;
}

/**
 * The library's node affinity combined with the affinity cdk8s-plus rendered from `scheduling`: both
 * must hold, so required node terms are crossed (each library term AND each user term), preferred terms
 * and pod (anti-)affinity are kept from both.
 */
function mergeAffinity(own: k8s.Affinity | undefined, rendered: k8s.Affinity | undefined): k8s.Affinity | undefined {
  if (!own || !rendered) return own ?? rendered;
  const a = own.nodeAffinity;
  const b = rendered.nodeAffinity;
  const termsA = a?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const termsB = b?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const required =
    termsA && termsB
      ? termsA.flatMap((x) =>
          termsB.map((y) => ({
            matchExpressions: joined(x.matchExpressions, y.matchExpressions),
            matchFields: joined(x.matchFields, y.matchFields),
          })),
        )
      : (termsA ?? termsB);
  const nodeAffinity =
    a || b
      ? {
          requiredDuringSchedulingIgnoredDuringExecution: required ? { nodeSelectorTerms: required } : undefined,
          preferredDuringSchedulingIgnoredDuringExecution: joined(
            a?.preferredDuringSchedulingIgnoredDuringExecution,
            b?.preferredDuringSchedulingIgnoredDuringExecution,
          ),
        }
      : undefined;
  return { ...rendered, nodeAffinity };
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
