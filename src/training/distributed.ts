import * as plus from 'cdk8s-plus-28';
import { requireDns1035Label } from '../core/names';
import { Construct } from 'constructs';
import { MlEnvValue } from '../core/env';
import { check } from '../core/errors';
import { MAX_INT32 } from '../core/validation/strings';

/** Default port of torch.distributed's rendezvous store. */
export const DEFAULT_MASTER_PORT = 29500;

/**
 * The environment torchrun (and `torch.distributed` launched any other way) expects, for
 * `workers` pods of an Indexed Job behind the headless Service `service`. Every torchrun option
 * is also passed as its `PET_*` variable, so `command: ['torchrun', 'train.py']` needs no flags.
 * Worker 0 hosts the rendezvous store; its DNS name holds the Job's name, so a CronJob's runs
 * each find their own worker 0.
 */
export function torchrunEnv(
  workers: number,
  processesPerNode: number,
  service: string,
  namespace: string,
  masterPort: number,
): Record<string, MlEnvValue> {
  const v = MlEnvValue.value;
  if (workers === 1) return { NPROC_PER_NODE: v(String(processesPerNode)), PET_NPROC_PER_NODE: v('$(NPROC_PER_NODE)') };
  // $(VAR) refers to variables listed earlier; the env list is sorted by name, so JOB_NAME < MASTER_ADDR < PET_*.
  return {
    MASTER_ADDR: v(`$(JOB_NAME)-0.${service}.${namespace}.svc`),
    MASTER_PORT: v(String(masterPort)),
    NNODES: v(String(workers)),
    NODE_RANK: MlEnvValue.fromField("metadata.annotations['batch.kubernetes.io/job-completion-index']"),
    NPROC_PER_NODE: v(String(processesPerNode)),
    WORLD_SIZE: v(String(workers * processesPerNode)),
    PET_MASTER_ADDR: v('$(MASTER_ADDR)'),
    PET_MASTER_PORT: v('$(MASTER_PORT)'),
    PET_NNODES: v('$(NNODES)'),
    PET_NODE_RANK: v('$(NODE_RANK)'),
    PET_NPROC_PER_NODE: v('$(NPROC_PER_NODE)'),
  };
}

/**
 * Throws unless `workers` is a positive integer whose pod hostnames (`<job name>-<index>`) fit in a
 * DNS label; `jobNameLength` is the length of the Jobs' names (a CronJob's or JobSet's are longer than its own).
 */
export function requireWorkers(owner: Construct, workers: number, name: string, jobNameLength: number, controller = 'CronJob'): void {
  check(Number.isInteger(workers) && workers >= 1 && workers <= MAX_INT32, owner, {
    field: 'workers',
    value: workers,
    problem: 'is not a positive integer',
    fix: 'use 1 for one pod, or the number of nodes to train on (2, 4, ...)',
  });
  const hostname = jobNameLength + 1 + String(workers - 1).length;
  const suffix = jobNameLength > name.length ? ` (the ${controller}'s Jobs add ${jobNameLength - name.length} characters)` : '';
  check(workers === 1 || hostname <= 63, owner, {
    field: 'name',
    value: name,
    problem: `makes worker hostnames ${hostname} characters long${suffix}, above the 63 DNS allows`,
    fix: `shorten the name to at most ${name.length - (hostname - 63)} characters so workers can resolve each other`,
  });
}

/**
 * The headless Service that gives every worker a DNS name (`<job>-<index>.<service>`), published
 * before the pods are ready so the rendezvous can start.
 */
export function workerService(
  owner: Construct,
  meta: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> },
  selector: Record<string, string>,
  masterPort: number,
): plus.Service {
  requireDns1035Label(owner, 'name', meta.name, 'headless Service of a multi-worker job');
  const service = new plus.Service(owner, 'Service', {
    metadata: meta,
    clusterIP: 'None',
    publishNotReadyAddresses: true,
    ports: [{ name: 'rendezvous', port: masterPort, targetPort: masterPort }],
  });
  for (const [k, v] of Object.entries(selector)) service.selectLabel(k, v);
  return service;
}
