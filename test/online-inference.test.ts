import { Duration, Testing, Chart } from 'cdk8s';
import { Accelerator, OnlineInference, Platform, ProbeHandler, ScalingMetric } from '../src';
import { container, one, podSpec, synthValid, testChart, yamlOf } from './helpers';

const IMAGE = 'registry.example.com/sentiment-inference:v2.1.0';
const NAME_LABELS = { 'app.kubernetes.io/name': 'sentiment-inference', 'app.kubernetes.io/instance': 'sentiment-inference' };

function sentiment() {
  const chart = testChart('ml-serving');
  const svc = new OnlineInference(chart, 'sentiment-inference', {
    image: IMAGE,
    resources: { cpu: '500m', memory: '1Gi', memoryLimit: '2Gi' },
    model: { name: 'sentiment-bert', version: 'v2.1.0' },
    autoscaling: { minReplicas: 3, maxReplicas: 20, metrics: [ScalingMetric.cpuUtilization(65)] },
    networkPolicy: { ingressFrom: [{ namespace: 'api-gateway' }] },
  });
  return { svc, objects: synthValid(chart) };
}

describe('the reference sentiment-inference service', () => {
  const { svc, objects } = sentiment();
  const deploy = one(objects, 'Deployment');
  const pod = podSpec(deploy);
  const server = container(deploy, 'server');

  test('matches the snapshot', () => {
    expect(yamlOf(objects)).toMatchSnapshot();
  });

  test('every object is named after the workload, in the chart namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/sentiment-inference',
      'HorizontalPodAutoscaler/sentiment-inference',
      'NetworkPolicy/sentiment-inference',
      'PodDisruptionBudget/sentiment-inference',
      'Service/sentiment-inference',
      'ServiceAccount/sentiment-inference',
    ]);
    for (const o of objects) expect(o.metadata.namespace).toBe('ml-serving');
  });

  test('selectors use only the stable identity labels (and the track); the version is on the pod template only', () => {
    expect(deploy.spec.selector).toEqual({ matchLabels: { ...NAME_LABELS, 'cdk8s-ml.io/track': 'stable' } });
    expect(one(objects, 'Service').spec.selector).toEqual(NAME_LABELS);
    expect(one(objects, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: { ...NAME_LABELS, 'cdk8s-ml.io/track': 'stable' } });
    expect(one(objects, 'NetworkPolicy').spec.podSelector).toEqual({ matchLabels: NAME_LABELS });
    const podLabels = deploy.spec.template.metadata.labels;
    expect(podLabels).toMatchObject({ ...NAME_LABELS, 'app.kubernetes.io/version': 'v2.1.0', 'app.kubernetes.io/component': 'inference' });
    expect(podLabels['cdk8s.io/metadata.addr']).toBeUndefined();
    for (const o of objects) expect(o.metadata.labels?.['app.kubernetes.io/version']).toBeUndefined();
    expect(deploy.spec.template.metadata.annotations).toMatchObject({
      'cdk8s-ml.io/model-name': 'sentiment-bert',
      'cdk8s-ml.io/model-version': 'v2.1.0',
    });
  });

  test('requests are set, memory limit is 2Gi, no CPU limit, ephemeral-storage covers /tmp (1Gi) and logs (256Mi)', () => {
    expect(server.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1280Mi' },
      limits: { memory: '2Gi', 'ephemeral-storage': '1280Mi' },
    });
  });

  test('restricted pod security with a writable /tmp and no token', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(server.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      privileged: false,
    });
    expect(server.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '1024Mi' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('sentiment-inference');
    expect(one(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(server.imagePullPolicy).toBe('Always');
  });

  test('startup probe covers the 2-minute default load budget; readiness and liveness differ', () => {
    expect(server.startupProbe).toEqual({
      httpGet: { path: '/ready', port: 8000 },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 12,
    });
    expect(server.startupProbe.periodSeconds * server.startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
    expect(server.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 8000 },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(server.livenessProbe).toEqual({
      httpGet: { path: '/live', port: 8000 },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(deploy.spec.progressDeadlineSeconds).toBeGreaterThan(120);
  });

  test('rolls out with surge 1 / unavailable 0, keeps history, drains gracefully', () => {
    expect(deploy.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(deploy.spec.revisionHistoryLimit).toBe(10);
    expect(deploy.spec.replicas).toBeUndefined();
    expect(server.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '10'] } } });
    expect(pod.terminationGracePeriodSeconds).toBe(40);
  });

  test('spreads over nodes and zones per revision', () => {
    expect(pod.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const c of pod.topologySpreadConstraints) {
      expect(c).toMatchObject({
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { ...NAME_LABELS, 'cdk8s-ml.io/track': 'stable' } },
        matchLabelKeys: ['pod-template-hash'],
      });
    }
  });

  test('autoscales 3-20 on CPU 65 % with fast up, slow down', () => {
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 20,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'sentiment-inference' },
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }],
    });
    expect(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  test('the PDB always lets one pod be evicted', () => {
    expect(one(objects, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
  });

  test('Service targets the named serving port', () => {
    expect(one(objects, 'Service').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 8000 }] });
    expect(server.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
  });

  test('network policy: ingress on the serving port from the gateway namespace, egress DNS only', () => {
    const np = one(objects, 'NetworkPolicy').spec;
    expect(np.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(np.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'api-gateway' } }, podSelector: {} }],
        ports: [{ port: 8000, protocol: 'TCP' }],
      },
    ]);
    expect(np.egress).toHaveLength(1);
    expect(np.egress[0].ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
  });

  test('exposes every object it creates', () => {
    expect(svc.deployment.name).toBe('sentiment-inference');
    expect(svc.service.name).toBe('sentiment-inference');
    expect(svc.autoscaler?.name).toBe('sentiment-inference');
    expect(svc.disruptionBudget?.name).toBe('sentiment-inference');
    expect(svc.networkPolicy?.name).toBe('sentiment-inference');
    expect(svc.serviceAccount.name).toBe('sentiment-inference');
  });
});

