/**
 * What the reviewer knows about model-server runtimes and the tools around them: how a server is
 * started (command line, or the image's entrypoint when the manifest sets no command), the flags
 * that set its parallelism, and the shortest start it is assumed to need. Facts about each program
 * cite the upstream file they come from (repository, path, commit). The runtimes the library itself
 * renders (vLLM, TGI) are read from their fact tables in core/facts: one table per runtime.
 */
import { TORCHRUN_FACTS } from '../core/facts/jobset';
import { ServerFacts, flagSpellings } from '../core/facts/source';
import { TGI_FACTS } from '../core/facts/tgi';
import { VLLM_FACTS } from '../core/facts/vllm';

/** A file of an upstream project at a commit. */
export interface Source {
  readonly repository: string;
  readonly path: string;
  readonly commit: string;
}

/** A model-server runtime. */
export interface ServerRuntime {
  /** Display name (`vLLM`). */
  readonly name: string;
  /** Matches the command line (command + args, shell scripts included) of a process that starts the server. */
  readonly command: RegExp;
  /** Images whose entrypoint starts the server when the manifest sets no `command`, with the entrypoint. */
  readonly images?: { readonly pattern: RegExp; readonly entrypoint: string; readonly source: Source };
  /**
   * Seconds the server is assumed to need before it answers, when the model size is unknown: engine
   * start, weight load of a small model, warm-up (CUDA graphs, compilation). A floor, not an estimate:
   * the review flags probes that kill the server sooner.
   */
  readonly warmupSeconds: number;
  /**
   * Options giving the GPUs one server drives: the tensor-parallel size (GPUs of one node that split
   * each layer), and the pipeline and data-parallel sizes that multiply it; each an alias group.
   */
  readonly parallelism?: {
    readonly tensor: readonly string[];
    readonly tensorEnv?: readonly string[];
    readonly pipeline?: readonly string[];
    readonly data?: readonly string[];
    /** Options that spread one server over several nodes (then the GPUs of one pod are not all it needs). */
    readonly multiNode?: readonly string[];
    readonly source: Source;
  };
  /** Ports the server listens on by default (as its image exposes them), with where that is written. */
  readonly defaultPorts?: { readonly ports: readonly number[]; readonly source: Source };
  /** Flags and environment variables naming the model, to estimate its size. */
  readonly model?: { readonly flags: readonly string[]; readonly env?: readonly string[]; readonly positional?: RegExp };
  /** Where the command line facts come from. */
  readonly source: Source;
}

/** A fact table of core/facts as the review cites it: one of the files it was read from, at its commit. */
function cited(facts: ServerFacts, path: string): Source {
  return { repository: facts.source.repository, path, commit: facts.source.commit };
}

/** The parallelism options of a runtime's fact table, each flag with its aliases; `laterMultiNode` adds newer releases' flags. */
function parallelismOf(facts: ServerFacts, laterMultiNode: string[] = []): ServerRuntime['parallelism'] {
  const p = facts.parallelism!;
  const spell = (flag: string | undefined) => (flag === undefined ? undefined : flagSpellings(facts, flag));
  const multiNode = [...(p.multiNode ?? []), ...laterMultiNode];
  return {
    tensor: flagSpellings(facts, p.tensor),
    ...(p.tensorEnv ? { tensorEnv: [p.tensorEnv] } : {}),
    ...(p.pipeline ? { pipeline: spell(p.pipeline) } : {}),
    ...(p.data ? { data: spell(p.data) } : {}),
    ...(multiNode.length ? { multiNode } : {}),
    source: cited(facts, facts.source.paths[0]),
  };
}

/**
 * Known model servers. The warm-up floors (engine start, a small model, CUDA graphs) are
 * deliberately a third of the budgets the project's own runtime plans give after the weights are
 * read (src/llm/runtimes: vLLM 3 min, TGI 2 min, Triton 1 min): the review flags only probes that
 * are surely too short.
 */
