import { Chart, Duration, Testing } from 'cdk8s';
import { Accelerator, ExitCodes, GpuTrainingJob, GpuTrainingJobProps, Platform, SpotCapacity } from '../src';
import { JOBSET_GVK } from '../src/training/jobset-engine';
import { JobSet } from '../imports/jobset-jobset.x-k8s.io';
import { batchChart } from '../examples/batch';
import { Manifest, container, one, podSpec, synthValid, testChart } from './helpers';

const spotWorkers: GpuTrainingJobProps = {
  image: 'registry.example.com/llm-pretrain:v0.3.0',
  command: ['torchrun', 'train.py'],
  resources: { cpu: '16', memory: '96Gi' },
  accelerator: Accelerator.nvidiaGpu(8),
  workers: 4,
  engine: 'jobset',
  checkpoint: { size: '500Gi', accessMode: 'ReadWriteMany', writeTime: Duration.minutes(5), interval: Duration.minutes(20) },
  spot: SpotCapacity.gke(),
};

function synth(props: Partial<GpuTrainingJobProps> = {}, configure?: (chart: Chart) => void): Manifest[] {
  const chart = testChart('ml-train');
  configure?.(chart);
  new GpuTrainingJob(chart, 'pretrain', { ...spotWorkers, ...props });
  return synthValid(chart);
}

const workerJob = (jobSet: Manifest) => jobSet.spec.replicatedJobs[0].template;
const env = (jobSet: Manifest): Record<string, any> =>
  Object.fromEntries(container(jobSet).env.map((e: any) => [e.name, e.value ?? e.valueFrom.fieldRef.fieldPath]));

type JobFailure = { reason: string; message?: string };

/** The first JobSet failure-policy rule that matches a child Job's failure, as the JobSet controller picks it. */
function jobSetAction(jobSet: Manifest, failure: JobFailure): string {
  for (const rule of jobSet.spec.failurePolicy.rules ?? []) {
    const reasons: string[] = rule.onJobFailureReasons ?? [];
    const patterns: string[] = rule.onJobFailureMessagePatterns ?? [];
    if (reasons.length && !reasons.includes(failure.reason)) continue;
    if (patterns.length && !patterns.some((p) => new RegExp(p).test(failure.message ?? ''))) continue;
    return rule.action;
  }
  return 'RestartJobSet';
}

/**
 * The child Job's verdict on a failed pod, with the message the Job controller writes
 * (pkg/controller/job/pod_failure_policy.go): a Job failure, `ignored` (replaced without counting) or
 * `retried` (its index gets another pod, counted against backoffLimitPerIndex).
 */
