import { Accelerator, MultiHostInference, OnlineInference, OnlineInferenceProps, ServingRuntime } from '../src';
import { TGI_FACTS } from '../src/core/facts/tgi';
import { TRITON_FACTS } from '../src/core/facts/triton';
import { VLLM_FACTS } from '../src/core/facts/vllm';
import { ServerFacts } from '../src/core/facts/source';
import { parseServerArgs } from '../src/core/server-args';
import { container, one, synthValid, testChart } from './helpers';

const base = {
  resources: { cpu: '8', memory: '64Gi' },
  replicas: 1,
  availability: 'best-effort' as const,
  networkPolicy: false as const,
};
const mounted = { name: 'llama', version: 'v1', claimName: 'llama-weights-v1' };
const H100 = (n: number) => Accelerator.nvidiaGpu(n, { product: 'NVIDIA-H100-80GB-HBM3', gpusPerNode: 8 });

function serve(props: Partial<OnlineInferenceProps>) {
  const chart = testChart('llm');
  new OnlineInference(chart, 'llm', { image: 'vllm/vllm-openai:v0.11.0', ...base, model: mounted, ...props } as OnlineInferenceProps);
  return container(one(synthValid(chart), 'Deployment'), 'server');
}

const RUNTIMES: [string, () => ServingRuntime, ServerFacts][] = [
  ['vllm', () => ServingRuntime.vllm({ maxModelLen: 8192, dtype: 'bfloat16', gpuMemoryUtilization: 0.9 }), VLLM_FACTS],
  ['tgi', () => ServingRuntime.tgi({ maxModelLen: 8192, maxInputTokens: 4096, dtype: 'bfloat16', gpuMemoryUtilization: 0.9 }), TGI_FACTS],
  ['triton', () => ServingRuntime.triton(), TRITON_FACTS],
];

