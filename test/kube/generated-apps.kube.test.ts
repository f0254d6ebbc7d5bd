import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { NodePool, Platform } from '../../src';
import { KubeFeature, versionSupports } from '../../src/core/facts/kubernetes';
import { poolNodes } from '../../src/core/node-pools';
import { prerequisites } from '../../src/platform/prerequisites';
import { SCENARIOS, Scenario } from '../invariants/apps';
import { featuresUsed } from '../kube-schema';
import { KubeClient, KubeObject } from './client';
import {
  createFakeNodes,
  deleteFakeNodes,
  deleteNamespaces,
  describeCluster,
  freshNamespaces,
  installCrds,
  kube,
  serverMinor,
} from './cluster';
import { admissionProblems, awaitFloors, deploy, expectedPods, misplacedPods, runStandIns } from './deploy';
import { createPrerequisites } from './prerequisites';
import { recordSection } from './report';

/** Samples of each scenario per round; rounds run one after the other, the apps of a round side by side. */
const PER_ROUND = 2;
const ROUNDS = 2;
/** Seed of the samples: printed in the report; set KUBE_TEST_SEED to replay a run. */
const SEED = Number(process.env.KUBE_TEST_SEED ?? Date.now() % 2 ** 31);

/** Node pools sized for a round of generated apps side by side (the generated props ask for up to 12 8-GPU nodes each). */
const POOLS: NodePool[] = [
  { name: 'cpu', count: 16, cpu: '15890m', memory: '62Gi', ephemeralStorage: '200Gi' },
  {
    name: 'gpu',
    count: 48,
    cpu: '94',
    memory: '1800Gi',
    ephemeralStorage: '3000Gi',
    accelerators: { 'nvidia.com/gpu': 8 },
    labels: { 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
    taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
  },
];

/** One generated app, built for the server's version (or the oldest its constructs accept). */
interface GeneratedApp {
  readonly app: App;
  readonly namespace: string;
  readonly objects: KubeObject[];
  readonly versionOnly: Record<string, KubeFeature[]>;
  readonly label: string;
}

function build(scenario: Scenario, spec: any, namespace: string, minor: number): GeneratedApp {
  const server = `1.${minor}`;
  const attempt = (version: string) => {
    const app = Testing.app();
    Platform.configure(app, { dns: spec.dns, kubernetesVersion: version, monitoring: { scrapeFrom: spec.scrapeFrom }, nodePools: POOLS });
    scenario.build(new Chart(app, 'generated', { namespace }), spec);
    return app;
  };
  let app: App;
  try {
    app = attempt(server);
  } catch (e) {
    const needed = /available from Kubernetes (1\.\d+)/.exec((e as Error).message)?.[1];
    if (!needed) throw e;
    app = attempt(needed);
  }
  const objects = app.charts.flatMap((c) => Testing.synth(c) as KubeObject[]);
  const versionOnly: Record<string, KubeFeature[]> = {};
  for (const o of objects) {
    const newer = featuresUsed(o).filter((f) => !versionSupports(server, f));
    if (newer.length) versionOnly[`${o.kind}/${o.metadata.name}`] = newer;
  }
  return { app, namespace, objects, versionOnly, label: `${scenario.name} ${JSON.stringify(spec)}` };
}

/**
 * The invariant suite's generated apps (test/invariants/apps.ts) on the control plane: each admitted as sent, its
 * floor of pods created and bound to a node of its pool.
 */
describeCluster('generated apps on a cluster', () => {
  let k: KubeClient;
  let minor: number;
  const scenarios = Object.values(SCENARIOS).flat();
  const figures: Record<string, number | string> = { seed: SEED, apps: 0, objects: 0, pods: 0 };

  beforeAll(async () => {
    k = kube();
    minor = await serverMinor(k);
    await installCrds(k);
    await createFakeNodes(k, poolNodes(POOLS));
  });

  afterAll(async () => {
    if (!k) return;
    await deleteFakeNodes(k);
    recordSection('generated apps', figures, [`scenarios: ${scenarios.map((s) => s.name).join('; ')}`]);
  });

  test.each(Array.from({ length: ROUNDS }, (_, r) => r))(
    'round %i: every app admitted, its floor created and bound to its pool',
    async (round) => {
      const apps = scenarios.flatMap((scenario, s) =>
        fc
          .sample(scenario.arbitrary, { numRuns: PER_ROUND, seed: SEED + 1000 * round + s })
          .map((spec, i) => build(scenario, spec, `gen-${round}-${s}-${i}`, minor)),
      );
      const namespaces = apps.map((a) => a.namespace);
      await freshNamespaces(k, namespaces);
      try {
        const problems: string[] = [];
        await Promise.all(
          apps.map(async (a) => {
            await createPrerequisites(k, prerequisites(a.app));
            const applied = await deploy(k, a.objects, [a.namespace]);
            problems.push(...admissionProblems(applied, a.versionOnly).map((p) => `${a.label}: ${p}`));
            await runStandIns(k, a.objects, [a.namespace]);
          }),
        );
        expect(problems).toEqual([]);
        const pods = await awaitFloors(
          k,
          apps.flatMap((a) => a.objects),
          namespaces,
          90000,
        );
        const misplaced = (
          await Promise.all(
            apps.map((a) =>
              misplacedPods(
                k,
                a.app,
                pods.filter((p) => p.metadata.namespace === a.namespace),
              ),
            ),
          )
        ).flat();
        expect(misplaced).toEqual([]);
        figures.apps = Number(figures.apps) + apps.length;
        figures.objects = Number(figures.objects) + apps.reduce((n, a) => n + a.objects.length, 0);
        figures.pods = Number(figures.pods) + pods.length;
        expect(pods.length).toBeGreaterThanOrEqual([...expectedPods(apps.flatMap((a) => a.objects)).values()].reduce((x, y) => x + y, 0));
      } finally {
        await deleteNamespaces(k, namespaces);
      }
    },
  );
});
