/** Shared memory for multi-GPU and multi-process work (ML033). */
import { Rec, at, isRecord, recsAt, strAt } from '../access';
import { ContainerInfo, containersOf } from '../kube';
import { envValue, optionValue, processOf } from '../process';
import { parseQuantity } from '../quantity';
import { TORCHRUN } from '../runtimes';
import { ALL_ROLES, Rule, RuleFinding } from '../types';
import { REF, acceleratorRequests, containerLabel, containerPath, forTemplates } from './common';

/** GPUs (not MIG slices) a container asks for, summed over GPU resources; 0 when none or unreadable. */
export function gpusOf(container: Rec): number {
  return acceleratorRequests({ containers: [container] })
    .filter((r) => /gpu/i.test(r.resource) && !/mig-/i.test(r.resource))
    .reduce((sum, r) => sum + (parseQuantity(r.text) ?? 0), 0);
}

/** Processes per node a torchrun launch starts (`--nproc-per-node N` or PET_NPROC_PER_NODE), when a number. */
export function torchrunProcesses(container: Rec): { count: number; where: string } | undefined {
  const p = processOf(container);
  if (!TORCHRUN.command.test(p.text)) return undefined;
  const flag = optionValue(p.text, TORCHRUN.flags);
  const env = envValue(container, TORCHRUN.env);
  const value = flag ?? env;
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return { count: Number(value), where: flag !== undefined ? `torchrun --nproc-per-node ${value}` : `${TORCHRUN.env}=${value}` };
}

/** The parallelism a model server is started with (sizes from its flags; 1 when unset). */
export interface ServerParallelism {
  readonly tensor: number;
  /** Tensor × pipeline × data-parallel size: the GPUs the server needs. */
  readonly total: number;
  /** The flags as written, for messages (`vLLM --tensor-parallel-size 4`). */
  readonly where: string;
  /** The server spans several nodes (Ray executor, multi-node flags). */
  readonly multiNode: boolean;
}

/** The parallelism of a known model server container, when its flags set any. */
export function serverParallelism(container: Rec): ServerParallelism | undefined {
  const p = processOf(container);
  const spec = p.server?.parallelism;
  if (!spec) return undefined;
  const parts: string[] = [];
  const record = (text: string, value: string): number => {
    if (!/^\d+$/.test(value)) return 1;
    parts.push(text);
    return Number(value);
  };
  const size = (flags: readonly string[] = [], env: readonly string[] = []): number => {
    for (const flag of flags) {
      const value = optionValue(p.text, [flag]);
      if (value !== undefined) return record(`${flag} ${value}`, value);
    }
    for (const name of env) {
      const value = envValue(container, name);
      if (value !== undefined) return record(`${name}=${value}`, value);
    }
    return 1;
  };
  const tensor = size(spec.tensor, spec.tensorEnv);
  const total = tensor * size(spec.pipeline) * size(spec.data);
  if (parts.length === 0) return undefined;
  const multiNode =
    (spec.multiNode ?? []).some((f) => new RegExp(`(?:^|\\s)${f}(?:=|\\s|$)`).test(p.text)) || /\bray\s+start\b/.test(p.text);
  return { tensor, total, where: `${p.server?.name} ${parts.join(' ')}`, multiNode };
}

/** Why a container's processes talk through shared memory (NCCL between GPUs of one pod, torchrun workers, data loaders). */
function sharedMemoryUse(c: ContainerInfo): string | undefined {
  if (envValue(c.container, 'NCCL_SHM_DISABLE') === '1') return undefined;
  const gpus = gpusOf(c.container);
  const parallel = serverParallelism(c.container);
  if (parallel && parallel.tensor > 1)
    return `${parallel.where} splits each layer over ${parallel.tensor} GPUs that exchange activations through NCCL`;
  const torchrun = torchrunProcesses(c.container);
  if (torchrun && torchrun.count > 1) return `${torchrun.where} starts ${torchrun.count} processes that share tensors (NCCL, data loaders)`;
  if (gpus > 1) return `it uses ${gpus} GPUs of one node, which NCCL connects through shared memory`;
  return undefined;
}

/** Whether the container has a memory-backed emptyDir (or the host's /dev/shm) mounted at /dev/shm. */
function hasSharedMemory(podSpec: Rec, container: Rec): boolean {
  if (at(podSpec, 'hostIPC') === true) return true;
  const volumes = recsAt(podSpec, 'volumes');
  return recsAt(container, 'volumeMounts').some((m) => {
    if ((strAt(m, 'mountPath') ?? '').replace(/\/+$/, '') !== '/dev/shm') return false;
    const volume = volumes.find((v) => strAt(v, 'name') === strAt(m, 'name'));
    return strAt(volume, 'emptyDir', 'medium') === 'Memory' || isRecord(at(volume, 'hostPath'));
  });
}

/**
 * ML033: a container whose processes share memory (a model split over several GPUs of the pod,
 * torchrun with several processes per node, several GPUs in one container) needs a memory-backed
 * emptyDir at /dev/shm: the container runtime's default is 64 MiB, and NCCL or the data loaders
 * fail with bus errors or hang once it is full. `NCCL_SHM_DISABLE=1` opts out.
 */
export const missingShm: Rule = {
  id: 'ML033',
  title: 'Multi-GPU or multi-process container without a memory-backed /dev/shm',
  severity: 'warning',
  kinds: [],
  roles: ALL_ROLES,
  reference: `${REF.ml} §4 (multi-GPU pods), §8 (distributed training); NVIDIA NCCL troubleshooting (shared memory); Kubernetes docs, emptyDir medium: Memory`,
  check: forTemplates(ALL_ROLES, (t) => {
    const findings: RuleFinding[] = [];
    // A runtime object (KServe's ServingRuntime, LLMInferenceServiceConfig) supplies the rest of the pod, /dev/shm included.
    if (t.containersFromRuntime) return [];
    for (const c of containersOf(t.podSpec).filter((x) => x.role !== 'init')) {
      const use = sharedMemoryUse(c);
      if (!use || hasSharedMemory(t.podSpec, c.container)) continue;
      findings.push({
        path: containerPath(t, c, 'volumeMounts'),
        message: `${containerLabel(c, t)} has no memory-backed /dev/shm although ${use}; the container runtime gives /dev/shm 64 MiB, so NCCL fails with bus errors or hangs`,
        fix: `add a volume {name: dshm, emptyDir: {medium: Memory, sizeLimit: 16Gi}} to ${t.path}.volumes and mount it at /dev/shm in ${containerPath(t, c, 'volumeMounts')} (the size counts against the memory limit)`,
      });
    }
    return findings;
  }),
};
