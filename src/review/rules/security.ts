/** Pod security (ML015, ML016). */
import { arrAt, at, isRecord, recsAt, strAt } from '../access';
import { containersOf } from '../kube';
import { ALL_ROLES, KubeObject, ReviewContext, Rule, RuleFinding } from '../types';
import { REF, containerLabel, containerPath, forTemplates } from './common';

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

const ALLOWED_CAPABILITIES = new Set(['NET_BIND_SERVICE']);

/**
 * ML016: containers must meet the restricted Pod Security profile: not privileged, no privilege
 * escalation, runAsNonRoot, all capabilities dropped, a RuntimeDefault/Localhost seccomp profile;
 * pods must not share host namespaces or mount hostPath volumes. An error when the set holds the pod's
 * Namespace with `pod-security.kubernetes.io/enforce: restricted` (the API server refuses the pods).
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
    // A namespace in the set that enforces restricted makes the API server refuse the pods: an error.
    const namespace = ctx.namespaceOf(obj);
    const enforced =
      strAt(ctx.find('Namespace', '', namespace) ?? {}, 'metadata', 'labels', 'pod-security.kubernetes.io/enforce') === 'restricted';
    const refused = enforced ? { severity: 'error' as const } : {};
    const refusal = enforced ? ` (namespace '${namespace}' enforces restricted: the API server refuses the pods)` : '';
    const podContext = at(pod, 'securityContext');

    const podProblems: string[] = [];
    for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (at(pod, host) === true) podProblems.push(`${host}: true`);
    const hostPaths = recsAt(pod, 'volumes')
      .filter((v) => isRecord(at(v, 'hostPath')))
      .map((v) => strAt(v, 'name') ?? '?');
    if (hostPaths.length)
      podProblems.push(`hostPath volume${hostPaths.length > 1 ? 's' : ''} ${hostPaths.map((n) => `'${n}'`).join(', ')}`);
    if (podProblems.length) {
      findings.push({
        ...refused,
        message: `pod spec uses ${podProblems.join(', ')}; the pod can reach the node's network, processes or filesystem${refusal}`,
        fix: `remove ${podProblems.length > 1 ? 'them' : 'it'} from ${t.path} (use a Service, a PVC or an object store instead of host access)`,
      });
    }

    for (const c of containersOf(pod)) {
      const sc = at(c.container, 'securityContext');
      const problems: string[] = [];
      if (at(sc, 'privileged') === true) problems.push('privileged: true');
      if (at(sc, 'allowPrivilegeEscalation') !== false) problems.push('allowPrivilegeEscalation is not false');
      const nonRoot = at(sc, 'runAsNonRoot') ?? at(podContext, 'runAsNonRoot');
      const user = at(sc, 'runAsUser') ?? at(podContext, 'runAsUser');
      if (user === 0) problems.push('runAsUser: 0 (root)');
      else if (nonRoot !== true) problems.push('runAsNonRoot is not true');
      const drop = arrAt(sc, 'capabilities', 'drop');
      if (!drop.includes('ALL')) problems.push('capabilities.drop does not include ALL');
      const added = arrAt(sc, 'capabilities', 'add').filter((cap) => typeof cap !== 'string' || !ALLOWED_CAPABILITIES.has(cap));
      if (added.length) problems.push(`capabilities.add ${added.map((cap) => (typeof cap === 'string' ? cap : '?')).join(', ')}`);
      const seccomp = strAt(sc, 'seccompProfile', 'type') ?? strAt(podContext, 'seccompProfile', 'type');
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        problems.push(`seccompProfile is ${seccomp ?? 'unset'} (not RuntimeDefault/Localhost)`);
      if (problems.length === 0) continue;
      findings.push({
        ...refused,
        message: `${containerLabel(c, t)} does not meet the restricted Pod Security profile: ${problems.join('; ')}${refusal}`,
        fix: `set ${containerPath(t, c, 'securityContext')} {allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}} (runAsNonRoot and seccompProfile may go on the pod) and build the image with a non-root USER`,
      });
    }
    return findings;
  }),
};
