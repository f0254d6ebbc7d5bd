import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Accelerator, BatchScoringJob, BatchScoringJobProps, ExitCodes, Platform, SpotCapacity } from '../src';
import { batchChart } from '../examples/batch';
import { Manifest, container, one, podSpec, synthValid, testChart } from './helpers';

const base = { image: 'registry.example.com/scorer:v1.2.0', resources: { cpu: '1', memory: '2Gi' } };

function synth(props: Partial<BatchScoringJobProps> = {}, id = 'nightly'): Manifest[] {
  const chart = testChart();
  new BatchScoringJob(chart, id, { ...base, ...props });
  return synthValid(chart);
}

/** The Job spec of a Job, or the job template spec of a CronJob. */
function jobSpec(workload: Manifest): any {
  return workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec : workload.spec;
}

function envNames(workload: Manifest): string[] {
  return container(workload).env.map((e: any) => e.name);
}

describe('BatchScoringJob: one run', () => {
  const objects = synth();
  const job = one(objects, 'Job', 'nightly');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('a Job named after the workload, with a ServiceAccount and a default-deny NetworkPolicy', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Job/nightly',
      'NetworkPolicy/nightly',
      'ServiceAccount/nightly',
    ]);
    const np = one(objects, 'NetworkPolicy').spec;
    expect(np.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(np.ingress).toBeUndefined();
    expect(np.egress.map((e: any) => e.ports)).toEqual([
      [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
    ]);
    expect(job.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'nightly', 'app.kubernetes.io/component': 'batch-scoring' });
  });

  test('restartPolicy Never and no probes', () => {
    expect(podSpec(job).restartPolicy).toBe('Never');
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(container(job)[p]).toBeUndefined();
  });

  test('safe retries: disruptions ignored, small explicit backoffLimit, replacement only after failure', () => {
    expect(job.spec.backoffLimit).toBe(3);
    expect(job.spec.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(job.spec.podReplacementPolicy).toBe('Failed');
    expect(job.spec.completionMode).toBeUndefined();
    expect(job.spec.suspend).toBeUndefined();
  });

  test('deadline and cleanup by default', () => {
    expect(job.spec.activeDeadlineSeconds).toBe(6 * 3600);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
  });

  test('a run identifier and the job name in the environment', () => {
    const env = container(job).env;
    expect(env).toContainEqual({
      name: 'RUN_ID',
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" } },
    });
    expect(env).toContainEqual({
      name: 'JOB_NAME',
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } },
    });
  });

  test('no accelerator placement on a CPU job', () => {
    expect(podSpec(job).tolerations).toBeUndefined();
    expect(podSpec(job).nodeSelector).toBeUndefined();
  });
});

describe('BatchScoringJob: sharded', () => {
  const objects = synth({
    shards: 20,
    nonRetryableExitCodes: ExitCodes.of(2, 3),
    outputUri: 's3://scores/churn',
    networkPolicy: { egressTo: [{ to: { cidr: '10.30.0.0/16' }, ports: [443] }] },
  });
  const job = one(objects, 'Job');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('an Indexed Job with one completion per shard and capped parallelism', () => {
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 20, parallelism: 10 });
  });

  test('per-shard retries: one bad shard does not fail the run', () => {
    expect(job.spec.backoffLimitPerIndex).toBe(2);
    expect(job.spec.maxFailedIndexes).toBe(2);
    expect(job.spec.backoffLimit).toBeUndefined();
    expect(job.spec.podFailurePolicy.rules[1]).toEqual({
      action: 'FailIndex',
      onExitCodes: { containerName: 'scorer', operator: 'In', values: [2, 3] },
    });
  });

  test('the shard count and output location in the environment', () => {
    expect(container(job).env).toContainEqual({ name: 'SHARD_COUNT', value: '20' });
    expect(container(job).env).toContainEqual({ name: 'OUTPUT_URI', value: 's3://scores/churn' });
  });

  test('few shards run all at once; parallelism, per-index limits are overridable', () => {
    expect(one(synth({ shards: 3 }), 'Job').spec).toMatchObject({ parallelism: 3, maxFailedIndexes: 1 });
    expect(one(synth({ shards: 40, parallelism: 40, backoffLimitPerIndex: 0, maxFailedIndexes: 0 }), 'Job').spec).toMatchObject({
      parallelism: 40,
      backoffLimitPerIndex: 0,
      maxFailedIndexes: 0,
    });
  });

  test('without shards, non-retryable exit codes fail the whole Job', () => {
    const rules = one(synth({ nonRetryableExitCodes: ExitCodes.of(2) }), 'Job').spec.podFailurePolicy.rules;
    expect(rules[1]).toEqual({ action: 'FailJob', onExitCodes: { containerName: 'scorer', operator: 'In', values: [2] } });
  });
});

