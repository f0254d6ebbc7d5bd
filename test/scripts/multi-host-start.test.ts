import { Testing } from 'cdk8s';
import { Duration } from 'cdk8s';
import { Accelerator, MultiHostInference, ServingRuntime } from '../../src';
import { Manifest, one, testChart } from '../helpers';
import { Sandbox } from './sandbox';

void ServingRuntime;

/** The leader's and a worker's start command of a two-node group, as rendered. */
function group(formation?: Duration) {
  const chart = testChart('llm');
  new MultiHostInference(chart, 'big', {
    image: 'vllm/vllm-openai:v0.11.0',
    groupSize: 2,
    replicas: 1,
    availability: 'best-effort',
    resources: { cpu: '16', memory: '200Gi' },
    accelerator: Accelerator.nvidiaGpu(8),
    model: { name: 'llama', version: 'v1', claimName: 'weights-v1' },
    vllm: { maxModelLen: 8192 },
    args: ['--max-num-seqs', '64'],
    groupFormationTimeout: formation,
  });
  const t = one(Testing.synth(chart) as Manifest[], 'LeaderWorkerSet').spec.leaderWorkerTemplate;
  return { leader: t.leaderTemplate.spec.containers[0].command, worker: t.workerTemplate.spec.containers[0].command };
}

const env = { LWS_GROUP_SIZE: '2', LWS_LEADER_ADDRESS: 'big-0.big.llm' };

describe('the LeaderWorkerSet start scripts, executed with stub ray, python3 and vllm', () => {
  let box: Sandbox;
  beforeEach(() => (box = new Sandbox()));
  afterEach(() => box.dispose());

  test('leader: starts the Ray head, waits for the whole group, then execs vllm serve with every flag', async () => {
    box.fastClock(5);
    const count = `${box.root}/alive`;
    // 1 node alive at the first poll, 2 at the second.
    box.stub('python3', `n=$(cat "${count}" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "${count}"; echo $n`);
    box.stub('ray');
    box.stub('vllm');
    const r = await box.run(group().leader, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/waiting for the group: 1 of 2 pods joined/);
    const calls = box.calls().filter((c) => !c.startsWith('date') && !c.startsWith('sleep'));
    expect(calls[0]).toBe('ray start --head --port=6379');
    expect(calls.filter((c) => c.startsWith('python3'))).toHaveLength(2);
    expect(calls[calls.length - 1]).toBe(
      'vllm serve /models --port 8000 --served-model-name llama --tensor-parallel-size 8 --pipeline-parallel-size 2 --max-model-len 8192 --max-num-seqs 64',
    );
  });

  test('leader: waits out the whole formation budget (not 300 s), then exits with what is missing', async () => {
    box.fastClock(60);
    box.stub('python3', 'echo 1');
    box.stub('ray');
    box.stub('vllm');
    const r = await box.run(group(Duration.minutes(20)).leader, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only 1 of 2 pods joined the Ray head within 1200s \(groupFormationTimeout\)/);
    expect(box.calls().filter((c) => c.startsWith('python3')).length).toBeGreaterThanOrEqual(1200 / 60 / 2 - 1);
    expect(box.calls()).not.toContainEqual(expect.stringMatching(/^vllm/));
  });

  test("worker: retries joining until the leader's head is up, then blocks in ray start", async () => {
    box.fastClock(5);
    const tries = `${box.root}/tries`;
    box.stub('ray', `n=$(cat "${tries}" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "${tries}"; [ $n -ge 3 ]`);
    const r = await box.run(group().worker, env);
    expect(r.code).toBe(0);
    expect(box.calls().filter((c) => c.startsWith('ray'))).toEqual(Array(3).fill('ray start --address=big-0.big.llm:6379 --block'));
  });

  test('worker: gives up after the formation budget', async () => {
    box.fastClock(100);
    box.stub('ray', 'exit 1');
    const r = await box.run(group().worker, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not join the Ray head at big-0.big.llm:6379 within 900s/);
  });
});
