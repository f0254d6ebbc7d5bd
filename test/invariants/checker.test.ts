import { Duration } from 'cdk8s';
import { Accelerator, MlEnvValue, GpuTrainingJob, OnlineInference, QueueTrigger, QueueWorker, ServingRuntime } from '../../src';
import { Manifest, synthValid, testChart } from '../helpers';
import { cidrWithin, peerMatches, podTemplates, selects } from './cluster-model';
import { Declared, invariantViolations } from './invariants';

/** The checker must catch what it claims to: each broken output below yields its violation. */

const BROKER = { to: { namespace: 'messaging', podLabels: { app: 'rabbitmq' } }, ports: [5672] };
const image = 'registry.example.com/w:v1';
const resources = { cpu: '500m', memory: '1Gi' };

function server(): { objects: Manifest[]; declared: Declared } {
  const chart = testChart();
  new OnlineInference(chart, 'svc', {
    image,
    resources,
    monitoring: {},
    networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [443] }] },
  });
  return {
    objects: synthValid(chart),
    declared: {
      name: 'svc',
      namespace: 'ml',
      networkPolicy: true,
      egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [443] }],
      monitored: true,
      scraped: true,
    },
  };
}

function scaledJobWorker(): { objects: Manifest[]; declared: Declared } {
  const chart = testChart();
  new QueueWorker(chart, 'docs', {
    image,
    resources,
    env: { URL: MlEnvValue.fromSecret('mq', 'url') },
    maxProcessingTime: Duration.hours(2),
    maxReplicas: 4,
    metricsPort: 9100,
    monitoring: {},
    triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 1, hostFromEnv: 'URL' })],
    networkPolicy: { egressTo: [BROKER] },
  });
  return {
    objects: synthValid(chart),
    declared: { name: 'docs', namespace: 'ml', networkPolicy: true, egressTo: [BROKER], monitored: true, scraped: true },
  };
}

function pooled(): { objects: Manifest[]; declared: Declared } {
  const chart = testChart();
  new OnlineInference(chart, 'llm', {
    image: 'vllm/vllm-openai:v0.11.0',
    runtime: ServingRuntime.vllm(),
    model: { name: 'llama', version: 'v1', claimName: 'llama-weights-v1' },
    resources: { cpu: '8', memory: '64Gi' },
    accelerator: Accelerator.nvidiaGpu(1),
    replicas: 2,
    route: { gateway: { name: 'gw', namespace: 'gateways' } },
    inferencePool: {},
    networkPolicy: false,
  });
  return {
    objects: synthValid(chart),
    declared: { name: 'llm', namespace: 'ml', networkPolicy: false, egressTo: [], monitored: false, scraped: false },
  };
}

/** A deep copy of `objects` changed by `edit`. */
function broken(objects: Manifest[], edit: (objects: Manifest[]) => Manifest[] | void): Manifest[] {
  const copy = JSON.parse(JSON.stringify(objects)) as Manifest[];
  return edit(copy) ?? copy;
}
const policy = (objects: Manifest[]) => objects.find((o) => o.kind === 'NetworkPolicy')!.spec;

