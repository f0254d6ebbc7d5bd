import * as fc from 'fast-check';
import { Accelerator, BatchScoringJob, GpuTrainingJob, OnlineInference, OnlineInferenceProps, ProbeHandler, ScalingMetric } from '../src';
import {
  MIG_PROFILES,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isIanaZoneName,
  isImageRepository,
  isLabelValue,
  isMetricName,
  isPortName,
  isQualifiedName,
  isRouteHostname,
  migProfile,
  migResourceName,
} from '../src/core/validation/strings';
import { container, one, synthValid, testChart } from './helpers';

const serving: OnlineInferenceProps = {
  image: 'registry.example.com/scorer:v1.0.0',
  resources: { cpu: '500m', memory: '1Gi' },
  autoscaling: { minReplicas: 10, maxReplicas: 20 },
};

function online(props: Partial<OnlineInferenceProps> = {}, id = 'scorer', chart = testChart()) {
  new OnlineInference(chart, id, { ...serving, ...props });
  return synthValid(chart);
}

/** Each case: props that passed synth before (and fail in a cluster), and the error they now give. */
describe('every string validated where Kubernetes validates it', () => {
  test('a Service name must be a DNS-1035 label (start with a letter)', () => {
    expect(() => online({}, '9scorer')).toThrow(
      "OnlineInference 'test/9scorer': name (9scorer) does not start with a letter, which a Service name must (DNS-1035); start the name with a lowercase letter (e.g. 'm-9scorer')",
    );
    // A Job has no Service: DNS-1123 is enough.
    const chart = testChart();
    new BatchScoringJob(chart, '2024-backfill', { image: 'registry.example.com/s:v1', resources: { cpu: '1', memory: '1Gi' } });
    expect(one(synthValid(chart), 'Job').metadata.name).toBe('2024-backfill');
    // A multi-worker training job has a headless Service.
    expect(
      () =>
        new GpuTrainingJob(testChart(), '7b-finetune', {
          image: 'registry.example.com/t:v1',
          resources: { cpu: '8', memory: '64Gi' },
          accelerator: Accelerator.nvidiaGpu(8),
          workers: 2,
        } as any),
    ).toThrow(/name \(7b-finetune\) does not start with a letter, which a headless Service of a multi-worker job name must/);
  });

  test('image repositories with upper-case letters or bad separators are rejected', () => {
    expect(() => online({ image: 'registry.example.com/Team/Scorer:v1.0.0' })).toThrow(
      'image (registry.example.com/Team/Scorer:v1.0.0) has upper-case letters in its repository, which no registry accepts; use a repository of lowercase letters',
    );
    expect(() => online({ image: 'registry.example.com/team//scorer:v1' })).toThrow('is not a valid image reference');
    expect(() => online({ image: 'registry.example.com/-scorer:v1' })).toThrow('is not a valid image reference');
    expect(() => online({ image: 'Registry.Example.com:5000/team/scorer:v1' })).not.toThrow();
  });

  test('memory and storage in milli-units or fractions of a byte are rejected', () => {
    expect(() => online({ resources: { cpu: '500m', memory: '512m' } })).toThrow(
      "OnlineInference 'test/scorer': resources.memory (512m) ends in 'm', a milli/micro/nano suffix: that is 0.512 bytes; write bytes with a binary suffix such as '1Gi' (Mi, Gi), never 'm'",
    );
    expect(() => online({ resources: { cpu: '500m', memory: '1Gi', memoryLimit: '2048m' } })).toThrow('resources.memoryLimit (2048m)');
    expect(() => online({ resources: { cpu: '500m', memory: '1.5' } })).toThrow('resources.memory (1.5) is a fraction of a byte');
    expect(() => online({ resources: { cpu: '500m', memory: '1.5Gi' } })).not.toThrow();
    expect(() => online({ resources: { cpu: '500m', memory: '1Gi', ephemeralStorage: '10000m' } })).toThrow(
      'resources.ephemeralStorage (10000m)',
    );
  });

  test('MIG profiles no GPU has, and node labels with spaces, are rejected', () => {
    const gpu = (accelerator: Accelerator) => online({ accelerator, replicas: 2, autoscaling: undefined });
    expect(() => gpu(Accelerator.nvidiaMig('3g.25gb', 1))).toThrow(
      "accelerator.profile (3g.25gb) is not a MIG profile of any MIG-capable NVIDIA GPU; use one of NVIDIA's profiles",
    );
    expect(() => gpu(Accelerator.nvidiaMig('8g.80gb', 1))).toThrow('is not a MIG profile');
    expect(() => gpu(Accelerator.nvidiaGpu(1, { product: 'NVIDIA A100 80GB' }))).toThrow(
      "accelerator.product['nvidia.com/gpu.product'] (NVIDIA A100 80GB) is not a valid label value",
    );
    expect(() => gpu(Accelerator.nvidiaGpu(1, { nodeSelector: { 'pool name': 'a100' } }))).toThrow(
      'accelerator.nodeSelector key (pool name) is not a valid label key',
    );
    expect(() => gpu(Accelerator.of('gpu', 1))).toThrow('is not an extended resource name');
    const objects = gpu(Accelerator.nvidiaMig('1g.10gb+me', 1));
    expect(container(one(objects, 'Deployment')).resources.limits).toMatchObject({ 'nvidia.com/mig-1g.10gb.me': '1' });
  });

  test('probe ports outside 1-65535 and empty exec commands are rejected', () => {
    expect(() => online({ probes: { readiness: { handler: ProbeHandler.httpGet('/ready', { port: 0 }) } } } as any)).toThrow(
      /probes.readiness.port \(0\) is not a port from 1 to 65535 or a valid port name/,
    );
    expect(() => online({ probes: { liveness: { handler: ProbeHandler.tcpSocket({ port: 70000 }) } } } as any)).toThrow(
      '.port (70000) is not a port',
    );
    expect(() => online({ probes: { liveness: { handler: ProbeHandler.exec([]) } } } as any)).toThrow(
      'probes.liveness.exec ([]) is an empty command, which always fails',
    );
    expect(() => online({ probes: { liveness: { handler: ProbeHandler.exec(['']) } } } as any)).toThrow('is an empty command');
  });

  test('utilization targets the pod can never reach under its own limit are rejected', () => {
    expect(() =>
      online({
        resources: { cpu: '1', memory: '1Gi', cpuLimit: '1' },
        autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.cpuUtilization(150)] },
      }),
    ).toThrow(
      'autoscaling.metrics[0] cpuUtilization (150) can never be reached: cpu usage stops at its limit, 100 % of the request, and the autoscaler adds pods only above 165 % (target + 10 % tolerance); use a target of at most 90, or raise the cpu limit above the request',
    );
    expect(() => online({ autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.memoryUtilization(95)] } })).toThrow(
      'memoryUtilization (95) can never be reached',
    );
    // Without a CPU limit usage can exceed the request: 150 % is reachable.
    expect(() => online({ autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.cpuUtilization(150)] } })).not.toThrow();
    expect(() =>
      online({
        resources: { cpu: '1', memory: '1Gi', cpuLimit: '2' },
        autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.cpuUtilization(150)] },
      }),
    ).not.toThrow();
  });

  test('metric names the autoscaling API rejects', () => {
    expect(() =>
      online({ autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.podsAverage('requests/s', 10)] } }),
    ).toThrow('autoscaling.metrics[0] podsAverage(requests/s) (requests/s) is not a metric name the autoscaling API accepts');
    expect(() => online({ autoscaling: { minReplicas: 2, maxReplicas: 4, metrics: [ScalingMetric.external('queue depth', 10)] } })).toThrow(
      'is not a metric name',
    );
  });

  test('fractional route weights and wildcards that are not the whole first label', () => {
    expect(() => online({ canary: { weight: 10.5, image: 'registry.example.com/scorer:v1.1.0' } })).toThrow(
      'canary.weight (10.5) is a fraction; route weights are whole numbers',
    );
    const route = { gateway: { name: 'public' }, hostnames: ['api.*.example.com'] };
    expect(() => online({ route })).toThrow(
      'route.hostnames[0] (api.*.example.com) has a wildcard that is not the whole first label; use a lowercase DNS name',
    );
    expect(() => online({ route: { gateway: { name: 'public' }, hostnames: ['*.example.com', 'api.example.com'] } })).not.toThrow();
  });

  test('time zones that are abbreviations, not IANA names', () => {
    for (const tz of ['EST', 'PST', 'CET', 'EST5EDT']) {
      expect(
        () =>
          new BatchScoringJob(testChart(), 'nightly', {
            image: 'registry.example.com/s:v1',
            resources: { cpu: '1', memory: '1Gi' },
            schedule: '0 2 * * *',
            timeZone: tz,
          }),
      ).toThrow(new RegExp(`timeZone \\(${tz}\\) is an abbreviation or legacy name, not an IANA Area/Location time zone`));
    }
    expect(
      () =>
        new BatchScoringJob(testChart(), 'nightly', {
          image: 'registry.example.com/s:v1',
          resources: { cpu: '1', memory: '1Gi' },
          schedule: '0 2 * * *',
          timeZone: 'America/New_York',
        }),
    ).not.toThrow();
  });

  test('label keys and values, env var names and port names', () => {
    expect(() => online({ labels: { 'team name': 'nlp' } } as any)).toThrow('labels key (team name) is not a valid label key');
    expect(() => online({ labels: { team: 'natural language' } } as any)).toThrow(
      "labels['team'] (natural language) is not a valid label value",
    );
    expect(() => online({ labels: { [`${'a'.repeat(254)}/team`]: 'x' } } as any)).toThrow('is not a valid label key');
    expect(() => online({ env: { '1ST': 'x' } })).toThrow("env['1ST'] (1ST) is not a valid environment variable name");
    expect(() => online({ portName: 'http-inference-api' } as any)).toThrow('portName (http-inference-api) is longer than 15 characters');
    expect(() => online({ portName: '8080' } as any)).toThrow('portName (8080) is not a valid port name');
  });

  test('a workload whose derived objects collide with another workload is an error naming both', () => {
    const chart = testChart();
    new OnlineInference(chart, 'scorer', { ...serving, canary: { weight: 10, image: 'registry.example.com/scorer:v1.1.0' } });
    expect(() => new OnlineInference(chart, 'scorer-canary', serving)).toThrow(
      "OnlineInference 'test/scorer-canary': name (scorer-canary) collides in namespace 'ml' with the objects 'test/scorer' derives from its own name; rename one of the two workloads ('test/scorer-canary' or 'test/scorer')",
    );
    const other = testChart();
    new OnlineInference(other, 'scorer-canary', serving);
    expect(
      () => new OnlineInference(other, 'scorer', { ...serving, canary: { weight: 10, image: 'registry.example.com/scorer:v1.1.0' } }),
    ).toThrow(
      "canary (scorer-canary) derives objects named 'scorer-canary' in namespace 'ml', which 'test/scorer-canary' already uses; rename one of the two workloads ('test/scorer' or 'test/scorer-canary')",
    );
  });
});

