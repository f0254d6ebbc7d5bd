/*
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards, policy version
 * `latest` as of Kubernetes 1.34), as Pod Security Admission applies them to a pod spec: what a namespace
 * with `pod-security.kubernetes.io/enforce: baseline` or `restricted` refuses. Windows-only and
 * annotation-based controls (hostProcess, AppArmor annotations) are left out.
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
  const pod = spec.securityContext ?? {};
  const add = (where: string, problem: string) => out.push({ where, problem });
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[host] === true) add('pod', `${host}: true`);
  for (const v of spec.volumes ?? []) {
    if (v.hostPath) add('pod', `hostPath volume '${v.name}'`);
    else if (level === 'restricted' && !RESTRICTED_VOLUMES.some((t) => v[t] !== undefined))
      add('pod', `volume '${v.name}' of a type restricted does not allow (only ${RESTRICTED_VOLUMES.join(', ')})`);
  }
  if (pod.seccompProfile?.type === 'Unconfined') add('pod', 'seccompProfile Unconfined');
  for (const s of pod.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) add('pod', `unsafe sysctl ${s.name}`);
  if (level === 'restricted' && pod.runAsUser === 0) add('pod', 'runAsUser: 0 (root)');
  for (const [list, c] of containers(spec)) {
    const where = `${list === 'containers' ? 'container' : list === 'initContainers' ? 'init container' : 'ephemeral container'} '${c.name}'`;
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) add(where, 'privileged: true');
    const added: unknown[] = sc.capabilities?.add ?? [];
    const allowed =
      level === 'restricted' ? (cap: unknown) => cap === 'NET_BIND_SERVICE' : (cap: unknown) => BASELINE_CAPABILITIES.has(String(cap));
    const extra = added.filter((cap) => !allowed(cap));
    if (extra.length) add(where, `capabilities.add ${extra.join(', ')}`);
    if ((c.ports ?? []).some((p: Json) => p.hostPort)) add(where, 'hostPort');
    if (sc.procMount !== undefined && sc.procMount !== 'Default') add(where, `procMount ${sc.procMount}`);
    if (sc.seccompProfile?.type === 'Unconfined') add(where, 'seccompProfile Unconfined');
    if (level !== 'restricted') continue;
    if (sc.allowPrivilegeEscalation !== false) add(where, 'allowPrivilegeEscalation is not false');
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true) add(where, 'runAsNonRoot is not true');
    if (sc.runAsUser === 0) add(where, 'runAsUser: 0 (root)');
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) add(where, 'capabilities.drop does not include ALL');
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost' && sc.seccompProfile?.type !== 'Unconfined')
      add(where, `seccompProfile ${seccomp ?? 'unset'} (not RuntimeDefault or Localhost)`);
  }
  return out;
}

function containers(spec: Json): [string, Json][] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((list) =>
    ((spec[list] ?? []) as Json[]).map((c): [string, Json] => [list, c]),
  );
}