describe('the invariant checker', () => {
  test('passes the real output', () => {
    for (const { objects, declared } of [server(), scaledJobWorker()]) expect(invariantViolations(objects, declared)).toEqual([]);
  });

  test.each<[string, (o: Manifest[]) => Manifest[] | void, RegExp]>([
    [
      'a ScaledJob without its NetworkPolicy (the defect of issue 11)',
      (o) => o.filter((x) => x.kind !== 'NetworkPolicy'),
      /ScaledJob\/docs .*jobTargetRef.template: no NetworkPolicy selects its pods/,
    ],
    ['a ScaledJob without its alert rules', (o) => o.filter((x) => x.kind !== 'PrometheusRule'), /monitored, but has 0 PrometheusRule/],
    [
      'a policy selecting other pods',
      (o) => {
        policy(o).podSelector = { matchLabels: { app: 'other' } };
      },
      /no NetworkPolicy selects its pods/,
    ],
    [
      'no DNS rule',
      (o) => {
        policy(o).egress.shift();
      },
      /DNS .* is not reachable on UDP 53/,
    ],
    [
      'the broker on the wrong port',
      (o) => {
        policy(o).egress[1].ports[0].port = 5671;
      },
      /declared egressTo\[0\] .* is not allowed on port 5672/,
    ],
    [
      'scrapers not admitted',
      (o) => {
        policy(o).ingress = [];
      },
      /does not admit the scraper \{"namespace":"monitoring"\} on the scraped port 9100/,
    ],
    [
      'a PodMonitor selecting nothing',
      (o) => {
        o.find((x) => x.kind === 'PodMonitor')!.spec.selector.matchLabels = { app: 'x' };
      },
      /the PodMonitor does not select its pods/,
    ],
    [
      'a named user',
      (o) => {
        delete o.find((x) => x.kind === 'ScaledJob')!.spec.jobTargetRef.template.spec.containers[0].securityContext.runAsUser;
        delete o.find((x) => x.kind === 'ScaledJob')!.spec.jobTargetRef.template.spec.securityContext?.runAsUser;
      },
      /container worker: runAsUser \(undefined\) is not a numeric non-root uid/,
    ],
    [
      'an unbounded emptyDir',
      (o) => {
        delete o.find((x) => x.kind === 'ScaledJob')!.spec.jobTargetRef.template.spec.volumes[0].emptyDir.sizeLimit;
      },
      /emptyDir volume tmp has no sizeLimit/,
    ],
    [
      'a budget that blocks drains on crash loops',
      (o) => {
        o.push({
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'docs', namespace: 'ml' },
          spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'docs' } } },
        });
      },
      /PodDisruptionBudget\/docs: unhealthyPodEvictionPolicy is undefined, so a crash-looping pod can block a drain/,
    ],
    [
      'no memory request',
      (o) => {
        delete o.find((x) => x.kind === 'ScaledJob')!.spec.jobTargetRef.template.spec.containers[0].resources.requests.memory;
      },
      /container worker: no memory request/,
    ],
  ])('reports %s', (_name, edit, violation) => {
    const { objects, declared } = scaledJobWorker();
    expect(invariantViolations(broken(objects, edit), declared).join('\n')).toMatch(violation);
  });

  describe('an InferencePool that fails closed needs a Ready endpoint picker through rollouts and drains', () => {
    const picker = (o: Manifest[]) => o.find((x) => x.kind === 'Deployment' && x.metadata.name === 'llm-epp')!;
    const withoutBudget = (o: Manifest[]) => o.filter((x) => !(x.kind === 'PodDisruptionBudget' && x.metadata.name === 'llm-epp'));
    /** What the library rendered before: the upstream chart's single picker, failing closed. */
    const single = (o: Manifest[]) => {
      picker(o).spec.replicas = 1;
      picker(o).spec.strategy = { type: 'Recreate' };
      return withoutBudget(o);
    };

    test('passes two active pickers, and a single picker around which the pool fails open', () => {
      const { objects, declared } = pooled();
      expect(invariantViolations(objects, declared)).toEqual([]);
      const failOpen = broken(objects, (o) => {
        o.find((x) => x.kind === 'InferencePool')!.spec.endpointPickerRef.failureMode = 'FailOpen';
        return single(o);
      });
      expect(invariantViolations(failOpen, declared)).toEqual([]);
      expect(invariantViolations(broken(objects, single), { ...declared, availability: 'best-effort' })).toEqual([]);
    });

    test.each<[string, (o: Manifest[]) => Manifest[] | void, RegExp]>([
      [
        'a single picker (Recreate, no budget): the defect the cluster suite found',
        single,
        /InferencePool\/llm fails closed \(FailClose\), but its picker Deployment\/llm-epp \(1 replica\) a rollout \(Recreate\) stops every pod before a new one starts; a node drain may evict every pod \(no PodDisruptionBudget selects them\)/,
      ],
      ['two pickers without a budget', withoutBudget, /Deployment\/llm-epp \(2 replicas\) a node drain may evict every pod/],
      [
        'two pickers rolled out with every one unavailable',
        (o) => {
          picker(o).spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 2 } };
        },
        /a rollout may stop every pod \(maxUnavailable 2 of 2\)/,
      ],
      [
        'a budget that never lets a picker go',
        (o) => {
          o.find((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === 'llm-epp')!.spec.maxUnavailable = 0;
        },
        /PodDisruptionBudget\/llm-epp wants 2 healthy of at most 2 Ready: it never lets a drain evict a Ready pod/,
      ],
      [
        "upstream's active-passive pickers (leader election) with a rolling update and a budget",
        (o) => {
          picker(o).spec.template.spec.containers[0].args.push('--ha-enable-leader-election');
          picker(o).spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
        },
        /\(2 replicas, leader election: only the leader is Ready\) a rollout waits for 2 available pods to stop an old one, but at most 1 can be Ready: it never completes; PodDisruptionBudget\/llm-epp wants 1 healthy of at most 1 Ready: it never lets a drain evict a Ready pod/,
      ],
      [
        "upstream's active-passive pickers as the chart deploys them (Recreate, no budget)",
        (o) => {
          picker(o).spec.template.spec.containers[0].args.push('--ha-enable-leader-election');
          picker(o).spec.strategy = { type: 'Recreate' };
          return withoutBudget(o);
        },
        /leader election: only the leader is Ready\) a rollout \(Recreate\) stops every pod before a new one starts; a node drain may evict every pod/,
      ],
    ])('reports %s', (_name, edit, violation) => {
      const { objects, declared } = pooled();
      expect(invariantViolations(broken(objects, edit), declared).join('\n')).toMatch(violation);
    });
  });

  test('reports a ServiceMonitor port that the policy does not open (metrics on the serving port)', () => {
    const { objects, declared } = server();
    const cut = broken(objects, (o) => {
      policy(o).ingress = policy(o).ingress.filter((r: any) => !JSON.stringify(r.from).includes('monitoring'));
    });
    expect(invariantViolations(cut, declared).join('\n')).toMatch(
      /Deployment\/svc .*: the NetworkPolicy does not admit the scraper \{"namespace":"monitoring"\} on the scraped port 8000/,
    );
  });

  test('reports a caller the policy does not admit on the serving port', () => {
    const { objects, declared } = server();
    const callers = [
      { from: { namespace: 'ml', podLabels: { app: 'client' } }, port: 8000 },
      { from: { namespace: 'frontend', podLabels: { app: 'web' } }, port: 8000 },
    ];
    expect(invariantViolations(objects, { ...declared, serves: callers })).toEqual([
      'Deployment/svc .spec.template: its caller {"namespace":"frontend","podLabels":{"app":"web"}} is not admitted on the serving port 8000',
    ]);
  });

  test('finds the pod templates of every controller', () => {
    const chart = testChart();
    new OnlineInference(chart, 'svc', {
      image,
      resources,
      canary: { weight: 50, image: 'registry.example.com/w:v2' },
      networkPolicy: false,
    });
    new GpuTrainingJob(chart, 'train', {
      image,
      resources,
      accelerator: Accelerator.nvidiaGpu(1),
      workers: 2,
      engine: 'jobset',
      checkpoint: { size: '10Gi', accessMode: 'ReadWriteMany' },
    });
    new GpuTrainingJob(chart, 'nightly', { image, resources, accelerator: Accelerator.nvidiaGpu(1), schedule: '0 1 * * *' });
    expect(
      podTemplates(synthValid(chart))
        .map((p) => p.where)
        .sort(),
    ).toEqual([
      'CronJob/nightly .spec.jobTemplate.spec.template',
      'Deployment/svc .spec.template',
      'Deployment/svc-canary .spec.template',
      'JobSet/train .spec.replicatedJobs[0].template.spec.template',
    ]);
  });
});

