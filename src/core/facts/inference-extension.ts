import { FactSource } from './source';

/**
 * The Gateway API Inference Extension's endpoint picker (EPP). The InferencePool CRD the library
 * renders is v1.6.0's (inference.networking.k8s.io/v1); v1.6.0 moved the metric-aware picker to
 * llm-d/llm-d-router and keeps only a round-robin reference picker (lwepp) for conformance, so the
 * picker is the last release that ships it, v1.5.0, whose v1 InferencePool is the same API.
 */
export const EPP_FACTS = {
  source: {
    repository: 'kubernetes-sigs/gateway-api-inference-extension',
    version: 'v1.5.0',
    commit: 'df9f8909fe06fe2dfd4a6fc0bd0c01a0acabf849',
    paths: [
      'pkg/epp/server/options.go',
      'config/charts/epplib/templates/_deployment.yaml',
      'config/charts/epplib/templates/_rbac.yaml',
      'config/charts/epplib/templates/_config.yaml',
      'pkg/epp/framework/plugins/datalayer/extractor/metrics/factories.go',
      'pkg/epp/server/controller_config.go',
    ],
    note: 'v1.6.0 (992e5c292afb248801ce8d9234eb5b9d28eea231) README and pkg/lwepp: the EPP moved out; its InferencePool v1 types are unchanged',
  } satisfies FactSource,
  image: 'registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0',
  /** ext-proc gRPC (the gateway calls it), gRPC health, Prometheus metrics. */
  ports: { grpc: 9002, grpcHealth: 9003, metrics: 9090 },
  /** The gRPC health service the probes ask for with one replica. */
  healthService: 'inference-extension',
  /** Flags of `epp` the library sets (pflag: `--flag value`). */
  flags: [
    '--pool-name',
    '--pool-namespace',
    '--pool-group',
    '--config-file',
    '--zap-encoder',
    '--tracing',
    '--metrics-endpoint-auth',
    '--grpc-port',
    '--grpc-health-port',
    '--metrics-port',
  ],
  /** Where the picker reads each pod's metrics (metrics-data-source defaults). */
  scrape: { scheme: 'http', path: '/metrics' },
  /**
   * The model servers the picker reads (engine configs built into core-metrics-extractor), each with the
   * queue and KV-cache metrics it scores on.
   */
  engines: {
    vllm: { queue: 'vllm:num_requests_waiting', running: 'vllm:num_requests_running', kvCache: 'vllm:kv_cache_usage_perc' },
    sglang: { queue: 'sglang:num_queue_reqs', running: 'sglang:num_running_reqs', kvCache: 'sglang:token_usage' },
    'trtllm-serve': {
      queue: 'trtllm_num_requests_waiting',
      running: 'trtllm_num_requests_running',
      kvCache: 'trtllm_kv_cache_utilization',
    },
    'triton-tensorrt-llm': {
      queue: 'nv_trt_llm_request_metrics{request_type=waiting}',
      running: 'nv_trt_llm_request_metrics{request_type=scheduled}',
      kvCache: 'nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type=fraction}',
    },
  },
  /** What the picker's ServiceAccount reads in its namespace (the chart's two Roles). */
  rbac: [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] },
    { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'watch', 'list'] },
    {
      apiGroups: ['inference.networking.x-k8s.io'],
      resources: ['inferenceobjectives', 'inferencemodelrewrites'],
      verbs: ['get', 'watch', 'list'],
    },
  ],
} as const;

/** A model server the endpoint picker understands. */
export type PickerEngine = keyof typeof EPP_FACTS.engines;
