import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Accelerator, ExitCodes, GpuTrainingJob, MlValidationError, MultiHostInference, OnlineInference, ServingRuntime } from '../src';
import { Manifest, one, testChart } from './helpers';

/**
 * No LLM or distributed-training prop is ever silently dropped or overridden: over generated apps, every
 * prop given either reaches the rendered output (its flag with its value, exactly once, user arguments
 * last and in order) or synth fails with a message naming it.
 */

const RUNS = 40;

/** Flags no prop owns, with values vLLM accepts. */
const VLLM_FREE: [string, string | undefined][] = [
  ['--max-num-seqs', '128'],
  ['--enable-prefix-caching', undefined],
  ['--no-enable-chunked-prefill', undefined],
  ['--seed', '7'],
  ['--swap-space', '8'],
  ['--uvicorn-log-level', 'warning'],
  ['--kv-cache-dtype', 'fp8'],
  ['--enforce-eager', undefined],
];
/** Flags a prop owns: a user value for them must be refused. */
const VLLM_OWNED = ['--port', '--tensor-parallel-size', '--max-model-len', '--dtype', '--served-model-name', '--gpu-memory-utilization'];

const userArgs = fc
  .array(fc.oneof(fc.constantFrom(...VLLM_FREE), fc.constantFrom(...VLLM_OWNED.map((f) => [f, '1'] as [string, string]))), {
    maxLength: 3,
  })
  .map((pairs) => pairs.flatMap(([f, v]) => (v === undefined ? [f] : [f, v])));

const vllmOptions = fc.record(
  {
    maxModelLen: fc.constantFrom(4096, 8192, 32768),
    dtype: fc.constantFrom('auto', 'bfloat16', 'float16', 'float32') as fc.Arbitrary<'auto' | 'bfloat16' | 'float16' | 'float32'>,
    gpuMemoryUtilization: fc.constantFrom(0.8, 0.9, 0.95),
    servedModelName: fc.constantFrom('llama', 'chat'),
    extraArgs: userArgs,
  },
  { requiredKeys: [] },
);

/** The flag→value pairs a vLLM option set must render. */
function expectedFlags(o: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  if (o.maxModelLen !== undefined) out.push(['--max-model-len', String(o.maxModelLen)]);
  if (o.dtype !== undefined) out.push(['--dtype', String(o.dtype)]);
  if (o.gpuMemoryUtilization !== undefined) out.push(['--gpu-memory-utilization', String(o.gpuMemoryUtilization)]);
  if (o.servedModelName !== undefined) out.push(['--served-model-name', String(o.servedModelName)]);
  return out;
}

function ownedIn(args: string[]): boolean {
  return args.some((a) => VLLM_OWNED.includes(a.split('=')[0]));
}

/** Runs `build`; a refusal is fine when `mayRefuse` and names a prop of `fields`, anything else fails the property. */
function synthOrRefusal(build: () => Manifest[], mayRefuse: boolean, fields: RegExp): Manifest[] | undefined {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof MlValidationError)) throw e;
    if (!mayRefuse) throw e;
    expect(e.message).toMatch(fields);
    return undefined;
  }
}

function expectRendered(argv: string[], flags: [string, string][], user: string[]): void {
  for (const [flag, value] of flags) {
    expect(argv.filter((a) => a === flag)).toHaveLength(1);
    expect(argv[argv.indexOf(flag) + 1]).toBe(value);
  }
  expect(argv.slice(argv.length - user.length)).toEqual(user);
  for (const f of VLLM_OWNED) expect(argv.filter((a) => a.split('=')[0] === f).length).toBeLessThanOrEqual(1);
}

