import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { PoolNode } from '../../src/core/node-pools';
import { ApiError, KubeClient, KubeObject, sleep, waitFor } from './client';

/** The kubeconfig global-setup.js chose, or undefined when the cluster suites are skipped. */
export const TEST_KUBECONFIG = process.env.CDK8S_ML_TEST_KUBECONFIG;

/** `describe` when a cluster is available, else `describe.skip` (global-setup.js printed why). */
export const describeCluster: jest.Describe = TEST_KUBECONFIG ? describe : describe.skip;

/** Label on everything the cluster suites create, so a run recognizes (and removes) its own leftovers. */
export const OWNED_LABEL = 'cdk8s-ml.test/owned';
/** The label the control plane's `nodes` command puts on fake nodes; the cluster suites use the same one. */
export const FAKE_NODE_LABEL = 'kube-control-plane/fake-node';
/** The pool a fake node stands for. */
export const POOL_LABEL = 'cdk8s-ml.test/pool';
/** Finalizer that holds a stand-in's StatefulSet in deletion, so the real StatefulSet controller leaves its pods alone. */
export const STAND_IN_FINALIZER = 'cdk8s-ml.test/stand-in';

let client: KubeClient | undefined;

/** The client for the test cluster (one per test file). */
export function kube(): KubeClient {
  if (!TEST_KUBECONFIG) throw new Error('no test cluster (global-setup.js skipped the cluster suites)');
  client ??= new KubeClient(TEST_KUBECONFIG);
  return client;
}

/** The server's minor version (`26` for the local control plane). */
export async function serverMinor(k: KubeClient): Promise<number> {
  const v = await k.version();
  const minor = Number.parseInt(v.minor, 10);
  if (Number.isFinite(minor) && minor > 0) return minor;
  // The local control plane's binaries stamp their version only into component-base: `/version` may report v0.0.0.
  const m = /^v1\.(\d+)\./.exec(v.gitVersion);
  return m ? Number(m[1]) : 26;
}

/** Where the upstream CRDs are: KUBE_TEST_CRDS, else ../shared/crds beside the repository. */
export function crdDir(): string {
  const dir = process.env.KUBE_TEST_CRDS ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'crds');
  if (!fs.existsSync(dir))
    throw new Error(`no CRDs at ${dir}: set KUBE_TEST_CRDS to the folder of upstream CRDs (README: Testing against a cluster)`);
  return dir;
}

/**
 * Installs the CRDs of the add-ons the library emits objects for (KEDA, Prometheus operator, Gateway API, JobSet,
 * LeaderWorkerSet, InferencePool) and waits until they serve. On a 1.26 server, JobSet's CRD comes from
 * `for-1.26/` (one CEL rule that 1.26 cannot compile taken out; see that folder's README).
 */
export async function installCrds(k: KubeClient): Promise<number> {
  const dir = crdDir();
  const minor = await serverMinor(k);
  const folders = ['keda', 'prometheus-operator', 'gateway-api', 'lws', 'inference-extension', minor < 27 ? 'for-1.26' : 'jobset'];
  const crds: KubeObject[] = [];
  for (const folder of folders) {
    for (const file of fs
      .readdirSync(path.join(dir, folder))
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, folder, file), 'utf8'))) {
        const crd = doc.toJS();
        if (crd?.kind === 'CustomResourceDefinition') crds.push(crd);
      }
    }
  }
  await Promise.all(crds.map((crd) => k.apply(crd)));
  await waitFor(
    async () => {
      const established = await Promise.all(
        crds.map(async (crd) => {
          const live = await k.get(crd.apiVersion, crd.kind, undefined, crd.metadata.name);
          return (live.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
        }),
      );
      return established.every(Boolean) ? true : undefined;
    },
    30000,
    () => 'CRDs not Established after 30 s',
  );
  return crds.length;
}

/** The Node object of a pool node, with the fake-node labels. */
function nodeObject(node: PoolNode): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [FAKE_NODE_LABEL]: 'true',
        [POOL_LABEL]: node.pool,
        ...node.labels,
      },
    },
    spec: { taints: node.taints },
  };
}

/**
 * Creates `nodes` as fake nodes, the way the control plane's `nodes` command does (README of ../shared/kube):
 * the Node, then exactly its declared taints (dropping the not-ready taint admission adds), then a Ready status
 * with its allocatable. Removes every other fake node first, so each suite runs on its own pools.
 */
