import { review } from '../../src/review';
import {
  Manifest,
  cronJob,
  deployment,
  digest,
  findingsOf,
  firstContainer,
  goodContainer,
  hpa,
  job,
  netpol,
  pdb,
  podSpecOf,
  reviewWithPolicy,
  service,
} from './helpers';

describe('clean baseline', () => {
  test('the helper manifests trigger no rule', () => {
    const d = deployment();
    delete d.spec.replicas; // the HPA owns the replica count (ML027)
    const report = reviewWithPolicy([d, service(), hpa(), pdb({ maxUnavailable: 1 }), job(), cronJob()]);
    expect(digest(report)).toEqual([]);
    expect(report.counts).toEqual({ error: 0, warning: 0, info: 0, total: 0, suppressed: 0, objects: 7 });
  });
});

describe('ML001 missing requests', () => {
  test('error on a Deployment container without memory request, naming the container and the fix', () => {
    const d = deployment();
    delete firstContainer(d).resources.requests.memory;
    delete firstContainer(d).resources.limits;
    const [f, ...rest] = findingsOf(reviewWithPolicy([d]), 'ML001');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'error', kind: 'Deployment', name: 'server', namespace: 'ml' });
    expect(f.message).toMatch(/^Deployment 'ml\/server': container 'server' has no memory request/);
    expect(f.fix).toContain('spec.template.spec.containers[0].resources.requests.memory');
  });

  test('BestEffort when no container has any request', () => {
    const d = deployment();
    delete firstContainer(d).resources;
    const [f] = findingsOf(reviewWithPolicy([d]), 'ML001');
    expect(f.message).toContain('no cpu request and no memory request');
    expect(f.message).toContain('BestEffort');
  });

  test('warning on Jobs and on CronJob job templates', () => {
    const j = job();
    const c = cronJob();
    delete firstContainer(j).resources;
    delete firstContainer(c).resources;
    const found = findingsOf(reviewWithPolicy([j, c]), 'ML001');
    expect(found.map((f) => `${f.kind} ${f.severity}`)).toEqual(['CronJob warning', 'Job warning']);
  });

  test('a limit alone counts (the request defaults to it); so do LimitRange defaults and pod-level resources', () => {
    const limitOnly = deployment('a');
    firstContainer(limitOnly).resources = { limits: { cpu: '1', memory: '1Gi' } };
    const viaLimitRange = deployment('b');
    delete firstContainer(viaLimitRange).resources;
    const limitRange = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'defaults', namespace: 'ml' },
      spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' } }] },
    };
    expect(findingsOf(reviewWithPolicy([limitOnly, viaLimitRange, limitRange]), 'ML001')).toEqual([]);
    const podLevel = deployment('c');
    delete firstContainer(podLevel).resources;
    podSpecOf(podLevel).resources = { requests: { cpu: '1', memory: '2Gi' } };
    expect(findingsOf(reviewWithPolicy([podLevel]), 'ML001')).toEqual([]);
  });

  test('zero and invalid quantities are reported', () => {
    const d = deployment();
    firstContainer(d).resources = { requests: { cpu: '0', memory: '1 GB' } };
    const [f] = findingsOf(reviewWithPolicy([d]), 'ML001');
    expect(f.message).toContain('a zero cpu request ("0")');
    expect(f.message).toContain('an invalid memory request "1 GB"');
  });

  test('plain init containers are not required to have requests, native sidecars are', () => {
    const d = deployment();
    podSpecOf(d).initContainers = [
      { name: 'fetch-model', image: 'x:1@sha256:ab' },
      { name: 'proxy', image: 'y:1@sha256:cd', restartPolicy: 'Always' },
    ];
    const found = findingsOf(reviewWithPolicy([d]), 'ML001');
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining("sidecar container 'proxy' has no cpu request")]);
  });
});

