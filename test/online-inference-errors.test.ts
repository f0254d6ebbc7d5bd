import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { Accelerator, OnlineInference, OnlineInferenceProps, ProbeHandler } from '../src';
import { testChart } from './helpers';

const base: OnlineInferenceProps = { image: 'registry.example.com/s:v1', resources: { cpu: '500m', memory: '1Gi' } };

function attempt(overrides: Partial<OnlineInferenceProps>, id = 'svc'): () => OnlineInference {
  return () => new OnlineInference(testChart('prod'), id, { ...base, ...overrides });
}

/** Each message names the construct path, the field, the value given and the fix. */
const cases: [string, () => unknown, RegExp][] = [
  [
    'a :latest image',
    attempt({ image: 'registry.example.com/s:latest' }),
    /OnlineInference 'test\/svc': image \(registry.example.com\/s:latest\) uses the mutable tag 'latest'; pin a release tag/,
  ],
  ['an untagged image', attempt({ image: 'python' }), /image \(python\) has no tag or digest \(it means :latest\); pin a release tag/],
  ['a malformed digest', attempt({ image: 'r.io/s@sha256:123' }), /image \(r.io\/s@sha256:123\) has a malformed digest; use '@sha256:'/],
  [
    'a name that is not a DNS-1123 label',
    attempt({ name: 'Sentiment_API' }),
    /OnlineInference 'test\/svc': name \(Sentiment_API\) is not a DNS-1123 label; use at most 63 lowercase/,
  ],
  ['a name longer than 63', attempt({ name: 'a'.repeat(64) }), /name \(a{64}\) is longer than 63 characters/],
  [
    'minReplicas < 1',
    attempt({ autoscaling: { minReplicas: 0, maxReplicas: 3 } }),
    /autoscaling.minReplicas \(0\) is below 1; set minReplicas: 1 or more/,
  ],
  [
    'minReplicas > maxReplicas',
    attempt({ autoscaling: { minReplicas: 5, maxReplicas: 3 } }),
    /autoscaling.maxReplicas \(3\) is below minReplicas \(5\); set maxReplicas >= minReplicas/,
  ],
  ['replicas -1', attempt({ replicas: -1 }), /replicas \(-1\) is negative; run 0 \(parked\) or more replicas/],
  [
    'replicas and autoscaling',
    attempt({ replicas: 2, autoscaling: { minReplicas: 1, maxReplicas: 2 } }),
    /replicas \(2\) is set together with autoscaling/,
  ],
  [
    'memory limit below request',
    attempt({ resources: { cpu: '1', memory: '1Gi', memoryLimit: '512Mi' } }),
    /OnlineInference 'test\/svc': resources.memoryLimit \(512Mi\) is below resources.memory \(1Gi\); set memoryLimit >= memory/,
  ],
  [
    'a CPU string that is not a quantity',
    attempt({ resources: { cpu: 'half', memory: '1Gi' } }),
    /resources.cpu \(half\) is not a Kubernetes quantity; use a quantity such as '500m'/,
  ],
  [
    'a memory string that is not a quantity',
    attempt({ resources: { cpu: '1', memory: '1GB' } }),
    /resources.memory \(1GB\) is not a Kubernetes quantity; use a quantity such as '1Gi'/,
  ],
  ['missing requests', attempt({ resources: undefined as any }), /resources \(unset\) must set cpu and memory requests/],
  [
    'a CPU limit below the request',
    attempt({ resources: { cpu: '2', memory: '1Gi', cpuLimit: '1' } }),
    /resources.cpuLimit \(1\) is below resources.cpu \(2\)/,
  ],
  [
    'accelerator count 0',
    attempt({ accelerator: Accelerator.nvidiaGpu(0), replicas: 1 }),
    /accelerator.count \(0\) is not a positive integer; request a whole number of devices/,
  ],
  [
    'accelerator count fractional',
    attempt({ accelerator: Accelerator.nvidiaGpu(0.5), replicas: 1 }),
    /accelerator.count \(0.5\) is not a positive integer/,
  ],
  [
    'accelerator count negative',
    attempt({ accelerator: Accelerator.nvidiaGpu(-1), replicas: 1 }),
    /accelerator.count \(-1\) is not a positive integer/,
  ],
  [
    'a bad MIG profile',
    attempt({ accelerator: Accelerator.nvidiaMig('half', 1), replicas: 1 }),
    /accelerator.profile \(half\) is not a MIG profile/,
  ],
  [
    'an accelerator service without a scaling decision',
    attempt({ accelerator: Accelerator.nvidiaGpu(1) }),
    /autoscaling \(unset\) is required for an accelerator service; set replicas, or autoscaling with a metric that matches the bottleneck/,
  ],
  [
    'a GPU surge without spare capacity',
    attempt({ accelerator: Accelerator.nvidiaGpu(1), replicas: 2, rollout: { maxSurge: 1 } }),
    /rollout.maxSurge \(1\) needs 1 spare accelerator\(s\) but rollout.spareAccelerators is 0; declare rollout.spareAccelerators >= 1/,
  ],
  [
    'a rollout that cannot progress',
    attempt({ rollout: { maxSurge: 0, maxUnavailable: 0 } }),
    /rollout.maxUnavailable \(0\) is 0 together with maxSurge 0/,
  ],
  [
    'no rollback history',
    attempt({ rollout: { revisionHistoryLimit: 0 } }),
    /rollout.revisionHistoryLimit \(0\) is 0, so rollback is impossible/,
  ],
  [
    'a PDB minAvailable at the floor',
    attempt({ autoscaling: { minReplicas: 3, maxReplicas: 5 }, disruptionBudget: { minAvailable: 3 } }),
    /disruptionBudget.minAvailable \(3\) is not below the replica floor \(3\), so no pod could ever be evicted and node drains would hang; use at most 2/,
  ],
  [
    'a PDB maxUnavailable 0',
    attempt({ disruptionBudget: { maxUnavailable: 0 } }),
    /disruptionBudget.maxUnavailable \(0\) is below 1, so no pod could ever be evicted/,
  ],
  [
    'a PDB with both bounds',
    attempt({ disruptionBudget: { maxUnavailable: 1, minAvailable: 1 } }),
    /disruptionBudget .* sets both minAvailable and maxUnavailable/,
  ],
  [
    'liveness path equal to readiness path',
    attempt({ probes: { liveness: { handler: ProbeHandler.httpGet('/ready') } } }),
    /probes.liveness \(http \/ready\) checks the same endpoint as probes.readiness; point liveness at a cheap 'process alive' endpoint/,
  ],
  [
    'startup budget longer than the progress deadline',
    attempt({ modelLoadTimeout: Duration.minutes(15), rollout: { progressDeadline: Duration.minutes(10) } }),
    /rollout.progressDeadline \(600s\) is not longer than the startup budget \(900s: model fetch \+ modelLoadTimeout\)/,
  ],
  ['port 0', attempt({ port: 0 }), /OnlineInference 'test\/svc': port \(0\) is outside 1-65535/],
  ['port 70000', attempt({ port: 70000 }), /OnlineInference 'test\/svc': port \(70000\) is outside 1-65535/],
  [
    'a port name over 15 characters',
    attempt({ portName: 'inference-grpc-api' }),
    /portName \(inference-grpc-api\) is longer than 15 characters/,
  ],
  ['a service port out of range', attempt({ servicePort: 0 }), /servicePort \(0\) is outside 1-65535/],
  ['an invalid env var name', attempt({ env: { '1BAD': 'x' } }), /env\['1BAD'\] \(1BAD\) is not a valid environment variable name/],
  ['an invalid label value', attempt({ labels: { team: 'search team' } }), /labels\['team'\] \(search team\) is not a valid label value/],
  [
    'a model uri without checksum',
    attempt({ model: { name: 'm', version: '1', uri: 'https://x.example.com/m.bin', size: '1Gi' }, networkPolicy: false }),
    /model.sha256 \(unset\) is not a SHA-256/,
  ],
  [
    'a model uri the default fetcher cannot read',
    attempt({ model: { name: 'm', version: '1', uri: 's3://b/m.bin', sha256: 'a'.repeat(64), size: '1Gi' }, networkPolicy: false }),
    /model.uri \(s3:\/\/b\/m.bin\) has a scheme \(s3:\/\/\) the default fetcher \(curl\) cannot read; set model.fetcher.image and model.fetcher.command/,
  ],
  [
    'a model uri with the fetch blocked by the network policy',
    attempt({ model: { name: 'm', version: '1', uri: 'https://x.example.com/m.bin', sha256: 'a'.repeat(64), size: '512Mi' } }),
    /networkPolicy.egressTo \(unset\) allows no destination, so the model fetch from model.uri would be blocked/,
  ],
  [
    'a model uri and a claim',
    attempt({ model: { name: 'm', version: '1', uri: 'https://x/m', sha256: 'a'.repeat(64), claimName: 'c' } }),
    /model.claimName \(c\) is set together with model.uri/,
  ],
  [
    'a bad CIDR (found by the gate at synth)',
    () => {
      const chart = testChart('prod');
      new OnlineInference(chart, 'svc', { ...base, networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0' } }] } });
      return Testing.synth(chart);
    },
    /OnlineInference 'test\/svc': networkPolicy.egressTo\[0\].to.cidr \(10.0.0.0\) is not an IPv4 or IPv6 CIDR; write an address and prefix length/,
  ],
  [
    'an HPA utilization of 0',
    attempt({ autoscaling: { minReplicas: 1, maxReplicas: 2, metrics: [require('../src').ScalingMetric.cpuUtilization(0)] } }),
    /autoscaling.metrics\[0\] cpuUtilization \(0\) is not a whole percentage above 0/,
  ],
];

describe('bad input fails at construction with path, field, value and fix', () => {
  test.each(cases)('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

test('duplicate workload names in one namespace are rejected across charts', () => {
  const app = new App();
  new OnlineInference(new Chart(app, 'a', { namespace: 'prod' }), 'sentiment', base);
  new OnlineInference(new Chart(app, 'other-ns', { namespace: 'staging' }), 'sentiment', base);
  expect(() => new OnlineInference(new Chart(app, 'b', { namespace: 'prod' }), 'sentiment', base)).toThrow(
    /OnlineInference 'b\/sentiment': name \(sentiment\) is already used in namespace 'prod' by 'a\/sentiment'; give each workload in a namespace its own name/,
  );
});

test('a failing app writes nothing', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-'));
  const program = () => {
    const app = new App({ outdir });
    new OnlineInference(new Chart(app, 'good'), 'good', base);
    new OnlineInference(new Chart(app, 'bad'), 'bad', { ...base, image: 'python' });
    app.synth();
  };
  expect(program).toThrow(/image \(python\)/);
  expect(fs.readdirSync(outdir)).toEqual([]);
});
