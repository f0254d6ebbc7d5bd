import { parseManifests, review } from '../../src/review';
import { perPodReason } from '../../src/review/rules/promql';
import { Manifest, deployment, findingsOf, firstContainer, hpa, job, podSpecOf, reviewWithPolicy } from './helpers';

const yaml = (text: string): unknown[] => parseManifests(text, 'x.yaml').documents.map((d) => d.object);

describe('ML024 PromQL aggregation', () => {
  test.each([
    'sum(rate(http_requests_total{app="x"}[1m]))',
    'max(vllm:num_requests_waiting{model_name="m"})',
    'sum(a) / sum(b)',
    'histogram_quantile(0.95, sum(rate(x_bucket[5m])) by (le))',
    'sum(rate(a[1m])) or vector(0)',
    'count(up == 1)',
    'scalar(x)',
  ])('one series: %s', (q) => expect(perPodReason(q)).toBeUndefined());
  test.each([
    'vllm:num_requests_waiting',
    'sum by (pod) (x)',
    'avg(x) by (pod)',
    'histogram_quantile(0.95, rate(x_bucket[5m]))',
    'rate(a[1m]) * 60',
    'sum without (model) (x)',
  ])('per pod: %s', (q) => expect(perPodReason(q)).toBeDefined());
});

describe('ML023/ML025 cold start evidence', () => {
  const scaled = (spec: string): string =>
    `---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: s, namespace: ml}\nspec:\n  scaleTargetRef: {name: server}\n${spec}  triggers: [{type: cpu, metadata: {value: "60"}}]\n`;
  test('a model-fetch init container is slow-start evidence; a fast server is not', () => {
    const d = deployment();
    delete d.spec.replicas;
    podSpecOf(d).initContainers = [
      { name: 'fetch-model', image: 'registry.example.com/hf-downloader:v1', resources: { requests: { cpu: '1', memory: '1Gi' } } },
    ];
    const slow = review([d, ...yaml(scaled(''))]);
    expect(findingsOf(slow, 'ML023').map((f) => f.message)).toEqual([
      expect.stringContaining("init container 'fetch-model' fetches the model"),
    ]);
    expect(findingsOf(slow, 'ML025')).toEqual([]); // no duration known
    const fast = deployment();
    delete fast.spec.replicas;
    expect(findingsOf(review([fast, ...yaml(scaled(''))]), 'ML023')).toEqual([]);
  });

  test('a queue consumer (broker triggers only, no Service) may scale to zero: its messages wait in the broker', () => {
    const d = deployment();
    delete d.spec.replicas;
    podSpecOf(d).initContainers = [
      { name: 'fetch-model', image: 'registry.example.com/hf-downloader:v1', resources: { requests: { cpu: '1', memory: '1Gi' } } },
    ];
    const onQueue = (type: string) =>
      yaml(
        `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: s, namespace: ml}\nspec:\n  scaleTargetRef: {name: server}\n  triggers: [{type: ${type}, metadata: {queueName: q}}]\n`,
      );
    expect(findingsOf(review([d, ...onQueue('rabbitmq')]), 'ML023')).toEqual([]);
    const service = yaml(
      `apiVersion: v1\nkind: Service\nmetadata: {name: server, namespace: ml}\nspec: {selector: ${JSON.stringify(d.spec.template.metadata.labels)}, ports: [{port: 80}]}\n`,
    );
    expect(findingsOf(review([d, ...onQueue('rabbitmq'), ...service]), 'ML023')).toHaveLength(1);
    expect(findingsOf(review([d, ...onQueue('prometheus')]), 'ML023')).toHaveLength(1);
  });
});

