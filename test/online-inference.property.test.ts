import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Accelerator, OnlineInference, OnlineInferenceProps, ScalingMetric } from '../src';
import { parseQuantity } from '../src/core/quantity';
import { container, one, podSpec, synthValid, testChart } from './helpers';

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/);
const cpu = fc.oneof(
  fc.integer({ min: 10, max: 8000 }).map((m) => `${m}m`),
  fc.integer({ min: 1, max: 16 }).map(String),
);
const memMi = fc.integer({ min: 64, max: 65536 });

const validProps: fc.Arbitrary<OnlineInferenceProps & { name: string }> = fc
  .record({
    name: dnsLabel,
    tag: fc.stringMatching(/^v[0-9]{1,2}\.[0-9]{1,2}$/),
    cpu,
    memory: memMi,
    headroom: fc.integer({ min: 0, max: 4096 }),
    gpus: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
    scaling: fc.oneof(
      fc.record({ fixed: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ min: fc.integer({ min: 1, max: 20 }), extra: fc.integer({ min: 0, max: 30 }) }),
    ),
    loadSeconds: fc.integer({ min: 1, max: 3600 }),
    port: fc.integer({ min: 1024, max: 65535 }),
    version: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}[a-z0-9]$/), { nil: undefined }),
    bestEffort: fc.boolean(),
  })
  .map((r) => ({
    name: r.name,
    image: `registry.example.com/model:${r.tag}`,
    resources: { cpu: r.cpu, memory: `${r.memory}Mi`, memoryLimit: `${r.memory + r.headroom}Mi` },
    accelerator: r.gpus ? Accelerator.nvidiaGpu(r.gpus) : undefined,
    ...('fixed' in r.scaling
      ? { replicas: r.scaling.fixed }
      : {
          autoscaling: {
            minReplicas: r.scaling.min,
            maxReplicas: r.scaling.min + r.scaling.extra,
            metrics: r.gpus ? [ScalingMetric.podsAverage('inflight', 4)] : undefined,
          },
        }),
    modelLoadTimeout: Duration.seconds(r.loadSeconds),
    port: r.port,
    model: r.version ? { name: 'model', version: r.version } : undefined,
    // A floor of 1 cannot survive a drain: such services must opt in to outages.
    availability: r.bestEffort || ('fixed' in r.scaling ? r.scaling.fixed : r.scaling.min) === 1 ? ('best-effort' as const) : undefined,
  }));

test('every valid props object yields schema-valid objects that honour the contracts', () => {
  fc.assert(
    fc.property(validProps, (props) => {
      const chart = testChart();
      new OnlineInference(chart, 'w', props);
      const objects = synthValid(chart); // validates every object against its schema
      const deploy = one(objects, 'Deployment', props.name);
      const pod = podSpec(deploy);
      const server = container(deploy, 'server');
      const podLabels = deploy.spec.template.metadata.labels;
      const floor = props.replicas ?? props.autoscaling!.minReplicas;

      // Names: every object carries the workload's name.
      for (const o of objects) expect(o.metadata.name).toBe(props.name);
      // Selectors: identity only, and they select the pod template.
      for (const selector of [
        deploy.spec.selector.matchLabels,
        one(objects, 'Service').spec.selector,
        one(objects, 'PodDisruptionBudget').spec.selector.matchLabels,
      ]) {
        expect(
          Object.keys(selector)
            .filter((k) => k !== 'cdk8s-ml.io/track')
            .sort(),
        ).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
        expect(selector['app.kubernetes.io/version']).toBeUndefined();
        for (const [k, v] of Object.entries(selector)) expect(podLabels[k]).toBe(v);
      }
      // Resources: requests always set, memory limit >= request.
      expect(server.resources.requests.cpu).toBeDefined();
      expect(parseQuantity(server.resources.limits.memory)!).toBeGreaterThanOrEqual(parseQuantity(server.resources.requests.memory)!);
      // Accelerators come with selector and toleration, and only then.
      const gpu = server.resources.limits['nvidia.com/gpu'];
      expect(gpu !== undefined).toBe(pod.tolerations !== undefined);
      expect(gpu !== undefined).toBe(pod.nodeSelector !== undefined);
      // The startup probe covers the load budget; the rollout deadline exceeds it.
      expect(server.startupProbe.failureThreshold * server.startupProbe.periodSeconds).toBeGreaterThanOrEqual(
        props.modelLoadTimeout!.toSeconds(),
      );
      expect(deploy.spec.progressDeadlineSeconds).toBeGreaterThan(props.modelLoadTimeout!.toSeconds());
      expect(server.livenessProbe.httpGet.path).not.toBe(server.readinessProbe.httpGet.path);
      // The PDB always allows an eviction at the replica floor.
      const pdb = one(objects, 'PodDisruptionBudget').spec;
      if (pdb.minAvailable !== undefined) expect(pdb.minAvailable).toBeLessThan(floor);
      else expect(pdb.maxUnavailable).toBeGreaterThanOrEqual(1);
      // A rollout can always progress.
      const ru = deploy.spec.strategy.rollingUpdate;
      expect(ru.maxSurge + ru.maxUnavailable).toBeGreaterThan(0);
      // Unless outages were chosen, neither a rollout nor a drain leaves no ready replica; crash-looping pods never block a drain.
      if (props.availability !== 'best-effort') {
        expect(floor - ru.maxUnavailable).toBeGreaterThanOrEqual(1);
        expect(pdb.minAvailable ?? floor - pdb.maxUnavailable).toBeGreaterThanOrEqual(1);
      }
      expect(pdb.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    }),
    { numRuns: 60 },
  );
});
