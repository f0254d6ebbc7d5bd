import { App, Testing } from 'cdk8s';
import { Platform } from '../../src';
import { poolNodes } from '../../src/core/node-pools';
import { Mutation } from '../differential/mutations';
import { ApiError, KubeClient, KubeObject } from './client';
import { FAKE_NODE_LABEL, OWNED_LABEL, RESTRICTED } from './cluster';
import { applyAll } from './judge';

/** What synth and the API server made of one generated app. */
export interface DifferentialResult {
  readonly path: string;
  readonly value: unknown;
  /** Synth's error, when it refused the app. */
  readonly synthError?: string;
  /** The API server's refusals (and warnings) of objects synth accepted: each one is a gap in synth's validation. */
  readonly apiErrors: string[];
  readonly objects: number;
}

const isDns1123Label = (s: string) => s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);

/**
 * Builds the app of `mutation` with `value`, synthesizes it, and when synth accepts, dry-runs every object through
 * the API server (server-side apply, strict field validation, admission) in namespaces labelled Pod Security
 * restricted; the nodes of the platform's node pools are dry-run too. Namespaces it needs are created (and listed
 * in `created`, for the caller to delete).
 */
export async function differential(
  k: KubeClient,
  mutation: Mutation,
  value: unknown,
  ns: string,
  created: Set<string>,
  kubernetesVersion: string,
): Promise<DifferentialResult> {
  const app: App = Testing.app();
  // The server's version: a field it does not know would be refused for that alone, not for the value under test.
  Platform.configure(app, { kubernetesVersion });
  let objects: KubeObject[];
  try {
    mutation.build(app, ns, value);
    objects = app.charts.flatMap((c) => Testing.synth(c) as KubeObject[]);
  } catch (e) {
    return { path: mutation.path, value, synthError: (e as Error).message.split('\n').slice(-1)[0], apiErrors: [], objects: 0 };
  }
  const apiErrors: string[] = [];
  // Namespaces: an invalid name is itself a refusal; a valid one must exist for admission to judge its objects.
  const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace).map((o) => o.metadata.namespace!));
  for (const o of objects.filter((x) => x.kind === 'Namespace')) namespaces.delete(o.metadata.name);
  for (const name of namespaces) {
    if (created.has(name) || name === ns) continue;
    try {
      await k.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...RESTRICTED, [OWNED_LABEL]: 'true' } } });
      created.add(name);
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) continue;
      apiErrors.push(`Namespace/${name}: ${(e as Error).message}`);
    }
  }
  const namespaceObjects = objects.filter((o) => o.kind === 'Namespace');
  const rest = objects.filter(
    (o) =>
      o.kind !== 'Namespace' && (!o.metadata.namespace || !namespaces.has(o.metadata.namespace) || isDns1123Label(o.metadata.namespace)),
  );
  // A namespace the app itself creates: dry-run it, then dry-run its objects in a real one of that name.
  for (const n of namespaceObjects) {
    if (!isDns1123Label(n.metadata.name) || created.has(n.metadata.name)) continue;
    try {
      await k.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: n.metadata.name, labels: { ...RESTRICTED, [OWNED_LABEL]: 'true' } },
      });
      created.add(n.metadata.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }
  const applied = await applyAll(k, [...namespaceObjects, ...rest], { dryRun: true });
  for (const a of applied) {
    const id = `${a.object.kind}/${a.object.metadata.name}`;
    if (a.error) apiErrors.push(`${id}: ${a.error}`);
    for (const w of a.warnings) apiErrors.push(`${id}: warning: ${w}`);
  }
  const nodes = poolNodes(Platform.of(app).nodePools).map((n): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { ...n.labels, [FAKE_NODE_LABEL]: 'true' } },
    spec: { taints: n.taints },
    status: { capacity: n.allocatable, allocatable: n.allocatable },
  }));
  for (const a of await applyAll(k, nodes, { dryRun: true })) if (a.error) apiErrors.push(`Node/${a.object.metadata.name}: ${a.error}`);
  return { path: mutation.path, value, apiErrors, objects: objects.length + nodes.length };
}