function jobFailureFor(jobSet: Manifest, pod: { condition?: string; exitCode?: number }): JobFailure | 'ignored' | 'retried' {
  const { podFailurePolicy, backoffLimit, backoffLimitPerIndex } = workerJob(jobSet).spec;
  for (const [index, rule] of podFailurePolicy.rules.entries()) {
    const byCondition = rule.onPodConditions?.some((c: any) => c.type === pod.condition && c.status === 'True');
    const e = rule.onExitCodes;
    const byExit =
      e &&
      pod.exitCode !== undefined &&
      pod.exitCode !== 0 &&
      (e.operator === 'In' ? e.values.includes(pod.exitCode) : !e.values.includes(pod.exitCode));
    if (!byCondition && !byExit) continue;
    if (rule.action === 'Ignore') return 'ignored';
    return {
      reason: 'PodFailurePolicy',
      message: byCondition
        ? `Pod ml-train/pretrain-workers-0-1-abcde has condition ${pod.condition} matching FailJob rule at index ${index}`
        : `Container trainer for pod ml-train/pretrain-workers-0-1-abcde failed with exit code ${pod.exitCode} matching FailJob rule at index ${index}`,
    };
  }
  if (backoffLimitPerIndex > 0) return 'retried';
  expect(backoffLimit).toBe(0);
  return { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
}

describe('GpuTrainingJob on a JobSet: the example trainer on 4 spot nodes', () => {
  const objects = synthValid(batchChart(Testing.app())).filter((o) => o.metadata.name.startsWith('embedding-trainer-4x'));
  const jobSet = one(objects, 'JobSet', 'embedding-trainer-4x');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('a JobSet of the generated kind, no Job and no Service of ours (the JobSet controller makes the headless Service)', () => {
    expect(JOBSET_GVK).toEqual(JobSet.GVK);
    expect(objects.map((o) => o.kind).sort()).toEqual(['JobSet', 'NetworkPolicy', 'PersistentVolumeClaim', 'ServiceAccount']);
    expect(jobSet.spec.network).toEqual({ enableDNSHostnames: true, subdomain: 'embedding-trainer-4x', publishNotReadyAddresses: true });
  });

  test('one indexed worker Job of 4 pods that fails on any failed pod, with the deadline per attempt', () => {
    expect(jobSet.spec.replicatedJobs).toHaveLength(1);
    expect(jobSet.spec.replicatedJobs[0]).toMatchObject({ name: 'workers', replicas: 1 });
    expect(workerJob(jobSet).spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 4,
      backoffLimitPerIndex: 2,
      maxFailedIndexes: 0,
      activeDeadlineSeconds: 86400,
      podReplacementPolicy: 'Failed',
    });
    expect(workerJob(jobSet).spec.backoffLimit).toBeUndefined();
    expect(podSpec(jobSet).restartPolicy).toBe('Never');
  });

  test('group restarts: 10 on spot, BlockingRecreate, success when the workers succeed, cleaned up after a day', () => {
    expect(jobSet.spec.failurePolicy).toMatchObject({ maxRestarts: 10, restartStrategy: 'BlockingRecreate' });
    expect(jobSet.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['workers'] });
    expect(jobSet.spec.ttlSecondsAfterFinished).toBe(86400);
  });

  test('a reclaimed worker restarts the whole group without using up maxRestarts; a surviving rank that exits first is retried in place', () => {
    expect(jobSetAction(jobSet, jobFailureFor(jobSet, { condition: 'DisruptionTarget' }) as JobFailure)).toBe(
      'RestartJobSetAndIgnoreMaxRestarts',
    );
    // The survivors' collectives break before the reclaimed pod has terminated: their exits do not fail the Job.
    expect(jobFailureFor(jobSet, { exitCode: 1 })).toBe('retried');
    expect(jobFailureFor(jobSet, { exitCode: 143 })).toBe('retried');
    // A rank that keeps failing exhausts its index: the group restarts, counted.
    expect(
      jobSetAction(jobSet, {
        reason: 'MaxFailedIndexesExceeded',
        message: 'Job has exceeded the specified maximal number of failed indexes',
      }),
    ).toBe('RestartJobSet');
    expect(jobSetAction(jobSet, { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' })).toBe(
      'FailJobSet',
    );
    expect(jobSetAction(jobSet, { reason: 'BackoffLimitExceeded' })).toBe('RestartJobSet');
    // The example's own application error code fails the run whichever rank exits with it.
    expect(jobSetAction(jobSet, jobFailureFor(jobSet, { exitCode: 2 }) as JobFailure)).toBe('FailJobSet');
  });

  test('Kueue admits the JobSet as a whole: the queue label and suspend on the JobSet, not on its Job', () => {
    expect(jobSet.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBe('training');
    expect(jobSet.spec.suspend).toBe(true);
    expect(workerJob(jobSet).metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
  });

  test("torchrun reaches worker 0 at the JobSet's pod hostname, ranks from the completion index, the restart attempt visible", () => {
    const e = env(jobSet);
    // The worker Job is <name>-workers-0, so $(JOB_NAME)-0 is the JobSet hostname <jobset>-<replicated job>-<job index>-<pod index>.
    expect(e.JOB_NAME).toBe("metadata.labels['batch.kubernetes.io/job-name']");
    expect(e.MASTER_ADDR).toBe('$(JOB_NAME)-0.embedding-trainer-4x.ml-batch.svc');
    expect(e.NODE_RANK).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    expect(e).toMatchObject({
      NNODES: '4',
      WORLD_SIZE: '4',
      CHECKPOINT_DIR: '/checkpoints',
      JOBSET_RESTART_ATTEMPT: "metadata.annotations['jobset.sigs.k8s.io/restart-attempt']",
    });
  });

  test('the NetworkPolicy selects the JobSet pods and lets the workers reach each other', () => {
    const policy = one(objects, 'NetworkPolicy');
    const podLabels = podSpec(jobSet) && workerJob(jobSet).spec.template.metadata.labels;
    for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) expect(podLabels[k]).toBe(v);
    const peers = policy.spec.egress.flatMap((r: any) => r.to ?? []).filter((t: any) => t.podSelector);
    expect(peers).toContainEqual({ podSelector: { matchLabels: policy.spec.podSelector.matchLabels } });
  });

  test('the same pod as on the Job engine: identity, GPU placement, shm, checkpoint, grace period', () => {
    const spec = podSpec(jobSet);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 65532 });
    expect(spec.tolerations.map((t: any) => t.key)).toEqual(['nvidia.com/gpu', 'cloud.google.com/gke-spot']);
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['tmp', 'dshm', 'checkpoints']);
    expect(spec.terminationGracePeriodSeconds).toBe(195);
    expect(spec.automountServiceAccountToken).toBe(false);
  });
});

