import { ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import {
  Accelerator,
  BatchScoringJob,
  MlEnvValue,
  GpuTrainingJob,
  MlNamespace,
  ModelCache,
  MultiHostInference,
  OnlineInference,
  QueueTrigger,
  QueueWorker,
  ScalingMetric,
  SpotCapacity,
  WorkloadMonitoring,
} from '../src';
import { Manifest, synthValid } from './helpers';

/*
 * Every escape hatch of every construct, used the documented ways (cdk8s-plus methods on the L2
 * objects, `ApiObject.of(...).addJsonPatch` and `metadata` on any object): each change reaches the YAML,
 * or, when it contradicts a value the library owns, synth fails naming both values.
 */

const IMAGE = 'registry.example.com/app:v1';
const SIDECAR = 'registry.example.com/proxy:v2';
const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const EGRESS = { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [443] }] };
const RESOURCES = { cpu: '500m', memory: '2Gi' };
const MODEL = { name: 'm', version: 'v1', uri: 'https://models.example.com/m.onnx', sha256: SHA, size: '1Gi' };
/** A sidecar added through cdk8s-plus: restricted (drop ALL) and with requests, so it passes every check. */
const RESTRICTED_SIDECAR: plus.ContainerProps = {
  name: 'proxy',
  image: SIDECAR,
  resources: { cpu: { request: plus.Cpu.millis(50) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) } },
  securityContext: { user: 65532, group: 65532, capabilities: { drop: [plus.Capability.ALL] } },
};

function chart(namespace = 'ml'): Chart {
  return new Chart(Testing.app(), 'hatch', { namespace });
}

const find = (objects: Manifest[], kind: string, name?: string) => {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}${name ? `/${name}` : ''} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const podOf = (o: Manifest): any =>
  o.kind === 'CronJob'
    ? o.spec.jobTemplate.spec.template.spec
    : o.kind === 'JobSet'
      ? o.spec.replicatedJobs[0].template.spec.template.spec
      : o.kind === 'ScaledJob'
        ? o.spec.jobTargetRef.template.spec
        : o.kind === 'LeaderWorkerSet'
          ? o.spec.leaderWorkerTemplate.leaderTemplate.spec
          : o.spec.template.spec;
const envOf = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const containerOf = (pod: any, name: string) =>
  [...(pod.containers ?? []), ...(pod.initContainers ?? [])].find((c: any) => c.name === name) ??
  (() => {
    throw new Error(`no container ${name}`);
  })();

