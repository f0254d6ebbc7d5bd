import { parseQuantity } from '../../quantity';
import { isExtendedResourceName, isHttpHeaderName, isQualifiedName } from '../../validation/strings';
import {
  CONFIG_KEY,
  DNS_SUBDOMAIN,
  ENV_NAME,
  PORT_NAME,
  checkCount,
  checkGrammar,
  checkPortNumber,
  checkPortOrName,
  checkQuantity,
  checkReference,
} from '../checks';
import { GateContext, GateObject } from '../gate';
import { CONTROLLER_ENV, ENV_CONTRACTS, envSource, ownedEnvOf } from '../owned';
import { PodTemplateRef } from '../pod-templates';

/** Downward API fields a container's env may read (`validEnvDownwardAPIFieldPathExpressions`). */
const ENV_FIELD_PATHS = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);
const RESOURCE_FIELDS = new Set([
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
]);
const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** A container of a pod template, where it is, and whether it is an init container. */
export interface ContainerRef {
  readonly path: string;
  readonly container: any;
  readonly init: boolean;
}

/** The containers of a pod spec, init containers first. */
export function containersOf(t: PodTemplateRef): ContainerRef[] {
  const cached = t as PodTemplateRef & { containers?: ContainerRef[] };
  return (cached.containers ??= [
    ...(t.spec.initContainers ?? []).map((c: any, i: number) => ({ path: `${t.path}.initContainers[${i}]`, container: c, init: true })),
    ...(t.spec.containers ?? []).map((c: any, i: number) => ({ path: `${t.path}.containers[${i}]`, container: c, init: false })),
  ]);
}

/** Why a downward-API field path is not one the API server accepts for env, or undefined. */
export function fieldPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'is not a field path';
  if (ENV_FIELD_PATHS.has(path)) return undefined;
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (!m) return 'is not a field of the pod the API server lets env read';
  if (!isQualifiedName(m[1] === 'annotations' ? m[2].toLowerCase() : m[2]))
    return `names a ${m[1].slice(0, -1)} key that is not a qualified name`;
  return undefined;
}

/** Every check of one container (init or main), as the API server and the kubelet apply them. */
export function checkContainer(ctx: GateContext, t: PodTemplateRef, ref: ContainerRef, volumeNames: ReadonlySet<string>): void {
  const o = t.object;
  const { path: p, container: c } = ref;
  if (typeof c.image !== 'string' || c.image.trim() === '' || /\s/.test(c.image))
    ctx.report(
      o,
      `${p}.image`,
      c.image,
      'is empty or contains whitespace',
      'give an image reference, e.g. registry.example.com/team/app:v1.2.3',
    );
  const portNames = checkContainerPorts(ctx, o, p, c.ports);
  checkEnv(ctx, t, ref);
  (c.envFrom ?? []).forEach((e: any, i: number) => {
    const ep = `${p}.envFrom[${i}]`;
    if (e.prefix !== undefined) checkGrammar(ctx, o, `${ep}.prefix`, e.prefix, ENV_NAME, 'an envFrom prefix');
    if (e.secretRef) checkReference(ctx, o, `${ep}.secretRef.name`, e.secretRef.name, 'Secret', DNS_SUBDOMAIN);
    if (e.configMapRef) checkReference(ctx, o, `${ep}.configMapRef.name`, e.configMapRef.name, 'ConfigMap', DNS_SUBDOMAIN);
  });
  checkResources(ctx, o, `${p}.resources`, c.resources);
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m: any, i: number) => {
    const mp = `${p}.volumeMounts[${i}]`;
    if (!volumeNames.has(m.name))
      ctx.report(o, `${mp}.name`, m.name, 'names no volume of the pod', 'add the volume to the pod, or mount one of its volumes');
    if (typeof m.mountPath !== 'string' || m.mountPath === '')
      ctx.report(o, `${mp}.mountPath`, m.mountPath, 'is empty', 'give an absolute path, e.g. /data');
    else if (mountPaths.has(m.mountPath))
      ctx.report(o, `${mp}.mountPath`, m.mountPath, 'is mounted twice in one container', 'mount each path once');
    else mountPaths.add(m.mountPath);
    if (typeof m.subPath === 'string' && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..')))
      ctx.report(o, `${mp}.subPath`, m.subPath, "is absolute or contains '..'", 'use a relative path inside the volume');
  });
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    if (c[probe] === undefined) continue;
    if (ref.init && c.restartPolicy !== 'Always') {
      ctx.report(
        o,
        `${p}.${probe}`,
        probe,
        'is set on an init container, which the API server forbids',
        'probe the main container instead',
      );
      continue;
    }
    checkProbe(ctx, o, `${p}.${probe}`, c[probe], probe, portNames);
  }
  for (const hook of ['preStop', 'postStart'] as const) {
    const h = c.lifecycle?.[hook];
    if (h !== undefined) checkHandler(ctx, o, `${p}.lifecycle.${hook}`, h, portNames, true);
  }
  checkContainerSecurity(ctx, o, `${p}.securityContext`, c.securityContext);
}