describe('ML002 readiness probe', () => {
  test('error on a Deployment container exposing ports without readinessProbe', () => {
    const d = deployment();
    delete firstContainer(d).readinessProbe;
    const [f] = findingsOf(reviewWithPolicy([d]), 'ML002');
    expect(f).toMatchObject({ severity: 'error', name: 'server' });
    expect(f.message).toContain("container 'server' serves on port 8000 (its livenessProbe targets it) but has no readinessProbe");
  });

  test('no finding for a container without ports, or for a DaemonSet', () => {
    const d = deployment();
    delete firstContainer(d).readinessProbe;
    delete firstContainer(d).ports;
    const ds = { ...deployment('agent'), kind: 'DaemonSet' };
    delete firstContainer(ds).readinessProbe;
    expect(findingsOf(reviewWithPolicy([d, ds]), 'ML002')).toEqual([]);
  });

  test.each([
    ['httpGet (named port resolved)', { httpGet: { path: '/health', port: 'http' } }, { httpGet: { path: '/health', port: 8000 } }],
    ['exec', { exec: { command: ['cat', '/tmp/ok'] } }, { exec: { command: ['cat', '/tmp/ok'] } }],
    ['tcpSocket', { tcpSocket: { port: 8000 } }, { tcpSocket: { port: 8000 } }],
  ])('warning when readiness and liveness use the same %s handler', (_, readiness, liveness) => {
    const d = deployment();
    Object.assign(firstContainer(d), { readinessProbe: readiness, livenessProbe: { ...liveness, initialDelaySeconds: 60 } });
    const [f] = findingsOf(reviewWithPolicy([d]), 'ML002');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('uses the same check for readiness and liveness');
  });

  test('different paths or ports are fine', () => {
    const d = deployment();
    Object.assign(firstContainer(d), {
      readinessProbe: { httpGet: { path: '/ready', port: 8000 } },
      livenessProbe: { httpGet: { path: '/ready', port: 8001 }, initialDelaySeconds: 60 },
    });
    expect(findingsOf(reviewWithPolicy([d]), 'ML002')).toEqual([]);
  });
});

describe('ML003 liveness without startup probe', () => {
  test('warning when the liveness gives up within 60 s and there is no startupProbe', () => {
    const d = deployment();
    firstContainer(d).livenessProbe = { httpGet: { path: '/live', port: 8000 }, periodSeconds: 10 };
    const [f] = findingsOf(reviewWithPolicy([d]), 'ML003');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('liveness without startup probe on a slow-loading server');
    expect(f.message).toContain('after 30 s (initialDelaySeconds 0 + periodSeconds 10 × failureThreshold 3)');
  });

  test('quiet with a startupProbe or a generous liveness budget', () => {
    const withStartup = deployment('a');
    firstContainer(withStartup).livenessProbe = { httpGet: { path: '/live', port: 8000 } };
    firstContainer(withStartup).startupProbe = { httpGet: { path: '/ready', port: 8000 }, failureThreshold: 60 };
    const generous = deployment('b');
    firstContainer(generous).livenessProbe = { httpGet: { path: '/live', port: 8000 }, periodSeconds: 20, failureThreshold: 3 };
    expect(findingsOf(reviewWithPolicy([withStartup, generous]), 'ML003')).toEqual([]);
  });
});

