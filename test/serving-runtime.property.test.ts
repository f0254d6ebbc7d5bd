import * as fc from 'fast-check';
import { Accelerator, MlValidationError, OnlineInference, ScalingMetric, ServingRuntime } from '../src';
import { container, one, podSpec, synthValid, testChart } from './helpers';

/** Tensor parallelism over any GPU count, node size, head count and memory: the output is consistent, or synthesis refuses. */
test("tensor parallelism: the server shards over exactly the pod's GPUs, within a node, dividing the heads, with room for /dev/shm", () => {
  fc.assert(
    fc.property(
      fc.constantFrom('vllm', 'tgi'),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.constantFrom(28, 32, 40, 64, 96),
      fc.integer({ min: 8, max: 256 }),
      (runtime, gpus, perNode, heads, memoryGi) => {
        const chart = testChart('llm');
        const build = () => {
          new OnlineInference(chart, 'llm', {
            image: 'registry.example.com/llm:v1',
            runtime: runtime === 'vllm' ? ServingRuntime.vllm({ attentionHeads: heads }) : ServingRuntime.tgi({ attentionHeads: heads }),
            model: { name: 'm', version: 'v1', claimName: 'weights-v1', size: '16Gi' },
            resources: { cpu: '4', memory: `${memoryGi}Gi` },
            accelerator: Accelerator.nvidiaGpu(gpus, { gpusPerNode: perNode }),
            autoscaling: { minReplicas: 2, maxReplicas: 3, metrics: [ScalingMetric.podsAverage('inflight_requests', 4)] },
            networkPolicy: false,
          });
          return synthValid(chart);
        };
        const valid = gpus <= perNode && heads % gpus === 0 && (gpus === 1 || memoryGi > 32);
        if (!valid) {
          expect(build).toThrow(MlValidationError);
          return;
        }
        const deploy = one(build(), 'Deployment');
        const args: string[] = container(deploy, 'server').args;
        const flag = runtime === 'vllm' ? '--tensor-parallel-size' : '--num-shard';
        expect(args[args.indexOf(flag) + 1]).toBe(String(gpus));
        expect(container(deploy, 'server').resources.limits['nvidia.com/gpu']).toBe(String(gpus));
        const shm = podSpec(deploy).volumes.find((v: any) => v.name === 'dshm');
        expect(shm.emptyDir.sizeLimit).toBe(gpus > 1 ? '16384Mi' : '1024Mi');
      },
    ),
    { numRuns: 40 },
  );
});
