import { FactSource } from './source';

/** What LeaderWorkerSet puts on every pod of a group (leaderworkerset.x-k8s.io/v1). */
export const LWS_FACTS = {
  source: {
    repository: 'kubernetes-sigs/lws',
    version: 'v0.10.0',
    commit: '2161f38ff333f9e24d3c44adef7cd5d9787cac00',
    paths: ['api/leaderworkerset/v1/leaderworkerset_types.go'],
  } satisfies FactSource,
  labels: {
    name: 'leaderworkerset.sigs.k8s.io/name',
    /** `0` on the leader, 1..size-1 on the workers. */
    workerIndex: 'leaderworkerset.sigs.k8s.io/worker-index',
    groupIndex: 'leaderworkerset.sigs.k8s.io/group-index',
  },
  env: {
    /** The leader's DNS name, on every pod of the group (from v0.3.0). */
    leaderAddress: 'LWS_LEADER_ADDRESS',
    /** Pods in the group (from v0.4.0). */
    groupSize: 'LWS_GROUP_SIZE',
    workerIndex: 'LWS_WORKER_INDEX',
  },
} as const;

/**
 * Ray as the vLLM image runs it across nodes: the head's GCS port and the commands vLLM's own helper
 * (examples/online_serving/multi-node-serving.sh) uses to start a head, join it and count live nodes.
 */
export const RAY_FACTS = {
  source: {
    repository: 'vllm-project/vllm',
    version: 'v0.11.0',
    commit: '2584e94bc2b500b84af054a71559f04e60c4aec2',
    paths: ['examples/online_serving/multi-node-serving.sh'],
    note: 'the stored version of the helper; its 300 s default wait (ray_init_timeout) is why the library starts Ray itself',
  } satisfies FactSource,
  headPort: 6379,
  /** Prints the number of live nodes of the local Ray cluster. */
  aliveNodes: `python3 -c 'import ray; ray.init(address="auto"); print(sum(1 for n in ray.nodes() if n["Alive"]))'`,
} as const;