describe('BatchScoringJob: scheduled', () => {
  const objects = synth({ schedule: '0 2 * * *', timeZone: 'Europe/Berlin', shards: 4, nonRetryableExitCodes: ExitCodes.of(2) });
  const cron = one(objects, 'CronJob', 'nightly');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('a CronJob, not a Job', () => {
    expect(objects.filter((o) => o.kind === 'Job')).toHaveLength(0);
    expect(cron.spec).toMatchObject({
      schedule: '0 2 * * *',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      suspend: false,
    });
  });

  test('the job template keeps every run-policy field', () => {
    expect(jobSpec(cron)).toMatchObject({
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 4,
      backoffLimitPerIndex: 2,
      maxFailedIndexes: 1,
      podReplacementPolicy: 'Failed',
      activeDeadlineSeconds: 21600,
    });
    expect(jobSpec(cron).podFailurePolicy.rules.map((r: any) => r.action)).toEqual(['Ignore', 'FailIndex']);
    expect(podSpec(cron).restartPolicy).toBe('Never');
    expect(cron.spec.jobTemplate.metadata.labels).toEqual(cron.metadata.labels);
  });

  test('finished runs are cleaned up by the history limits alone: no TTL deletes the kept runs first', () => {
    expect(jobSpec(cron).ttlSecondsAfterFinished).toBeUndefined();
    expect(() => synth({ schedule: '0 2 * * *', ttlAfterFinished: Duration.hours(1) })).toThrow(
      /BatchScoringJob 'test\/nightly': ttlAfterFinished \(3600s\) is set with schedule: the TTL controller would delete the CronJob's finished Jobs before its history limits apply, failed runs kept for inspection included; remove ttlAfterFinished/,
    );
  });

  test('CronJob options and macros', () => {
    const c = one(
      synth({
        schedule: '@hourly',
        cronJob: {
          concurrencyPolicy: 'Replace',
          startingDeadline: Duration.minutes(5),
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 5,
          suspend: true,
        },
      }),
      'CronJob',
    );
    expect(c.spec).toMatchObject({
      schedule: '0 * * * *',
      concurrencyPolicy: 'Replace',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      suspend: true,
    });
  });

  test('startingDeadline defaults to the shortest gap between runs, at most an hour', () => {
    expect(one(synth({ schedule: '*/15 * * * *' }), 'CronJob').spec.startingDeadlineSeconds).toBe(900);
    expect(one(synth({ schedule: '0 0 * * 1-5' }), 'CronJob').spec.startingDeadlineSeconds).toBe(3600);
    expect(one(synth({ schedule: '0 0 1 JAN,JUL *' }), 'CronJob').spec.schedule).toBe('0 0 1 JAN,JUL *');
  });
});