/** Mutations of one L2 pod workload (a Deployment, Job or CronJob): all must reach the YAML. */
function podWorkloadMutations(
  label: string,
  build: (c: Chart) => { workload: plus.Deployment | plus.Job | plus.CronJob; main: string; kind: string; name: string },
): [string, (c: Chart) => (objects: Manifest[]) => void][] {
  return [
    [
      `${label}: containers[0].env.addVariable keeps the library's env`,
      (c) => {
        const { workload, main, kind, name } = build(c);
        workload.containers[0].env.addVariable('FEATURE_FLAG', plus.EnvValue.fromValue('on'));
        const untouched = chart();
        build(untouched);
        const before = envOf(containerOf(podOf(find(synthValid(untouched), kind, name)), main));
        return (objects) => expect(envOf(containerOf(podOf(find(objects, kind, name)), main))).toEqual({ ...before, FEATURE_FLAG: 'on' });
      },
    ],
    [
      `${label}: containers[0].env.copyFrom adds an envFrom source`,
      (c) => {
        const { workload, main, kind, name } = build(c);
        workload.containers[0].env.copyFrom(plus.Env.fromSecret(plus.Secret.fromSecretName(c, 'Extra', 'extra-env')));
        return (objects) =>
          expect(containerOf(podOf(find(objects, kind, name)), main).envFrom).toContainEqual({ secretRef: { name: 'extra-env' } });
      },
    ],
    [
      `${label}: containers[0].mount adds the mount and its volume, and keeps /tmp`,
      (c) => {
        const { workload, main, kind, name } = build(c);
        const cache = plus.Volume.fromEmptyDir(c, 'Cache', 'cache', { sizeLimit: Size.gibibytes(1) });
        workload.containers[0].mount('/cache', cache);
        return (objects) => {
          const pod = podOf(find(objects, kind, name));
          const mounts = containerOf(pod, main).volumeMounts.map((m: any) => m.mountPath);
          expect(mounts).toEqual(expect.arrayContaining(['/tmp', '/cache']));
          expect(pod.volumes.map((v: any) => v.name)).toContain('cache');
        };
      },
    ],
    [
      `${label}: containers[0].addPort adds a port`,
      (c) => {
        const { workload, main, kind, name } = build(c);
        workload.containers[0].addPort({ number: 9464, name: 'otel' });
        return (objects) =>
          expect(containerOf(podOf(find(objects, kind, name)), main).ports).toContainEqual(
            expect.objectContaining({ containerPort: 9464, name: 'otel' }),
          );
      },
    ],
    [
      `${label}: addContainer adds a sidecar`,
      (c) => {
        const { workload, kind, name } = build(c);
        workload.addContainer(RESTRICTED_SIDECAR);
        return (objects) => expect(podOf(find(objects, kind, name)).containers.map((x: any) => x.name)).toContain('proxy');
      },
    ],
    [
      `${label}: addInitContainer runs after the library's init containers`,
      (c) => {
        const { workload, kind, name } = build(c);
        workload.addInitContainer({ ...RESTRICTED_SIDECAR, name: 'warm-cache' });
        return (objects) => {
          const names = podOf(find(objects, kind, name)).initContainers.map((x: any) => x.name);
          expect(names[names.length - 1]).toBe('warm-cache');
        };
      },
    ],
    [
      `${label}: addVolume adds a volume`,
      (c) => {
        const { workload, kind, name } = build(c);
        workload.addVolume(
          plus.Volume.fromConfigMap(c, 'Cfg', plus.ConfigMap.fromConfigMapName(c, 'CfgMap', 'settings'), { name: 'settings' }),
        );
        return (objects) => expect(podOf(find(objects, kind, name)).volumes.map((v: any) => v.name)).toContain('settings');
      },
    ],
    [
      `${label}: scheduling.tolerate keeps the library's tolerations`,
      (c) => {
        const { workload, kind, name } = build(c);
        workload.scheduling.tolerate(plus.Node.tainted(plus.NodeTaintQuery.is('dedicated', 'ml')));
        return (objects) => {
          const keys = podOf(find(objects, kind, name)).tolerations.map((t: any) => t.key);
          expect(keys).toContain('dedicated');
        };
      },
    ],
    [
      `${label}: scheduling.attract adds a required node affinity`,
      (c) => {
        const { workload, kind, name } = build(c);
        workload.scheduling.attract(plus.Node.labeled(plus.NodeLabelQuery.is('topology.kubernetes.io/zone', 'eu-west-1a')));
        return (objects) => expect(JSON.stringify(podOf(find(objects, kind, name)).affinity)).toContain('eu-west-1a');
      },
    ],
    [
      `${label}: podMetadata.addLabel / addAnnotation and metadata.addAnnotation`,
      (c) => {
        const { workload, kind, name } = build(c);
        workload.podMetadata.addAnnotation('example.com/owner', 'search');
        workload.metadata.addAnnotation('example.com/ticket', 'ML-42');
        return (objects) => {
          const o = find(objects, kind, name);
          expect(o.metadata.annotations?.['example.com/ticket']).toBe('ML-42');
          expect(JSON.stringify(o.spec)).toContain('example.com/owner');
        };
      },
    ],
  ];
}

const serving = (c: Chart, extra: object = {}) =>
  new OnlineInference(c, 'svc', { image: IMAGE, resources: RESOURCES, model: MODEL, networkPolicy: EGRESS, ...extra });

