/** Pod security (ML015, ML016). */
import { ENFORCE_LABEL, restrictedContainerProblems } from '../../core/pod-security';
import { arrAt, at, isRecord, recsAt, strAt } from '../access';
import { containersOf } from '../kube';
import { ALL_ROLES, KubeObject, ReviewContext, Rule, RuleFinding } from '../types';
import { REF, containerLabel, containerPath, forTemplates, podLabel, podPath } from './common';

/**
 * ML015: the service-account token is mounted unless the pod spec (or, when the pod leaves it
 * unset, its ServiceAccount in the set) sets `automountServiceAccountToken: false`.
 */
export const serviceAccountToken: Rule = {
  id: 'ML015',
  title: 'Service account token automounted',
  severity: 'warning',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §12 ("A model-serving Pod rarely needs broad cluster permissions ... should not call the Kubernetes API server")`,
  check: forTemplates(ALL_ROLES, (t, obj, ctx) => {
    const podSetting = at(t.podSpec, 'automountServiceAccountToken');
    if (podSetting === false) return [];
    const accountName = strAt(t.podSpec, 'serviceAccountName') || strAt(t.podSpec, 'serviceAccount') || 'default';
    const account = ctx.find('ServiceAccount', ctx.namespaceOf(obj), accountName);
    const accountSetting = account ? at(account, 'automountServiceAccountToken') : undefined;
    if (podSetting === undefined && accountSetting === false) return [];
    // A ServiceAccount bound to a role in the set is meant to call the API: the pod needs its token.
    if (boundToRole(ctx, ctx.namespaceOf(obj), accountName)) return [];
    const why =
      podSetting === true
        ? `sets ${t.path}.automountServiceAccountToken: true`
        : `does not set ${t.path}.automountServiceAccountToken: false and ServiceAccount '${accountName}' ${account ? 'does not either' : 'is not in the reviewed set'}`;
    return [
      {
        path: podPath(t, 'automountServiceAccountToken'),
        message: `${why}; every pod gets a Kubernetes API token it rarely needs, usable by anyone who compromises a container`,
        fix: `set ${t.path}.automountServiceAccountToken: false (or automountServiceAccountToken: false on ServiceAccount '${accountName}'); mount a projected token only where the pod calls the API`,
      },
    ];
  }),
};

/** Whether a RoleBinding of `namespace` or a ClusterRoleBinding of the set binds ServiceAccount `name`. */
function boundToRole(ctx: ReviewContext, namespace: string, name: string): boolean {
  const binds = (binding: KubeObject, defaultNamespace: string): boolean =>
    recsAt(binding, 'subjects').some(
      (s) =>
        strAt(s, 'kind') === 'ServiceAccount' && strAt(s, 'name') === name && (strAt(s, 'namespace') ?? defaultNamespace) === namespace,
    );
  return (
    ctx.ofKind('RoleBinding', namespace).some((b) => binds(b, namespace)) || ctx.ofKind('ClusterRoleBinding').some((b) => binds(b, ''))
  );
}

/**
 * ML016: containers must meet the restricted Pod Security profile (the controls core/pod-security.ts
 * implements for the synth-time check too): not privileged, no privilege escalation, runAsNonRoot, all
 * capabilities dropped, a RuntimeDefault/Localhost seccomp profile;
 * pods must not mount hostPath volumes (host namespaces and the node's root are ML038's). An error when the set
 * holds the pod's Namespace with `pod-security.kubernetes.io/enforce: restricted` (the API server refuses the pods).
 */
export const restrictedSecurity: Rule = {
  id: 'ML016',
  title: 'Container not meeting the restricted Pod Security profile',
  severity: 'warning',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §12 "Review Security and Multi-Tenancy" (Pod security settings); Kubernetes Pod Security Standards, restricted profile`,
  check: forTemplates(ALL_ROLES, (t, obj, ctx) => {
    const findings: RuleFinding[] = [];
    const pod = t.podSpec;
    const podContext = at(pod, 'securityContext');
    // A namespace in the set that enforces restricted makes the API server refuse the pods: an error.
    const namespace = ctx.namespaceOf(obj);
    const enforced = strAt(ctx.find('Namespace', '', namespace) ?? {}, 'metadata', 'labels', ENFORCE_LABEL) === 'restricted';
    const refused = enforced ? { severity: 'error' as const } : {};
    const refusal = enforced ? ` (namespace '${namespace}' enforces restricted: the API server refuses the pods)` : '';

    // Host namespaces and a hostPath of the node's root are ML038's; other hostPath volumes are reported here.
    const volumes = arrAt(pod, 'volumes');
    const hostPaths = recsAt(pod, 'volumes').filter((v) => isRecord(at(v, 'hostPath')) && !isRootPath(strAt(v, 'hostPath', 'path')));
    if (hostPaths.length) {
      const names = hostPaths.map((v) => `'${strAt(v, 'name') ?? '?'}' (${strAt(v, 'hostPath', 'path') ?? '?'})`);
      findings.push({
        ...refused,
        path: podPath(t, `volumes[${volumes.indexOf(hostPaths[0])}].hostPath`),
        message: `${podLabel(t)} mounts hostPath volume${hostPaths.length > 1 ? 's' : ''} ${names.join(', ')}; the pod reads or writes the node's filesystem, which the restricted profile forbids${refusal}`,
        fix: `replace ${hostPaths.length > 1 ? 'them' : 'it'} in ${t.path}.volumes with a PVC, an emptyDir or an object store (node agents that need host files belong in a privileged, separately reviewed namespace)`,
      });
    }

    for (const c of containersOf(pod)) {
      const problems = restrictedContainerProblems(at(c.container, 'securityContext'), podContext);
      if (problems.length === 0) continue;
      findings.push({
        ...refused,
        path: containerPath(t, c, 'securityContext'),
        message: `${containerLabel(c, t)} does not meet the restricted Pod Security profile: ${problems.join('; ')}${refusal}`,
        fix: `set ${containerPath(t, c, 'securityContext')} {allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}} (runAsNonRoot and seccompProfile may go on the pod) and build the image with a non-root USER`,
      });
    }
    return findings;
  }),
};