describe('GpuTrainingJob on a JobSet: options', () => {
  test('3 group restarts off spot; maxRestarts as given', () => {
    expect(one(synth({ spot: undefined }), 'JobSet').spec.failurePolicy.maxRestarts).toBe(3);
    expect(one(synth({ maxRestarts: 20 }), 'JobSet').spec.failurePolicy.maxRestarts).toBe(20);
  });

  test('maxRestarts 0 needs no checkpoint and fails on the first lost worker', () => {
    const jobSet = one(synth({ maxRestarts: 0, checkpoint: undefined, spot: undefined }), 'JobSet');
    expect(jobSet.spec.failurePolicy.maxRestarts).toBe(0);
  });

  test('elastic: the c10d rendezvous store runs in a pod of its own, so losing any worker, worker 0 included, keeps the run going', () => {
    const jobSet = one(synth({ elastic: { minWorkers: 2 } }), 'JobSet');
    expect(env(jobSet)).toMatchObject({
      PET_NNODES: '2:4',
      PET_RDZV_BACKEND: 'c10d',
      PET_RDZV_ENDPOINT: 'pretrain-rendezvous-0-0.pretrain.ml-train.svc:29500',
      PET_RDZV_CONF: 'is_host=false',
      PET_RDZV_ID: '$(JOB_NAME)',
      PET_MAX_RESTARTS: '3',
    });
    // Worker 0 or any other: replaced alone, the others re-rendezvous on the store and go on.
    expect(jobFailureFor(jobSet, { condition: 'DisruptionTarget' })).toBe('ignored');
    expect(jobSetAction(jobSet, jobFailureFor(jobSet, { exitCode: 1 }) as JobFailure)).toBe('RestartJobSet');
    expect(jobSet.spec.failurePolicy.rules.map((r: any) => r.name)).toEqual(['FailOnNonRetryableExit', 'FailPastDeadline']);
    const store = jobSet.spec.replicatedJobs.find((r: any) => r.name === 'rendezvous');
    const pod = store.template.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({
      name: 'rendezvous',
      image: spotWorkers.image,
      command: ['python3', '-c', expect.stringContaining('TCPStore')],
    });
    expect(pod.containers[0].ports).toEqual([{ name: 'rendezvous', containerPort: 29500, protocol: 'TCP' }]);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(JSON.stringify(pod.tolerations ?? [])).not.toMatch(/spot/);
    expect(jobSet.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['workers'] });
  });

  test('elastic with declared non-retryable exit codes still fails on them', () => {
    const jobSet = one(synth({ elastic: { minWorkers: 3, maxRestarts: 1 }, nonRetryableExitCodes: ExitCodes.of(2) }), 'JobSet');
    expect(jobSetAction(jobSet, jobFailureFor(jobSet, { exitCode: 2 }) as JobFailure)).toBe('FailJobSet');
    expect(jobSetAction(jobSet, jobFailureFor(jobSet, { exitCode: 1 }) as JobFailure)).toBe('RestartJobSet');
    expect(env(jobSet)).toMatchObject({ PET_NNODES: '3:4', PET_MAX_RESTARTS: '1' });
  });

  test('every $(VAR) reference points at a variable listed before it', () => {
    const names: string[] = [];
    for (const e of container(one(synth({ elastic: { minWorkers: 2 } }), 'JobSet')).env) {
      for (const [, ref] of String(e.value ?? '').matchAll(/\$\(([A-Z_]+)\)/g)) expect(names).toContain(ref);
      names.push(e.name);
    }
  });

  test("the platform's training engine applies to jobs that name none", () => {
    const objects = synth({ engine: undefined }, (chart) => Platform.configure(chart, { trainingEngine: 'jobset' }));
    expect(objects.filter((o) => o.kind === 'JobSet')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'Job')).toHaveLength(0);
  });

  test('a Kubernetes 1.28 target: no podReplacementPolicy, no per-index retries (a survivor may win the race: the documented limit)', () => {
    const jobSet = one(
      synth({}, (chart) => Platform.configure(chart, { kubernetesVersion: '1.28' })),
      'JobSet',
    );
    expect(workerJob(jobSet).spec.podReplacementPolicy).toBeUndefined();
    expect(workerJob(jobSet).spec.backoffLimitPerIndex).toBeUndefined();
    expect(workerJob(jobSet).spec.backoffLimit).toBe(0);
    expect(workerJob(jobSet).spec.podFailurePolicy.rules[0].action).toBe('FailJob');
  });

  test('an application error from any rank fails fast when it has a code of its own', () => {
    const jobSet = one(synth({ nonRetryableExitCodes: ExitCodes.of(2, 3) }), 'JobSet');
    for (const rank of [0, 3]) {
      void rank;
      expect(jobSetAction(jobSet, jobFailureFor(jobSet, { exitCode: 2 }) as JobFailure)).toBe('FailJobSet');
    }
    expect(jobFailureFor(jobSet, { exitCode: 1 })).toBe('retried');
  });

  test('JobSet versions: fields only where the stated version has them', () => {
    const v = (jobSet: string, props: Partial<GpuTrainingJobProps> = {}) =>
      one(
        synth(props, (chart) => Platform.configure(chart, { addons: { jobSet } })),
        'JobSet',
      );
    const old = v('v0.6.0', { elastic: { minWorkers: 2 } });
    expect(old.spec.failurePolicy.restartStrategy).toBeUndefined();
    expect(old.spec.network.publishNotReadyAddresses).toBe(true);
    expect(old.spec.failurePolicy.rules.flatMap((r: any) => r.onJobFailureMessagePatterns ?? [])).toEqual([]);
    expect(v('v0.10.0').spec.failurePolicy.rules[0].onJobFailureMessagePatterns).toEqual([
      'has condition DisruptionTarget matching FailJob rule',
    ]);
    expect(() => v('v0.9.1')).toThrow(
      /engine \(jobset\) needs JobSet spec.failurePolicy.rules\[\].onJobFailureMessagePatterns, available from jobSet v0.10.0, but the platform states jobSet v0.9.1/,
    );
    expect(() => v('v0.5.0')).toThrow(/needs JobSet spec.failurePolicy.rules.*available from jobSet v0.6.0/);
  });

  test('a single-worker JobSet restarts its one pod from the checkpoint', () => {
    const jobSet = one(synth({ workers: 1 }), 'JobSet');
    expect(workerJob(jobSet).spec).toMatchObject({ completions: 1, parallelism: 1 });
    expect(env(jobSet).MASTER_ADDR).toBeUndefined();
  });

  test('monitored: job alerts match the JobSet Jobs, the runbook rolls back the JobSet', () => {
    const objects = synth({ monitoring: {} });
    const rules = JSON.stringify(one(objects, 'PrometheusRule').spec);
    expect(rules).toContain('job_name=~\\"pretrain-workers-[0-9]+\\"');
    expect(rules).toContain('kubectl delete jobset/pretrain -n ml-train');
  });
});