const reaches: [string, (c: Chart) => (objects: Manifest[]) => void][] = [
  ...podWorkloadMutations('OnlineInference deployment', (c) => ({
    workload: serving(c).deployment,
    main: 'server',
    kind: 'Deployment',
    name: 'svc',
  })),
  ...podWorkloadMutations('OnlineInference on a GPU (accelerator toleration kept)', (c) => ({
    workload: serving(c, { accelerator: Accelerator.nvidiaGpu(1), replicas: 2, rollout: { spareAccelerators: 1 } }).deployment,
    main: 'server',
    kind: 'Deployment',
    name: 'svc',
  })),
  ...podWorkloadMutations('canary track', (c) => ({
    workload: serving(c, { autoscaling: { minReplicas: 9, maxReplicas: 12 }, canary: { weight: 10, image: 'registry.example.com/app:v2' } })
      .canary!.deployment,
    main: 'server',
    kind: 'Deployment',
    name: 'svc-canary',
  })),
  ...podWorkloadMutations('BatchScoringJob job', (c) => ({
    workload: new BatchScoringJob(c, 'score', { image: IMAGE, resources: RESOURCES, shards: 4 }).job!,
    main: 'scorer',
    kind: 'Job',
    name: 'score',
  })),
  ...podWorkloadMutations('BatchScoringJob cronJob', (c) => ({
    workload: new BatchScoringJob(c, 'nightly', {
      image: IMAGE,
      resources: RESOURCES,
      schedule: '0 2 * * *',
      model: MODEL,
      networkPolicy: EGRESS,
    }).cronJob!,
    main: 'scorer',
    kind: 'CronJob',
    name: 'nightly',
  })),
  ...podWorkloadMutations('GpuTrainingJob (engine job)', (c) => ({
    workload: new GpuTrainingJob(c, 'train', {
      image: IMAGE,
      resources: { cpu: '4', memory: '32Gi' },
      accelerator: Accelerator.nvidiaGpu(1),
      workers: 2,
    }).job!,
    main: 'trainer',
    kind: 'Job',
    name: 'train',
  })),
  ...podWorkloadMutations('QueueWorker deployment (KEDA)', (c) => ({
    workload: new QueueWorker(c, 'worker', {
      image: IMAGE,
      resources: RESOURCES,
      env: { AMQP_URL: MlEnvValue.fromSecret('mq', 'url') },
      maxProcessingTime: Duration.minutes(1),
      maxReplicas: 5,
      triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 10, hostFromEnv: 'AMQP_URL' })],
      networkPolicy: EGRESS,
    }).deployment!,
    main: 'worker',
    kind: 'Deployment',
    name: 'worker',
  })),
  ...podWorkloadMutations('QueueWorker deployment (plain HPA)', (c) => ({
    workload: new QueueWorker(c, 'hpa-worker', {
      image: IMAGE,
      resources: RESOURCES,
      maxProcessingTime: Duration.minutes(1),
      maxReplicas: 5,
      externalMetrics: [ScalingMetric.external('queue_depth', 10, { queue: 'q' })],
      networkPolicy: EGRESS,
    }).deployment!,
    main: 'worker',
    kind: 'Deployment',
    name: 'hpa-worker',
  })),
  ...podWorkloadMutations('ModelCache job', (c) => ({
    workload: new ModelCache(c, 'weights', { uri: MODEL.uri, sha256: SHA, size: '1Gi', networkPolicy: EGRESS }).job,
    main: 'verify-model',
    kind: 'Job',
    name: 'weights',
  })),
  [
    'ModelCache job: HTTPS_PROXY on the fetch init container (initContainers[0])',
    (c) => {
      new ModelCache(c, 'weights', {
        uri: MODEL.uri,
        sha256: SHA,
        size: '1Gi',
        networkPolicy: EGRESS,
      }).job.initContainers[0].env.addVariable('HTTPS_PROXY', plus.EnvValue.fromValue('http://proxy.example.com:3128'));
      return (objects) =>
        expect(envOf(containerOf(podOf(find(objects, 'Job', 'weights')), 'fetch-model')).HTTPS_PROXY).toBe('http://proxy.example.com:3128');
    },
  ],
  [
    'OnlineInference: a JSON patch adding env and raising resources reaches the YAML and the capacity',
    (c) => {
      const svc = serving(c);
      const obj = ApiObject.of(svc.deployment);
      obj.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env/-', { name: 'LOG_LEVEL', value: 'debug' }));
      // Quantities in a JSON patch on a generated L1 object are k8s.Quantity (a plain string is dropped by its mapping).
      obj.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/requests/cpu', k8s.Quantity.fromString('2')));
      return (objects) => {
        const server = containerOf(podOf(find(objects, 'Deployment', 'svc')), 'server');
        expect(envOf(server).LOG_LEVEL).toBe('debug');
        expect(server.resources.requests.cpu).toBe('2');
        expect(svc.capacity().perPod.requests.cpu).toBe(2);
      };
    },
  ],
  [
    'OnlineInference service, autoscaler, PDB, NetworkPolicy and ServiceAccount hatches',
    (c) => {
      const svc = serving(c);
      svc.service.metadata.addAnnotation('service.beta.kubernetes.io/aws-load-balancer-internal', 'true');
      ApiObject.of(svc.autoscaler!).addJsonPatch(JsonPatch.add('/spec/behavior/scaleDown/stabilizationWindowSeconds', 900));
      svc.disruptionBudget!.metadata.addLabel('example.com/tier', 'gold');
      svc.networkPolicy!.addIngressRule(plus.Pods.select(c, 'Probers', { labels: { app: 'prober' } }), [plus.NetworkPolicyPort.tcp(8000)]);
      svc.serviceAccount.metadata.addAnnotation('eks.amazonaws.com/role-arn', 'arn:aws:iam::123456789012:role/svc');
      return (objects) => {
        expect(find(objects, 'Service', 'svc').metadata.annotations).toMatchObject({
          'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
        });
        expect(find(objects, 'HorizontalPodAutoscaler', 'svc').spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(900);
        expect(find(objects, 'PodDisruptionBudget', 'svc').metadata.labels).toMatchObject({ 'example.com/tier': 'gold' });
        expect(JSON.stringify(find(objects, 'NetworkPolicy', 'svc').spec.ingress)).toContain('prober');
        expect(find(objects, 'ServiceAccount', 'svc').metadata.annotations).toMatchObject({
          'eks.amazonaws.com/role-arn': expect.any(String),
        });
      };
    },
  ],
  [
    'OnlineInference route, InferencePool, ScaledObject and monitoring hatches',
    (c) => {
      const svc = serving(c, {
        runtime: undefined,
        route: { gateway: { name: 'gw', namespace: 'gateways' } },
        inferencePool: { modelServer: 'vllm' },
        monitoring: {},
      });
      ApiObject.of(svc.route!).addJsonPatch(JsonPatch.add('/spec/hostnames', ['svc.example.com']));
      ApiObject.of(svc.inferencePool!).addJsonPatch(JsonPatch.add('/metadata/annotations', { 'example.com/pool': 'a' }));
      svc.monitoring!.serviceMonitor!.metadata.addLabel('release', 'prom');
      ApiObject.of(svc.monitoring!.prometheusRule).addJsonPatch(JsonPatch.add('/metadata/annotations', { 'example.com/reviewed': 'yes' }));
      return (objects) => {
        expect(find(objects, 'HTTPRoute').spec.hostnames).toEqual(['svc.example.com']);
        expect(find(objects, 'InferencePool').metadata.annotations).toEqual({ 'example.com/pool': 'a' });
        expect(find(objects, 'ServiceMonitor').metadata.labels).toMatchObject({ release: 'prom' });
        expect(find(objects, 'PrometheusRule').metadata.annotations).toEqual({ 'example.com/reviewed': 'yes' });
      };
    },
  ],
  [
    'canary autoscaler hatch',
    (c) => {
      const svc = serving(c, {
        autoscaling: { minReplicas: 9, maxReplicas: 12 },
        canary: { weight: 10, image: 'registry.example.com/app:v2' },
      });
      svc.canary!.autoscaler!.metadata.addLabel('example.com/canary', 'yes');
      return (objects) =>
        expect(find(objects, 'HorizontalPodAutoscaler', 'svc-canary').metadata.labels).toMatchObject({ 'example.com/canary': 'yes' });
    },
  ],
  [
    'GpuTrainingJob (engine jobset): a JSON patch on the JobSet adds env',
    (c) => {
      const t = new GpuTrainingJob(c, 'train', {
        image: IMAGE,
        resources: { cpu: '4', memory: '32Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        workers: 2,
        engine: 'jobset',
        maxRestarts: 0,
      });
      t.jobSet!.addJsonPatch(
        JsonPatch.add('/spec/replicatedJobs/0/template/spec/template/spec/containers/0/env/-', { name: 'NCCL_DEBUG', value: 'INFO' }),
      );
      return (objects) => expect(envOf(containerOf(podOf(find(objects, 'JobSet')), 'trainer')).NCCL_DEBUG).toBe('INFO');
    },
  ],
  [
    'GpuTrainingJob (engine job): headless Service and checkpoint claim hatches',
    (c) => {
      const t = new GpuTrainingJob(c, 'train', {
        image: IMAGE,
        resources: { cpu: '4', memory: '32Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        workers: 2,
        engine: 'job',
        spot: SpotCapacity.gke(),
        checkpoint: { size: '10Gi', accessMode: 'ReadWriteMany' },
      });
      t.service!.metadata.addLabel('example.com/rdzv', 'yes');
      ApiObject.of(t.checkpointClaim!).addJsonPatch(JsonPatch.add('/spec/storageClassName', 'fast-rwx'));
      return (objects) => {
        expect(find(objects, 'Service', 'train').metadata.labels).toMatchObject({ 'example.com/rdzv': 'yes' });
        expect(find(objects, 'PersistentVolumeClaim').spec.storageClassName).toBe('fast-rwx');
      };
    },
  ],
  [
    'QueueWorker ScaledJob and TriggerAuthentication hatches',
    (c) => {
      const w = new QueueWorker(c, 'long', {
        image: IMAGE,
        resources: RESOURCES,
        env: { AMQP_URL: MlEnvValue.fromSecret('mq', 'url') },
        maxProcessingTime: Duration.hours(1),
        maxReplicas: 5,
        triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 1, hostFromEnv: 'AMQP_URL' })],
        networkPolicy: EGRESS,
      });
      w.scaledJob!.addJsonPatch(JsonPatch.add('/spec/jobTargetRef/template/spec/containers/0/env/-', { name: 'BATCH', value: '8' }));
      return (objects) => expect(envOf(containerOf(podOf(find(objects, 'ScaledJob')), 'worker')).BATCH).toBe('8');
    },
  ],
  [
    'MultiHostInference LeaderWorkerSet, Service and PDB hatches',
    (c) => {
      const m = new MultiHostInference(c, 'big', {
        image: 'registry.example.com/vllm/vllm-openai:v0.11.0',
        groupSize: 2,
        replicas: 2,
        vllm: { model: '/models/big' },
        model: { name: 'big', version: 'v1', claimName: 'big-v1' },
        resources: { cpu: '8', memory: '64Gi' },
        accelerator: Accelerator.nvidiaGpu(8),
        networkPolicy: EGRESS,
      });
      m.leaderWorkerSet.addJsonPatch(
        JsonPatch.add('/spec/leaderWorkerTemplate/leaderTemplate/spec/containers/0/env/-', { name: 'VLLM_LOGGING_LEVEL', value: 'DEBUG' }),
      );
      m.service.metadata.addLabel('example.com/edge', 'yes');
      m.disruptionBudget!.metadata.addAnnotation('example.com/why', 'groups');
      return (objects) => {
        expect(envOf(containerOf(podOf(find(objects, 'LeaderWorkerSet')), 'server')).VLLM_LOGGING_LEVEL).toBe('DEBUG');
        expect(find(objects, 'Service', 'big').metadata.labels).toMatchObject({ 'example.com/edge': 'yes' });
        expect(find(objects, 'PodDisruptionBudget', 'big').metadata.annotations).toMatchObject({ 'example.com/why': 'groups' });
      };
    },
  ],
  [
    'MlNamespace namespace, quota, LimitRange and NetworkPolicy hatches',
    (c) => {
      const ns = new MlNamespace(c, 'team', { quota: { requestsCpu: '10', requestsMemory: '20Gi' } });
      ns.namespace.metadata.addLabel('example.com/cost-center', 'cc-7');
      ApiObject.of(ns.namespace).addJsonPatch(
        JsonPatch.add('/metadata/annotations', { 'scheduler.alpha.kubernetes.io/node-selector': 'pool=ml' }),
      );
      ns.resourceQuota.addJsonPatch(JsonPatch.add('/spec/hard/count~1jobs.batch', k8s.Quantity.fromString('20')));
      ns.limitRange.metadata.addLabel('example.com/reviewed', 'yes');
      ns.networkPolicy!.metadata.addAnnotation('example.com/why', 'default deny');
      return (objects) => {
        expect(find(objects, 'Namespace').metadata.labels).toMatchObject({ 'example.com/cost-center': 'cc-7' });
        expect(find(objects, 'Namespace').metadata.annotations).toMatchObject({ 'scheduler.alpha.kubernetes.io/node-selector': 'pool=ml' });
        expect(find(objects, 'ResourceQuota').spec.hard['count/jobs.batch']).toBe('20');
        expect(find(objects, 'LimitRange').metadata.labels).toMatchObject({ 'example.com/reviewed': 'yes' });
        expect(find(objects, 'NetworkPolicy').metadata.annotations).toMatchObject({ 'example.com/why': 'default deny' });
      };
    },
  ],
  [
    'WorkloadMonitoring (standalone) PodMonitor and PrometheusRule hatches',
    (c) => {
      const m = new WorkloadMonitoring(c, 'mon', {
        workload: {
          type: 'BatchScoringJob',
          description: 'd',
          kind: 'batch',
          name: 'nightly',
          namespace: 'ml',
          selector: { app: 'nightly' },
          controller: 'Job',
          container: 'scorer',
          metricsPort: 'metrics',
        },
      });
      m.podMonitor!.metadata.addLabel('release', 'prom');
      ApiObject.of(m.prometheusRule).addJsonPatch(JsonPatch.add('/metadata/labels/role', 'alert-rules'));
      return (objects) => {
        expect(find(objects, 'PodMonitor').metadata.labels).toMatchObject({ release: 'prom' });
        expect(find(objects, 'PrometheusRule').metadata.labels).toMatchObject({ role: 'alert-rules' });
      };
    },
  ],
];