export const SERVER_RUNTIMES: readonly ServerRuntime[] = [
  {
    name: 'vLLM',
    command: /\bvllm\s+serve\b|\bvllm\.entrypoints\.(?:openai\.)?api_server\b/,
    images: { pattern: /(?:^|\/)vllm-openai(?::|@|$)|(?:^|\/)vllm\/vllm-openai/, ...VLLM_FACTS.image! },
    warmupSeconds: 60,
    // Releases after the pinned one also spread a server over nodes with --nnodes and --headless.
    parallelism: parallelismOf(VLLM_FACTS, ['--nnodes', '--headless']),
    model: { flags: [VLLM_FACTS.model!.flag], positional: /\bvllm\s+serve\s+([^\s-][^\s]*)/ },
    source: cited(VLLM_FACTS, 'vllm/engine/arg_utils.py'),
  },
  {
    name: 'TGI',
    command: /\btext-generation-launcher\b/,
    images: { pattern: /text-generation-inference/, ...TGI_FACTS.image! },
    warmupSeconds: 45,
    parallelism: parallelismOf(TGI_FACTS),
    model: { flags: [TGI_FACTS.model!.flag], env: [TGI_FACTS.model!.env!] },
    source: cited(TGI_FACTS, 'launcher/src/main.rs'),
  },
  {
    name: 'SGLang',
    command: /\bsglang\.launch_server\b|\bsglang\s+serve\b/,
    warmupSeconds: 60,
    parallelism: {
      tensor: ['--tp-size', '--tp', '--tensor-parallel-size'],
      multiNode: ['--nnodes', '--dist-init-addr'],
      source: {
        repository: 'sgl-project/sglang',
        path: 'python/sglang/srt/server_args.py',
        commit: '469c63e54e7d94591617ef9590c6aa26d54dc1bb',
      },
    },
    model: { flags: ['--model-path', '--model'] },
    source: {
      repository: 'sgl-project/sglang',
      path: 'python/sglang/srt/server_args.py',
      commit: '469c63e54e7d94591617ef9590c6aa26d54dc1bb',
    },
  },
  {
    name: 'Triton',
    // The tritonserver images run no server by default: the command must start it.
    command: /\btritonserver\b(?!:)|\blaunch_triton_server\.py\b/,
    warmupSeconds: 30,
    source: {
      repository: 'triton-inference-server/server',
      path: 'docs/user_guide/model_repository.md',
      commit: '488de2eba56598e92c8017f7dffa52be95b1f39f',
    },
  },
  {
    name: 'TensorRT-LLM',
    command: /\btrtllm-serve\b/,
    warmupSeconds: 60,
    source: {
      repository: 'NVIDIA/TensorRT-LLM',
      path: 'tensorrt_llm/commands/serve.py',
      commit: '4c05a74891e4df8066f08ed4ce14b0972abe4e25',
    },
  },
  {
    name: 'TorchServe',
    command: /\btorchserve\s+--start\b/,
    images: {
      pattern: /(?:^|\/)torchserve(?::|@|$)|pytorch\/torchserve/,
      entrypoint: '/usr/local/bin/dockerd-entrypoint.sh serve',
      source: { repository: 'pytorch/serve', path: 'docker/Dockerfile', commit: '00609b0474ca376369901e2bd511d7bbbb9074a8' },
    },
    warmupSeconds: 30,
    source: { repository: 'pytorch/serve', path: 'docker/Dockerfile', commit: '00609b0474ca376369901e2bd511d7bbbb9074a8' },
  },
  {
    name: 'MLServer',
    command: /\bmlserver\s+start\b/,
    images: {
      pattern: /seldonio\/mlserver/,
      entrypoint: 'mlserver start $MLSERVER_MODELS_DIR',
      source: { repository: 'SeldonIO/MLServer', path: 'Dockerfile', commit: '00236cb2a324b77711416dfd02ebbf33dd905669' },
    },
    warmupSeconds: 20,
    source: { repository: 'SeldonIO/MLServer', path: 'Dockerfile', commit: '00236cb2a324b77711416dfd02ebbf33dd905669' },
  },
  {
    name: 'Ollama',
    command: /\bollama\s+serve\b/,
    // EXPOSE 11434 and OLLAMA_HOST 0.0.0.0 in the image.
    defaultPorts: {
      ports: [11434],
      source: { repository: 'ollama/ollama', path: 'Dockerfile', commit: '000ce02098f6bfea486601b5cae35ba38f8824fc' },
    },
    images: {
      pattern: /(?:^|\/)ollama\/ollama(?::|@|$)/,
      entrypoint: '/bin/ollama serve',
      source: { repository: 'ollama/ollama', path: 'Dockerfile', commit: '000ce02098f6bfea486601b5cae35ba38f8824fc' },
    },
    warmupSeconds: 20,
    source: { repository: 'ollama/ollama', path: 'Dockerfile', commit: '000ce02098f6bfea486601b5cae35ba38f8824fc' },
  },
  {
    name: 'TF Serving',
    command: /\btensorflow_model_server\b/,
    // ENV GRPC_PORT=8500, PORT=8501 in the image.
    defaultPorts: {
      ports: [8500, 8501],
      source: {
        repository: 'tensorflow/serving',
        path: 'tensorflow_serving/tools/docker/Dockerfile',
        commit: '01f29cbe4606e33efdcff278b8838cfc3ddcaa4f',
      },
    },
    images: {
      pattern: /tensorflow\/serving/,
      entrypoint: '/usr/bin/tf_serving_entrypoint.sh',
      source: {
        repository: 'tensorflow/serving',
        path: 'tensorflow_serving/tools/docker/Dockerfile',
        commit: '01f29cbe4606e33efdcff278b8838cfc3ddcaa4f',
      },
    },
    warmupSeconds: 20,
    source: {
      repository: 'tensorflow/serving',
      path: 'tensorflow_serving/tools/docker/Dockerfile',
      commit: '01f29cbe4606e33efdcff278b8838cfc3ddcaa4f',
    },
  },
  {
    name: 'llama.cpp server',
    command: /\bllama-server\b/,
    warmupSeconds: 20,
    source: { repository: 'ggml-org/llama.cpp', path: 'tools/server/README.md', commit: '25d5b0c53f9a146f3d7a99a18610d9d623b5041e' },
  },
  {
    name: 'KServe model server',
    command: /\bpython3?\s+-m\s+(?:huggingfaceserver|sklearnserver|xgbserver|lgbserver|pmmlserver|paddleserver|kserve)\b/,
    warmupSeconds: 30,
    source: {
      repository: 'kserve/kserve',
      path: 'python/huggingfaceserver/huggingfaceserver/__main__.py',
      commit: 'f205bbff5110710ad5bee1fc903fce0eefb041e0',
    },
  },
];

