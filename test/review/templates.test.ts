import { INPUT_RULE_ID, extractPodTemplates, review } from '../../src/review';
import { Manifest, digest, findingsOf, goodContainer, goodPodSpec, job, reviewWithPolicy, service } from './helpers';

/** A GPU training container without ports or probes, requests set. */
function trainer(name = 'pytorch'): Manifest {
  const c = goodContainer(name);
  delete c.ports;
  delete c.readinessProbe;
  delete c.livenessProbe;
  c.resources.limits = { memory: '2Gi', 'nvidia.com/gpu': 1 };
  return c;
}

/** A pod template holding `container`. */
function template(container: Manifest, labels: Record<string, string> = {}): Manifest {
  return { metadata: { labels }, spec: { ...goodPodSpec(), containers: [container] } };
}

const meta = (name: string): Manifest => ({ name, namespace: 'ml' });

describe('pod templates of ML custom resources', () => {
  const cases: [string, Manifest, string[]][] = [
    [
      'PyTorchJob',
      {
        apiVersion: 'kubeflow.org/v1',
        kind: 'PyTorchJob',
        metadata: meta('pt'),
        spec: {
          pytorchReplicaSpecs: {
            Master: { replicas: 1, template: template(trainer()) },
            Worker: { replicas: 3, template: template(trainer()) },
          },
        },
      },
      ['spec.pytorchReplicaSpecs.Master.template.spec', 'spec.pytorchReplicaSpecs.Worker.template.spec'],
    ],
    [
      'MPIJob',
      {
        apiVersion: 'kubeflow.org/v2beta1',
        kind: 'MPIJob',
        metadata: meta('mpi'),
        spec: {
          mpiReplicaSpecs: {
            Launcher: { template: template(trainer('launcher')) },
            Worker: { replicas: 2, template: template(trainer('worker')) },
          },
        },
      },
      ['spec.mpiReplicaSpecs.Launcher.template.spec', 'spec.mpiReplicaSpecs.Worker.template.spec'],
    ],
    [
      'JobSet',
      {
        apiVersion: 'jobset.x-k8s.io/v1alpha2',
        kind: 'JobSet',
        metadata: meta('js'),
        spec: { replicatedJobs: [{ name: 'workers', replicas: 2, template: { spec: { parallelism: 4, template: template(trainer()) } } }] },
      },
      ['spec.replicatedJobs[0].template.spec.template.spec'],
    ],
    [
      'TrainingRuntime',
      {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'ClusterTrainingRuntime',
        metadata: { name: 'torch' },
        spec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: template(trainer('node')) } } }] } } },
      },
      ['spec.template.spec.replicatedJobs[0].template.spec.template.spec'],
    ],
    [
      'RayCluster',
      {
        apiVersion: 'ray.io/v1',
        kind: 'RayCluster',
        metadata: meta('rc'),
        spec: {
          headGroupSpec: { template: template(trainer('ray-head')) },
          workerGroupSpecs: [{ groupName: 'gpu', minReplicas: 2, template: template(trainer('ray-worker')) }],
        },
      },
      ['spec.headGroupSpec.template.spec', 'spec.workerGroupSpecs[0].template.spec'],
    ],
    [
      'RayService',
      {
        apiVersion: 'ray.io/v1',
        kind: 'RayService',
        metadata: meta('rs'),
        spec: {
          rayClusterConfig: {
            headGroupSpec: { template: template(trainer('ray-head')) },
            workerGroupSpecs: [{ template: template(trainer('ray-worker')) }],
          },
        },
      },
      ['spec.rayClusterConfig.headGroupSpec.template.spec', 'spec.rayClusterConfig.workerGroupSpecs[0].template.spec'],
    ],
    [
      'RayJob',
      {
        apiVersion: 'ray.io/v1',
        kind: 'RayJob',
        metadata: meta('rj'),
        spec: {
          rayClusterSpec: {
            headGroupSpec: { template: template(trainer('ray-head')) },
            workerGroupSpecs: [],
          },
          submitterPodTemplate: template(trainer('submitter')),
        },
      },
      ['spec.rayClusterSpec.headGroupSpec.template.spec', 'spec.submitterPodTemplate.spec'],
    ],
    [
      'LeaderWorkerSet',
      {
        apiVersion: 'leaderworkerset.x-k8s.io/v1',
        kind: 'LeaderWorkerSet',
        metadata: meta('lws'),
        spec: {
          replicas: 2,
          leaderWorkerTemplate: {
            size: 4,
            leaderTemplate: template(trainer('leader')),
            workerTemplate: template(trainer('worker')),
          },
        },
      },
      ['spec.leaderWorkerTemplate.leaderTemplate.spec', 'spec.leaderWorkerTemplate.workerTemplate.spec'],
    ],
    [
      'InferenceService',
      {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: meta('isvc'),
        spec: {
          predictor: { model: { modelFormat: { name: 'huggingface' }, resources: { limits: { 'nvidia.com/gpu': 1 } } } },
          transformer: { containers: [trainer('transformer')] },
        },
      },
      ['spec.predictor', 'spec.transformer'],
    ],
  ];

  test.each(cases)('%s: every template is found and reviewed', (_kind, obj, paths) => {
    expect(extractPodTemplates(obj as any).map((t) => t.path)).toEqual(paths);
    const report = reviewWithPolicy([obj]);
    // No template has a toleration or a node selector: ML004 fires once per GPU template, at its path.
    const ml004 = findingsOf(report, 'ML004');
    expect(ml004.length).toBeGreaterThanOrEqual(1);
    expect(ml004.every((f) => paths.some((p) => f.fix.includes(`add ${p}.tolerations`)))).toBe(true);
    expect(findingsOf(report, INPUT_RULE_ID)).toEqual([]); // known kinds
  });

  test('kind semantics: training templates get the training rules, serving templates the serving rules', () => {
    const pt = cases[0][1];
    const master = pt.spec.pytorchReplicaSpecs.Master.template.spec.containers[0];
    master.livenessProbe = { httpGet: { path: '/live', port: 8000 } };
    const report = reviewWithPolicy([pt]);
    expect(findingsOf(report, 'ML012').map((f) => f.message)).toEqual([
      expect.stringContaining("container 'pytorch' of Master has a livenessProbe"),
    ]);
    expect(findingsOf(report, 'ML002')).toEqual([]);

    const lws = JSON.parse(JSON.stringify(cases[7][1]));
    const lwsReport = reviewWithPolicy([lws]);
    // The leader receives the traffic: missing readiness is an error there, not on the workers.
    expect(findingsOf(lwsReport, 'ML002').map((f) => f.message)).toEqual([
      expect.stringContaining("container 'leader' of leader receives traffic as the leader of a LeaderWorkerSet but has no readinessProbe"),
    ]);
  });

  test('KServe model specs: the ServingRuntime supplies image and probes, KServe the default resources', () => {
    const isvc = JSON.parse(JSON.stringify(cases[8][1]));
    const report = reviewWithPolicy([isvc]);
    expect(findingsOf(report, 'ML006').filter((f) => f.message.includes('has no image'))).toEqual([]);
    expect(findingsOf(report, 'ML002').map((f) => f.message)).toEqual([
      expect.stringContaining("container 'transformer' of transformer receives traffic"),
    ]);
    // KServe fills default requests and limits (inferenceservice-config): no ML001 on its components.
    expect(findingsOf(report, 'ML001')).toEqual([]);
  });

  test('Ray pods: KubeRay injects probes, so no probe findings', () => {
    const report = reviewWithPolicy([cases[5][1]]);
    expect([...findingsOf(report, 'ML002'), ...findingsOf(report, 'ML018')]).toEqual([]);
  });

  test('unknown kinds with a pod-template shape are reviewed generically and say so', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: meta('canary'),
      spec: { template: template({ ...trainer('app'), image: 'app:latest' }) },
    };
    const report = reviewWithPolicy([rollout]);
    expect(findingsOf(report, 'ML006').map((f) => f.severity)).toEqual(['error']);
    expect(findingsOf(report, INPUT_RULE_ID).map((f) => f.message)).toEqual([
      expect.stringContaining('its pod template at spec.template.spec is reviewed by shape'),
    ]);
    expect(findingsOf(report, 'ML002')).toEqual([]); // role unknown: no serving rules
  });
});