const refused: [string, (c: Chart) => void, RegExp][] = [
  [
    'a readiness probe changed through a JSON patch',
    (c) =>
      ApiObject.of(serving(c).deployment).addJsonPatch(
        JsonPatch.replace('/spec/template/spec/containers/0/readinessProbe/httpGet/path', '/healthz'),
      ),
    /OnlineInference 'hatch\/svc': Deployment\/svc container 'server' readinessProbe \(.*\/healthz.*\) was changed through an escape hatch, but OnlineInference owns it and sets .*\/ready.*; remove the change from the escape hatch; set the construct's probe props/,
  ],
  [
    'a privileged main container',
    (c) =>
      ApiObject.of(serving(c).deployment).addJsonPatch(
        JsonPatch.replace('/spec/template/spec/containers/0/securityContext/privileged', true),
      ),
    /Deployment\/svc container 'server' securityContext \(.*"privileged":true.*\) was changed through an escape hatch, but OnlineInference owns it and sets .*"privileged":false/,
  ],
  [
    'MODEL_DIR overridden through containers[0].env',
    (c) => serving(c).deployment.containers[0].env.addVariable('MODEL_DIR', plus.EnvValue.fromValue('/data')),
    /OnlineInference 'hatch\/svc': Deployment 'svc' spec.template.spec.containers\[0\].env\[\d+\].name \(MODEL_DIR\) replaces a variable the library sets itself \(.*owned by model\): the library sets '\/models', the pod has '\/data'; remove MODEL_DIR from env/,
  ],
  [
    'RUN_ID overridden on a Job',
    (c) =>
      new BatchScoringJob(c, 'score', { image: IMAGE, resources: RESOURCES }).job!.containers[0].env.addVariable(
        'RUN_ID',
        plus.EnvValue.fromValue('1'),
      ),
    /BatchScoringJob 'hatch\/score': Job 'score' .*env\[\d+\].name \(RUN_ID\) replaces a variable the library sets itself .*: the library sets .*controller-uid.*, the pod has '1'/,
  ],
  [
    'a root pod security context',
    (c) => ApiObject.of(serving(c).deployment).addJsonPatch(JsonPatch.replace('/spec/template/spec/securityContext/runAsUser', 0)),
    /Deployment\/svc pod securityContext.runAsUser \(0\) was changed through an escape hatch, but OnlineInference owns it and sets 65532; remove the change from the escape hatch; set runAs/,
  ],
  [
    'the verifier image swapped',
    (c) =>
      ApiObject.of(serving(c).deployment).addJsonPatch(
        JsonPatch.replace('/spec/template/spec/initContainers/1/image', 'registry.example.com/busybox:1'),
      ),
    /Deployment\/svc init container 'verify-model' image \(registry.example.com\/busybox:1\) was changed through an escape hatch, .* set model.fetcher/,
  ],
  [
    'a service-account token mounted',
    (c) => ApiObject.of(serving(c).deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/automountServiceAccountToken', true)),
    /Deployment\/svc automountServiceAccountToken \(true\) was changed through an escape hatch, but OnlineInference owns it and sets false; .*automountServiceAccountToken: true on the construct/,
  ],
  [
    'the model mount removed',
    (c) => ApiObject.of(serving(c).deployment).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/volumeMounts/1')),
    /Deployment\/svc container 'server' volumeMounts .* was changed through an escape hatch/,
  ],
  [
    'a GPU trainer made privileged on the JobSet',
    (c) =>
      new GpuTrainingJob(c, 'train', {
        image: IMAGE,
        resources: { cpu: '4', memory: '32Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        engine: 'jobset',
        maxRestarts: 0,
      }).jobSet!.addJsonPatch(
        JsonPatch.replace('/spec/replicatedJobs/0/template/spec/template/spec/containers/0/securityContext/privileged', true),
      ),
    /GpuTrainingJob 'hatch\/train': JobSet\/train container 'trainer' securityContext .* was changed through an escape hatch/,
  ],
  [
    "an elastic run's rendezvous store made privileged on the JobSet",
    (c) =>
      new GpuTrainingJob(c, 'train', {
        image: IMAGE,
        resources: { cpu: '4', memory: '32Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        workers: 2,
        engine: 'jobset',
        elastic: { minWorkers: 1 },
        checkpoint: { size: '10Gi', accessMode: 'ReadWriteMany' },
      }).jobSet!.addJsonPatch(
        JsonPatch.replace('/spec/replicatedJobs/1/template/spec/template/spec/containers/0/securityContext/privileged', true),
      ),
    /GpuTrainingJob 'hatch\/train': JobSet\/train container 'rendezvous' securityContext .* was changed through an escape hatch/,
  ],
  [
    'the LWS leader probe replaced',
    (c) =>
      new MultiHostInference(c, 'big', {
        image: 'registry.example.com/vllm/vllm-openai:v0.11.0',
        groupSize: 2,
        replicas: 2,
        vllm: { model: '/models/big' },
        model: { name: 'big', version: 'v1', claimName: 'big-v1' },
        resources: { cpu: '8', memory: '64Gi' },
        accelerator: Accelerator.nvidiaGpu(8),
      }).leaderWorkerSet.addJsonPatch(JsonPatch.remove('/spec/leaderWorkerTemplate/leaderTemplate/spec/containers/0/startupProbe')),
    /LeaderWorkerSet\/big container 'server' startupProbe \(unset\) was changed through an escape hatch/,
  ],
  [
    'a sidecar from a registry the platform does not allow, added through addContainer',
    (c) => {
      const { Platform } = require('../src');
      Platform.configure(c, { allowedRegistries: ['registry.example.com'], modelFetcher: { image: 'registry.example.com/curl:8.10.1' } });
      serving(c).deployment.addContainer({ ...RESTRICTED_SIDECAR, image: 'docker.io/envoyproxy/envoy:v1.31.0' });
    },
    /Deployment\/svc container 'proxy' image \(docker.io\/envoyproxy\/envoy:v1.31.0\) is docker.io\/envoyproxy\/envoy, which no entry of the platform's allowedRegistries \(registry.example.com\) covers/,
  ],
  [
    'a request dropped by a JSON patch with a plain string for a quantity',
    (c) =>
      ApiObject.of(serving(c).deployment).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/requests/cpu', '2')),
    /Deployment 'svc' spec.template.spec.containers\[0\].resources.requests\['cpu'\] \(unset\) is empty: a plain string set through an escape hatch or JSON patch is dropped .*k8s.Quantity.fromString/,
  ],
  [
    "a sidecar reusing the server's name",
    (c) => serving(c).deployment.addContainer({ ...RESTRICTED_SIDECAR, name: 'server' }),
    /Deployment 'svc' spec.template.spec.containers\[1\].name \(server\) is used twice as a container name in one pod; give each container \(init containers included\) its own name/,
  ],
  [
    'a container without requests added through a JSON patch',
    (c) =>
      ApiObject.of(serving(c).deployment).addJsonPatch(
        JsonPatch.add('/spec/template/spec/containers/-', {
          name: 'bare',
          image: SIDECAR,
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        }),
      ),
    /Deployment\/svc container 'bare' resources.requests \(\{\}\) lack a cpu or memory request/,
  ],
];

describe('escape hatches keep what a product team sets', () => {
  test.each(reaches)('%s', (_, mutate) => {
    const c = chart();
    const verify = mutate(c);
    verify(synthValid(c));
  });

  test.each(refused)('%s fails synth and names both values', (_, mutate, message) => {
    const c = chart();
    mutate(c);
    expect(() => Testing.synth(c)).toThrow(message);
  });

  test('counts', () => {
    // Figures for the report: mutations that reach the YAML, and contradictions refused.
    expect(reaches.length).toBeGreaterThanOrEqual(100);
    expect(refused.length).toBeGreaterThanOrEqual(12);
  });
});