/** Whether a hostPath is the node's root filesystem (`/`, `//`, `/.`). */
export function isRootPath(path: string | undefined): boolean {
  return (
    path !== undefined &&
    path.trim() !== '' &&
    path
      .trim()
      .replace(/\/\.(?=\/|$)/g, '')
      .replace(/\/+$/, '') === ''
  );
}

/**
 * ML038: a pod sharing the node's network, process or IPC namespace, or mounting the node's root
 * filesystem, is node root for whoever controls a container: an error (the restricted profile the
 * review recommends forbids it), a warning for DaemonSets, whose node agents sometimes need it.
 * Settings brought in by YAML merge keys count as kubectl applies them.
 */
export const hostAccess: Rule = {
  id: 'ML038',
  title: 'Pod shares host namespaces or mounts the node root',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  roleSeverity: { daemon: 'warning' },
  reference: `${REF.ml} §12 "Review Security and Multi-Tenancy" (Pod security settings); Kubernetes Pod Security Standards, baseline profile (host namespaces, hostPath)`,
  check: forTemplates(ALL_ROLES, (t) => {
    const findings: RuleFinding[] = [];
    const severity = t.role === 'daemon' ? { severity: 'warning' as const } : {};
    for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (at(t.podSpec, host) !== true) continue;
      const what =
        host === 'hostNetwork'
          ? "the node's network (it can bind node ports and reach local services)"
          : host === 'hostPID'
            ? "the node's processes (it can signal and inspect them)"
            : "the node's IPC namespace (its shared memory)";
      findings.push({
        ...severity,
        path: podPath(t, host),
        message: `${podLabel(t)} sets ${host}: true; the pod shares ${what}, which the restricted and baseline Pod Security profiles forbid`,
        fix: `remove ${podPath(t, host)} (use a Service for networking${host === 'hostIPC' ? ', a memory-backed emptyDir at /dev/shm for shared memory' : ''})`,
      });
    }
    arrAt(t.podSpec, 'volumes').forEach((v, i) => {
      if (!isRootPath(strAt(v, 'hostPath', 'path'))) return;
      findings.push({
        ...severity,
        path: podPath(t, `volumes[${i}].hostPath.path`),
        message: `volume '${strAt(v, 'name') ?? `#${i}`}' of the ${podLabel(t)} mounts the node's root filesystem (hostPath /); any container mounting it can read secrets of every pod on the node and rewrite the node`,
        fix: `remove the volume from ${t.path}.volumes; mount a PVC or an emptyDir instead`,
      });
    });
    return findings;
  }),
};