describe('ML004 accelerator toleration and ML022 node selection', () => {
  const gpuJob = (): Manifest => {
    const j = job();
    firstContainer(j).resources.limits = { 'nvidia.com/gpu': 1, memory: '2Gi' };
    return j;
  };
  const placement = (report: ReturnType<typeof reviewWithPolicy>): string[] =>
    [...findingsOf(report, 'ML004'), ...findingsOf(report, 'ML022')].map((f) => `${f.ruleId} ${f.severity}`);

  test.each(['nvidia.com/gpu', 'amd.com/gpu', 'nvidia.com/mig-1g.5gb', 'gpu.intel.com/i915'])(
    'flags %s without toleration (ML004 error) and node selection (ML022 warning)',
    (resource) => {
      const j = job();
      firstContainer(j).resources.limits = { [resource]: '1' };
      const report = reviewWithPolicy([j]);
      expect(placement(report)).toEqual(['ML004 error', 'ML022 warning']);
      expect(findingsOf(report, 'ML004')[0].message).toContain('has no toleration');
      expect(findingsOf(report, 'ML022')[0].message).toContain('has no nodeSelector');
      expect(findingsOf(report, 'ML004')[0].message).toContain(`${resource}: 1 (container 'trainer')`);
    },
  );

  test('quiet with a matching toleration and a nodeSelector or required nodeAffinity', () => {
    const withSelector = gpuJob();
    Object.assign(podSpecOf(withSelector), {
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      nodeSelector: { accelerator: 'nvidia-a100' },
    });
    const withAffinity = gpuJob();
    withAffinity.metadata.name = 'other';
    Object.assign(podSpecOf(withAffinity), {
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'accelerator', operator: 'In', values: ['a100'] }] }],
          },
        },
      },
    });
    expect(placement(reviewWithPolicy([withSelector, withAffinity]))).toEqual([]);
  });

  test('only the missing piece is reported, and each is controlled on its own', () => {
    const j = gpuJob();
    podSpecOf(j).nodeSelector = { accelerator: 'nvidia-a100' };
    expect(placement(reviewWithPolicy([j]))).toEqual(['ML004 error']);
    const k = gpuJob();
    expect(placement(reviewWithPolicy([k], { disabled: ['ML004'] }))).toEqual(['ML022 warning']);
  });

  test.each([
    ['GKE accelerator selector', { 'cloud.google.com/gke-accelerator': 'nvidia-l4' }],
    ['GKE TPU selectors', { 'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice', 'cloud.google.com/gke-tpu-topology': '2x4' }],
  ])('no ML004 when the platform adds the toleration: %s', (_name, nodeSelector) => {
    const j = gpuJob();
    podSpecOf(j).nodeSelector = nodeSelector;
    expect(placement(reviewWithPolicy([j]))).toEqual([]);
    // ... unless the platform settings say otherwise
    expect(placement(reviewWithPolicy([j], { platform: { autoTolerationSelectors: [] } }))).toEqual(['ML004 error']);
  });

  test('a GKE selector in a required node affinity counts too; an admission plugin covers every pod', () => {
    const j = gpuJob();
    podSpecOf(j).affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'cloud.google.com/gke-accelerator', operator: 'Exists' }] }],
        },
      },
    };
    expect(placement(reviewWithPolicy([j]))).toEqual([]);
    expect(placement(reviewWithPolicy([gpuJob()], { platform: { admissionAddsAcceleratorTolerations: true } }))).toEqual(['ML022 warning']);
  });

  test('platform accelerator resource names extend the built-in pattern', () => {
    const j = job();
    firstContainer(j).resources.limits = { 'example.com/fpga': 1 };
    expect(placement(reviewWithPolicy([j]))).toEqual([]);
    expect(placement(reviewWithPolicy([j], { platform: { acceleratorResources: ['example.com/fpga'] } }))).toEqual([
      'ML004 error',
      'ML022 warning',
    ]);
  });

  test('a zero GPU limit is not an accelerator request', () => {
    const j = job();
    firstContainer(j).resources.limits = { 'nvidia.com/gpu': 0 };
    expect(findingsOf(reviewWithPolicy([j]), 'ML004')).toEqual([]);
  });
});

describe('ML005 CPU pod tolerating accelerator taint', () => {
  test('warning for a GPU-key toleration and for a tolerate-everything toleration', () => {
    const a = deployment('a');
    podSpecOf(a).tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    const b = deployment('b');
    podSpecOf(b).tolerations = [{ operator: 'Exists' }];
    const found = findingsOf(reviewWithPolicy([a, b]), 'ML005');
    expect(found.map((f) => `${f.name} ${f.severity}`)).toEqual(['a warning', 'b warning']);
    expect(found[0].message).toContain("tolerates the accelerator taint 'nvidia.com/gpu'");
    expect(found[1].message).toContain('tolerates every taint');
  });

  test('quiet for GPU pods, unrelated tolerations and DaemonSets', () => {
    const gpu = job();
    firstContainer(gpu).resources.limits = { 'nvidia.com/gpu': 1 };
    Object.assign(podSpecOf(gpu), { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }], nodeSelector: { a: 'b' } });
    const other = deployment();
    podSpecOf(other).tolerations = [{ key: 'spot', operator: 'Exists' }];
    const ds = { ...deployment('agent'), kind: 'DaemonSet' };
    podSpecOf(ds).tolerations = [{ operator: 'Exists' }];
    expect(findingsOf(reviewWithPolicy([gpu, other, ds]), 'ML005')).toEqual([]);
  });
});