describe('a GPU LLM service with a fetched model', () => {
  const chart = testChart('ml-serving');
  new OnlineInference(chart, 'llm-chat', {
    image: 'registry.example.com/llm-server@sha256:' + 'a'.repeat(64),
    resources: { cpu: '4', memory: '24Gi', memoryLimit: '32Gi' },
    accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A100-SXM4-40GB' }),
    modelLoadTimeout: Duration.minutes(10),
    model: {
      name: 'llama-chat',
      version: '3.1-8b',
      uri: 'https://models.example.com/llama/model.gguf',
      sha256: 'b'.repeat(64),
      size: '5Gi',
    },
    metricsPort: 9090,
    autoscaling: { minReplicas: 2, maxReplicas: 8, metrics: [ScalingMetric.podsAverage('inflight_requests', 4)] },
    networkPolicy: { egressTo: [{ to: { cidr: '10.20.0.0/16' }, ports: [443] }] },
  });
  const objects = synthValid(chart);
  const deploy = one(objects, 'Deployment');
  const pod = podSpec(deploy);
  const server = container(deploy, 'server');

  test('matches the snapshot', () => {
    expect(yamlOf(objects)).toMatchSnapshot();
  });

  test('requests the GPU in limits with selector, toleration and memory-backed /dev/shm', () => {
    expect(server.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(server.resources.requests['nvidia.com/gpu']).toBeUndefined();
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1024Mi' } });
    expect(server.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });

  test('rolls out without a surge GPU: maxSurge 0 / maxUnavailable 1', () => {
    expect(deploy.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('startup budget covers the 10-minute load and the deadline covers fetch + load', () => {
    expect(server.startupProbe.failureThreshold * server.startupProbe.periodSeconds).toBeGreaterThanOrEqual(600);
    expect(deploy.spec.progressDeadlineSeconds).toBeGreaterThan(600 + 600);
  });

  test('an init container fetches the model, another verifies its sha256 before the server starts', () => {
    const [init, verify] = pod.initContainers;
    expect(init.name).toBe('fetch-model');
    expect(verify.name).toBe('verify-model');
    expect(verify.command.join(' ')).toMatch(/echo "\$MODEL_SHA256 {2}\$MODEL_FILE" \| sha256sum -c -/);
    expect(verify.env).toEqual(
      expect.arrayContaining([
        { name: 'MODEL_SHA256', value: 'b'.repeat(64) },
        { name: 'MODEL_FILE', value: 'model.gguf' },
      ]),
    );
    expect(init.env).toEqual(
      expect.arrayContaining([
        { name: 'MODEL_URI', value: 'https://models.example.com/llama/model.gguf' },
        { name: 'MODEL_SHA256', value: 'b'.repeat(64) },
      ]),
    );
    expect(init.command.join(' ')).toMatch(/fetch "\$MODEL_URI" "\$MODEL_TARGET"/);
    expect(init.resources.requests).toEqual({ cpu: '100m', memory: '256Mi', 'ephemeral-storage': '256Mi' });
    expect(init.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(server.volumeMounts).toContainEqual({ name: 'model', mountPath: '/models', readOnly: true });
    expect(deploy.spec.template.metadata.annotations['cdk8s-ml.io/model-sha256']).toBe('b'.repeat(64));
  });

  test('scales on per-pod in-flight requests', () => {
    expect(one(objects, 'HorizontalPodAutoscaler').spec.metrics).toEqual([
      { type: 'Pods', pods: { metric: { name: 'inflight_requests' }, target: { type: 'AverageValue', averageValue: 4 } } },
    ]);
  });

  test('metrics port is on the Service and reachable from the monitoring namespace only', () => {
    expect(one(objects, 'Service').spec.ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 9090 });
    const np = one(objects, 'NetworkPolicy').spec;
    expect(np.ingress[0]).toEqual({ from: [{ podSelector: {} }], ports: [{ port: 8000, protocol: 'TCP' }] });
    expect(np.ingress[1]).toMatchObject({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ port: 9090 }],
    });
    expect(np.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });
});

describe('options', () => {
  const base = { image: IMAGE, resources: { cpu: '500m', memory: '1Gi' } };

  test('fixed replicas: no autoscaler, replicas set, PDB derived from the count', () => {
    const chart = testChart();
    const s = new OnlineInference(chart, 'fixed', { ...base, replicas: 8, networkPolicy: false });
    const objects = synthValid(chart);
    expect(s.autoscaler).toBeUndefined();
    expect(s.networkPolicy).toBeUndefined();
    expect(objects.map((o) => o.kind)).not.toContain('HorizontalPodAutoscaler');
    expect(objects.map((o) => o.kind)).not.toContain('NetworkPolicy');
    expect(one(objects, 'Deployment').spec.replicas).toBe(8);
    expect(one(objects, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 2 });
  });

  test('default autoscaling is 2-10 on CPU 70 %', () => {
    const chart = testChart();
    new OnlineInference(chart, 'd', base);
    expect(one(synthValid(chart), 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 70 } } }],
    });
  });

  test('every declared behavior field, object and external metrics appear in the HPA', () => {
    const chart = testChart();
    new OnlineInference(chart, 'hpa', {
      ...base,
      availability: 'best-effort',
      autoscaling: {
        minReplicas: 1,
        maxReplicas: 4,
        metrics: [
          ScalingMetric.memoryUtilization(80),
          ScalingMetric.object('requests_per_second', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, 100),
          ScalingMetric.external('queue_messages_ready', 30, { queue: 'scoring' }),
        ],
        behavior: {
          scaleUp: { stabilizationWindow: Duration.seconds(30), pods: 2, period: Duration.seconds(15) },
          scaleDown: { stabilizationWindow: Duration.minutes(10), percent: 20 },
        },
      },
    });
    const spec = one(synthValid(chart), 'HorizontalPodAutoscaler').spec;
    expect(spec.behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 30,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 2, periodSeconds: 15 },
      ],
    });
    expect(spec.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 600,
      selectPolicy: 'Min',
      policies: [{ type: 'Percent', value: 20, periodSeconds: 60 }],
    });
    expect(spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      {
        type: 'Object',
        object: {
          describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' },
          metric: { name: 'requests_per_second' },
          target: { type: 'Value', value: 100 },
        },
      },
      {
        type: 'External',
        external: {
          metric: { name: 'queue_messages_ready', selector: { matchLabels: { queue: 'scoring' } } },
          target: { type: 'AverageValue', averageValue: 30 },
        },
      },
    ]);
  });

  test('tcp, grpc and exec probe handlers with custom timing', () => {
    const chart = testChart();
    new OnlineInference(chart, 'g', {
      ...base,
      port: 50051,
      portName: 'grpc',
      probes: {
        readiness: { handler: ProbeHandler.grpc({ service: 'ready' }), period: Duration.seconds(3), failureThreshold: 2 },
        liveness: { handler: ProbeHandler.tcpSocket() },
        startup: { handler: ProbeHandler.exec(['cat', '/tmp/loaded']), period: Duration.seconds(5) },
      },
      modelLoadTimeout: Duration.minutes(1),
    });
    const c = container(one(synthValid(chart), 'Deployment'));
    expect(c.readinessProbe).toEqual({ grpc: { port: 50051, service: 'ready' }, periodSeconds: 3, timeoutSeconds: 2, failureThreshold: 2 });
    expect(c.livenessProbe).toMatchObject({ tcpSocket: { port: 50051 } });
    expect(c.startupProbe).toEqual({
      exec: { command: ['cat', '/tmp/loaded'] },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 12,
    });
  });

  test('a model on an existing claim is mounted read-only', () => {
    const chart = testChart();
    new OnlineInference(chart, 'pvc', { ...base, model: { name: 'm', version: '7', claimName: 'model-v7', mountPath: '/mnt/model' } });
    const d = one(synthValid(chart), 'Deployment');
    expect(podSpec(d).volumes).toContainEqual({ name: 'model', persistentVolumeClaim: { claimName: 'model-v7', readOnly: true } });
    expect(container(d).volumeMounts).toContainEqual({ name: 'model', mountPath: '/mnt/model', readOnly: true });
    expect(container(d).env).toContainEqual({ name: 'MODEL_DIR', value: '/mnt/model' });
    expect(podSpec(d).initContainers).toBeUndefined();
  });

  test('env from literals and references, envFrom, pull secrets, priority class, runAs, token on request', () => {
    const { MlEnvValue, MlEnvFrom } = require('../src');
    const chart = testChart();
    const s = new OnlineInference(chart, 'env', {
      ...base,
      env: {
        LOG_LEVEL: 'info',
        API_KEY: MlEnvValue.fromSecret('api', 'key'),
        MODE: MlEnvValue.fromConfigMap('cfg', 'mode'),
        POD: MlEnvValue.fromField('metadata.name'),
      },
      envFrom: [MlEnvFrom.configMap('common'), MlEnvFrom.secret('db', 'DB_')],
      imagePullSecrets: ['regcred'],
      priorityClassName: 'serving-critical',
      runAs: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000 },
      automountServiceAccountToken: true,
    });
    const objects = synthValid(chart);
    const d = one(objects, 'Deployment');
    const c = container(d);
    expect(c.env).toEqual([
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'api', key: 'key' } } },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'common' } }, { secretRef: { name: 'db' }, prefix: 'DB_' }]);
    expect(podSpec(d)).toMatchObject({
      imagePullSecrets: [{ name: 'regcred' }],
      priorityClassName: 'serving-critical',
      automountServiceAccountToken: true,
      securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: true },
    });
    expect(s.serviceAccount.automountToken).toBe(true);
  });

  test('platform conventions apply to every workload below the scope', () => {
    const app = Testing.app();
    Platform.configure(app, {
      acceleratorNodeLabel: 'accelerator-pool',
      acceleratorTaint: { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      labels: { team: 'search' },
      requiredLabels: ['cost-center'],
      priorityClasses: { serving: 'serving-critical' },
      imagePullSecrets: ['platform-pull'],
      allowedRegistries: ['registry.example.com'],
    });
    const chart = new Chart(app, 'team', { namespace: 'search' });
    new OnlineInference(chart, 'gpu', {
      ...base,
      accelerator: Accelerator.nvidiaMig('1g.5gb', 2),
      replicas: 2,
      labels: { 'cost-center': 'cc-42' },
      rollout: { spareAccelerators: 2 },
    });
    const objects = synthValid(chart);
    const d = one(objects, 'Deployment');
    const pod = podSpec(d);
    expect(pod.nodeSelector).toEqual({ 'accelerator-pool': 'true' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]);
    expect(container(d).resources.limits['nvidia.com/mig-1g.5gb']).toBe('2');
    expect(pod.priorityClassName).toBe('serving-critical');
    expect(pod.imagePullSecrets).toEqual([{ name: 'platform-pull' }]);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ team: 'search', 'cost-center': 'cc-42' });
    expect(() => new OnlineInference(chart, 'nolabel', base)).toThrow(
      /OnlineInference 'team\/nolabel': labels\['cost-center'\] \(unset\) is required by the platform/,
    );
    expect(
      () => new OnlineInference(chart, 'elsewhere', { ...base, image: 'docker.io/library/python:3.12', labels: { 'cost-center': 'x' } }),
    ).toThrow(
      /image \(docker.io\/library\/python:3.12\) is docker.io\/library\/python, which no entry of the platform's allowedRegistries \(registry.example.com\) covers; use an image from registry.example.com \(mirror it there\), or add its registry \(e.g. 'docker.io'\) to allowedRegistries in Platform.configure/,
    );
  });

  test('a digest can be required by the platform', () => {
    const chart = testChart();
    Platform.configure(chart, { requireImageDigest: true });
    expect(() => new OnlineInference(chart, 'tag', base)).toThrow(/is not pinned by digest/);
    expect(() => new OnlineInference(chart, 'digest', { ...base, image: `registry.example.com/s@sha256:${'c'.repeat(64)}` })).not.toThrow();
  });

  test('the exposed deployment is an escape hatch: a sidecar added later is synthesized', () => {
    const chart = testChart();
    const s = new OnlineInference(chart, 'side', base);
    s.deployment.addContainer({ name: 'proxy', image: 'envoyproxy/envoy:v1.31.0', portNumber: 9901 });
    const d = one(synthValid(chart), 'Deployment');
    expect(podSpec(d).containers.map((c: any) => c.name)).toEqual(['server', 'proxy']);
  });
});