function checkContainerPorts(ctx: GateContext, o: GateObject, p: string, ports: any[] | undefined): Set<string> {
  const names = new Set<string>();
  (ports ?? []).forEach((port: any, i: number) => {
    const pp = `${p}.ports[${i}]`;
    checkPortNumber(ctx, o, `${pp}.containerPort`, port.containerPort);
    if (port.hostPort !== undefined) checkPortNumber(ctx, o, `${pp}.hostPort`, port.hostPort);
    if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol))
      ctx.report(o, `${pp}.protocol`, port.protocol, 'is not a port protocol', `use one of ${PROTOCOLS.join(', ')}`);
    if (port.name === undefined) return;
    if (!checkGrammar(ctx, o, `${pp}.name`, port.name, PORT_NAME, 'a port name')) return;
    if (names.has(port.name))
      ctx.report(
        o,
        `${pp}.name`,
        port.name,
        'names two ports of one container, which the API server rejects',
        'give each port its own name',
      );
    names.add(port.name);
  });
  return names;
}

function checkEnv(ctx: GateContext, t: PodTemplateRef, ref: ContainerRef): void {
  const env: any[] | undefined = ref.container.env;
  if (!env || env.length === 0) return;
  const o = t.object;
  const { path: p, container: c } = ref;
  const owned = typeof c.name === 'string' ? ownedEnvOf(o.construct, c.name) : undefined;
  const indexed = t.jobSpec?.completionMode === 'Indexed';
  const seen = new Set<string>();
  for (let i = 0; i < env.length; i++) {
    const e = env[i];
    const name: string = e?.name;
    if (typeof name !== 'string' || !validEnvName(name)) {
      checkGrammar(ctx, o, `${p}.env[${i}].name`, name, ENV_NAME, 'an environment variable name');
      continue;
    }
    if (seen.has(name)) envProblem(ctx, t, `${p}.env[${i}]`, e, owned, 'twice');
    seen.add(name);
    const wired = owned?.get(name);
    if (wired !== undefined && !wired.has(envSource(e)) && ENV_CONTRACTS[name]) envProblem(ctx, t, `${p}.env[${i}]`, e, owned, 'replaced');
    if (
      CONTROLLER_ENV[name] !== undefined &&
      ((name === 'JOB_COMPLETION_INDEX' && indexed) || (name.startsWith('LWS_') && t.controller === 'LeaderWorkerSet'))
    )
      envProblem(ctx, t, `${p}.env[${i}]`, e, owned, 'injected');
    if (e.valueFrom !== undefined) {
      if (e.value !== undefined)
        ctx.report(o, `${p}.env[${i}].valueFrom`, name, 'is set together with value', 'give either a value or a valueFrom');
      checkValueFrom(ctx, o, `${p}.env[${i}].valueFrom`, e.valueFrom);
    }
  }
}

/** Reports a variable set twice, replacing the library's, or replacing what a controller injects. */
function envProblem(
  ctx: GateContext,
  t: PodTemplateRef,
  ep: string,
  e: any,
  owned: ReadonlyMap<string, ReadonlySet<string>> | undefined,
  what: 'twice' | 'replaced' | 'injected',
): void {
  const name: string = e.name;
  const contract = ENV_CONTRACTS[name];
  if (what === 'injected') {
    const injected = CONTROLLER_ENV[name];
    ctx.report(
      t.object,
      `${ep}.name`,
      name,
      `replaces what ${injected.controller} injects (${injected.carries}): the controller only sets it when the pod does not, so every pod would read the same value`,
      `remove ${name} from env`,
    );
  } else if (what === 'replaced') {
    const wired = [...(owned?.get(name) ?? [])].map(sourceText).join(' or ');
    ctx.report(
      t.object,
      `${ep}.name`,
      name,
      `replaces a variable the library sets itself (${contract.carries}, owned by ${contract.owner}): the library sets ${wired}, the pod has ${sourceText(envSource(e))}`,
      contractFix(name, contract.owner),
    );
  } else {
    const ownedName = contract !== undefined && owned?.has(name);
    ctx.report(
      t.object,
      `${ep}.name`,
      name,
      ownedName
        ? `is a variable the library sets itself (${contract.carries}, owned by ${contract.owner}); a second value replaces it`
        : 'is set twice in one container; the later value silently wins',
      ownedName ? contractFix(name, contract.owner) : 'set each variable once',
    );
  }
}