describe('ML006 mutable image', () => {
  test.each([
    ['model:latest', 'error', 'mutable tag :latest'],
    ['registry.example.com:5000/team/model', 'error', 'without a tag or digest'],
    ['model:v1.2.3', 'info', 'pinned by tag only'],
  ])('%s → %s', (image, severity, text) => {
    const d = deployment();
    firstContainer(d).image = image;
    const [f] = findingsOf(reviewWithPolicy([d]), 'ML006');
    expect(f.severity).toBe(severity);
    expect(f.message).toContain(text);
  });

  test('digests are immutable, also on init containers; a missing image is an error', () => {
    const d = deployment();
    firstContainer(d).image = 'model:latest@sha256:abc';
    podSpecOf(d).initContainers = [{ name: 'fetch', image: 'busybox' }];
    const found = findingsOf(reviewWithPolicy([d]), 'ML006');
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining("init container 'fetch' uses image 'busybox' without a tag")]);
    delete firstContainer(d).image;
    expect(findingsOf(reviewWithPolicy([d]), 'ML006').map((f) => f.message)).toContain(
      "Deployment 'ml/server': container 'server' has no image",
    );
  });
});

describe('ML007 Service selector', () => {
  test('error when the selector matches no pod template of the namespace', () => {
    const [f] = findingsOf(reviewWithPolicy([deployment(), service('server', 'srever')]), 'ML007');
    expect(f).toMatchObject({ severity: 'error', kind: 'Service', name: 'server' });
    expect(f.message).toContain("selector {app: srever} matches no pod template in namespace 'ml'");
    expect(f.message).toContain("Deployment 'server' {app: server}");
  });

  test('quiet when matching, without selector, without workloads in the namespace, or for another namespace', () => {
    const selectorless = service('external');
    delete selectorless.spec.selector;
    const elsewhere = service('other', 'nothing', 'empty-ns');
    expect(findingsOf(reviewWithPolicy([deployment(), service(), selectorless, elsewhere]), 'ML007')).toEqual([]);
    const otherNamespace = service('server', 'server', 'prod');
    const prodWorkload = deployment('api', 'prod');
    expect(findingsOf(review([deployment(), otherNamespace, prodWorkload, netpol(), netpol('prod')]), 'ML007')).toHaveLength(1);
  });

  test('a Knative Service is not a core Service', () => {
    const knative = { ...service('server', 'nope'), apiVersion: 'serving.knative.dev/v1' };
    expect(findingsOf(reviewWithPolicy([deployment(), knative]), 'ML007')).toEqual([]);
  });
});