test('OnlineInference + vLLM: every option and user argument reaches `vllm serve`, or synth names it', () => {
  fc.assert(
    fc.property(vllmOptions, userArgs, fc.constantFrom(1, 2, 4), (o, args, gpus) => {
      const objects = synthOrRefusal(
        () => {
          const chart = testChart('llm');
          new OnlineInference(chart, 'llm', {
            image: 'vllm/vllm-openai:v0.11.0',
            resources: { cpu: '8', memory: '128Gi' },
            replicas: 1,
            availability: 'best-effort',
            accelerator: Accelerator.nvidiaGpu(gpus),
            model: { name: 'llama', version: 'v1', claimName: 'weights-v1' },
            runtime: ServingRuntime.vllm(o),
            args,
          });
          return Testing.synth(chart) as Manifest[];
        },
        ownedIn([...(o.extraArgs ?? []), ...args]),
        /(runtime\.extraArgs|args)\[\d+\] \(-[\w-=.]+\) sets --[\w-]+, which the library sets from/,
      );
      if (!objects) return;
      const server = one(objects, 'Deployment').spec.template.spec.containers[0];
      expect(server.args[server.args.indexOf('--tensor-parallel-size') + 1]).toBe(String(gpus));
      expectRendered(server.args, expectedFlags(o), [...(o.extraArgs ?? []), ...args]);
    }),
    { numRuns: RUNS },
  );
});

test('MultiHostInference: every vLLM option and user argument reaches the leader, or synth names it', () => {
  fc.assert(
    fc.property(vllmOptions, userArgs, fc.constantFrom(2, 3), (o, args, groupSize) => {
      const objects = synthOrRefusal(
        () => {
          const chart = testChart('llm');
          new MultiHostInference(chart, 'big', {
            image: 'vllm/vllm-openai:v0.11.0',
            groupSize,
            availability: 'best-effort',
            resources: { cpu: '32', memory: '400Gi' },
            accelerator: Accelerator.nvidiaGpu(8),
            model: { name: 'llama', version: 'v1', claimName: 'weights-v1' },
            vllm: o,
            args,
          });
          return Testing.synth(chart) as Manifest[];
        },
        ownedIn([...(o.extraArgs ?? []), ...args]),
        /(vllm\.extraArgs|args)\[\d+\] \(-[\w-=.]+\) sets --[\w-]+, which the library sets from/,
      );
      if (!objects) return;
      const script: string = one(objects, 'LeaderWorkerSet').spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].command[2];
      const serve = script.split('\n').pop()!.split(' ').slice(3);
      expect(serve[serve.indexOf('--pipeline-parallel-size') + 1]).toBe(String(groupSize));
      expectRendered(serve, expectedFlags(o), [...(o.extraArgs ?? []), ...args]);
    }),
    { numRuns: RUNS },
  );
});