/** An env source (`envSource`) as a message shows it: the value of a literal, else its JSON. */
function sourceText(source: string): string {
  return source.startsWith('=') ? `'${source.slice(1)}'` : source;
}

const envNames = new Map<string, boolean>();

/** `ENV_NAME.test`, remembered (the same names recur in every pod). */
function validEnvName(name: string): boolean {
  let ok = envNames.get(name);
  if (ok === undefined) {
    ok = ENV_NAME.test(name);
    if (envNames.size > 5000) envNames.clear();
    envNames.set(name, ok);
  }
  return ok;
}

function checkValueFrom(ctx: GateContext, o: GateObject, p: string, v: any): void {
  const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => v?.[k] !== undefined);
  if (sources.length !== 1) {
    ctx.report(o, p, sources, 'must have exactly one source', 'use one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef');
    return;
  }
  if (v.fieldRef) {
    const problem = fieldPathProblem(v.fieldRef.fieldPath);
    if (problem)
      ctx.report(
        o,
        `${p}.fieldRef.fieldPath`,
        v.fieldRef.fieldPath,
        problem,
        `use one of ${[...ENV_FIELD_PATHS].join(', ')}, metadata.labels['<key>'] or metadata.annotations['<key>']`,
      );
    if (v.fieldRef.apiVersion !== undefined && v.fieldRef.apiVersion !== 'v1')
      ctx.report(o, `${p}.fieldRef.apiVersion`, v.fieldRef.apiVersion, 'is not v1', 'leave apiVersion unset');
  }
  if (
    v.resourceFieldRef &&
    !RESOURCE_FIELDS.has(v.resourceFieldRef.resource) &&
    !/^(limits|requests)\.hugepages-/.test(v.resourceFieldRef.resource ?? '')
  )
    ctx.report(
      o,
      `${p}.resourceFieldRef.resource`,
      v.resourceFieldRef.resource,
      'is not a resource env can read',
      `use one of ${[...RESOURCE_FIELDS].join(', ')}`,
    );
  for (const [k, kind] of [
    ['configMapKeyRef', 'ConfigMap'],
    ['secretKeyRef', 'Secret'],
  ] as const) {
    if (!v[k]) continue;
    checkReference(ctx, o, `${p}.${k}.name`, v[k].name, kind, DNS_SUBDOMAIN);
    checkGrammar(ctx, o, `${p}.${k}.key`, v[k].key, CONFIG_KEY, `a ${kind} key`);
  }
}

/** Resource names, quantities, requests ≤ limits, and extended resources (whole, limit = request). */
export function checkResources(ctx: GateContext, o: GateObject, p: string, r: any): void {
  if (!r) return;
  const amounts: Record<'requests' | 'limits', Record<string, number | undefined>> = { requests: {}, limits: {} };
  for (const kind of ['requests', 'limits'] as const) {
    const given = r[kind];
    if (!given) continue;
    for (const name in given) {
      const value = given[name];
      const standard = STANDARD_RESOURCES.has(name) || name.startsWith('hugepages-');
      const bytes = name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
      const n = parseQuantity(value);
      if (standard && n !== undefined && n >= 0 && !(bytes && typeof value === 'string' && /[0-9.](m|u|n)$/.test(value))) {
        amounts[kind][name] = n; // the common case, without building a path
        continue;
      }
      const rp = `${p}.${kind}['${name}']`;
      if (!standard && !isExtendedResourceName(name)) {
        ctx.report(
          o,
          rp,
          name,
          'is not a resource name',
          "use cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource with a domain (e.g. 'nvidia.com/gpu')",
        );
        continue;
      }
      const checked = checkQuantity(ctx, o, rp, value, bytes);
      amounts[kind][name] = checked;
      if (!standard && checked !== undefined && !Number.isInteger(checked))
        ctx.report(o, rp, value, 'is a fraction of a device', 'request whole devices (e.g. 1)');
    }
  }
  for (const name in amounts.requests) {
    const request = amounts.requests[name];
    const limit = amounts.limits[name];
    const standard = STANDARD_RESOURCES.has(name) || name.startsWith('hugepages-');
    if (request !== undefined && limit !== undefined && request > limit)
      ctx.report(
        o,
        `${p}.requests['${name}']`,
        r.requests[name],
        `is above the limit (${r.limits[name]})`,
        'set the limit at or above the request',
      );
    if (!standard && limit === undefined)
      ctx.report(
        o,
        `${p}.requests['${name}']`,
        r.requests[name],
        `requests ${name} without a limit, which an extended resource needs`,
        'set the same amount as limit',
      );
    if (!standard && limit !== undefined && request !== undefined && request !== limit)
      ctx.report(
        o,
        `${p}.requests['${name}']`,
        r.requests[name],
        `differs from the limit (${r.limits[name]}); extended resources cannot be overcommitted`,
        'request exactly the limit',
      );
  }
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];
const PROBE_FIELDS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;

