/** The container runtime environment: shared memory and GPU visibility (ML029, ML030). */
import { arrAt, at, recsAt, strAt } from '../access';
import { containersOf } from '../kube';
import { ALL_ROLES, Rule, RuleFinding } from '../types';
import { REF, containerLabel, containerPath, forTemplates, podLabel, podPath } from './common';

/** ML029: a memory-backed emptyDir (the usual /dev/shm for PyTorch, vLLM, NCCL) without sizeLimit. */
export const unboundedShm: Rule = {
  id: 'ML029',
  title: 'Memory-backed emptyDir without sizeLimit',
  severity: 'warning',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §3 (memory limits and OOM kills); Kubernetes docs, emptyDir medium: Memory counts against the container's memory limit`,
  check: forTemplates(ALL_ROLES, (t) => {
    const findings: RuleFinding[] = [];
    recsAt(t.podSpec, 'volumes').forEach((volume, i) => {
      if (strAt(volume, 'emptyDir', 'medium') !== 'Memory' || at(volume, 'emptyDir', 'sizeLimit') !== undefined) return;
      const name = strAt(volume, 'name') ?? `#${i}`;
      const mounts = containersOf(t.podSpec).flatMap((c) =>
        recsAt(c.container, 'volumeMounts')
          .filter((m) => strAt(m, 'name') === name)
          .map((m) => strAt(m, 'mountPath') ?? '?'),
      );
      findings.push({
        path: podPath(t, `volumes[${i}].emptyDir`),
        message: `volume '${name}' of the ${podLabel(t)}${mounts.length ? ` (mounted at ${[...new Set(mounts)].join(', ')})` : ''} is a memory-backed emptyDir without sizeLimit; what the workers write there is RAM charged to the pod, so a data loader or NCCL buffer that grows can OOM-kill it or starve the node`,
        fix: `set ${t.path}.volumes[${i}].emptyDir.sizeLimit (e.g. 8Gi for /dev/shm) and keep it within the container memory limit`,
      });
    });
    return findings;
  }),
};

/** ML030: NVIDIA_VISIBLE_DEVICES=all exposes every GPU of the node, bypassing the device plugin's allocation. */
export const allGpusVisible: Rule = {
  id: 'ML030',
  title: 'NVIDIA_VISIBLE_DEVICES=all in a workload',
  severity: 'warning',
  kinds: [],
  // The NVIDIA device plugin and DCGM exporter DaemonSets need every GPU: they are node agents.
  roles: ALL_ROLES.filter((r) => r !== 'daemon'),
  reference: `${REF.ml} §4 (GPUs are allocated whole by the device plugin); NVIDIA container toolkit, NVIDIA_VISIBLE_DEVICES`,
  check: forTemplates(
    ALL_ROLES.filter((r) => r !== 'daemon'),
    (t) =>
      containersOf(t.podSpec).flatMap((c) => {
        const envs = arrAt(c.container, 'env');
        const index = envs.findIndex((e) => strAt(e, 'name') === 'NVIDIA_VISIBLE_DEVICES');
        const env = envs[index];
        if (!env || strAt(env, 'value')?.trim().toLowerCase() !== 'all') return [];
        return [
          {
            path: containerPath(t, c, `env[${index}].value`),
            message: `${containerLabel(c, t)} sets NVIDIA_VISIBLE_DEVICES=all; with the NVIDIA runtime it sees every GPU of the node, including GPUs the scheduler gave to other pods, so jobs collide and GPU accounting is wrong`,
            fix: `remove the variable from ${containerPath(t, c, 'env')} and request GPUs through resources.limits["nvidia.com/gpu"] (the device plugin sets the visible devices)`,
          },
        ];
      }),
  ),
};
