/** Pod templates found by shape anywhere in a custom resource, and the known batch schedulers (issue 23). */
import { INPUT_RULE_ID, parseManifests, review } from '../../src/review';
import { findingsOf } from './helpers';

const reviewYaml = (text: string) => review(parseManifests(text, 'x.yaml').documents.map((d) => d.object));

const container = `{name: engine, image: registry.example.com/engine:v1, command: [python, serve.py]}`;

describe('structural pod-template discovery', () => {
  const lwsLike = `apiVersion: example.com/v1
kind: ModelGroup
metadata: {name: g, namespace: ml}
spec:
  roles:
    - name: prefill
      group:
        leaderTemplate:
          metadata: {labels: {role: leader}}
          spec: {containers: [${container}]}
        workerTemplate:
          spec: {containers: [${container}]}
  podSpecTemplate:
    containers: [${container}]
`;

  test('leaderTemplate/workerTemplate (LWS-like CRDs), lists and bare pod specs under *Template keys are reviewed with their paths', () => {
    const report = reviewYaml(lwsLike);
    const ml001 = findingsOf(report, 'ML001');
    expect(ml001.map((f) => f.path).sort()).toEqual(
      [
        'spec.roles[0].group.leaderTemplate.spec.containers[0].resources.requests',
        'spec.roles[0].group.workerTemplate.spec.containers[0].resources.requests',
        'spec.podSpecTemplate.containers[0].resources.requests',
      ].sort(),
    );
    // Two templates of one object never get word-for-word identical messages: each names its path.
    expect(new Set(ml001.map((f) => f.message)).size).toBe(3);
    expect(ml001.map((f) => f.message)).toContainEqual(
      expect.stringContaining("container 'engine' at spec.roles[0].group.leaderTemplate has no cpu request"),
    );
    expect(findingsOf(report, INPUT_RULE_ID).map((f) => f.message)).toEqual([
      expect.stringContaining(
        'its pod templates at spec.roles[0].group.leaderTemplate.spec, spec.roles[0].group.workerTemplate.spec, spec.podSpecTemplate are reviewed by shape',
      ),
    ]);
  });

  test('a custom resource whose pods cannot be found says that none of its containers were reviewed', () => {
    const report = reviewYaml(`apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata: {name: w}
resource: {count: 2, instanceType: Standard_NC48ads_A100_v4}
inference: {preset: {name: meta-llama/Llama-3.3-70B-Instruct}}
`);
    expect(findingsOf(report, INPUT_RULE_ID).map((f) => f.message)).toEqual([
      expect.stringContaining(
        'no pod template was found in it (nothing shaped like metadata + spec.containers, at any depth), so none of the containers it creates were reviewed',
      ),
    ]);
  });

  test('a known kind with its templates missing says so too', () => {
    const report = reviewYaml('apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: j, namespace: ml}\nspec: {}\n');
    expect(findingsOf(report, INPUT_RULE_ID).map((f) => f.message)).toEqual([
      expect.stringContaining('no pod template was found where a JobSet keeps them, so none of its containers were reviewed'),
    ]);
  });

  test('an embedded object of a known kind (a Katib trial Job) is reviewed as that kind', () => {
    const report = reviewYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: e, namespace: ml}
spec:
  trialTemplate:
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - {name: t, image: "registry.example.com/t:v1", livenessProbe: {exec: {command: [ls]}}}
`);
    // ML012 (liveness on a batch pod) is kind-specific: it applies because the trial is a Job.
    expect(findingsOf(report, 'ML012').map((f) => f.path)).toEqual([
      'spec.trialTemplate.trialSpec.spec.template.spec.containers[0].livenessProbe',
    ]);
    expect(findingsOf(report, INPUT_RULE_ID).map((f) => f.message)).toEqual([
      expect.stringContaining('its embedded object at spec.trialTemplate.trialSpec as a Job is reviewed by kind'),
    ]);
  });
});

describe('batch schedulers keep their semantics', () => {
  const volcano = (deadline: string, ttl: string): string => `apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: v, namespace: ml}
spec:
  minAvailable: 2
${ttl}  tasks:
    - name: ps
      replicas: 1
      template:
        spec: {restartPolicy: Never, containers: [${container}]}
    - name: worker
      replicas: 2
      template:
        spec: {restartPolicy: Never${deadline}, containers: [${container}]}
`;

  test("Volcano Job tasks[].template are training templates; deadlines per task and the job's TTL join ML010", () => {
    const report = reviewYaml(volcano('', ''));
    expect(findingsOf(report, 'ML010').map((f) => f.path)).toEqual([
      'spec.tasks[0].template.spec.activeDeadlineSeconds',
      'spec.ttlSecondsAfterFinished',
    ]);
    expect(findingsOf(report, 'ML001').map((f) => [f.severity, f.message.split(' has ')[0]])).toEqual([
      ['warning', "Job 'ml/v': container 'engine' of ps"],
      ['warning', "Job 'ml/v': container 'engine' of worker"],
    ]);
    expect(findingsOf(report, INPUT_RULE_ID)).toEqual([]); // a known kind
  });

  test('only a deadline on every task and a TTL satisfy ML010', () => {
    expect(
      findingsOf(reviewYaml(volcano(', activeDeadlineSeconds: 3600', '  ttlSecondsAfterFinished: 600\n')), 'ML010').map((f) => f.path),
    ).toEqual(['spec.tasks[0].template.spec.activeDeadlineSeconds']);
  });
});