function checkProbe(ctx: GateContext, o: GateObject, p: string, probe: any, kind: string, portNames: ReadonlySet<string>): void {
  checkHandler(ctx, o, p, probe, portNames, false);
  for (const f of PROBE_FIELDS) {
    const v = probe[f];
    if (v === undefined) continue;
    const min = f === 'initialDelaySeconds' ? 0 : 1;
    checkCount(
      ctx,
      o,
      `${p}.${f}`,
      v,
      min,
      undefined,
      v === 0
        ? `use 1 or more: the API server replaces 0 with its default (${f === 'periodSeconds' ? '10 s' : f === 'failureThreshold' ? '3' : '1'})`
        : undefined,
    );
  }
  if ((kind === 'livenessProbe' || kind === 'startupProbe') && probe.successThreshold !== undefined && probe.successThreshold !== 1)
    ctx.report(o, `${p}.successThreshold`, probe.successThreshold, `must be 1 for a ${kind}`, 'leave successThreshold unset');
  if (probe.terminationGracePeriodSeconds !== undefined)
    checkCount(ctx, o, `${p}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 1);
}

function checkHandler(ctx: GateContext, o: GateObject, p: string, h: any, portNames: ReadonlySet<string>, lifecycle: boolean): void {
  let type: string | undefined;
  let count = 0;
  for (const k of lifecycle ? LIFECYCLE_HANDLERS : PROBE_HANDLERS) {
    if (h?.[k] === undefined) continue;
    type = k;
    count++;
  }
  if (count !== 1 || type === undefined) {
    const types = (lifecycle ? LIFECYCLE_HANDLERS : PROBE_HANDLERS).filter((k) => h?.[k] !== undefined);
    ctx.report(
      o,
      p,
      types,
      'must have exactly one handler',
      `use one of ${lifecycle ? 'exec, httpGet, tcpSocket, sleep' : 'exec, httpGet, tcpSocket, grpc'}`,
    );
    return;
  }
  const port = h[type].port;
  if (type === 'httpGet' || type === 'tcpSocket') {
    checkPortOrName(ctx, o, `${p}.${type}.port`, port);
    if (typeof port === 'string' && PORT_NAME.test(port) && !portNames.has(port))
      ctx.report(
        o,
        `${p}.${type}.port`,
        port,
        'names no port of the container, so the kubelet cannot resolve it and the check always fails',
        'use a port number, or declare a container port with that name',
      );
  }
  if (type === 'httpGet') {
    if (h.httpGet.scheme !== undefined && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme))
      ctx.report(o, `${p}.httpGet.scheme`, h.httpGet.scheme, 'is not HTTP or HTTPS', 'use HTTP or HTTPS');
    (h.httpGet.httpHeaders ?? []).forEach((hd: any, i: number) => {
      if (!isHttpHeaderName(hd?.name))
        ctx.report(o, `${p}.httpGet.httpHeaders[${i}].name`, hd?.name, 'is not an HTTP header name', 'use letters, digits and -');
    });
  }
  if (type === 'grpc') checkPortNumber(ctx, o, `${p}.grpc.port`, port);
  if (type === 'exec') {
    const cmd = h.exec.command;
    if (!Array.isArray(cmd) || cmd.length === 0 || typeof cmd[0] !== 'string' || cmd[0].trim() === '')
      ctx.report(o, `${p}.exec.command`, cmd, 'is an empty command', 'give the command and its arguments');
  }
  if (type === 'sleep') checkCount(ctx, o, `${p}.sleep.seconds`, h.sleep.seconds, 1);
}

/** User and group ids as the API server takes them (0 to 2147483647); uid 0 with runAsNonRoot never starts. */
export function checkContainerSecurity(ctx: GateContext, o: GateObject, p: string, s: any): void {
  if (!s) return;
  for (const f of ['runAsUser', 'runAsGroup']) {
    if (s[f] !== undefined) checkCount(ctx, o, `${p}.${f}`, s[f], 0, 2147483647, 'use a numeric id from 0 to 2147483647');
  }
  if (s.runAsNonRoot === true && s.runAsUser === 0)
    ctx.report(
      o,
      `${p}.runAsUser`,
      0,
      'is root while runAsNonRoot is true, so the kubelet refuses to start the container',
      'use a non-root uid, e.g. 65532',
    );
}

function contractFix(name: string, owner: string): string {
  return `remove ${name} from env: the library sets it from ${owner}; give a value of your own another name`;
}
