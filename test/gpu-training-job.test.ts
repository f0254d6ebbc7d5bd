import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Accelerator, ExitCodes, GpuTrainingJob, GpuTrainingJobProps, Platform, SpotCapacity } from '../src';
import { batchChart, embeddingTrainer4x } from '../examples/batch';
import { Manifest, container, one, podSpec, synthValid, testChart } from './helpers';

const base: GpuTrainingJobProps = {
  image: 'registry.example.com/embedding-trainer:v1.8.0',
  command: ['python', 'train.py'],
  resources: { cpu: '8', memory: '48Gi' },
  accelerator: Accelerator.nvidiaGpu(1),
};

function synth(props: Partial<GpuTrainingJobProps> = {}, id = 'trainer'): Manifest[] {
  const chart = testChart();
  new GpuTrainingJob(chart, id, { ...base, ...props });
  return synthValid(chart);
}

function jobSpec(workload: Manifest): any {
  if (workload.kind === 'JobSet') return workload.spec.replicatedJobs[0].template.spec;
  return workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec : workload.spec;
}

function env(workload: Manifest): Record<string, any> {
  return Object.fromEntries(container(workload).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('GpuTrainingJob: the reference embedding-trainer', () => {
  const objects = synthValid(batchChart(Testing.app())).filter(
    (o) => o.metadata.name.startsWith('embedding-trainer') && !o.metadata.name.startsWith('embedding-trainer-4x'),
  );
  const job = one(objects, 'Job', 'embedding-trainer');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('1 x A100, 8 CPU, 48Gi, python train.py, on A100 nodes tolerating the GPU taint', () => {
    expect(container(job)).toMatchObject({
      name: 'trainer',
      image: 'registry.example.com/embedding-trainer:v1.8.0',
      command: ['python', 'train.py'],
      resources: { requests: { cpu: '8', memory: '48Gi' }, limits: { cpu: '8', memory: '48Gi', 'nvidia.com/gpu': '1' } },
    });
    expect(podSpec(job).nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true', accelerator: 'nvidia-a100' });
    expect(podSpec(job).tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('restartPolicy Never, no probes at all', () => {
    expect(podSpec(job).restartPolicy).toBe('Never');
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(container(job)[p]).toBeUndefined();
  });

  test('/dev/shm as a memory emptyDir sized for data loaders', () => {
    expect(podSpec(job).volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8192Mi' } });
    expect(container(job).volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });

  test('a ReadWriteOnce checkpoint claim, mounted and passed in the environment, writable by the non-root trainer', () => {
    const claim = one(objects, 'PersistentVolumeClaim', 'embedding-trainer-checkpoints');
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } } });
    expect(podSpec(job).volumes).toContainEqual({
      name: 'checkpoints',
      persistentVolumeClaim: { claimName: 'embedding-trainer-checkpoints', readOnly: false },
    });
    expect(container(job).volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints' });
    expect(env(job)).toMatchObject({ CHECKPOINT_DIR: '/checkpoints', CHECKPOINT_INTERVAL_SECONDS: '1800' });
    expect(podSpec(job).securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 65532, runAsUser: 65532, runAsGroup: 65532 });
  });

  test('SIGTERM leaves the declared checkpoint-write time (3 min) plus a margin', () => {
    expect(podSpec(job).terminationGracePeriodSeconds).toBe(195);
  });

  test('disruptions ignored, application errors fail fast, small backoffLimit, deadline and TTL', () => {
    expect(job.spec.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'NotIn', values: [0] } },
    ]);
    expect(job.spec).toMatchObject({
      backoffLimit: 2,
      podReplacementPolicy: 'Failed',
      activeDeadlineSeconds: 86400,
      ttlSecondsAfterFinished: 86400,
    });
    expect(job.spec.completionMode).toBeUndefined();
  });

  test('no Service for a single worker', () => {
    expect(objects.filter((o) => o.kind === 'Service')).toHaveLength(0);
    expect(podSpec(job).subdomain).toBeUndefined();
    expect(env(job)).toMatchObject({ NPROC_PER_NODE: '1', PET_NPROC_PER_NODE: '$(NPROC_PER_NODE)' });
    expect(env(job).MASTER_ADDR).toBeUndefined();
  });
});

describe('GpuTrainingJob: 4 workers on an Indexed Job', () => {
  const chart = new Chart(Testing.app(), 'batch', { namespace: 'ml-batch' });
  Platform.configure(chart, { labels: { team: 'search' } });
  new GpuTrainingJob(chart, 'embedding-trainer-4x', { ...embeddingTrainer4x, engine: 'job' });
  const objects = synthValid(chart);
  const job = one(objects, 'Job', 'embedding-trainer-4x');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('an Indexed Job with parallelism = completions = workers', () => {
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    expect(job.spec.backoffLimitPerIndex).toBeUndefined();
  });

  test('a headless Service and pod subdomain so workers resolve each other', () => {
    const service = one(objects, 'Service', 'embedding-trainer-4x');
    expect(service.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { 'app.kubernetes.io/name': 'embedding-trainer-4x', 'app.kubernetes.io/instance': 'embedding-trainer-4x' },
    });
    expect(podSpec(job).subdomain).toBe('embedding-trainer-4x');
    expect(podSpec(job).hostname).toBeUndefined();
  });

  test("torchrun's environment: worker 0's DNS name, port, nodes, rank from the completion index, processes per node", () => {
    expect(env(job)).toMatchObject({
      MASTER_ADDR: '$(JOB_NAME)-0.embedding-trainer-4x.ml-batch.svc',
      MASTER_PORT: '29500',
      NNODES: '4',
      NODE_RANK: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
      NPROC_PER_NODE: '1',
      WORLD_SIZE: '4',
      PET_MASTER_ADDR: '$(MASTER_ADDR)',
      PET_MASTER_PORT: '$(MASTER_PORT)',
      PET_NNODES: '$(NNODES)',
      PET_NODE_RANK: '$(NODE_RANK)',
      PET_NPROC_PER_NODE: '$(NPROC_PER_NODE)',
    });
    expect(container(job).ports).toEqual([{ name: 'rendezvous', containerPort: 29500, protocol: 'TCP' }]);
  });

  test('every $(VAR) reference points at a variable listed before it (Kubernetes expands only those)', () => {
    const names: string[] = [];
    for (const e of container(job).env) {
      for (const [, ref] of String(e.value ?? '').matchAll(/\$\(([A-Z_]+)\)/g)) expect(names).toContain(ref);
      names.push(e.name);
    }
  });

  test('all workers admitted together by Kueue, on spot nodes with on-demand fallback, sharing a ReadWriteMany checkpoint', () => {
    expect(job.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBe('training');
    expect(job.spec.suspend).toBe(true);
    expect(podSpec(job).affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(one(objects, 'PersistentVolumeClaim').spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'shared-rwx' });
  });

  test('WORLD_SIZE counts processes: workers x GPUs per worker', () => {
    const e = env(one(synth({ workers: 2, accelerator: Accelerator.nvidiaGpu(8) }), 'Job'));
    expect(e).toMatchObject({ NNODES: '2', NPROC_PER_NODE: '8', WORLD_SIZE: '16', MASTER_ADDR: '$(JOB_NAME)-0.trainer.ml.svc' });
  });
});

describe('GpuTrainingJob: variants', () => {
  test('an existing checkpoint claim is mounted, not created', () => {
    const objects = synth({ checkpoint: { existingClaim: 'shared-checkpoints', mountPath: '/ckpt' } });
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(0);
    const job = one(objects, 'Job');
    expect(podSpec(job).volumes).toContainEqual({
      name: 'checkpoints',
      persistentVolumeClaim: { claimName: 'shared-checkpoints', readOnly: false },
    });
    expect(env(job).CHECKPOINT_DIR).toBe('/ckpt');
    expect(podSpec(job).terminationGracePeriodSeconds).toBe(135);
  });

  test('checkpoint size rounds up to whole GiB, with a StorageClass and the given fsGroup', () => {
    const objects = synth({ checkpoint: { size: '1500Mi', storageClass: 'premium-rwo' }, runAs: { fsGroup: 2000 } });
    expect(one(objects, 'PersistentVolumeClaim').spec).toMatchObject({
      resources: { requests: { storage: '2Gi' } },
      storageClassName: 'premium-rwo',
    });
    expect(podSpec(one(objects, 'Job')).securityContext.fsGroup).toBe(2000);
  });

  test('MIG slices through the core', () => {
    const job = one(synth({ accelerator: Accelerator.nvidiaMig('3g.20gb', 1) }), 'Job');
    expect(container(job).resources.limits['nvidia.com/mig-3g.20gb']).toBe('1');
    expect(podSpec(job).tolerations[0].key).toBe('nvidia.com/gpu');
  });

  test('priority class: the prop, else the platform default for training', () => {
    expect(podSpec(one(synth({ priorityClassName: 'training-high' }), 'Job')).priorityClassName).toBe('training-high');
    const chart = testChart();
    Platform.configure(chart, { priorityClasses: { training: 'training-low', batch: 'batch-low' } });
    new GpuTrainingJob(chart, 'trainer', base);
    expect(podSpec(one(synthValid(chart), 'Job')).priorityClassName).toBe('training-low');
  });

  test('/dev/shm defaults to half the memory limit when that is below 8Gi', () => {
    const job = one(synth({ resources: { cpu: '2', memory: '6Gi' } }), 'Job');
    expect(podSpec(job).volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '3072Mi' } });
  });

  test('retrying only on declared exit codes', () => {
    const rules = one(synth({ nonRetryableExitCodes: ExitCodes.allExcept(75, 3) }), 'Job').spec.podFailurePolicy.rules;
    expect(rules[1]).toEqual({ action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'NotIn', values: [0, 3, 75] } });
  });

  test('a platform with its own accelerator label and taint', () => {
    const chart = testChart();
    Platform.configure(chart, { acceleratorNodeLabel: 'gpu', acceleratorTaint: { key: 'gpu', value: 'true', effect: 'NoExecute' } });
    new GpuTrainingJob(chart, 'trainer', base);
    const spec = podSpec(one(synthValid(chart), 'Job'));
    expect(spec.nodeSelector).toEqual({ gpu: 'true' });
    expect(spec.tolerations).toEqual([{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoExecute' }]);
  });
});

describe('GpuTrainingJob: periodic retraining', () => {
  const objects = synth({
    schedule: '0 3 * * 0',
    timeZone: 'UTC',
    workers: 2,
    checkpoint: { size: '50Gi', accessMode: 'ReadWriteMany' },
    queueName: 'training',
  });
  const cron = one(objects, 'CronJob', 'trainer');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('a CronJob with Forbid, the run policy in its job template, the worker Service and claim beside it', () => {
    expect(objects.filter((o) => o.kind === 'Job')).toHaveLength(0);
    expect(cron.spec).toMatchObject({ schedule: '0 3 * * 0', timeZone: 'UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600 });
    expect(jobSpec(cron)).toMatchObject({
      completionMode: 'Indexed',
      completions: 2,
      parallelism: 2,
      backoffLimit: 2,
      podReplacementPolicy: 'Failed',
      suspend: true,
      activeDeadlineSeconds: 86400,
    });
    // The CronJob's history limits clean up its runs; no TTL deletes the kept ones first.
    expect(jobSpec(cron).ttlSecondsAfterFinished).toBeUndefined();
    expect(cron.spec).toMatchObject({ successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(jobSpec(cron).podFailurePolicy.rules.map((r: any) => r.action)).toEqual(['Ignore', 'FailJob']);
    expect(podSpec(cron)).toMatchObject({ restartPolicy: 'Never', subdomain: 'trainer' });
    expect(cron.spec.jobTemplate.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('training');
    one(objects, 'Service', 'trainer');
    one(objects, 'PersistentVolumeClaim', 'trainer-checkpoints');
  });

  test('each run finds its own worker 0 through the Job name', () => {
    expect(env(cron).MASTER_ADDR).toBe('$(JOB_NAME)-0.trainer.ml.svc');
  });

  test('JSON-patched fields survive: no nulls anywhere', () => {
    expect(JSON.stringify(objects)).not.toContain('null');
  });
});

describe('GpuTrainingJob: exposes every object', () => {
  test('job or cronJob, service, checkpointClaim, serviceAccount', () => {
    const chart = testChart();
    const t = new GpuTrainingJob(chart, 'trainer', { ...base, workers: 2, checkpoint: { size: '10Gi', accessMode: 'ReadWriteMany' } });
    expect(t.job).toBeDefined();
    expect(t.cronJob).toBeUndefined();
    expect(t.service).toBeDefined();
    expect(t.checkpointClaim).toBeDefined();
    expect(t.serviceAccount).toBeDefined();
    const s = new GpuTrainingJob(chart, 'weekly', { ...base, schedule: '@weekly' });
    expect(s.cronJob).toBeDefined();
    expect(s.job).toBeUndefined();
    expect(s.service).toBeUndefined();
    expect(s.checkpointClaim).toBeUndefined();
  });
});

describe('GpuTrainingJob: bad input', () => {
  const cases: [string, Partial<GpuTrainingJobProps>, RegExp][] = [
    [
      'GPU count 0',
      { accelerator: Accelerator.nvidiaGpu(0) },
      /GpuTrainingJob 'test\/trainer': accelerator.count \(0\) is not a positive integer; request a whole number of devices/,
    ],
    ['GPU count negative', { accelerator: Accelerator.nvidiaGpu(-1) }, /accelerator.count \(-1\) is not a positive integer/],
    [
      'GPU count fractional',
      { accelerator: Accelerator.nvidiaGpu(0.5) },
      /accelerator.count \(0.5\) is not a positive integer; .*MIG profile/,
    ],
    ['MIG profile malformed', { accelerator: Accelerator.nvidiaMig('half', 1) }, /accelerator.profile \(half\) is not a MIG profile/],
    [
      'no accelerator',
      { accelerator: undefined },
      /GpuTrainingJob 'test\/trainer': accelerator \(unset\) is required for GPU training; request the accelerators/,
    ],
    ['workers 0', { workers: 0 }, /GpuTrainingJob 'test\/trainer': workers \(0\) is not a positive integer; use 1 for one pod/],
    ['workers fractional', { workers: 2.5 }, /workers \(2.5\) is not a positive integer/],
    ['no resources', { resources: undefined }, /GpuTrainingJob 'test\/trainer': resources \(unset\) must set cpu and memory requests/],
    ['no memory request', { resources: { cpu: '8' } as any }, /resources \({"cpu":"8"}\) must set cpu and memory requests/],
    [
      'checkpoint size not a quantity',
      { checkpoint: { size: 'lots' } },
      /GpuTrainingJob 'test\/trainer': checkpoint.size \(lots\) is not a Kubernetes quantity; use a quantity such as '200Gi'/,
    ],
    [
      'checkpoint without size or claim',
      { checkpoint: {} },
      /checkpoint.size \(unset\) is required to create a checkpoint claim; set size/,
    ],
    [
      'checkpoint size and claim',
      { checkpoint: { size: '10Gi', existingClaim: 'x' } },
      /checkpoint.size \(10Gi\) is set together with checkpoint.existingClaim/,
    ],
    [
      'checkpoint relative path',
      { checkpoint: { size: '10Gi', mountPath: 'ckpt' } },
      /checkpoint.mountPath \(ckpt\) is not an absolute path of its own/,
    ],
    ['checkpoint on /tmp', { checkpoint: { size: '10Gi', mountPath: '/tmp' } }, /checkpoint.mountPath \(\/tmp\)/],
    [
      'activeDeadline shorter than the checkpoint interval',
      { activeDeadline: Duration.minutes(20), checkpoint: { size: '10Gi', interval: Duration.minutes(30) } },
      /GpuTrainingJob 'test\/trainer': activeDeadline \(1200s\) is shorter than checkpoint.interval \(1800s\).*; raise activeDeadline above the checkpoint interval/,
    ],
    [
      'several workers on a ReadWriteOnce claim',
      { workers: 4, checkpoint: { size: '10Gi' } },
      /checkpoint.accessMode \(ReadWriteOnce\) cannot be mounted by 4 workers on different nodes; use accessMode 'ReadWriteMany'/,
    ],
    [
      'spot without checkpoint',
      { spot: SpotCapacity.gke() },
      /GpuTrainingJob 'test\/trainer': checkpoint \(unset\) is required with spot, or every reclaim restarts training from the first epoch/,
    ],
    [
      'concurrent scheduled runs on one checkpoint',
      { schedule: '0 3 * * *', cronJob: { concurrencyPolicy: 'Allow' }, checkpoint: { size: '10Gi' } },
      /cronJob.concurrencyPolicy \(Allow\) lets two runs write the same checkpoints/,
    ],
    [
      'shared memory not below the memory limit',
      { accelerator: Accelerator.nvidiaGpu(1, { sharedMemory: '64Gi' }) },
      /accelerator.sharedMemory \(64Gi\) is not below the memory limit \(48Gi\)/,
    ],
    [
      'invalid cron',
      { schedule: '0 25 * * *' },
      /GpuTrainingJob 'test\/trainer': schedule \(0 25 \* \* \*\) is not a valid cron expression/,
    ],
    ['invalid time zone', { schedule: '0 3 * * *', timeZone: 'Berlin' }, /timeZone \(Berlin\) is not an IANA time zone name/],
    [
      'non-retryable exit code out of range',
      { nonRetryableExitCodes: ExitCodes.allExcept(300) },
      /nonRetryableExitCodes\[0\] \(300\) is not an exit code from 1 to 255/,
    ],
    ['bad rendezvous port', { workers: 2, masterPort: 70000 }, /masterPort \(70000\) is outside 1-65535/],
    [
      'GPU toleration is fine, foreign toleration needs an operator',
      { tolerations: [{ operator: 'Equal' }] },
      /tolerations\[0\].key \(unset\) is empty with operator 'Equal'/,
    ],
  ];
  test.each(cases)('%s', (_, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('worker hostnames longer than a DNS label', () => {
    // A CronJob's Jobs are named '<name>-<8 digits>': 52 + 9 + '-99' = 64.
    expect(() => synth({ workers: 100, schedule: '@daily' }, 'a'.repeat(52))).toThrow(
      /name \(a{52}\) makes worker hostnames 64 characters long \(the CronJob's Jobs add 9 characters\), above the 63 DNS allows; shorten the name to at most 51 characters/,
    );
    expect(() => synth({ workers: 10, schedule: '@daily' }, 'a'.repeat(52))).not.toThrow();
    expect(() => synth({ workers: 10 }, 'a'.repeat(62))).toThrow(/makes worker hostnames 64 characters long/);
  });
});

const trainingProps: fc.Arbitrary<Partial<GpuTrainingJobProps>> = fc
  .record({
    accelerator: fc.oneof(
      fc.integer({ min: 1, max: 8 }).map((n) => Accelerator.nvidiaGpu(n)),
      fc.constantFrom('1g.5gb', '2g.10gb', '7g.80gb').map((p) => Accelerator.nvidiaMig(p, 1)),
      fc.constant(Accelerator.of('amd.com/gpu', 2)),
    ),
    memoryGi: fc.integer({ min: 2, max: 512 }),
    workers: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
    schedule: fc.option(fc.constantFrom('0 3 * * 0', '@daily', '0 */12 * * *'), { nil: undefined }),
    checkpoint: fc.option(
      fc.record({
        sizeGi: fc.integer({ min: 1, max: 2000 }),
        writeMinutes: fc.integer({ min: 1, max: 30 }),
        intervalMinutes: fc.integer({ min: 5, max: 120 }),
      }),
      { nil: undefined },
    ),
    spot: fc.boolean(),
    queueName: fc.option(fc.constant('training'), { nil: undefined }),
    deadlineHours: fc.option(fc.integer({ min: 2, max: 240 }), { nil: undefined }),
    ttlHours: fc.option(fc.integer({ min: 0, max: 72 }), { nil: undefined }),
    jobSet: fc.boolean(),
  })
  .map((p) => ({
    // A JobSet has no schedule and restarts need checkpoints; several spot workers need an explicit engine.
    engine: p.jobSet && !p.schedule && p.checkpoint ? ('jobset' as const) : p.spot && (p.workers ?? 1) > 1 ? ('job' as const) : undefined,
    accelerator: p.accelerator,
    resources: { cpu: '4', memory: `${p.memoryGi}Gi` },
    workers: p.workers,
    schedule: p.schedule,
    checkpoint: p.checkpoint && {
      size: `${p.checkpoint.sizeGi}Gi`,
      accessMode: 'ReadWriteMany' as const,
      writeTime: Duration.minutes(p.checkpoint.writeMinutes),
      interval: Duration.minutes(p.checkpoint.intervalMinutes),
    },
    spot: p.spot && p.checkpoint ? SpotCapacity.gke() : undefined,
    queueName: p.queueName,
    activeDeadline: p.deadlineHours ? Duration.hours(p.deadlineHours) : undefined,
    ttlAfterFinished: p.ttlHours !== undefined && !p.schedule ? Duration.hours(p.ttlHours) : undefined,
  }));

describe('GpuTrainingJob: properties', () => {
  test('every valid props object synthesizes schema-valid, restartPolicy Never, GPU only with toleration and selector, always a TTL', () => {
    fc.assert(
      fc.property(trainingProps, (props) => {
        const objects = synth(props);
        const workload = objects.find((o) => ['Job', 'CronJob', 'JobSet'].includes(o.kind))!;
        expect(workload.kind).toBe(props.engine === 'jobset' ? 'JobSet' : props.schedule ? 'CronJob' : 'Job');
        const spec = podSpec(workload);
        expect(spec.restartPolicy).toBe('Never');
        const limits = container(workload).resources.limits;
        const gpu = Object.keys(limits).some((k) => k.includes('/'));
        expect(gpu).toBe(true);
        expect(spec.tolerations.some((t: any) => t.key === 'nvidia.com/gpu')).toBe(gpu);
        expect(spec.nodeSelector['nvidia.com/gpu.present']).toBe('true');
        if (workload.kind === 'CronJob') expect(workload.spec.failedJobsHistoryLimit).toBeGreaterThanOrEqual(1);
        else expect((workload.kind === 'JobSet' ? workload.spec : jobSpec(workload)).ttlSecondsAfterFinished).toBeGreaterThanOrEqual(0);
        expect(container(workload).livenessProbe).toBeUndefined();
        const workers = props.workers ?? 1;
        if (workers > 1) {
          expect(jobSpec(workload)).toMatchObject({ completionMode: 'Indexed', completions: workers, parallelism: workers });
          expect(env(workload).NNODES).toBe(String(workers));
          if (props.engine === 'jobset')
            expect(workload.spec.network).toEqual({
              enableDNSHostnames: true,
              subdomain: workload.metadata.name,
              publishNotReadyAddresses: true,
            });
          else expect(spec.subdomain).toBe(one(objects, 'Service').metadata.name);
        }
        if (props.checkpoint) expect(spec.terminationGracePeriodSeconds).toBe(props.checkpoint.writeTime!.toSeconds() + 15);
        expect(JSON.stringify(objects)).not.toContain('null');
      }),
      { numRuns: 50 },
    );
  });
});