const lower = 'abcdefghijklmnopqrstuvwxyz';
const alnum = `${lower}0123456789`;
const chars = (set: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...set.split('')), minLength: min, maxLength: max });
const dnsLabel = fc.tuple(chars(alnum, 1, 1), chars(`${alnum}-`, 0, 40), chars(alnum, 1, 1)).map(([a, b, c]) => `${a}${b}${c}`);

describe('validators (properties)', () => {
  const runs = { numRuns: 200 };

  test('DNS-1123 labels: generated valid ones pass; a bad character, an edge dash or > 63 characters fail', () => {
    fc.assert(
      fc.property(dnsLabel, (l) => isDns1123Label(l) && isDns1123Subdomain(l)),
      runs,
    );
    fc.assert(
      fc.property(
        dnsLabel,
        fc.constantFrom('_', 'A', '.', ' ', '*'),
        fc.nat(),
        (l, bad, i) => !isDns1123Label(l.slice(0, i % l.length) + bad + l.slice(i % l.length)),
      ),
      runs,
    );
    fc.assert(
      fc.property(dnsLabel, (l) => !isDns1123Label(`-${l}`) && !isDns1123Label(`${l}-`) && !isDns1123Label(l.padEnd(64, 'a'))),
      runs,
    );
  });

  test('DNS-1035 = DNS-1123 label starting with a letter', () => {
    fc.assert(
      fc.property(dnsLabel, (l) => isDns1035Label(l) === (isDns1123Label(l) && /^[a-z]/.test(l))),
      runs,
    );
  });

  test('qualified names (label and annotation keys): prefix a subdomain ≤ 253, name ≤ 63', () => {
    const name = fc.tuple(chars(alnum, 1, 1), chars(`${alnum}-_.`, 0, 30), chars(alnum, 1, 1)).map(([a, b, c]) => `${a}${b}${c}`);
    fc.assert(
      fc.property(
        fc.array(dnsLabel, { minLength: 1, maxLength: 3 }),
        name,
        (prefix, n) => isQualifiedName(`${prefix.join('.')}/${n}`) && isQualifiedName(n),
      ),
      runs,
    );
    fc.assert(
      fc.property(
        name,
        (n) =>
          !isQualifiedName(`${n}/`) &&
          !isQualifiedName(`a/b/${n}`) &&
          !isQualifiedName(`${n}${'x'.repeat(64)}`) &&
          !isQualifiedName(`${n} x`),
      ),
      runs,
    );
    fc.assert(
      fc.property(name, (n) => isLabelValue(n) && !isLabelValue(`${n}-`) && !isLabelValue(`${n} x`)),
      runs,
    );
  });

  test('env var names, port names, metric names', () => {
    fc.assert(
      fc.property(
        chars(`${lower.toUpperCase()}_`, 1, 1),
        chars(`${alnum}_.-`, 0, 20),
        (a, b) => isEnvVarName(a + b) && !isEnvVarName(`1${b}`) && !isEnvVarName(`${a} ${b}`),
      ),
      runs,
    );
    fc.assert(
      fc.property(
        chars(lower, 1, 5),
        chars(alnum, 0, 9),
        (a, b) => isPortName(a + b) && !isPortName(`${a}--${b}`) && !isPortName(`${a}${b}`.padEnd(16, 'x')),
      ),
      runs,
    );
    fc.assert(
      fc.property(chars('0123456789', 1, 5), (d) => !isPortName(d)),
      runs,
    );
    fc.assert(
      fc.property(chars(`${alnum}_:`, 1, 30), fc.constantFrom('/', '%', ' '), (m, bad) => isMetricName(m) && !isMetricName(m + bad + m)),
      runs,
    );
  });

  test('route hostnames: a wildcard only as the whole first label', () => {
    fc.assert(
      fc.property(fc.array(dnsLabel, { minLength: 2, maxLength: 4 }), (labels) => {
        const host = labels.join('.');
        return (
          isRouteHostname(host) &&
          isRouteHostname(`*.${host}`) &&
          !isRouteHostname(`${labels[0]}.*.${labels.slice(1).join('.')}`) &&
          !isRouteHostname(`*${host}`)
        );
      }),
      runs,
    );
  });

  test('image repositories: lowercase path components; upper case only in the registry host', () => {
    fc.assert(
      fc.property(fc.array(dnsLabel, { minLength: 1, maxLength: 3 }), (parts) => {
        const repo = parts.join('/');
        return (
          isImageRepository('registry.example.com', repo) &&
          isImageRepository(undefined, repo) &&
          !isImageRepository('registry.example.com', repo.toUpperCase() + 'X') &&
          isImageRepository('Registry.Example.com:5000', repo)
        );
      }),
      runs,
    );
  });

  test('MIG profiles: every known profile maps to a valid resource name; made-up ones are rejected', () => {
    for (const p of MIG_PROFILES) {
      expect(migProfile(p)).toBe(p);
      expect(isQualifiedName(migResourceName(p))).toBe(true);
    }
    expect(migProfile('1g.5gb.me')).toBe('1g.5gb+me');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 300 }), (g, mem) => {
        const p = `${g}g.${mem}gb`;
        return (migProfile(p) !== undefined) === MIG_PROFILES.includes(p);
      }),
      runs,
    );
    expect(migProfile('7g.40gb+me')).toBeUndefined();
  });

  test('time zones: Area/Location, UTC and Etc/ pass; abbreviations fail', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect(isIanaZoneName(tz)).toBe(true);
    fc.assert(
      fc.property(chars(lower.toUpperCase(), 2, 5), (abbr) => abbr === 'UTC' || !isIanaZoneName(abbr)),
      runs,
    );
  });
});