describe('fact tables cite their upstream source', () => {
  test.each([VLLM_FACTS, TGI_FACTS, TRITON_FACTS])('$runtime: repository, version, commit and paths', (f) => {
    expect(f.source.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(f.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(f.source.paths.length).toBeGreaterThan(0);
    expect(Object.keys(f.flags).length).toBeGreaterThan(40);
  });
});

describe('every rendered flag is in the runtime table', () => {
  test.each(RUNTIMES)('%s', (_name, runtime, facts) => {
    const server = serve({ runtime: runtime(), accelerator: Accelerator.nvidiaGpu(2), image: 'registry.example.com/server:1.0' });
    const { problems, flags } = parseServerArgs(facts, server.args, true);
    expect(problems).toEqual([]);
    expect(flags.length).toBeGreaterThan(2);
    expect(server.command ?? facts.executable).toEqual(facts.executable);
  });

  test('a flag missing from the table is caught (the check can fail)', () => {
    expect(parseServerArgs(VLLM_FACTS, ['/models', '--port', '8000', '--no-such-flag', '1'], true).problems).toHaveLength(2);
    expect(parseServerArgs(TGI_FACTS, ['--quantize', 'int3']).problems[0].problem).toMatch(/not a value/);
    expect(parseServerArgs(TRITON_FACTS, ['--allow-metrics=maybe']).problems[0].problem).toMatch(/not a value/);
  });
});

describe('user arguments: checked against the table, never dropped, never overriding an owned flag', () => {
  test('extraArgs and args are appended after the runtime flags (vLLM accepts underscores and =)', () => {
    const server = serve({
      accelerator: Accelerator.nvidiaGpu(1),
      runtime: ServingRuntime.vllm({ extraArgs: ['--max-num-seqs', '128', '--enable-prefix-caching'] }),
      args: ['--max_num_batched_tokens=8192', '--no-enable-chunked-prefill'],
    });
    expect(server.command).toEqual(['vllm', 'serve']);
    expect(server.args.slice(-5)).toEqual([
      '--max-num-seqs',
      '128',
      '--enable-prefix-caching',
      '--max_num_batched_tokens=8192',
      '--no-enable-chunked-prefill',
    ]);
    expect(server.args[0]).toBe('/models');
  });

  test.each([
    [
      { runtime: ServingRuntime.vllm({ extraArgs: ['--port', '9000'] }) },
      /runtime\.extraArgs\[0\] \(--port\) sets --port, which the library sets from the runtime/,
    ],
    [
      { runtime: ServingRuntime.vllm(), args: ['--tensor-parallel-size=4'] },
      /args\[0\] \(--tensor-parallel-size=4\) sets --tensor-parallel-size, which the library sets from accelerator/,
    ],
    [{ runtime: ServingRuntime.vllm(), args: ['-tp', '4'] }, /args\[0\] \(-tp\).*accelerator \(runtime.tensorParallelSize\)/],
    [{ runtime: ServingRuntime.vllm({ extraArgs: ['--max_model_len', '4096'] }) }, /set runtime\.maxModelLen instead/],
    [{ runtime: ServingRuntime.vllm({ extraArgs: ['--model', 'x/y'] }) }, /runtime\.model/],
    [{ runtime: ServingRuntime.vllm({ uncheckedArgs: ['--dtype=float16'] }) }, /uncheckedArgs\[0\].*runtime\.dtype/],
    [
      { runtime: ServingRuntime.vllm({ extraArgs: ['--max-mode-len', '4096'] }) },
      /is not a flag vllm v0\.11\.0 accepts.*did you mean --max-model-len/,
    ],
    [{ runtime: ServingRuntime.vllm({ extraArgs: ['--dtype', 'fp8'] }) }, /set runtime\.dtype instead/],
    [
      { runtime: ServingRuntime.vllm({ extraArgs: ['--uvicorn-log-level', 'loud'] }) },
      /not a value vllm v0\.11\.0 accepts; use one of critical/,
    ],
    [{ runtime: ServingRuntime.vllm({ extraArgs: ['128'] }) }, /is a value without a flag/],
    [
      { runtime: ServingRuntime.vllm(), command: ['python3', '-m', 'vllm.entrypoints.openai.api_server'] },
      /command .* replaces the vllm runtime's start/,
    ],
    [{ runtime: ServingRuntime.tgi({ extraArgs: ['--num-shard', '4'] }) }, /sets --num-shard, which the library sets from accelerator/],
    [{ runtime: ServingRuntime.tgi({ extraArgs: ['--quantize', 'int4'] }) }, /not a value tgi v3\.3\.4 accepts; use one of awq/],
    [{ runtime: ServingRuntime.triton({ extraArgs: ['--metrics-port=9000'] }) }, /sets --metrics-port/],
    [
      { runtime: ServingRuntime.triton(), args: ['--model-control-mode', 'explicit', '--strict-readines=true'] },
      /args\[2\].*not a flag triton/,
    ],
  ])('%#: %s', (props, message) => {
    expect(() => serve({ accelerator: Accelerator.nvidiaGpu(1), ...props } as Partial<OnlineInferenceProps>)).toThrow(message);
  });

  test('uncheckedArgs pass flags a newer image knows, after extraArgs', () => {
    const server = serve({
      accelerator: Accelerator.nvidiaGpu(1),
      runtime: ServingRuntime.vllm({ extraArgs: ['--seed', '1'], uncheckedArgs: ['--some-future-flag', 'x'] }),
    });
    expect(server.args.slice(-4)).toEqual(['--seed', '1', '--some-future-flag', 'x']);
  });

  test('MultiHostInference args reach vllm serve (they were dropped), checked the same way', () => {
    const multi = (args: string[]) => {
      const chart = testChart('llm');
      new MultiHostInference(chart, 'big', {
        image: 'vllm/vllm-openai:v0.11.0',
        groupSize: 2,
        replicas: 1,
        availability: 'best-effort',
        resources: { cpu: '16', memory: '200Gi' },
        accelerator: Accelerator.nvidiaGpu(8),
        model: mounted,
        args,
      });
      return synthValid(chart);
    };
    const lws = one(multi(['--max-num-seqs', '64']), 'LeaderWorkerSet');
    expect(lws.spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].command[2]).toMatch(/exec vllm serve .* --max-num-seqs 64$/);
    expect(() => multi(['--pipeline-parallel-size', '4'])).toThrow(/sets --pipeline-parallel-size, which the library sets from groupSize/);
  });
});

describe('values the runtime does not accept', () => {
  test.each([
    [ServingRuntime.tgi({ dtype: 'float32' }), /runtime\.dtype \(float32\) is not a dtype tgi v3\.3\.4 accepts/],
    [ServingRuntime.tgi({ dtype: 'half' as 'float16' }), /is not a dtype tgi/],
    [ServingRuntime.vllm({ dtype: 'fp8' as 'float16' }), /is not a dtype vllm v0\.11\.0 accepts \(--dtype auto\|bfloat16/],
  ])('%#', (runtime, message) => {
    expect(() => serve({ runtime, accelerator: Accelerator.nvidiaGpu(1) })).toThrow(message);
  });

  test('metricsPort and metricsPath must be where the runtime serves metrics', () => {
    expect(() => serve({ runtime: ServingRuntime.triton(), metricsPort: 9090 })).toThrow(
      /metricsPort \(9090\) is not where triton v2\.54\.0 \(NGC 25\.01\) serves metrics \(8002\)/,
    );
    expect(() => serve({ runtime: ServingRuntime.vllm(), accelerator: Accelerator.nvidiaGpu(1), metricsPort: 9100 })).toThrow(
      /serves metrics \(8000\)/,
    );
    expect(() =>
      serve({ runtime: ServingRuntime.vllm(), accelerator: Accelerator.nvidiaGpu(1), monitoring: { metricsPath: '/stats' } }),
    ).toThrow(/monitoring\.metricsPath \(\/stats\) is not the path vllm v0\.11\.0 serves metrics on \(\/metrics\)/);
    expect(serve({ runtime: ServingRuntime.triton(), metricsPort: 8002 }).ports).toContainEqual({
      name: 'metrics',
      containerPort: 8002,
      protocol: 'TCP',
    });
  });
});

describe('non-root identity: a user name and a bounded, writable home', () => {
  test.each(RUNTIMES)('%s', (_name, runtime) => {
    const chart = testChart('llm');
    new OnlineInference(chart, 'llm', {
      image: 'registry.example.com/server:1.0',
      ...base,
      model: mounted,
      runtime: runtime(),
      accelerator: Accelerator.nvidiaGpu(1),
    } as OnlineInferenceProps);
    const deploy = one(synthValid(chart), 'Deployment');
    const server = container(deploy, 'server');
    const env = Object.fromEntries(server.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ USER: 'model-server', LOGNAME: 'model-server', HOME: '/home/model-server' });
    expect(server.volumeMounts).toContainEqual({ name: 'home', mountPath: '/home/model-server' });
    const home = deploy.spec.template.spec.volumes.find((v: any) => v.name === 'home');
    expect(home.emptyDir.sizeLimit).toBe('8192Mi');
    // The home volume is charged to the container's ephemeral storage with /tmp.
    expect(parseInt(server.resources.requests['ephemeral-storage'], 10)).toBeGreaterThanOrEqual(9 * 1024);
  });
});

describe('GPU memory fit', () => {
  test('140 GiB of bf16 weights on one 80 GB GPU: an error with the numbers and the smallest layout', () => {
    expect(() => serve({ runtime: ServingRuntime.vllm({ modelSize: '140Gi', attentionHeads: 64 }), accelerator: H100(1) })).toThrow(
      /accelerator \(1 × 1 NVIDIA-H100-80GB-HBM3\) cannot hold the model: weights 140\.0 GiB \(runtime\.modelSize 140Gi\) \/ 1 GPU\(s\) = 140\.0 GiB per GPU, \+ 2\.0 GiB KV-cache floor \+ 1\.0 GiB runtime overhead = 143\.0 GiB, above the 71\.7 GiB usable .*use the smallest layout that fits: tensorParallelSize 4/,
    );
  });

  test('from the parameter count and dtype: 70B in bf16 needs 2 H100s, in fp32 4', () => {
    expect(() => serve({ runtime: ServingRuntime.vllm({ parameters: 70e9, dtype: 'bfloat16' }), accelerator: H100(1) })).toThrow(
      /7\.00e\+10 parameters × 2 bytes \(bfloat16\).*tensorParallelSize 2/,
    );
    expect(() => serve({ runtime: ServingRuntime.vllm({ parameters: 70e9, dtype: 'float32' }), accelerator: H100(2) })).toThrow(
      /tensorParallelSize 4/,
    );
    expect(serve({ runtime: ServingRuntime.vllm({ parameters: 70e9, dtype: 'bfloat16' }), accelerator: H100(2) }).args).toContain('2');
  });

  test('too large for one node: the layout across nodes', () => {
    expect(() => serve({ runtime: ServingRuntime.vllm({ parameters: 405e9, dtype: 'bfloat16' }), accelerator: H100(8) })).toThrow(
      /8 GPUs per pod over 2 nodes \(MultiHostInference groupSize 2\)/,
    );
  });

  test('an unknown product or size is not checked', () => {
    expect(() => serve({ runtime: ServingRuntime.vllm({ modelSize: '140Gi' }), accelerator: Accelerator.nvidiaGpu(1) })).not.toThrow();
  });
});
