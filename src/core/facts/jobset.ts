import { FactSource } from './source';

/** What the JobSet controller and the Job controller write and read when a JobSet's child Job fails. */
export const JOBSET_FACTS = {
  source: {
    repository: 'kubernetes-sigs/jobset',
    version: 'v0.12.0',
    commit: 'f22e565ac3cc3265c7c45ef67ecffdc689af5d77',
    paths: ['api/jobset/v1alpha2/jobset_types.go', 'pkg/controllers/failure_policy.go', 'pkg/controllers/jobset_controller.go'],
    note: 'rules are evaluated in order against every failed child Job, the first matching rule acts (RestartJobSet when none matches); a finished JobSet deletes its active Jobs',
  } satisfies FactSource,
  /** Per-pod annotation counting group restarts. */
  restartAttemptField: "metadata.annotations['jobset.sigs.k8s.io/restart-attempt']",
  /**
   * The Job controller's failure messages for a podFailurePolicy FailJob rule (kubernetes
   * pkg/controller/job/pod_failure_policy.go): the pod condition, or the container's exit code.
   */
  messages: {
    disruption: 'has condition DisruptionTarget matching FailJob rule',
    exitCode: 'failed with exit code [0-9]+ matching FailJob rule',
  },
} as const;

/** torchrun (torch.distributed.run) as the library configures it through `PET_*` variables. */
export const TORCHRUN_FACTS = {
  source: {
    repository: 'pytorch/pytorch',
    version: 'v2.x (the trainer image decides)',
    commit: '0fb4165e0e6c26cafc110d1970bf62906fcd2124',
    paths: ['torch/distributed/run.py', 'torch/distributed/elastic/rendezvous/c10d_rendezvous_backend.py'],
    note:
      'every torchrun option is read from PET_<OPTION>; the c10d backend hosts its TCPStore on the agent whose hostname matches the ' +
      'rendezvous endpoint and connects as a client everywhere else, so an endpoint that is not a worker keeps the store alive when any worker is lost',
  } satisfies FactSource,
  /** The option giving the processes (GPUs) per node, its spellings, and the variable torchrun also reads it from. */
  nprocPerNode: { flags: ['--nproc-per-node', '--nproc_per_node'], env: 'PET_NPROC_PER_NODE' },
  /** A TCPStore server on `$RDZV_PORT` that torchrun's c10d agents connect to as clients. */
  storeServer:
    'import os, signal, torch.distributed as dist\n' +
    'store = dist.TCPStore("0.0.0.0", int(os.environ["RDZV_PORT"]), is_master=True, wait_for_workers=False)\n' +
    'print("c10d rendezvous store listening on", os.environ["RDZV_PORT"], flush=True)\n' +
    'signal.pause()\n',
} as const;