describe('ML008 PodDisruptionBudget', () => {
  test.each([
    [{ maxUnavailable: 0 }, 'maxUnavailable 0'],
    [{ maxUnavailable: '0%' }, 'maxUnavailable "0%"'],
    [{ minAvailable: '100%' }, 'minAvailable "100%"'],
    [{ minAvailable: 3 }, 'number only 3 at their lowest'],
    [{ minAvailable: '90%' }, 'minAvailable "90%" (3 pods)'],
  ])('error for %j with 3 replicas', (spec, text) => {
    const d = deployment();
    d.spec.replicas = 3;
    const [f, ...rest] = findingsOf(reviewWithPolicy([d, pdb(spec)]), 'ML008');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'error', kind: 'PodDisruptionBudget' });
    expect(f.message).toContain(text);
  });

  test('uses the HPA minReplicas when an HPA targets the workload', () => {
    const found = findingsOf(reviewWithPolicy([deployment(), hpa('server', 2, 10), pdb({ minAvailable: 2 })]), 'ML008');
    expect(found.map((f) => f.severity)).toEqual(['error']);
    expect(found[0].message).toContain("HPA 'server' minReplicas 2");
    expect(findingsOf(reviewWithPolicy([deployment(), hpa('server', 3, 10), pdb({ minAvailable: 2 })]), 'ML008')).toEqual([]);
  });

  test('uses the KEDA ScaledObject minReplicaCount when KEDA drives the workload', () => {
    const d = deployment();
    delete d.spec.replicas; // replicas left to the autoscaler
    const scaledObject = (min?: number): Manifest => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'server-queue', namespace: 'ml' },
      spec: { scaleTargetRef: { name: 'server' }, ...(min === undefined ? {} : { minReplicaCount: min }), triggers: [] },
    });
    expect(findingsOf(reviewWithPolicy([d, scaledObject(3), pdb({ minAvailable: 2 })]), 'ML008')).toEqual([]);
    const [f] = findingsOf(reviewWithPolicy([d, scaledObject(2), pdb({ minAvailable: 2 })]), 'ML008');
    expect(f.message).toContain("ScaledObject 'server-queue' minReplicaCount 2");
    // Scaled to zero (the KEDA default), there is nothing to evict.
    expect(findingsOf(reviewWithPolicy([d, scaledObject(), pdb({ minAvailable: 1 })]), 'ML008')).toEqual([]);
  });

  test('warning when the selector matches no pod template; quiet when it allows disruptions', () => {
    const [f] = findingsOf(reviewWithPolicy([deployment(), pdb({ minAvailable: 1 }, 'nothing')]), 'ML008');
    expect(f.severity).toBe('warning');
    const d = deployment();
    d.spec.replicas = 3;
    expect(findingsOf(reviewWithPolicy([d, pdb({ minAvailable: 2 }), pdb({ maxUnavailable: '25%' }, 'server')]), 'ML008')).toEqual([]);
  });

  test('matchExpressions selectors are understood', () => {
    const budget = pdb({ minAvailable: 3 });
    budget.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['server', 'x'] }] };
    expect(findingsOf(reviewWithPolicy([deployment(), budget]), 'ML008').map((f) => f.severity)).toEqual(['error']);
  });
});

describe('ML009 HorizontalPodAutoscaler', () => {
  test('minReplicas above maxReplicas is an error', () => {
    const [f] = findingsOf(reviewWithPolicy([deployment(), hpa('server', 5, 3)]), 'ML009');
    expect(f).toMatchObject({ severity: 'error', kind: 'HorizontalPodAutoscaler' });
    expect(f.message).toContain('minReplicas 5 greater than maxReplicas 3');
  });

  test('a target missing from the set is a warning', () => {
    const [f] = findingsOf(reviewWithPolicy([hpa('ghost')]), 'ML009');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain("scaleTargetRef names Deployment 'ghost'");
  });

  test('a target of a custom kind present in the set is found', () => {
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'canary', namespace: 'ml' }, spec: {} };
    const h = hpa('canary');
    h.spec.scaleTargetRef = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'canary' };
    expect(findingsOf(reviewWithPolicy([rollout, h]), 'ML009')).toEqual([]);
  });

  test('a CPU utilization metric on a target lacking cpu requests is an error', () => {
    const d = deployment();
    firstContainer(d).resources = { requests: { memory: '1Gi' } };
    const found = findingsOf(reviewWithPolicy([d, hpa()]), 'ML009');
    expect(found.map((f) => f.severity)).toEqual(['error']);
    expect(found[0].message).toContain("scales on cpu utilization but container 'server' of Deployment 'ml/server' has no cpu request");
  });

  test('memory metrics, autoscaling/v1 and the default CPU metric are checked; AverageValue targets are not', () => {
    const d = deployment();
    firstContainer(d).resources = {};
    const memory = hpa();
    memory.spec.metrics = [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } }];
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'v1', namespace: 'ml' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'server' }, maxReplicas: 4, targetCPUUtilizationPercentage: 70 },
    };
    const noMetrics = hpa();
    noMetrics.metadata.name = 'default-metric';
    delete noMetrics.spec.metrics;
    const averageValue = hpa();
    averageValue.metadata.name = 'average';
    averageValue.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '500m' } } }];
    const found = findingsOf(reviewWithPolicy([d, memory, v1, noMetrics, averageValue]), 'ML009');
    expect(found.map((f) => `${f.name}: ${/scales on (\w+)/.exec(f.message)?.[1]}`)).toEqual([
      'default-metric: cpu',
      'server: memory',
      'v1: cpu',
    ]);
  });
});

