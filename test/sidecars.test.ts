import { ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import {
  Accelerator,
  BatchScoringJob,
  MlEnvValue,
  GpuTrainingJob,
  MlNamespace,
  MultiHostInference,
  OnlineInference,
  Platform,
  QueueTrigger,
  QueueWorker,
  SidecarProps,
  capacityReport,
  reviewApp,
} from '../src';
import { podAmounts } from '../src/core/capacity';
import { Manifest, synthValid } from './helpers';

const IMAGE = 'registry.example.com/app:v1';
const PROXY: SidecarProps = {
  name: 'auth-proxy',
  image: 'registry.example.com/oauth2-proxy:v7.6.0',
  args: ['--upstream=http://127.0.0.1:8000'],
  env: { OAUTH2_PROXY_CLIENT_SECRET: MlEnvValue.fromSecret('oauth', 'secret') },
  resources: { cpu: '25m', memory: '64Mi' },
  ports: [{ name: 'proxy', containerPort: 4180 }],
};
const EGRESS = { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [443] }] };

function chart(namespace = 'ml'): Chart {
  return new Chart(Testing.app(), 'side', { namespace });
}
const podOf = (o: Manifest): any =>
  (<Record<string, () => any>>{
    CronJob: () => o.spec.jobTemplate.spec.template.spec,
    JobSet: () => o.spec.replicatedJobs[0].template.spec.template.spec,
    ScaledJob: () => o.spec.jobTargetRef.template.spec,
    LeaderWorkerSet: () => o.spec.leaderWorkerTemplate.workerTemplate.spec,
  })[o.kind]?.() ?? o.spec.template.spec;
const workloadObject = (objects: Manifest[]) =>
  objects.find((o) => ['Deployment', 'Job', 'CronJob', 'JobSet', 'ScaledJob', 'LeaderWorkerSet'].includes(o.kind))!;

const constructs: [string, (c: Chart) => void][] = [
  ['OnlineInference', (c) => new OnlineInference(c, 'w', { image: IMAGE, resources: { cpu: '1', memory: '1Gi' }, sidecars: [PROXY] })],
  ['BatchScoringJob', (c) => new BatchScoringJob(c, 'w', { image: IMAGE, resources: { cpu: '1', memory: '1Gi' }, sidecars: [PROXY] })],
  [
    'GpuTrainingJob on a JobSet',
    (c) =>
      new GpuTrainingJob(c, 'w', {
        image: IMAGE,
        resources: { cpu: '4', memory: '32Gi' },
        accelerator: Accelerator.nvidiaGpu(1),
        engine: 'jobset',
        maxRestarts: 0,
        sidecars: [PROXY],
      }),
  ],
  [
    'QueueWorker as a ScaledJob',
    (c) =>
      new QueueWorker(c, 'w', {
        image: IMAGE,
        resources: { cpu: '1', memory: '1Gi' },
        env: { AMQP_URL: MlEnvValue.fromSecret('mq', 'url') },
        maxProcessingTime: Duration.hours(1),
        maxReplicas: 3,
        triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 1, hostFromEnv: 'AMQP_URL' })],
        networkPolicy: EGRESS,
        sidecars: [PROXY],
      }),
  ],
  [
    'MultiHostInference (every pod of the group)',
    (c) =>
      new MultiHostInference(c, 'w', {
        image: 'registry.example.com/vllm/vllm-openai:v0.11.0',
        groupSize: 2,
        replicas: 2,
        vllm: { model: '/models/big' },
        model: { name: 'big', version: 'v1', claimName: 'big-v1' },
        resources: { cpu: '8', memory: '64Gi' },
        accelerator: Accelerator.nvidiaGpu(8),
        sidecars: [PROXY],
      }),
  ],
];