/** torchrun's processes-per-node option and the environment variable it also reads (core/facts/jobset.ts TORCHRUN_FACTS). */
export const TORCHRUN: {
  readonly command: RegExp;
  readonly flags: readonly string[];
  readonly env: string;
  readonly source: Source;
} = {
  command: /\btorchrun\b|\btorch\.distributed\.(?:run|launch)\b/,
  flags: TORCHRUN_FACTS.nprocPerNode.flags,
  env: TORCHRUN_FACTS.nprocPerNode.env,
  source: { repository: TORCHRUN_FACTS.source.repository, path: TORCHRUN_FACTS.source.paths[0], commit: TORCHRUN_FACTS.source.commit },
};

/**
 * Processes that send requests to a server or wait, never answer: benchmark and load clients
 * (vLLM's `vllm bench` and benchmark scripts, TGI's text-generation-benchmark, Triton's
 * perf_analyzer and genai-perf, GuideLLM, inference-perf, LLMPerf, Locust, k6) and placeholders
 * (`sleep`, `tail -f /dev/null`).
 */
export const CLIENT_COMMANDS: readonly [RegExp, string][] = [
  [/\bvllm\s+bench\b|\bbenchmark_(?:serving|throughput|latency)\.py\b|\bbenchmarks\/\S+\.py\b/, 'a benchmark client'],
  [/\btext-generation-benchmark\b/, 'a benchmark client'],
  [/\bperf_analyzer\b|\bgenai-perf\b/, 'a benchmark client'],
  [/\bguidellm\b|\binference-perf\b|\bllmperf\b|\btoken_benchmark_ray\.py\b|\blocust\b|\bk6\s+run\b/, 'a load generator'],
];

/** Image and container-name fragments of helpers that run beside a server: proxies, agents, exporters, log shippers, syncers. */
export const SIDECAR_HINT =
  /sidecar|proxy|envoy|istio|linkerd|oauth2|exporter|fluent|otel|collector|promtail|agent|syncer|sync\b|watcher|reloader|gcsfuse|cloud-sql|vault|logger|logging|\blog\b|monitor/i;