test('OnlineInference + TGI: every option reaches the launcher, or synth names it', () => {
  const tgi = fc.record(
    {
      maxModelLen: fc.constantFrom(4096, 8192),
      maxInputTokens: fc.constantFrom(2048, 4096, 8192),
      dtype: fc.constantFrom('auto', 'bfloat16', 'float16', 'float32') as fc.Arbitrary<'auto' | 'bfloat16' | 'float16' | 'float32'>,
      gpuMemoryUtilization: fc.constantFrom(0.9, 1),
      extraArgs: fc.constantFrom<string[]>([], ['--max-concurrent-requests', '64'], ['--quantize', 'fp8'], ['--num-shard', '2']),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(tgi, (o) => {
      const invalid =
        o.dtype === 'float32' ||
        (o.maxInputTokens !== undefined && o.maxModelLen !== undefined && o.maxInputTokens >= o.maxModelLen) ||
        (o.extraArgs ?? []).includes('--num-shard');
      const objects = synthOrRefusal(
        () => {
          const chart = testChart('llm');
          new OnlineInference(chart, 'llm', {
            image: 'ghcr.io/huggingface/text-generation-inference:3.3.4',
            resources: { cpu: '8', memory: '128Gi' },
            replicas: 1,
            availability: 'best-effort',
            accelerator: Accelerator.nvidiaGpu(1),
            model: { name: 'llama', version: 'v1', claimName: 'weights-v1' },
            runtime: ServingRuntime.tgi(o),
          });
          return Testing.synth(chart) as Manifest[];
        },
        invalid,
        /runtime\.(dtype|maxInputTokens|extraArgs\[0\])/,
      );
      if (!objects) return expect(invalid).toBe(true);
      expect(invalid).toBe(false);
      const argv: string[] = one(objects, 'Deployment').spec.template.spec.containers[0].args;
      const want: [string, string][] = [];
      if (o.maxModelLen !== undefined) want.push(['--max-total-tokens', String(o.maxModelLen)]);
      if (o.maxInputTokens !== undefined) want.push(['--max-input-tokens', String(o.maxInputTokens)]);
      if (o.dtype !== undefined && o.dtype !== 'auto') want.push(['--dtype', o.dtype]);
      if (o.gpuMemoryUtilization !== undefined) want.push(['--cuda-memory-fraction', String(o.gpuMemoryUtilization)]);
      for (const [flag, value] of want) expect(argv[argv.indexOf(flag) + 1]).toBe(value);
      expect(argv.slice(argv.length - (o.extraArgs ?? []).length)).toEqual(o.extraArgs ?? []);
    }),
    { numRuns: RUNS },
  );
});

test('GpuTrainingJob on a JobSet: workers, port, restarts, elastic and exit codes all reach the JobSet, or synth names them', () => {
  const training = fc.record({
    workers: fc.integer({ min: 2, max: 6 }),
    masterPort: fc.constantFrom(29500, 23456),
    maxRestarts: fc.integer({ min: 0, max: 5 }),
    elasticMin: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    exitCodes: fc.constantFrom<number[] | undefined>(undefined, [2], [2, 3], [1]),
  });
  fc.assert(
    fc.property(training, (t) => {
      const invalid = (t.elasticMin !== undefined && t.elasticMin >= t.workers) || (t.exitCodes?.includes(1) && t.elasticMin === undefined);
      const objects = synthOrRefusal(
        () => {
          const chart = testChart('train');
          new GpuTrainingJob(chart, 'pretrain', {
            image: 'registry.example.com/trainer:1.0',
            command: ['torchrun', 'train.py'],
            resources: { cpu: '8', memory: '64Gi' },
            accelerator: Accelerator.nvidiaGpu(8),
            engine: 'jobset',
            workers: t.workers,
            masterPort: t.masterPort,
            maxRestarts: t.maxRestarts,
            elastic: t.elasticMin !== undefined ? { minWorkers: t.elasticMin } : undefined,
            nonRetryableExitCodes: t.exitCodes ? ExitCodes.of(...t.exitCodes) : undefined,
            checkpoint: { size: '10Gi', accessMode: 'ReadWriteMany', writeTime: Duration.minutes(1), interval: Duration.minutes(10) },
          });
          return Testing.synth(chart) as Manifest[];
        },
        Boolean(invalid),
        /(elastic\.minWorkers|nonRetryableExitCodes)/,
      );
      if (!objects) return expect(invalid).toBeTruthy();
      expect(invalid).toBeFalsy();
      const jobSet = one(objects, 'JobSet');
      const workers = jobSet.spec.replicatedJobs.find((r: any) => r.name === 'workers').template;
      expect(workers.spec).toMatchObject({ completions: t.workers, parallelism: t.workers });
      expect(jobSet.spec.failurePolicy.maxRestarts).toBe(t.maxRestarts);
      const env = Object.fromEntries(workers.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env.NNODES).toBe(String(t.workers));
      expect(env.MASTER_PORT).toBe(String(t.masterPort));
      if (t.elasticMin !== undefined) {
        expect(env.PET_NNODES).toBe(`${t.elasticMin}:${t.workers}`);
        expect(env.PET_RDZV_ENDPOINT).toBe(`pretrain-rendezvous-0-0.pretrain.train.svc:${t.masterPort}`);
      }
      const exitRule = workers.spec.podFailurePolicy.rules.find((r: any) => r.onExitCodes);
      expect(exitRule?.onExitCodes.values).toEqual(t.exitCodes);
    }),
    { numRuns: RUNS },
  );
});