describe('BatchScoringJob: spot capacity and Kueue', () => {
  const objects = synth({ shards: 8, spot: SpotCapacity.gke(), queueName: 'batch' });
  const job = one(objects, 'Job');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('spot toleration and required node affinity', () => {
    expect(podSpec(job).tolerations).toEqual([
      { key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    ]);
    expect(podSpec(job).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual(
      [{ key: 'cloud.google.com/gke-spot', operator: 'In', values: ['true'] }],
    );
  });

  test('the Job is labelled for its queue and created suspended', () => {
    expect(job.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBe('batch');
    expect(job.spec.suspend).toBe(true);
  });

  test('a scheduled job passes the queue and suspension to its Jobs, and keeps scheduling', () => {
    const cron = one(synth({ schedule: '0 2 * * *', queueName: 'batch' }), 'CronJob');
    expect(cron.spec.suspend).toBe(false);
    expect(cron.spec.jobTemplate.spec.suspend).toBe(true);
    expect(cron.spec.jobTemplate.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('batch');
    expect(cron.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
  });

  test.each([
    ['aks', SpotCapacity.aks(), 'kubernetes.azure.com/scalesetpriority', 'spot', true],
    ['eks', SpotCapacity.eks(), 'eks.amazonaws.com/capacityType', 'SPOT', false],
    ['karpenter', SpotCapacity.karpenter(), 'karpenter.sh/capacity-type', 'spot', false],
    [
      'custom',
      SpotCapacity.custom({ labelKey: 'pool', labelValue: 'spot', taint: { key: 'pool', effect: 'NoExecute' } }),
      'pool',
      'spot',
      true,
    ],
  ])('preset %s', (_, spot, key, value, tainted) => {
    const spec = podSpec(one(synth({ spot }), 'Job'));
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key, operator: 'In', values: [value] },
    ]);
    expect(spec.tolerations?.length ?? 0).toBe(tainted ? 1 : 0);
  });

  test('fallback to on-demand prefers spot instead of requiring it', () => {
    const affinity = podSpec(one(synth({ spot: SpotCapacity.karpenter({ fallbackToOnDemand: true }) }), 'Job')).affinity.nodeAffinity;
    expect(affinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(affinity.preferredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({ weight: 100 });
  });
});

describe('BatchScoringJob: on GPUs', () => {
  const objects = synth({ accelerator: Accelerator.nvidiaGpu(1), tolerations: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }] });
  const job = one(objects, 'Job');

  test('snapshot', () => expect(objects).toMatchSnapshot());

  test('GPU limit, selector, taint toleration and /dev/shm through the core', () => {
    expect(container(job).resources.limits['nvidia.com/gpu']).toBe('1');
    expect(podSpec(job).nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(podSpec(job).tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' },
    ]);
    expect(podSpec(job).volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2048Mi' } });
  });
});

describe('BatchScoringJob: JSON-patched fields survive synthesis', () => {
  const all = {
    shards: 6,
    parallelism: 2,
    backoffLimitPerIndex: 1,
    maxFailedIndexes: 2,
    nonRetryableExitCodes: ExitCodes.of(2),
    queueName: 'batch',
    spot: SpotCapacity.aks(),
    ttlAfterFinished: Duration.hours(2),
  };
  const expected = {
    completionMode: 'Indexed',
    completions: 6,
    parallelism: 2,
    backoffLimitPerIndex: 1,
    maxFailedIndexes: 2,
    podReplacementPolicy: 'Failed',
    suspend: true,
    ttlSecondsAfterFinished: 7200,
    podFailurePolicy: {
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailIndex', onExitCodes: { containerName: 'scorer', operator: 'In', values: [2] } },
      ],
    },
  };

  test.each([
    ['Job', {}],
    ['CronJob', { schedule: '30 1 * * *', ttlAfterFinished: undefined }],
  ])('%s', (kind, extra) => {
    const objects = synth({ ...all, ...extra });
    expect(JSON.stringify(objects)).not.toContain('null');
    const workload = one(objects, kind);
    const { ttlSecondsAfterFinished, ...cronExpected } = expected;
    expect(jobSpec(workload)).toMatchObject(kind === 'Job' ? expected : cronExpected);
    expect(jobSpec(workload).ttlSecondsAfterFinished).toBe(kind === 'Job' ? ttlSecondsAfterFinished : undefined);
    expect(podSpec(workload).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeDefined();
    expect(podSpec(workload).tolerations).toHaveLength(1);
    if (kind === 'CronJob') expect(workload.spec.jobTemplate.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('batch');
  });
});

describe('BatchScoringJob: example', () => {
  test('the nightly sharded example synthesizes valid', () => {
    const objects = synthValid(batchChart(Testing.app()));
    const cron = one(objects, 'CronJob', 'churn-scoring');
    expect(jobSpec(cron)).toMatchObject({ completions: 32, parallelism: 8, activeDeadlineSeconds: 14400 });
    expect(envNames(cron)).toEqual(expect.arrayContaining(['RUN_ID', 'SHARD_COUNT', 'OUTPUT_URI', 'MODEL_VERSION']));
  });
});

describe('BatchScoringJob: bad input', () => {
  const cases: [string, Partial<BatchScoringJobProps>, RegExp][] = [
    ['shards 0', { shards: 0 }, /BatchScoringJob 'test\/nightly': shards \(0\) is not an integer from 1 to 100000; split the input/],
    ['shards fractional', { shards: 2.5 }, /shards \(2\.5\) is not an integer/],
    ['parallelism above shards', { shards: 4, parallelism: 5 }, /parallelism \(5\) is above shards \(4\).*; use at most 4/],
    ['parallelism 0', { shards: 4, parallelism: 0 }, /parallelism \(0\) is not a positive integer/],
    ['parallelism without shards', { parallelism: 2 }, /parallelism \(2\) is set without shards; set shards/],
    [
      'backoffLimitPerIndex without shards',
      { backoffLimitPerIndex: 2 },
      /'test\/nightly': backoffLimitPerIndex \(2\) is set without shards; set shards/,
    ],
    ['maxFailedIndexes without shards', { maxFailedIndexes: 1 }, /maxFailedIndexes \(1\) is set without shards/],
    [
      'maxFailedIndexes above shards',
      { shards: 3, maxFailedIndexes: 4 },
      /maxFailedIndexes \(4\) is not an integer from 0 to shards \(3\)/,
    ],
    ['backoffLimitPerIndex negative', { shards: 3, backoffLimitPerIndex: -1 }, /backoffLimitPerIndex \(-1\) is not a non-negative integer/],
    ['backoffLimit negative', { backoffLimit: -1 }, /backoffLimit \(-1\) is not a non-negative integer/],
    ['activeDeadline zero', { activeDeadline: Duration.seconds(0) }, /activeDeadline \(0s\) is not positive/],
    [
      'exit code 0',
      { nonRetryableExitCodes: ExitCodes.of(0) },
      /nonRetryableExitCodes\[0\] \(0\) is 0, which means success; list exit codes from 1 to 255/,
    ],
    [
      'exit code 256',
      { nonRetryableExitCodes: ExitCodes.of(2, 256) },
      /nonRetryableExitCodes\[1\] \(256\) is not an exit code from 1 to 255/,
    ],
    ['exit code fractional', { nonRetryableExitCodes: ExitCodes.of(1.5) }, /nonRetryableExitCodes\[0\] \(1\.5\) is not an exit code/],
    ['no exit code', { nonRetryableExitCodes: ExitCodes.of() }, /nonRetryableExitCodes \(\[\]\) names no exit code/],
    ['cron garbage', { schedule: 'not cron' }, /schedule \(not cron\) has 2 fields, Kubernetes CronJobs take 5.*; use five fields/],
    ['cron out of range', { schedule: '61 * * * *' }, /schedule \(61 \* \* \* \*\) is not a valid cron expression \(Constraint error/],
    ['cron impossible date', { schedule: '0 0 30 2 *' }, /schedule \(0 0 30 2 \*\) is not a valid cron expression/],
    ['cron four fields', { schedule: '0 2 * *' }, /has 4 fields/],
    ['cron with seconds', { schedule: '0 0 2 * * *' }, /has 6 fields/],
    ['cron Quartz L', { schedule: '0 0 L * *' }, /does not support \('L', 'W', '#', 'H'/],
    ['cron Jenkins H', { schedule: 'H 2 * * *' }, /does not support/],
    ['cron nth weekday', { schedule: '0 0 * * 5#3' }, /does not support/],
    ['cron TZ prefix', { schedule: 'TZ=UTC 0 2 * * *' }, /has 6 fields/],
    ['cron unknown macro', { schedule: '@every 1h' }, /is not a macro Kubernetes supports; use one of @yearly/],
    ['cron empty', { schedule: ' ' }, /schedule \( \) is empty/],
    [
      'unknown time zone',
      { schedule: '0 2 * * *', timeZone: 'Mars/Olympus_Mons' },
      /timeZone \(Mars\/Olympus_Mons\) is not an IANA time zone name; use a tz database name/,
    ],
    [
      'time zone in the wrong case',
      { schedule: '0 2 * * *', timeZone: 'europe/berlin' },
      /timeZone \(europe\/berlin\) is not an IANA time zone name/,
    ],
    ['time zone offset', { schedule: '0 2 * * *', timeZone: '+01:00' }, /timeZone \(\+01:00\) is not an IANA/],
    ['time zone without schedule', { timeZone: 'UTC' }, /timeZone \(UTC\) is set without schedule/],
    ['cronJob without schedule', { cronJob: { suspend: true } }, /cronJob \({"suspend":true}\) is set without schedule/],
    [
      'startingDeadline below 10s',
      { schedule: '0 2 * * *', cronJob: { startingDeadline: Duration.seconds(5) } },
      /cronJob.startingDeadline \(5s\) is below 10 seconds/,
    ],
    ['history limit negative', { schedule: '0 2 * * *', cronJob: { failedJobsHistoryLimit: -1 } }, /cronJob.failedJobsHistoryLimit \(-1\)/],
    [
      'bad concurrency policy',
      { schedule: '0 2 * * *', cronJob: { concurrencyPolicy: 'Sometimes' as any } },
      /cronJob.concurrencyPolicy \(Sometimes\)/,
    ],
    [
      'GPU toleration without GPU',
      { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
      /BatchScoringJob 'test\/nightly': tolerations\[0\].key \(nvidia.com\/gpu\) tolerates the accelerator taint 'nvidia.com\/gpu' but the pod requests no accelerator; remove the toleration/,
    ],
    [
      'tolerate-everything without GPU',
      { tolerations: [{ operator: 'Exists' }] },
      /tolerations\[0\].key \(\(every key\)\) tolerates the accelerator taint/,
    ],
    [
      'toleration Exists with value',
      { tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }] },
      /tolerations\[0\].value \(b\) is set with operator 'Exists'/,
    ],
    ['bad queue name', { queueName: 'Batch Queue' }, /queueName \(Batch Queue\) is not a DNS-1123 label/],
    ['spot convention without label', { spot: SpotCapacity.custom({ labelKey: '', labelValue: 'x' }) }, /spot.labelKey \(\) is empty/],
    ['GPU count 0', { accelerator: Accelerator.nvidiaGpu(0) }, /accelerator.count \(0\) is not a positive integer/],
  ];
  test.each(cases)('%s', (_, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('a CronJob name longer than 52 characters', () => {
    expect(() => synth({ schedule: '0 2 * * *' }, 'a'.repeat(53))).toThrow(
      /name \(a{53}\) is longer than 52 characters, the limit for a CronJob/,
    );
  });

  test('a GPU toleration under a platform-specific taint key', () => {
    const chart = testChart();
    Platform.configure(chart, { acceleratorTaint: { key: 'gpu' } });
    expect(() => new BatchScoringJob(chart, 'nightly', { ...base, tolerations: [{ key: 'gpu' }] })).toThrow(
      /tolerates the accelerator taint 'gpu'/,
    );
    expect(() => new BatchScoringJob(chart, 'other', { ...base, tolerations: [{ key: 'nvidia.com/gpu' }] })).not.toThrow();
  });
});

const SCHEDULES = ['0 2 * * *', '*/10 * * * *', '15 3 * * 1-5', '0 0 1 * *', '@daily', '@weekly', '0 */6 * * *', '30 4 1,15 * *'];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
const SPOT = [SpotCapacity.gke(), SpotCapacity.aks(), SpotCapacity.eks(), SpotCapacity.karpenter({ fallbackToOnDemand: true })];

const shardedProps = fc.integer({ min: 1, max: 200 }).chain((shards) =>
  fc.record({
    shards: fc.constant(shards),
    parallelism: fc.option(fc.integer({ min: 1, max: shards }), { nil: undefined }),
    backoffLimitPerIndex: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    maxFailedIndexes: fc.option(fc.integer({ min: 0, max: shards }), { nil: undefined }),
  }),
);

const validProps: fc.Arbitrary<Partial<BatchScoringJobProps>> = fc
  .record({
    sharding: fc.option(shardedProps, { nil: undefined }),
    schedule: fc.option(
      fc.record({ schedule: fc.constantFrom(...SCHEDULES), timeZone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }) }),
      { nil: undefined },
    ),
    accelerator: fc.option(
      fc.oneof(
        fc.integer({ min: 1, max: 8 }).map((n) => Accelerator.nvidiaGpu(n)),
        fc.constantFrom('1g.5gb', '3g.20gb').map((p) => Accelerator.nvidiaMig(p, 1)),
      ),
      { nil: undefined },
    ),
    spot: fc.option(fc.constantFrom(...SPOT), { nil: undefined }),
    queueName: fc.option(fc.constantFrom('batch', 'team-a'), { nil: undefined }),
    exitCodes: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    backoffLimit: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    activeDeadlineMinutes: fc.option(fc.integer({ min: 1, max: 48 * 60 }), { nil: undefined }),
    ttlMinutes: fc.option(fc.integer({ min: 0, max: 7 * 24 * 60 }), { nil: undefined }),
    otherToleration: fc.boolean(),
  })
  .map((p) => ({
    ...p.sharding,
    ...p.schedule,
    accelerator: p.accelerator,
    spot: p.spot,
    queueName: p.queueName,
    nonRetryableExitCodes: p.exitCodes ? ExitCodes.of(...p.exitCodes) : undefined,
    backoffLimit: p.backoffLimit,
    activeDeadline: p.activeDeadlineMinutes ? Duration.minutes(p.activeDeadlineMinutes) : undefined,
    ttlAfterFinished: p.ttlMinutes !== undefined && !p.schedule ? Duration.minutes(p.ttlMinutes) : undefined,
    tolerations: p.otherToleration ? [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' as const }] : undefined,
  }));

describe('BatchScoringJob: properties', () => {
  test('every valid props object synthesizes schema-valid, restartPolicy Never, GPU only with toleration and selector, a Job always with a TTL', () => {
    fc.assert(
      fc.property(validProps, (props) => {
        const objects = synth(props);
        const workload = objects.find((o) => o.kind === 'Job' || o.kind === 'CronJob')!;
        expect(workload.kind).toBe(props.schedule ? 'CronJob' : 'Job');
        const spec = podSpec(workload);
        expect(spec.restartPolicy).toBe('Never');
        const gpu = Object.keys(container(workload).resources.limits).some((k) => k.startsWith('nvidia.com/'));
        expect(spec.tolerations?.some((t: any) => t.key === 'nvidia.com/gpu') ?? false).toBe(gpu);
        expect(spec.nodeSelector?.['nvidia.com/gpu.present'] === 'true').toBe(gpu);
        if (workload.kind === 'Job') expect(jobSpec(workload).ttlSecondsAfterFinished).toBeGreaterThanOrEqual(0);
        else expect(workload.spec.failedJobsHistoryLimit).toBeGreaterThanOrEqual(1);
        expect(jobSpec(workload).activeDeadlineSeconds).toBeGreaterThan(0);
        expect(jobSpec(workload).podFailurePolicy.rules[0].onPodConditions[0].type).toBe('DisruptionTarget');
        if (props.shards) expect(jobSpec(workload).parallelism).toBeLessThanOrEqual(jobSpec(workload).completions);
        expect(JSON.stringify(objects)).not.toContain('null');
      }),
      { numRuns: 50 },
    );
  });
});