describe('ML027 pinned replicas under an autoscaler', () => {
  test('Deployment with replicas and an HPA; quiet without spec.replicas', () => {
    expect(findingsOf(reviewWithPolicy([deployment(), hpa()]), 'ML027').map((f) => f.message)).toEqual([
      expect.stringContaining("sets spec.replicas: 1 while HorizontalPodAutoscaler 'server' scales it"),
    ]);
    const d = deployment();
    delete d.spec.replicas;
    expect(findingsOf(reviewWithPolicy([d, hpa()]), 'ML027')).toEqual([]);
  });
  test('a LeaderWorkerSet scaled by an HPA', () => {
    const lws = yaml(
      `apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: vllm, namespace: ml}\nspec:\n  replicas: 2\n  leaderWorkerTemplate:\n    size: 2\n    workerTemplate: {spec: {containers: [{name: w, image: "r.example.com/w:v1"}]}}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: vllm, namespace: ml}\nspec: {scaleTargetRef: {apiVersion: leaderworkerset.x-k8s.io/v1, kind: LeaderWorkerSet, name: vllm}, minReplicas: 1, maxReplicas: 4}\n`,
    );
    expect(findingsOf(review(lws), 'ML027')).toHaveLength(1);
  });
});

describe('corpus follow-ups', () => {
  test('LeaderWorkerSet workers that declare engine ports are not servers; the leader is', () => {
    const lws = yaml(
      `apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: vllm, namespace: ml}\nspec:\n  leaderWorkerTemplate:\n    size: 2\n    leaderTemplate: {spec: {containers: [{name: leader, image: "r.example.com/l:v1", ports: [{containerPort: 8000}]}]}}\n    workerTemplate: {spec: {containers: [{name: worker, image: "r.example.com/w:v1", ports: [{containerPort: 8989}]}]}}\n`,
    );
    expect(findingsOf(review(lws), 'ML002').map((f) => f.message)).toEqual([expect.stringContaining("container 'leader' of leader")]);
  });

  test('a well-known model server without Service or ports is a server (probes required)', () => {
    const d = deployment();
    const c = firstContainer(d);
    delete c.ports;
    delete c.readinessProbe;
    c.image = 'ghcr.io/huggingface/text-generation-inference:2.0.4';
    expect(findingsOf(reviewWithPolicy([d]), 'ML002').map((f) => f.message)).toEqual([
      expect.stringContaining(
        'runs a model server (TGI: the entrypoint of ghcr.io/huggingface/text-generation-inference) but has no readinessProbe',
      ),
    ]);
    c.image = 'registry.example.com/worker:v1';
    expect(findingsOf(reviewWithPolicy([d]), 'ML002')).toEqual([]);
    c.image = 'registry.example.com/base:v1';
    c.command = ['vllm', 'serve', 'meta-llama/Llama-3.1-8B'];
    expect(findingsOf(reviewWithPolicy([d]), 'ML002')).toHaveLength(1);
  });

  test('an unrendered accelerator quantity ($GPU_PER_NODE) still counts as an accelerator request', () => {
    const j = job();
    firstContainer(j).resources.limits = { 'nvidia.com/gpu': '$GPU_PER_NODE' };
    expect(findingsOf(reviewWithPolicy([j]), 'ML004')).toHaveLength(1);
  });

  test('ML015: a ServiceAccount bound to a role in the set needs its token', () => {
    const d = deployment();
    delete podSpecOf(d).automountServiceAccountToken;
    podSpecOf(d).serviceAccountName = 'plugin';
    expect(findingsOf(reviewWithPolicy([d]), 'ML015')).toHaveLength(1);
    const binding: Manifest = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'plugin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'plugin' },
      subjects: [{ kind: 'ServiceAccount', name: 'plugin', namespace: 'ml' }],
    };
    expect(findingsOf(reviewWithPolicy([d, binding]), 'ML015')).toEqual([]);
  });

  test.each(['main-latest', 'main', 'nightly', 'latest-gpu'])('ML006: the moving tag :%s is an error', (tag) => {
    const d = deployment();
    firstContainer(d).image = `registry.example.com/app:${tag}`;
    expect(findingsOf(reviewWithPolicy([d]), 'ML006').map((f) => f.severity)).toEqual(['error']);
  });

  test('ML031: a numeric probe port of the sidecar is a warning', () => {
    const d = deployment();
    podSpecOf(d).containers.push({ name: 'exporter', image: 'registry.example.com/e:v1', ports: [{ containerPort: 9090 }] });
    firstContainer(d).readinessProbe = { httpGet: { path: '/ready', port: 9090 } };
    expect(findingsOf(reviewWithPolicy([d]), 'ML031').map((f) => f.severity)).toEqual(['warning']);
  });
});