describe('the cluster model', () => {
  test('label selectors', () => {
    expect(selects({ matchLabels: { a: '1' } }, { a: '1', b: '2' })).toBe(true);
    expect(selects({ matchLabels: { a: '1' } }, { a: '2' })).toBe(false);
    expect(selects({}, {})).toBe(true);
    expect(selects(undefined, {})).toBe(false);
    expect(selects({ matchExpressions: [{ key: 't', operator: 'DoesNotExist' }] }, { t: 'x' })).toBe(false);
    expect(selects({ matchExpressions: [{ key: 't', operator: 'In', values: ['x'] }] }, { t: 'x' })).toBe(true);
  });

  test('CIDRs and peers', () => {
    expect(cidrWithin('169.254.20.10/32', '169.254.0.0/16')).toBe(true);
    expect(cidrWithin('10.0.0.0/8', '10.20.0.0/16')).toBe(false);
    expect(cidrWithin('192.168.4.7/32', '0.0.0.0/0')).toBe(true);
    const dnsPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    };
    expect(peerMatches(dnsPeer, 'ml', { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } })).toBe(true);
    expect(peerMatches(dnsPeer, 'ml', { namespace: 'ml', podLabels: { 'k8s-app': 'kube-dns' } })).toBe(false);
    expect(peerMatches({ podSelector: {} }, 'ml', { namespace: 'ml', podLabels: {} })).toBe(true);
    expect(peerMatches({ podSelector: {} }, 'ml', { namespace: 'other', podLabels: {} })).toBe(false);
    expect(peerMatches({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, 'ml', { cidr: '10.1.2.3/32' })).toBe(false);
  });
});
