import { IConstruct } from 'constructs';
import { check } from './errors';
import { MlEnvFrom, EnvMap, envList } from './env';
import { requireImmutableImage } from './image';
import { requireFeature } from './kube-version';
import { requireDnsLabel } from './names';
import type { PodMount } from './pod-mount';
import { ResolvedPlatform } from './platform-conventions';
import { MlResourceProps, containerResources } from './resources';
import { PodIdentity, containerSecurityContext } from './security';

/** A container a product team adds to a workload's pod: an init step or a sidecar. */
export interface ExtraContainerProps {
  /** Container name, unique in the pod (a DNS label). */
  readonly name: string;
  /** Image: a tag other than `latest`, or a digest, from a registry the platform allows. */
  readonly image: string;
  /** Replaces the image's entrypoint (`ENTRYPOINT`). @default - the image's entrypoint */
  readonly command?: string[];
  /** Replaces the image's arguments (`CMD`). @default - the image's arguments */
  readonly args?: string[];
  /** Environment variables: literals or references to Secrets/ConfigMaps. @default - none */
  readonly env?: EnvMap;
  /** Whole Secrets/ConfigMaps as environment. @default - none */
  readonly envFrom?: MlEnvFrom[];
  /**
   * CPU and memory requests (required: the quota, capacity and node-pool checks count them) and limits.
   * Disk-backed `emptyDir` volumes in `mounts` that no other container mounts are added to its `ephemeral-storage`.
   */
  readonly resources: MlResourceProps;
  /**
   * Volumes it mounts (added to the pod). The pod's `/tmp` volume is mounted at `/tmp` unless a mount takes that path.
   * @default - `/tmp` only
   */
  readonly mounts?: PodMount[];
  /**
   * Numeric user and group. It runs with the `restricted` Pod Security profile like the library's own
   * containers (non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp,
   * read-only root filesystem); anything else only through an escape hatch, and never in a namespace that
   * enforces `restricted`.
   * @default - the pod's `runAs`
   */
  readonly runAs?: {
    /** Numeric user (not 0). @default - the pod's `runAs.runAsUser` */
    readonly runAsUser?: number;
    /** Numeric primary group. @default - the pod's `runAs.runAsGroup` */
    readonly runAsGroup?: number;
  };
}

/** A container that runs beside the main one for the pod's whole life (a proxy, a log or metrics agent). */
export interface SidecarProps extends ExtraContainerProps {
  /** Ports it listens on (named; not exposed through the workload's Service or NetworkPolicy). @default - none */
  readonly ports?: {
    /** Port name, unique in the pod (IANA service name: at most 15 characters). */
    readonly name: string;
    /** Port number; no other container of the pod may use it. */
    readonly containerPort: number;
  }[];
}

/** The sidecars and init containers a workload's props add, rendered, with the volumes they mount. */
export interface RenderedExtras {
  /** Native sidecars (init containers with `restartPolicy: Always`), then the init containers, in order. */
  readonly sidecars: Record<string, unknown>[];
  readonly initContainers: Record<string, unknown>[];
  readonly mounts: PodMount[];
}

/** What the pod already has, for the checks of the extra containers. */
export interface ExtrasContext {
  readonly identity: PodIdentity;
  readonly platform: ResolvedPlatform;
  /** Names of the containers the construct itself renders. */
  readonly reserved: string[];
  /** Port names and numbers of the main container. */
  readonly ports: { readonly name: string; readonly containerPort: number }[];
  readonly tmpVolume: string;
  /** Bytes of disk-backed emptyDir volumes in `mounts`, for each container's ephemeral-storage. */
  readonly volumeBytes: (mounts: PodMount[]) => number;
}

/**
 * Validates and renders `sidecars` (as native sidecars: init containers with `restartPolicy: Always`, so
 * they start first, serve the init containers too, and never keep a Job from finishing) and `initContainers`
 * (run in order after the construct's own, e.g. after the model is fetched and verified).
 */
export function extraContainers(
  owner: IConstruct,
  sidecars: SidecarProps[] = [],
  initContainers: ExtraContainerProps[] = [],
  ctx: ExtrasContext,
): RenderedExtras {
  if (sidecars.length > 0)
    requireFeature(
      owner,
      'pod.sidecarContainers',
      'sidecars',
      sidecars.map((s) => s.name),
    );
  const names = new Set(ctx.reserved);
  const ports = new Map(ctx.ports.map((p) => [p.name, p.containerPort]));
  const mounts: PodMount[] = [];
  const render = (c: ExtraContainerProps, field: string, sidecar: boolean) => {
    requireDnsLabel(owner, `${field}.name`, c.name);
    check(!names.has(c.name), owner, {
      field: `${field}.name`,
      value: c.name,
      problem: `is already the name of a container in the pod (${[...names].join(', ')})`,
      fix: 'give every container its own name',
    });
    names.add(c.name);
    requireImmutableImage(owner, `${field}.image`, c.image, ctx.platform);
    const own = c.mounts ?? [];
    mounts.push(...own);
    const volumeMounts = [
      ...(own.some((m) => m.mountPath === '/tmp') ? [] : [{ name: ctx.tmpVolume, mountPath: '/tmp' }]),
      ...own.map((m) => ({ name: m.volume.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}) })),
    ];
    const containerPorts = sidecar ? sidecarPorts(owner, field, (c as SidecarProps).ports ?? [], ports) : [];
    const env = envList(owner, `${field}.env`, c.env ?? {});
    return compact({
      name: c.name,
      image: c.image,
      imagePullPolicy: ctx.platform.imagePullPolicy,
      command: c.command,
      args: c.args,
      ports: containerPorts.length ? containerPorts : undefined,
      env: env.length ? env : undefined,
      envFrom: c.envFrom?.length ? c.envFrom.map((e) => e.toKube()) : undefined,
      resources: containerResources(owner, `${field}.resources`, c.resources, {}, ctx.volumeBytes(own)),
      ...(sidecar ? { restartPolicy: 'Always' } : {}),
      securityContext: containerSecurityContext({ ...ctx.identity, ...c.runAs }),
      volumeMounts,
    });
  };
  return {
    sidecars: sidecars.map((s, i) => render(s, `sidecars[${i}]`, true)),
    initContainers: initContainers.map((c, i) => render(c, `initContainers[${i}]`, false)),
    mounts,
  };
}

function sidecarPorts(
  owner: IConstruct,
  field: string,
  list: { readonly name: string; readonly containerPort: number }[],
  taken: Map<string, number>,
): Record<string, unknown>[] {
  return list.map((p, i) => {
    const clash = [...taken].find(([name, port]) => name === p.name || port === p.containerPort);
    check(clash === undefined, owner, {
      field: `${field}.ports[${i}]`,
      value: p,
      problem: `clashes with port '${clash?.[0]}' (${clash?.[1]}) of another container in the pod`,
      fix: 'give every port in the pod its own name and number (containers share the network namespace)',
    });
    taken.set(p.name, p.containerPort);
    return { name: p.name, containerPort: p.containerPort, protocol: 'TCP' };
  });
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