describe('KServe and LeaderWorkerSet scaling', () => {
  test('ML023: an InferenceService scaled to zero by KEDA while its model downloads at start', () => {
    const isvc = yaml(
      `apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: iris\n  namespace: ml\n  annotations: {serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}\nspec:\n  predictor:\n    minReplicas: 1\n    autoScaling: {keda: {idleReplicaCount: 0}}\n    sklearn: {storageUri: "gs://bucket/model"}\n`,
    );
    expect(findingsOf(review(isvc), 'ML023').map((f) => f.message)).toEqual([
      expect.stringContaining('in Standard mode no activator holds requests'),
    ]);
    (isvc[0] as any).spec.predictor.autoScaling.keda.idleReplicaCount = 1;
    expect(findingsOf(review(isvc), 'ML023')).toEqual([]);
  });

  test('ML028 counts LeaderWorkerSet groups, not the workers of one group', () => {
    const lws = (replicas: number): unknown[] =>
      yaml(
        `apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: vllm, namespace: ml}\nspec:\n  replicas: ${replicas}\n  leaderWorkerTemplate:\n    size: 4\n    leaderTemplate: {spec: {containers: [{name: l, image: "r.example.com/l:v1"}]}}\n    workerTemplate: {spec: {containers: [{name: w, image: "r.example.com/w:v1"}]}}\n`,
      );
    expect(findingsOf(review(lws(1)), 'ML028')).toEqual([]);
    expect(findingsOf(review(lws(2)), 'ML028').map((f) => f.message)).toEqual([expect.stringContaining('runs 2 replicas of leader')]);
  });
});

describe('ML010 on training custom resources, ML026 severity', () => {
  test.each([
    [
      'PyTorchJob',
      'apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: j, namespace: ml}\nspec: {pytorchReplicaSpecs: {}}\n',
      'runPolicy:\n    activeDeadlineSeconds: 3600\n    ttlSecondsAfterFinished: 600',
    ],
    [
      'JobSet',
      'apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: j, namespace: ml}\nspec: {replicatedJobs: [{name: w, template: {spec: {template: {spec: {containers: []}}}}}]}\n',
      '',
    ],
    ['RayJob', 'apiVersion: ray.io/v1\nkind: RayJob\nmetadata: {name: j, namespace: ml}\nspec: {entrypoint: python x.py}\n', ''],
  ])('%s without deadline and TTL is flagged', (_kind, text) => {
    const found = findingsOf(review(yaml(text)), 'ML010').map((f) => f.message);
    expect(found).toHaveLength(2);
  });

  test('a PyTorchJob with runPolicy limits, a JobSet with per-Job deadlines and a TTL, a RayJob that shuts down are quiet', () => {
    const quiet = yaml(
      [
        'apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: a, namespace: ml}\nspec: {runPolicy: {activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 600}, pytorchReplicaSpecs: {}}',
        'apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: b, namespace: ml}\nspec: {ttlSecondsAfterFinished: 600, replicatedJobs: [{name: w, template: {spec: {activeDeadlineSeconds: 3600, template: {spec: {containers: []}}}}}]}',
        'apiVersion: ray.io/v1\nkind: RayJob\nmetadata: {name: c, namespace: ml}\nspec: {activeDeadlineSeconds: 3600, shutdownAfterJobFinishes: true, ttlSecondsAfterFinished: 600}',
      ].join('\n---\n'),
    );
    expect(findingsOf(review(quiet), 'ML010')).toEqual([]);
  });

  test('ML026 is a warning next to other workloads of the namespace, info when reviewed alone', () => {
    const so =
      'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: s, namespace: ml}\nspec: {scaleTargetRef: {name: decode}, triggers: []}\n';
    expect(findingsOf(review(yaml(so)), 'ML026').map((f) => f.severity)).toEqual(['info']);
    expect(findingsOf(review([...yaml(so), deployment()]), 'ML026').map((f) => f.severity)).toEqual(['warning']);
  });
});