describe('GpuTrainingJob on a JobSet: errors', () => {
  test.each([
    [
      'exit codes a surviving rank exits with when a peer is reclaimed',
      { nonRetryableExitCodes: ExitCodes.allExcept(75) },
      /nonRetryableExitCodes \(all except 75\) covers exit code 1, 137, 143, which a surviving rank exits with when a peer's node is reclaimed.*ExitCodes.of\(2\)/,
    ],
    ['exit code 1', { nonRetryableExitCodes: ExitCodes.of(1, 2) }, /nonRetryableExitCodes \(1, 2\) covers exit code 1/],
    [
      'group restarts without checkpoints',
      { checkpoint: undefined, spot: undefined },
      /checkpoint \(unset\) is required for group restarts \(maxRestarts 3\), or every restart trains again from the first epoch; declare a checkpoint volume .* or set maxRestarts: 0/,
    ],
    [
      'a schedule',
      { schedule: '@daily' },
      /schedule \(@daily\) is not supported with engine 'jobset'.*; drop schedule, or use engine: 'job' for a CronJob/,
    ],
    ['a backoffLimit', { backoffLimit: 2 }, /backoffLimit \(2\) does not apply with engine 'jobset'.*; use maxRestarts instead/],
    ['negative maxRestarts', { maxRestarts: -1 }, /maxRestarts \(-1\) is not a non-negative integer/],
    [
      'minWorkers equal to workers',
      { elastic: { minWorkers: 4 } },
      /elastic.minWorkers \(4\) is not an integer from 1 to 3 \(workers - 1\); set minWorkers below workers \(4\)/,
    ],
    ['elastic on one worker', { workers: 1, elastic: { minWorkers: 1 } }, /elastic.minWorkers \(1\) is not an integer from 1 to 0/],
    [
      'maxRestarts on the Job engine',
      { engine: 'job', maxRestarts: 3 },
      /maxRestarts \(3\) needs engine 'jobset' \(a plain Job cannot restart the worker group\); set engine: 'jobset', or drop maxRestarts/,
    ],
    ['elastic on the Job engine', { engine: 'job', elastic: { minWorkers: 2 } }, /elastic \(.*\) needs engine 'jobset'/],
    ['an unknown engine', { engine: 'mpi' as any }, /engine \(mpi\) is not 'job' or 'jobset'/],
    [
      'several spot workers without a chosen engine',
      { engine: undefined },
      /engine \(unset\) is not chosen for 4 workers on spot capacity: on the default Indexed Job a reclaimed worker is replaced alone while the surviving ranks fail; set engine: 'jobset'/,
    ],
  ] as [string, Partial<GpuTrainingJobProps>, RegExp][])('throws on %s', (_what, props, error) => {
    expect(() => synth(props)).toThrow(error);
  });

  test('worker hostnames count the JobSet suffix (-workers-0-<rank>)', () => {
    // 52 + '-workers-0' (10) + '-' + 1 digit = 64 > 63
    const chart = testChart();
    expect(() => new GpuTrainingJob(chart, 'a'.repeat(52), { ...spotWorkers })).toThrow(
      /makes worker hostnames 64 characters long \(the JobSet's Jobs add 10 characters\), above the 63 DNS allows; shorten the name to at most 51 characters/,
    );
    expect(() => new GpuTrainingJob(testChart(), 'a'.repeat(51), { ...spotWorkers })).not.toThrow();
  });

  test('an explicit Indexed Job on spot is accepted (the user chose it)', () => {
    expect(synth({ engine: 'job' }).map((o) => o.kind)).toContain('Job');
  });
});
