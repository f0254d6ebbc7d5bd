/** Processes and model shards per pod against the GPUs it requests (ML035). */
import { at, scalarText } from '../access';
import { containersOf, groupOf } from '../kube';
import { processOf } from '../process';
import { TORCHRUN } from '../runtimes';
import { ALL_ROLES, KubeObject, PodTemplateInfo, Rule, RuleFinding } from '../types';
import { REF, containerLabel, containerPath, forTemplates } from './common';
import { gpusOf, serverParallelism, torchrunProcesses } from './shm';

/** torchrun's processes per node set by the job's controller (PyTorchJob `spec.nprocPerNode`), when a number. */
function controllerProcesses(obj: KubeObject): { count: number; where: string } | undefined {
  if (obj.kind !== 'PyTorchJob' || groupOf(obj.apiVersion) !== 'kubeflow.org') return undefined;
  const value = scalarText(at(obj, 'spec', 'nprocPerNode')) ?? scalarText(at(obj, 'spec', 'elasticPolicy', 'nProcPerNode'));
  return value !== undefined && /^\d+$/.test(value) ? { count: Number(value), where: `spec.nprocPerNode ${value}` } : undefined;
}

/** Whether the template's pods are parts of one server spread over several nodes (LeaderWorkerSet, Ray). */
function multiNodeTemplate(t: PodTemplateInfo): boolean {
  return t.workloadKind === 'LeaderWorkerSet' || t.workloadKind.startsWith('Ray');
}

/**
 * ML035: the processes a container starts per node must match the GPUs it requests: torchrun
 * `--nproc-per-node` / `--nproc_per_node` / `PET_NPROC_PER_NODE` (or a PyTorchJob's nprocPerNode),
 * and a single-node model server's tensor × pipeline × data-parallel size (vLLM, SGLang, TGI
 * `--num-shard`). More processes than GPUs fail at start (an invalid device ordinal, or the engine
 * refusing the world size): error. Fewer leave GPUs idle: warning.
 */
export const processesPerGpu: Rule = {
  id: 'ML035',
  title: 'Processes per node do not match the GPUs requested',
  severity: 'error',
  kinds: [],
  roles: ALL_ROLES,
  conditions: [{ severity: 'warning', when: 'fewer processes or shards than GPUs (the rest sit idle)' }],
  reference: `${REF.ml} §4 (GPUs are allocated whole), §8 (distributed training); torch.distributed.run --nproc-per-node; vLLM --tensor-parallel-size`,
  check: forTemplates(ALL_ROLES, (t, obj) => {
    const findings: RuleFinding[] = [];
    for (const c of containersOf(t.podSpec).filter((x) => x.role !== 'init')) {
      const gpus = gpusOf(c.container);
      if (gpus <= 0) continue;
      const torchrun =
        torchrunProcesses(c.container) ?? (TORCHRUN.command.test(processOf(c.container).text) ? controllerProcesses(obj) : undefined);
      const server = serverParallelism(c.container);
      const launch = torchrun
        ? { count: torchrun.count, where: torchrun.where, what: 'processes' }
        : server && !server.multiNode && !multiNodeTemplate(t)
          ? { count: server.total, where: server.where, what: 'GPUs for one server' }
          : undefined;
      if (!launch || launch.count === gpus) continue;
      const more = launch.count > gpus;
      findings.push({
        path: containerPath(t, c, 'resources.limits'),
        ...(more ? {} : { severity: 'warning' as const }),
        message: more
          ? `${containerLabel(c, t)} starts ${launch.count} ${launch.what} (${launch.where}) but requests ${gpus} GPU${gpus > 1 ? 's' : ''}; the extra ranks find no device and the run fails at start`
          : `${containerLabel(c, t)} requests ${gpus} GPUs but starts ${launch.count} ${launch.what} (${launch.where}); ${gpus - launch.count} GPU${gpus - launch.count > 1 ? 's sit' : ' sits'} idle and cannot be used by other pods`,
        fix: more
          ? `request ${launch.count} GPUs in ${containerPath(t, c, 'resources.limits')}, or start no more ${launch.what} than the ${gpus} requested (${launch.where})`
          : `lower the GPU limit in ${containerPath(t, c, 'resources.limits')} to ${launch.count}, or use all ${gpus} GPUs (${launch.where})`,
      });
    }
    return findings;
  }),
};