test('ML020: a GPU PyTorchJob whose elasticPolicy scales on CPU', () => {
  const pt = (metric: string): unknown[] =>
    yaml(
      `apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: fsdp, namespace: ml}\nspec:\n  elasticPolicy: {minReplicas: 1, maxReplicas: 4, metrics: [${metric}]}\n  pytorchReplicaSpecs:\n    Worker: {replicas: 2, template: {spec: {containers: [{name: pytorch, image: "r.example.com/t:v1", resources: {limits: {nvidia.com/gpu: 1}}}]}}}\n`,
    );
  expect(
    findingsOf(review(pt('{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}')), 'ML020').map(
      (f) => f.message,
    ),
  ).toEqual([expect.stringContaining('elasticPolicy scales the job, which requests nvidia.com/gpu: 1')]);
  expect(
    findingsOf(review(pt('{type: External, external: {metric: {name: queue}, target: {type: AverageValue, averageValue: "5"}}}')), 'ML020'),
  ).toEqual([]);
});

test("TrainJob: the trainer override is reviewed as a partial template (resources, image), the rest is the runtime's", () => {
  const tj = (trainer: string): unknown[] =>
    yaml(
      `apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata: {name: mnist, namespace: ml}\nspec:\n  runtimeRef: {name: torch-distributed}\n  trainer: ${trainer}\n`,
    );
  const bare = review(tj('{numNodes: 2, image: "docker.io/kubeflow/pytorch-mnist:latest"}'));
  expect(findingsOf(bare, 'ML001').map((f) => f.message)).toEqual([
    expect.stringContaining(
      "container 'node' of trainer has no cpu request and no memory request (unless TrainingRuntime 'torch-distributed' sets them)",
    ),
  ]);
  expect(findingsOf(bare, 'ML006').map((f) => f.severity)).toEqual(['error']);
  expect(findingsOf(bare, 'ML016')).toEqual([]); // security context comes from the runtime
  const sized = review(tj('{numNodes: 2, image: "r.example.com/mnist:v1", resourcesPerNode: {requests: {cpu: 2, memory: 8Gi}}}'));
  expect(findingsOf(sized, 'ML001')).toEqual([]);
});

test('ML013: KFServing API groups are gone since KServe 0.7', () => {
  const [f] = findingsOf(
    review(yaml('apiVersion: serving.kubeflow.org/v1alpha2\nkind: InferenceService\nmetadata: {name: flowers, namespace: ml}\nspec: {}\n')),
    'ML013',
  );
  expect(f.message).toContain('removed in KServe 0.7');
  expect(f.fix).toContain('serving.kserve.io/v1beta1');
});

describe('traffic sources per pod template', () => {
  const lws = (serviceSelector: string): unknown[] =>
    yaml(
      `apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: vllm, namespace: ml}\nspec:\n  leaderWorkerTemplate:\n    size: 2\n    leaderTemplate: {metadata: {labels: {app: vllm}}, spec: {containers: [{name: leader, image: "r.example.com/l:v1", readinessProbe: {tcpSocket: {port: 8000}}}]}}\n    workerTemplate: {metadata: {labels: {app: vllm}}, spec: {containers: [{name: worker, image: "r.example.com/w:v1"}]}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: vllm, namespace: ml}\nspec: {selector: ${serviceSelector}, ports: [{port: 8000}]}\n`,
    );

  test('a Service on worker-index "0" selects the leaders only; without it, the workers too', () => {
    expect(findingsOf(review(lws('{app: vllm, leaderworkerset.sigs.k8s.io/worker-index: "0"}')), 'ML002')).toEqual([]);
    expect(findingsOf(review(lws('{app: vllm}')), 'ML002').map((f) => f.message)).toEqual([
      expect.stringContaining("container 'worker' of worker receives traffic from Service 'vllm'"),
    ]);
  });

  test('an InferencePool is a traffic source like a Service', () => {
    const d = deployment();
    const c = firstContainer(d);
    delete c.ports;
    delete c.readinessProbe;
    c.image = 'registry.example.com/engine:v1';
    const pool = yaml(
      'apiVersion: inference.networking.k8s.io/v1\nkind: InferencePool\nmetadata: {name: pool, namespace: ml}\nspec: {selector: {matchLabels: {app: server}}, targetPorts: [{number: 8000}]}\n',
    );
    expect(findingsOf(reviewWithPolicy([d]), 'ML002')).toEqual([]);
    expect(findingsOf(review([d, ...pool]), 'ML002').map((f) => f.message)).toEqual([
      expect.stringContaining("receives traffic from InferencePool 'pool'"),
    ]);
  });
});