describe('ML010 Job limits', () => {
  test('warnings for missing activeDeadlineSeconds and ttlSecondsAfterFinished, on Jobs and CronJob templates', () => {
    const j = job();
    delete j.spec.activeDeadlineSeconds;
    delete j.spec.ttlSecondsAfterFinished;
    const c = cronJob();
    delete c.spec.jobTemplate.spec.activeDeadlineSeconds;
    const found = findingsOf(reviewWithPolicy([j, c]), 'ML010');
    expect(found.map((f) => `${f.kind} ${f.severity} ${/no (\w+)/.exec(f.message)?.[1]}`)).toEqual([
      'CronJob warning activeDeadlineSeconds',
      'Job warning activeDeadlineSeconds',
      'Job warning ttlSecondsAfterFinished',
    ]);
    expect(found[0].fix).toContain('spec.jobTemplate.spec.activeDeadlineSeconds');
  });

  test("a CronJob's Jobs need no TTL: its history limits delete the older runs", () => {
    const c = cronJob();
    delete c.spec.jobTemplate.spec.ttlSecondsAfterFinished;
    expect(findingsOf(reviewWithPolicy([c]), 'ML010')).toEqual([]);
  });
});

describe('ML011 CronJob concurrency', () => {
  test.each([[undefined], ['Allow']])('warning for concurrencyPolicy %s', (policy) => {
    const c = cronJob();
    if (policy === undefined) delete c.spec.concurrencyPolicy;
    else c.spec.concurrencyPolicy = policy;
    const [f] = findingsOf(reviewWithPolicy([c]), 'ML011');
    expect(f).toMatchObject({ severity: 'warning', kind: 'CronJob', name: 'retrain' });
  });

  test('quiet for Forbid and Replace', () => {
    const c = cronJob();
    c.spec.concurrencyPolicy = 'Replace';
    expect(findingsOf(reviewWithPolicy([cronJob(), c]), 'ML011')).toEqual([]);
  });
});

describe('ML012 liveness on training pods', () => {
  test('warning for a Job or CronJob container with a livenessProbe', () => {
    const j = job();
    firstContainer(j).livenessProbe = { exec: { command: ['true'] } };
    const c = cronJob();
    firstContainer(c).livenessProbe = { exec: { command: ['true'] } };
    const found = findingsOf(reviewWithPolicy([j, c]), 'ML012');
    expect(found.map((f) => `${f.kind} ${f.severity}`)).toEqual(['CronJob warning', 'Job warning']);
    // ML003 is about long-running servers: it does not pile on training pods.
    expect(findingsOf(reviewWithPolicy([j, c]), 'ML003')).toEqual([]);
  });
});