export async function createFakeNodes(k: KubeClient, nodes: readonly PoolNode[]): Promise<void> {
  const wanted = new Set(nodes.map((n) => n.name));
  const existing = await k.list('v1', 'Node', undefined, `${FAKE_NODE_LABEL}=true`);
  await Promise.all(existing.filter((n) => !wanted.has(n.metadata.name)).map((n) => k.delete(n)));
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await Promise.all(
    nodes.map(async (node) => {
      const obj = nodeObject(node);
      await k.apply(obj, { fieldManager: 'cdk8s-ml-test-nodes' });
      await k.patch(obj, [{ op: 'add', path: '/spec/taints', value: node.taints }], undefined, 'json');
      const capacity = { ...node.allocatable };
      const conditions = ['MemoryPressure', 'DiskPressure', 'PIDPressure']
        .map((type) => ({ type, status: 'False', reason: `KubeletHasSufficient${type.replace('Pressure', '')}` }))
        .concat([{ type: 'Ready', status: 'True', reason: 'KubeletReady' }])
        .map((c) => ({ ...c, lastHeartbeatTime: now, lastTransitionTime: now }));
      await k.patch(
        obj,
        [
          { op: 'add', path: '/status/capacity', value: capacity },
          { op: 'add', path: '/status/allocatable', value: node.allocatable },
          { op: 'add', path: '/status/conditions', value: conditions },
          { op: 'add', path: '/status/addresses', value: [{ type: 'Hostname', address: node.name }] },
        ],
        'status',
        'json',
      );
    }),
  );
}

/** Deletes every fake node. */
export async function deleteFakeNodes(k: KubeClient): Promise<void> {
  const existing = await k.list('v1', 'Node', undefined, `${FAKE_NODE_LABEL}=true`);
  await Promise.all(existing.map((n) => k.delete(n)));
}

/** The Pod Security labels of a `restricted` namespace. */
export const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
};

/** Lets a stand-in's StatefulSet go: drops the finalizer that held it in deletion. */
export async function releaseStandInStatefulSet(k: KubeClient, sts: KubeObject): Promise<void> {
  const finalizers = (sts.metadata.finalizers ?? []).filter((f: string) => f !== STAND_IN_FINALIZER);
  try {
    await k.patch(
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: sts.metadata },
      { metadata: { finalizers: finalizers.length ? finalizers : null } },
    );
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
}

/**
 * Force-deletes the pods of `namespace` (no kubelet confirms a graceful delete here) and releases the stand-ins'
 * StatefulSets (their finalizer would keep the namespace terminating).
 */
export async function forceDeleteLeftovers(k: KubeClient, namespace: string): Promise<void> {
  const [pods, sets] = await Promise.all([k.list('v1', 'Pod', namespace), k.list('apps/v1', 'StatefulSet', namespace)]);
  await Promise.all([
    ...pods.map((p) => k.delete(p, 0)),
    ...sets.filter((s) => s.metadata.finalizers?.includes(STAND_IN_FINALIZER)).map((s) => releaseStandInStatefulSet(k, s)),
  ]);
}

/**
 * Creates fresh namespaces labelled Pod Security `restricted` and owned by the cluster suites. A namespace of
 * that name left by an earlier run is deleted first; one the suites did not create stops the run (it is not ours).
 */
export async function freshNamespaces(k: KubeClient, names: readonly string[], labels: Record<string, string> = {}): Promise<void> {
  await deleteOwnedVolumes(k, names);
  await Promise.all(
    names.map(async (name) => {
      let live: KubeObject | undefined;
      try {
        live = await k.get('v1', 'Namespace', undefined, name);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
      if (live) {
        if (live.metadata.labels?.[OWNED_LABEL] !== 'true') {
          throw new Error(
            `namespace ${name} exists and was not created by the cluster tests: use a cluster for tests only (README: Testing against a cluster)`,
          );
        }
        await deleteNamespace(k, name);
        await waitFor(
          async () => {
            await forceDeleteLeftovers(k, name);
            try {
              await k.get('v1', 'Namespace', undefined, name);
              return undefined;
            } catch (e) {
              if (e instanceof ApiError && e.code === 404) return true;
              throw e;
            }
          },
          60000,
          () => `namespace ${name} still terminating after 60 s`,
          500,
        );
      }
      await k.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { ...RESTRICTED, ...labels, [OWNED_LABEL]: 'true' } },
      });
    }),
  );
}

/** Deletes a namespace and force-deletes its pods, without waiting for it to go. */
export async function deleteNamespace(k: KubeClient, name: string): Promise<void> {
  await k.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await forceDeleteLeftovers(k, name);
}

/** Deletes namespaces, force-deletes their pods (pods of controllers may come back once) and their volumes. */
export async function deleteNamespaces(k: KubeClient, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((n) => deleteNamespace(k, n)));
  await deleteOwnedVolumes(k, names);
  await sleep(500);
  await Promise.all(names.map((n) => forceDeleteLeftovers(k, n)));
}

/** Deletes the PersistentVolumes the suites made for claims in `namespaces`. */
export async function deleteOwnedVolumes(k: KubeClient, namespaces: readonly string[]): Promise<void> {
  const volumes = await k.list('v1', 'PersistentVolume', undefined, `${OWNED_LABEL}=true`);
  await Promise.all(volumes.filter((v) => namespaces.includes(v.spec.claimRef?.namespace)).map((v) => k.delete(v)));
}