describe('sidecars and init containers as props', () => {
  test.each(constructs)('%s: a native sidecar, restricted, with its requests, before the init containers', (_, build) => {
    const c = chart();
    build(c);
    const pod = podOf(workloadObject(synthValid(c)));
    const proxy = pod.initContainers[0];
    expect(proxy).toMatchObject({
      name: 'auth-proxy',
      restartPolicy: 'Always',
      image: PROXY.image,
      ports: [{ name: 'proxy', containerPort: 4180, protocol: 'TCP' }],
      resources: { requests: { cpu: '25m', memory: '64Mi', 'ephemeral-storage': '256Mi' }, limits: { memory: '64Mi' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    expect(proxy.env).toEqual([{ name: 'OAUTH2_PROXY_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'oauth', key: 'secret' } } }]);
  });

  test('init containers run after the model is fetched and verified, with their own mounts and identity', () => {
    const c = chart();
    const work = plus.Volume.fromEmptyDir(c, 'Work', 'work', { sizeLimit: Size.gibibytes(2) });
    new OnlineInference(c, 'w', {
      image: IMAGE,
      resources: { cpu: '1', memory: '2Gi' },
      model: { name: 'm', version: 'v1', uri: 'https://models.example.com/m.onnx', sha256: 'a'.repeat(64), size: '1Gi' },
      networkPolicy: EGRESS,
      initContainers: [
        {
          name: 'compile',
          image: 'registry.example.com/compiler:v3',
          resources: { cpu: '2', memory: '4Gi' },
          mounts: [{ volume: work, mountPath: '/work' }],
          runAs: { runAsUser: 1001 },
        },
      ],
    });
    const pod = podOf(workloadObject(synthValid(c)));
    expect(pod.initContainers.map((x: any) => x.name)).toEqual(['fetch-model', 'verify-model', 'compile']);
    const compile = pod.initContainers[2];
    expect(compile.restartPolicy).toBeUndefined();
    expect(compile.securityContext.runAsUser).toBe(1001);
    // its own 2Gi emptyDir is charged to its ephemeral-storage, beside the 256Mi default
    expect(compile.resources.requests['ephemeral-storage']).toBe('2304Mi');
    expect(pod.volumes.map((v: any) => v.name)).toContain('work');
  });

  test.each<[string, Partial<SidecarProps> & { extra?: object }, RegExp]>([
    [
      'a name the construct uses',
      { name: 'server' },
      /sidecars\[0\].name \(server\) is already the name of a container in the pod \(server\)/,
    ],
    [
      'a port the server uses',
      { ports: [{ name: 'http', containerPort: 8000 }] },
      /sidecars\[0\].ports\[0\] .* clashes with port 'http' \(8000\)/,
    ],
    ['no requests', { resources: {} as never }, /sidecars\[0\].resources \(\{\}\) must set cpu and memory requests/],
    ['a mutable tag', { image: 'registry.example.com/oauth2-proxy:latest' }, /sidecars\[0\].image .* uses the mutable tag 'latest'/],
    [
      'a registry the platform does not allow',
      { image: 'quay.io/oauth2-proxy/oauth2-proxy:v7.6.0' },
      /sidecars\[0\].image \(quay.io\/oauth2-proxy\/oauth2-proxy:v7.6.0\) is quay.io\/oauth2-proxy\/oauth2-proxy, which no entry of the platform's allowedRegistries \(registry.example.com\) covers/,
    ],
  ])('%s is an error naming the prop', (_, change, message) => {
    const c = chart();
    Platform.configure(c, { allowedRegistries: ['registry.example.com'] });
    expect(
      () => new OnlineInference(c, 'w', { image: IMAGE, resources: { cpu: '1', memory: '1Gi' }, sidecars: [{ ...PROXY, ...change }] }),
    ).toThrow(message);
  });

  test('sidecars need native sidecars (Kubernetes 1.29)', () => {
    const c = chart();
    Platform.configure(c, { kubernetesVersion: '1.28' });
    expect(() => new BatchScoringJob(c, 'w', { image: IMAGE, resources: { cpu: '1', memory: '1Gi' }, sidecars: [PROXY] })).toThrow(
      /sidecars \(\["auth-proxy"\]\) needs init container restartPolicy: Always \(native sidecar\), available from Kubernetes 1.29, but the platform targets 1.28/,
    );
  });
});

describe('sidecars are counted like the containers they run beside', () => {
  test('native sidecars add to the containers and to every later init container (KEP-753)', () => {
    const c = (cpu: string, restartPolicy?: string) => ({ resources: { requests: { cpu } }, ...(restartPolicy ? { restartPolicy } : {}) });
    // containers 1 + sidecar 0.25 = 1.25; the init after the sidecar: 2 + 0.25 = 2.25 (the init before it: 3).
    expect(podAmounts([c('1')], [c('3'), c('250m', 'Always'), c('2')]).requests.cpu).toBe(3);
    expect(podAmounts([c('1')], [c('250m', 'Always'), c('2')]).requests.cpu).toBe(2.25);
    expect(podAmounts([c('1')], [c('250m', 'Always')]).requests.cpu).toBe(1.25);
  });

  // 5 replicas + 1 surge pod of 500m = 3,000m; a 25m sidecar makes it 3,150m, above a 3,100m quota.
  const quotaApp = (sidecar: 'none' | 'props' | 'hatch') => {
    const c = chart('team');
    new MlNamespace(c, 'team', { quota: { requestsCpu: '3100m' } });
    const svc = new OnlineInference(c, 'w', {
      image: IMAGE,
      resources: { cpu: '500m', memory: '1Gi' },
      autoscaling: { minReplicas: 2, maxReplicas: 5 },
      sidecars: sidecar === 'props' ? [PROXY] : undefined,
    });
    if (sidecar === 'hatch') {
      svc.deployment.addContainer({
        name: 'log-shipper',
        image: 'registry.example.com/fluent-bit:3.1.0',
        resources: { cpu: { request: plus.Cpu.millis(25) }, memory: { request: Size.mebibytes(32) } },
        securityContext: { user: 65532, group: 65532, capabilities: { drop: [plus.Capability.ALL] } },
      });
    }
    return { c, svc };
  };

  test.each(['props', 'hatch'] as const)('a sidecar added through %s is charged to the namespace quota', (how) => {
    expect(() => Testing.synth(quotaApp('none').c)).not.toThrow();
    const { c, svc } = quotaApp(how);
    expect(svc.capacity().perPod.requests.cpu).toBeCloseTo(0.525);
    expect(() => Testing.synth(c)).toThrow(
      /quota requests.cpu \(3100m\) is below the worst case of its workloads \(3.15 = w 6 × 0.525\), short by 0.05/,
    );
  });

  test('CAPACITY.md counts the sidecar', () => {
    const { c } = quotaApp('hatch');
    expect(capacityReport(c).find((r) => r.workload === 'w')!.cpu).toBeCloseTo(3.15);
  });

  test('the node-pool check counts a sidecar added through the hatch', () => {
    const c = chart();
    Platform.configure(c, { nodePools: [{ name: 'small', cpu: '1', memory: '4Gi' }] });
    const svc = new OnlineInference(c, 'w', {
      image: IMAGE,
      resources: { cpu: '900m', memory: '1Gi' },
      replicas: 2,
      availability: 'best-effort',
    });
    expect(() => Testing.synth(c)).not.toThrow();
    svc.deployment.addContainer({
      name: 'agent',
      image: 'registry.example.com/agent:v1',
      resources: { cpu: { request: plus.Cpu.millis(200) }, memory: { request: Size.mebibytes(64) } },
      securityContext: { capabilities: { drop: [plus.Capability.ALL] } },
    });
    expect(() => Testing.synth(c)).toThrow(
      /Deployment\/w requests .* fit no node of any eligible pool: the largest, small, is short by 0.1 cpu/,
    );
  });
});

describe('Pod Security of a namespace the app renders', () => {
  const app = (podSecurity: 'restricted' | 'baseline' | 'privileged' | undefined, container: Partial<plus.ContainerProps>) => {
    const c = chart('team');
    if (podSecurity)
      new MlNamespace(c, 'team', {
        quota: { requestsCpu: '100' },
        podSecurity,
        privilegedReason: podSecurity === 'privileged' ? 'node agents' : undefined,
      });
    new OnlineInference(c, 'w', { image: IMAGE, resources: { cpu: '1', memory: '1Gi' } }).deployment.addContainer({
      image: 'registry.example.com/agent:v1',
      resources: { cpu: { request: plus.Cpu.millis(50) }, memory: { request: Size.mebibytes(64) } },
      ...container,
    } as plus.ContainerProps);
    return c;
  };
  // cdk8s-plus's defaults: non-root, no privilege escalation, read-only root; capabilities are not dropped.
  const plusDefaults = { name: 'agent' };
  const privileged = { name: 'agent', securityContext: { privileged: true, allowPrivilegeEscalation: true, ensureNonRoot: false } };

  test('a non-restricted hatch sidecar in a namespace enforcing restricted is an error', () => {
    expect(() => Testing.synth(app('restricted', plusDefaults))).toThrow(
      /OnlineInference 'side\/w': Deployment\/w pod spec \(container 'agent': capabilities.drop does not include ALL\) breaks the 'restricted' Pod Security profile that namespace 'team' enforces \(rendered by 'side\/team'\), so the API server refuses every pod/,
    );
  });

  test('the same sidecar passes baseline; a privileged one does not', () => {
    expect(() => Testing.synth(app('baseline', plusDefaults))).not.toThrow();
    expect(() => Testing.synth(app('baseline', privileged))).toThrow(
      /container 'agent': privileged: true\) breaks the 'baseline' Pod Security profile/,
    );
    expect(() => Testing.synth(app('privileged', privileged))).not.toThrow();
  });

  test('a namespace the app does not render is left to the review (ML016 warning)', () => {
    const c = app(undefined, plusDefaults);
    expect(() => Testing.synth(c)).not.toThrow();
    const f = reviewApp(c.node.root as never).findings.filter((x) => x.ruleId === 'ML016');
    expect(f.map((x) => x.severity)).toEqual(['warning']);
  });

  test('the review grades ML016 an error when the set holds the namespace enforcing restricted', () => {
    const c = chart('team');
    new MlNamespace(c, 'team', { quota: { requestsCpu: '100' } });
    new plus.Deployment(c, 'raw', { containers: [{ image: 'registry.example.com/agent:v1' }] });
    const f = reviewApp(c.node.root as never).findings.filter((x) => x.ruleId === 'ML016');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.severity === 'error' && /namespace 'team' enforces restricted/.test(x.message))).toBe(true);
  });

  test('a hatch that lowers the namespace to baseline is read from the rendered Namespace', () => {
    const c = app('restricted', plusDefaults);
    const ns = c.node.findAll().find((x) => x instanceof MlNamespace) as MlNamespace;
    ApiObject.of(ns.namespace).addJsonPatch(JsonPatch.replace('/metadata/labels/pod-security.kubernetes.io~1enforce', 'baseline'));
    expect(() => Testing.synth(c)).not.toThrow();
  });
});
