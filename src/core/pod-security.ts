/*
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards, policy version
 * `latest` as of Kubernetes 1.34), as Pod Security Admission applies them to a pod spec: what a namespace
 * with `pod-security.kubernetes.io/enforce: baseline` or `restricted` refuses. Windows-only and
 * annotation-based controls (hostProcess, AppArmor annotations) are left out. The review engine's ML016
 * reads the restricted profile's container controls from here too (restrictedContainerProblems). Specs
 * may be any YAML: every field is read defensively.
 */

/** A Pod Security level a namespace can enforce. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** Label Pod Security Admission reads on a namespace. */
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

type Json = Record<string, any>;

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** One control a pod spec breaks: where (`container 'x'` or `pod`) and what. */
export interface PodSecurityViolation {
  readonly where: string;
  readonly problem: string;
}

/** What `level` refuses in `spec` (empty for `privileged`). */
export function podSecurityViolations(spec: Json, level: PodSecurityLevel): PodSecurityViolation[] {
  if (level === 'privileged') return [];
  const out: PodSecurityViolation[] = [];
  const pod = record(spec.securityContext);
  const add = (where: string, problem: string) => out.push({ where, problem });
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[host] === true) add('pod', `${host}: true`);
  for (const v of list(spec.volumes).map(record)) {
    if (v.hostPath) add('pod', `hostPath volume '${v.name}'`);
    else if (level === 'restricted' && !RESTRICTED_VOLUMES.some((t) => v[t] !== undefined))
      add('pod', `volume '${v.name}' of a type restricted does not allow (only ${RESTRICTED_VOLUMES.join(', ')})`);
  }
  for (const s of list(pod.sysctls).map(record)) if (!SAFE_SYSCTLS.has(s.name)) add('pod', `unsafe sysctl ${s.name}`);
  // Restricted judges each container with the pod's identity and seccomp profile filled in.
  if (level === 'baseline' && record(pod.seccompProfile).type === 'Unconfined') add('pod', 'seccompProfile Unconfined');
  for (const [kind, c] of containers(spec)) {
    const where = `${kind} '${c.name}'`;
    const sc = record(c.securityContext);
    if (list(c.ports).some((p) => record(p).hostPort)) add(where, 'hostPort');
    if (sc.procMount !== undefined && sc.procMount !== 'Default') add(where, `procMount ${sc.procMount}`);
    if (level === 'restricted') {
      for (const problem of restrictedContainerProblems(sc, pod)) add(where, problem);
      continue;
    }
    if (sc.privileged === true) add(where, 'privileged: true');
    const extra = list(record(sc.capabilities).add).filter((cap) => !BASELINE_CAPABILITIES.has(String(cap)));
    if (extra.length) add(where, `capabilities.add ${extra.join(', ')}`);
    if (record(sc.seccompProfile).type === 'Unconfined') add(where, 'seccompProfile Unconfined');
  }
  return out;
}

/**
 * What the restricted profile refuses in one container's security context `sc`, the pod's security context
 * `pod` filling in what the container leaves unset: privileged, privilege escalation, a root or possibly-root
 * user, capabilities not all dropped or added beyond NET_BIND_SERVICE, a seccomp profile other than
 * RuntimeDefault or Localhost.
 */
export function restrictedContainerProblems(sc: unknown, pod: unknown): string[] {
  const c = record(sc);
  const p = record(pod);
  const problems: string[] = [];
  if (c.privileged === true) problems.push('privileged: true');
  if (c.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation is not false');
  const nonRoot = c.runAsNonRoot ?? p.runAsNonRoot;
  const user = c.runAsUser ?? p.runAsUser;
  if (user === 0) problems.push('runAsUser: 0 (root)');
  else if (nonRoot !== true) problems.push('runAsNonRoot is not true');
  const capabilities = record(c.capabilities);
  if (!list(capabilities.drop).includes('ALL')) problems.push('capabilities.drop does not include ALL');
  const added = list(capabilities.add).filter((cap) => typeof cap !== 'string' || cap !== 'NET_BIND_SERVICE');
  if (added.length) problems.push(`capabilities.add ${added.map((cap) => (typeof cap === 'string' ? cap : '?')).join(', ')}`);
  const seccomp = text(record(c.seccompProfile).type) ?? text(record(p.seccompProfile).type);
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
    problems.push(`seccompProfile is ${seccomp ?? 'unset'} (not RuntimeDefault/Localhost)`);
  return problems;
}

const CONTAINER_LISTS = [
  ['initContainers', 'init container'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeral container'],
] as const;

function containers(spec: Json): [string, Json][] {
  return CONTAINER_LISTS.flatMap(([key, kind]) => list(spec[key]).map((c): [string, Json] => [kind, record(c)]));
}

function record(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