describe('ML007 and controller-added labels', () => {
  const headless = (selector: Record<string, string>): Manifest => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('workers'),
    spec: { clusterIP: 'None', selector },
  });

  test.each([
    [{ 'job-name': 'train' }],
    [{ 'batch.kubernetes.io/job-name': 'train' }],
    [{ 'jobset.sigs.k8s.io/jobset-name': 'js' }],
    [{ 'leaderworkerset.sigs.k8s.io/name': 'lws' }],
    [{ 'statefulset.kubernetes.io/pod-name': 'db-0' }],
    [{ 'ray.io/cluster': 'rc' }],
  ])('a headless Service selecting %o is not flagged', (selector) => {
    expect(findingsOf(reviewWithPolicy([job(), headless(selector)]), 'ML007')).toEqual([]);
  });

  test('template labels next to controller labels must still match; the fix names both kinds of labels', () => {
    const [f] = findingsOf(reviewWithPolicy([job(), headless({ 'job-name': 'train', app: 'nope' })]), 'ML007');
    expect(f.message).toContain('selector {app: nope} (besides the controller-added {job-name: train}) matches no pod template');
    expect(f.fix).toContain('labels its controller adds (job-name');
    const j = job();
    j.spec.template.metadata = { labels: { app: 'train' } };
    expect(findingsOf(reviewWithPolicy([j, headless({ 'job-name': 'train', app: 'train' })]), 'ML007')).toEqual([]);
  });

  test('ML002 no longer depends on containerPort: a container behind a Service without probes is flagged', () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('llm'),
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'llm' } },
        template: template({ ...trainer('vllm'), resources: { requests: { cpu: 1, memory: '1Gi' } } }, { app: 'llm' }),
      },
    };
    const report = reviewWithPolicy([d, service('llm')]);
    expect(digest(report).filter((x) => x.startsWith('ML002') || x.startsWith('ML018'))).toEqual([
      'ML002 error Deployment/llm',
      'ML018 info Deployment/llm',
    ]);
    expect(findingsOf(report, 'ML002')[0].message).toContain(
      "container 'vllm' receives traffic from Service 'llm' but has no readinessProbe",
    );
    expect(findingsOf(review([d]), 'ML002')).toEqual([]); // no Service, no ports: a worker
  });
});