describe('ML013 removed API versions', () => {
  test.each([
    ['extensions/v1beta1', 'Deployment', '1.16', 'apps/v1'],
    ['apps/v1beta2', 'StatefulSet', '1.16', 'apps/v1'],
    ['policy/v1beta1', 'PodDisruptionBudget', '1.25', 'policy/v1'],
    ['policy/v1beta1', 'PodSecurityPolicy', '1.25', 'Pod Security Admission'],
    ['batch/v1beta1', 'CronJob', '1.25', 'batch/v1'],
    ['autoscaling/v2beta1', 'HorizontalPodAutoscaler', '1.25', 'autoscaling/v2'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26', 'autoscaling/v2'],
    ['networking.k8s.io/v1beta1', 'Ingress', '1.22', 'networking.k8s.io/v1'],
    ['flowcontrol.apiserver.k8s.io/v1beta2', 'FlowSchema', '1.29', 'flowcontrol.apiserver.k8s.io/v1'],
  ])('%s %s: removed in %s, use %s', (apiVersion, kind, removedIn, replacement) => {
    const [f] = findingsOf(review([{ apiVersion, kind, metadata: { name: 'old', namespace: 'ml' }, spec: {} }]), 'ML013');
    expect(f).toMatchObject({ severity: 'error', kind, name: 'old' });
    expect(f.message).toContain(`uses apiVersion ${apiVersion}, removed in Kubernetes ${removedIn}`);
    expect(f.fix).toContain(replacement);
  });

  test('current versions are fine', () => {
    expect(findingsOf(reviewWithPolicy([deployment(), hpa(), pdb({ maxUnavailable: 1 }), cronJob()]), 'ML013')).toEqual([]);
  });
});

describe('ML014 missing NetworkPolicy', () => {
  test('one warning per namespace, on its first workload; objects without namespace count as default', () => {
    const plain = deployment('web');
    delete plain.metadata.namespace;
    const report = review([deployment('a'), deployment('b'), job(), plain]);
    const found = findingsOf(report, 'ML014');
    expect(found.map((f) => `${f.kind}/${f.name} ${f.severity}`)).toEqual(['Deployment/web warning', 'Deployment/a warning']);
    expect(found[0].message).toContain("namespace 'default'");
    expect(found[1].message).toContain("namespace 'ml' runs 3 workloads (Deployment 'a', Deployment 'b', Job 'train')");
  });

  test('reported on the Namespace object when the set has one; quiet with a NetworkPolicy', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml' } };
    expect(findingsOf(review([ns, deployment()]), 'ML014').map((f) => `${f.kind}/${f.name}`)).toEqual(['Namespace/ml']);
    expect(findingsOf(review([ns, deployment(), netpol()]), 'ML014')).toEqual([]);
  });
});

describe('ML015 service account token', () => {
  test('warning when neither pod nor ServiceAccount disable the token', () => {
    const d = deployment();
    delete podSpecOf(d).automountServiceAccountToken;
    podSpecOf(d).serviceAccountName = 'model';
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'model', namespace: 'ml' } };
    const [f] = findingsOf(reviewWithPolicy([d, sa]), 'ML015');
    expect(f).toMatchObject({ severity: 'warning', kind: 'Deployment' });
    expect(f.message).toContain("ServiceAccount 'model' does not either");
    const explicit = deployment('x');
    podSpecOf(explicit).automountServiceAccountToken = true;
    expect(findingsOf(reviewWithPolicy([explicit]), 'ML015')[0].message).toContain('automountServiceAccountToken: true');
  });

  test('quiet when the ServiceAccount of the set disables it', () => {
    const d = deployment();
    delete podSpecOf(d).automountServiceAccountToken;
    const sa = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'ml' },
      automountServiceAccountToken: false,
    };
    expect(findingsOf(reviewWithPolicy([d, sa]), 'ML015')).toEqual([]);
  });
});

describe('ML016 restricted Pod Security', () => {
  test('one warning per container listing every violation', () => {
    const d = deployment();
    firstContainer(d).securityContext = { privileged: true, capabilities: { add: ['SYS_ADMIN'] } };
    const [f, ...rest] = findingsOf(reviewWithPolicy([d]), 'ML016');
    expect(rest).toEqual([]);
    expect(f.severity).toBe('warning');
    for (const text of [
      'privileged: true',
      'allowPrivilegeEscalation is not false',
      'runAsNonRoot is not true',
      'capabilities.drop does not include ALL',
      'capabilities.add SYS_ADMIN',
      'seccompProfile is unset',
    ]) {
      expect(f.message).toContain(text);
    }
  });

  test('pod-level runAsNonRoot/seccomp count; runAsUser 0 and host namespaces do not pass', () => {
    const d = deployment();
    const c = firstContainer(d);
    c.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    podSpecOf(d).securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    expect(findingsOf(reviewWithPolicy([d]), 'ML016')).toEqual([]);
    podSpecOf(d).securityContext.runAsUser = 0;
    podSpecOf(d).hostNetwork = true;
    const messages = findingsOf(reviewWithPolicy([d]), 'ML016').map((f) => f.message);
    expect(messages).toEqual([expect.stringContaining('runAsUser: 0')]);
    expect(findingsOf(reviewWithPolicy([d]), 'ML038').map((f) => f.message)).toEqual([
      expect.stringContaining('pod template sets hostNetwork: true'),
    ]);
  });
});

