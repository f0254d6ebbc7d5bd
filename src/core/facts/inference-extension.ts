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
      'cmd/epp/runner/health.go',
      'cmd/epp/runner/runner.go',
      'pkg/epp/server/controller_manager.go',
      'internal/runnable/grpc.go',
      'config/charts/epplib/templates/_leader-election-rbac.yaml',
      'config/charts/inferencepool/values.yaml',
      'config/charts/inferencepool/templates/inferencepool.yaml',
      'config/charts/inferencepool/README.md',
      'api/v1/inferencepool_types.go',
      'conformance/tests/epp_unavailable_fail_open.go',
      'docs/proposals/0602-prefix-cache-aware-routing-proposal/README.md',
    ],
    note: 'v1.6.0 (992e5c292afb248801ce8d9234eb5b9d28eea231) README and pkg/lwepp: the EPP moved out; its InferencePool v1 types are unchanged. Leader-election and shutdown timings: kubernetes-sigs/controller-runtime v0.23.3 (f9589b9f2b9dddf8532b432bb8315f2820ab9971, the version go.mod pins) pkg/manager/internal.go',
  } satisfies FactSource,
  image: 'registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0',
  /** ext-proc gRPC (the gateway calls it), gRPC health, Prometheus metrics. */
  ports: { grpc: 9002, grpcHealth: 9003, metrics: 9090 },
  /**
   * The gRPC health service the probes ask for. Without leader election every service name answers the same: SERVING
   * once the replica has synced its pool (cmd/epp/runner/health.go), so every replica is Ready and serves (active-active).
   */
  healthService: 'inference-extension',
  /**
   * High availability as upstream offers it, which the library does not use (README "LLM serving"). With
   * `--ha-enable-leader-election` (the chart adds it when `replicas` > 1) the replicas elect a leader through a Lease
   * and only the leader is Ready (health services `readiness`, `ext_proc` and `""`; `liveness` passes on all); the
   * pool and pod controllers run on the leader only, so a new leader syncs before it is Ready. A PodDisruptionBudget
   * then counts one healthy pod at most (it never lets the leader go), and a RollingUpdate never completes (new pods
   * cannot be Ready while the old leader holds the lease): the chart uses `Recreate`, which stops every picker first.
   */
  leaderElection: {
    flag: '--ha-enable-leader-election',
    /** Ready pods at any time: the leader. */
    readyPods: 1,
    probeServices: { readiness: 'readiness', liveness: 'liveness' },
    /** controller-runtime v0.23.3 defaults (pkg/manager/internal.go), not overridden; the lease is released on SIGTERM. */
    lease: { durationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, releaseOnCancel: true },
  },
  /**
   * The upstream `inferencepool` chart's defaults: one replica, `Recreate` (the prefix-cache scorer's state lives in
   * the replica: "cache hit performance decreases with multiple active EPP replicas", proposal 0602), no
   * PodDisruptionBudget, and `FailOpen` on the pool, so the model stays reachable while that one picker is away.
   */
  chart: { replicas: 1, strategy: 'Recreate', failureMode: 'FailOpen', terminationGracePeriodSeconds: 130 },
  /**
   * What the gateway does when the picker does not answer (api/v1/inferencepool_types.go): `FailClose` (the API's
   * default) drops the request; `FailOpen` forwards it to an endpoint of the gateway's picking, which the conformance
   * test EppUnAvailableFailOpen requires of every gateway that supports InferencePool.
   */
  failureModes: { default: 'FailClose', values: ['FailOpen', 'FailClose'] },
  /**
   * On SIGTERM the picker's gRPC servers stop taking new streams and finish the open ones (GracefulStop), for at most
   * controller-runtime's graceful shutdown period (30 s; pkg/manager/internal.go).
   */
  gracefulShutdownSeconds: 30,
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