describe('ML017 limit below request', () => {
  test('error when a memory limit is below the request, with mixed units explained', () => {
    const d = deployment();
    firstContainer(d).resources = { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1000M' } };
    const [f] = findingsOf(reviewWithPolicy([d]), 'ML017');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('memory limit 1000M (953.67Mi) below its request 1Gi');
  });

  test('quiet when the limit is at least the request', () => {
    const d = deployment();
    firstContainer(d).resources = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 0.5, memory: '1024Mi' } };
    expect(findingsOf(reviewWithPolicy([d]), 'ML017')).toEqual([]);
  });
});

describe('ML018 serving container without liveness', () => {
  test('info for a port-exposing Deployment container without livenessProbe', () => {
    const d = deployment();
    delete firstContainer(d).livenessProbe;
    expect(findingsOf(reviewWithPolicy([d]), 'ML018').map((f) => f.severity)).toEqual(['info']);
    expect(findingsOf(reviewWithPolicy([deployment()]), 'ML018')).toEqual([]);
  });
});

describe('ML019 accelerator limits', () => {
  test('error for a GPU in requests without an equal limit', () => {
    const j = job();
    firstContainer(j).resources = { requests: { 'nvidia.com/gpu': 2, cpu: '1', memory: '1Gi' } };
    Object.assign(podSpecOf(j), { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }], nodeSelector: { a: 'b' } });
    const [f] = findingsOf(reviewWithPolicy([j]), 'ML019');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('sets nvidia.com/gpu: 2 in resources.requests without a limit');
    firstContainer(j).resources.limits = { 'nvidia.com/gpu': 1 };
    expect(findingsOf(reviewWithPolicy([j]), 'ML019')[0].message).toContain('requests nvidia.com/gpu: 2 but limits it to 1');
    firstContainer(j).resources.limits = { 'nvidia.com/gpu': '2' };
    expect(findingsOf(reviewWithPolicy([j]), 'ML019')).toEqual([]);
  });
});

describe('ML020 accelerator workload scaled on CPU', () => {
  test('warning when a GPU Deployment is scaled only on CPU; quiet with a Pods metric', () => {
    const d = deployment();
    firstContainer(d).resources.limits = { 'nvidia.com/gpu': 1 };
    Object.assign(podSpecOf(d), { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }], nodeSelector: { a: 'b' } });
    const [f] = findingsOf(reviewWithPolicy([d, hpa()]), 'ML020');
    expect(f).toMatchObject({ severity: 'warning', kind: 'HorizontalPodAutoscaler' });
    const queue = hpa();
    queue.spec.metrics.push({
      type: 'Pods',
      pods: { metric: { name: 'inflight_requests' }, target: { type: 'AverageValue', averageValue: '4' } },
    });
    expect(findingsOf(reviewWithPolicy([d, queue]), 'ML020')).toEqual([]);
  });
});

describe('ML021 Service named targetPort', () => {
  test('error when no selected container declares the named port', () => {
    const s = service();
    s.spec.ports = [
      { name: 'metrics', port: 9090, targetPort: 'metrics' },
      { name: 'http', port: 80, targetPort: 'http' },
    ];
    const found = findingsOf(reviewWithPolicy([deployment(), s]), 'ML021');
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining("port 'metrics' targets the named port 'metrics'")]);
    expect(found[0].severity).toBe('error');
  });
});

test('every workload kind exposes its pod template to the rules', () => {
  const bare = goodContainer();
  bare.image = 'model:latest';
  const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [bare] } };
  const objects = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'ml' }, spec: { containers: [bare] } },
    ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((kind) => ({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name: kind.toLowerCase(), namespace: 'ml' },
      spec: { template },
    })),
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: 'ml' }, spec: { template } },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cronjob', namespace: 'ml' },
      spec: { jobTemplate: { spec: { template } } },
    },
  ];
  expect(
    findingsOf(reviewWithPolicy(objects), 'ML006')
      .map((f) => f.kind)
      .sort(),
  ).toEqual(['CronJob', 'DaemonSet', 'Deployment', 'Job', 'Pod', 'ReplicaSet', 'StatefulSet']);
});
