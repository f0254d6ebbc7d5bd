import { createHash } from 'crypto';
import { ApiError, KubeClient, KubeObject, waitFor } from './client';
import { STAND_IN_FINALIZER, releaseStandInStatefulSet } from './cluster';

/**
 * Stand-ins for the controllers the test cluster does not run. Each one makes the objects its upstream controller
 * would make from the same input (names, labels, annotations, env, subdomain, owner), read from the upstream
 * source at the pinned version named beside it; the real kube-controller-manager and scheduler take it from there.
 */

/** A stand-in's name and where its behaviour comes from, for the test report. */
export interface StandIn {
  readonly name: string;
  readonly source: string;
  readonly does: string;
}

/** Every stand-in the cluster suites use, for the report. */
export const STAND_INS: StandIn[] = [];
function standIn(s: StandIn): StandIn {
  STAND_INS.push(s);
  return s;
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const ownerRef = (o: KubeObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** Adds `env` before a container's own env, skipping names it already sets (LWS's addEnvVarsIfNotExists). */
function prependEnv(container: any, env: { name: string; value: string }[]): void {
  const own = container.env ?? [];
  const names = new Set(env.map((e) => e.name));
  container.env = [...env, ...own.filter((e: any) => !names.has(e.name))];
}

const JOBSET = standIn({
  name: 'JobSet controller',
  source:
    'kubernetes-sigs/jobset v0.12.0 (f22e565ac3cc3265c7c45ef67ecffdc689af5d77): pkg/controllers/jobset_controller.go constructJob, labelAndAnnotateObject, GetSubdomain, headless Service; pkg/util/placement GenJobName',
  does: 'one Job per replicated job replica, named <jobset>-<replicatedJob>-<index>, with the JobSet labels and annotations on Job and pod template, the subdomain, suspend from the JobSet; a headless Service named after the subdomain',
});

/** The Jobs and the headless Service the JobSet controller makes for `js` (live, with its uid). */
export async function expandJobSet(k: KubeClient, js: KubeObject): Promise<void> {
  const ns = js.metadata.namespace!;
  const rjobs: any[] = js.spec.replicatedJobs ?? [];
  const global = rjobs.reduce((n, r) => n + (r.replicas ?? 1), 0);
  const subdomain = js.spec.network?.subdomain || js.metadata.name;
  const dns = js.spec.network?.enableDNSHostnames ?? true; // the JobSet webhook defaults it to true
  let before = 0;
  const groups = new Map<string, number>();
  for (const r of rjobs) groups.set(r.groupName ?? 'default', (groups.get(r.groupName ?? 'default') ?? 0) + (r.replicas ?? 1));
  const groupSeen = new Map<string, number>();
  for (const r of rjobs) {
    const group = r.groupName ?? 'default';
    for (let i = 0; i < (r.replicas ?? 1); i++) {
      const jobName = `${js.metadata.name}-${r.name}-${i}`;
      const marks: Record<string, string> = {
        'jobset.sigs.k8s.io/jobset-name': js.metadata.name,
        'jobset.sigs.k8s.io/jobset-uid': js.metadata.uid!,
        'jobset.sigs.k8s.io/replicatedjob-name': r.name,
        'jobset.sigs.k8s.io/restart-attempt': String(js.status?.restarts ?? 0),
        'jobset.sigs.k8s.io/replicatedjob-replicas': String(r.replicas ?? 1),
        'jobset.sigs.k8s.io/global-replicas': String(global),
        'jobset.sigs.k8s.io/job-index': String(i),
        'jobset.sigs.k8s.io/job-key': sha1(`${ns}/${jobName}`),
        'jobset.sigs.k8s.io/job-global-index': String(before + i),
        'jobset.sigs.k8s.io/group-name': group,
        'jobset.sigs.k8s.io/group-replicas': String(groups.get(group)),
        'jobset.sigs.k8s.io/job-group-index': String((groupSeen.get(group) ?? 0) + i),
      };
      const spec = clone(r.template.spec);
      spec.completionMode ??= 'Indexed'; // JobSet webhook default
      spec.template.spec.restartPolicy ||= 'OnFailure'; // JobSet webhook default
      spec.template.metadata = {
        ...spec.template.metadata,
        labels: { ...spec.template.metadata?.labels, ...marks },
        annotations: { ...spec.template.metadata?.annotations, ...marks },
      };
      if (dns) spec.template.spec.subdomain = subdomain;
      spec.suspend = js.spec.suspend ?? false;
      await k.create({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: jobName,
          namespace: ns,
          labels: { ...r.template.metadata?.labels, ...marks },
          annotations: { ...r.template.metadata?.annotations, ...marks },
          ownerReferences: [ownerRef(js)],
        },
        spec,
      });
    }
    before += r.replicas ?? 1;
    groupSeen.set(group, (groupSeen.get(group) ?? 0) + (r.replicas ?? 1));
  }
  if (dns)
    await createHeadlessServiceIfMissing(
      k,
      js,
      subdomain,
      { 'jobset.sigs.k8s.io/jobset-name': js.metadata.name },
      {},
      js.spec.network?.publishNotReadyAddresses ?? true,
    );
}

async function createHeadlessServiceIfMissing(
  k: KubeClient,
  owner: KubeObject,
  name: string,
  selector: Record<string, string>,
  labels: Record<string, string>,
  publishNotReadyAddresses: boolean,
): Promise<void> {
  const ns = owner.metadata.namespace!;
  const existing = await k.list('v1', 'Service', ns);
  if (existing.some((s) => s.metadata.name === name)) return; // upstream: get, create only when not found
  await k.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels, ownerReferences: [ownerRef(owner)] },
    spec: { clusterIP: 'None', selector, publishNotReadyAddresses },
  });
}

const LWS = standIn({
  name: 'LeaderWorkerSet controller, its pod webhook and its StatefulSets',
  source:
    'kubernetes-sigs/lws v0.10.0 (2161f38ff333f9e24d3c44adef7cd5d9787cac00): pkg/controllers/leaderworkerset_controller.go constructLeaderStatefulSetApplyConfiguration, pkg/controllers/pod_controller.go constructWorkerStatefulSetApplyConfiguration and handleRestartPolicy, pkg/webhooks/pod_webhook.go Default, pkg/utils/pod/pod_utils.go AddLWSVariables, pkg/utils/controller/controller_utils.go CreateHeadlessServiceIfNotExists',
  does: "the leader StatefulSet <lws> (owned by the LeaderWorkerSet, replicas = groups) and per group g the worker StatefulSet <lws>-<g> (owned by the leader pod, replicas = size - 1), so the disruption controller counts every pod of every group as upstream; per group the leader pod <lws>-<g> and workers <lws>-<g>-<1..size-1>, each owned by its StatefulSet, with labels name/worker-index/group-index/group-key/template-revision-hash, annotations size (and leader-name on workers), subdomain per subdomainPolicy, env LWS_LEADER_ADDRESS/LWS_GROUP_SIZE/LWS_WORKER_INDEX first in every container (the pod webhook); the headless Service(s); a lost pod recreates its group (with a new worker StatefulSet). The StatefulSets are held in deletion by a finalizer (the real StatefulSet controller then only reports their status) because the pods need the webhook's per-pod env and labels, and on 1.26 the worker set's start ordinal 1 is a disabled feature",
});

const LWS_NAME = 'leaderworkerset.sigs.k8s.io/name';
const LWS_GROUP = 'leaderworkerset.sigs.k8s.io/group-index';
const LWS_GROUP_KEY = 'leaderworkerset.sigs.k8s.io/group-key';
const LWS_REVISION = 'leaderworkerset.sigs.k8s.io/template-revision-hash';
const LWS_WORKER_INDEX = 'leaderworkerset.sigs.k8s.io/worker-index';
const LWS_SIZE = 'leaderworkerset.sigs.k8s.io/size';

/** The revision label value of `lws` (stand-in value; upstream hashes the ControllerRevision). */
const lwsRevision = (lws: KubeObject) => sha1(JSON.stringify(lws.spec.leaderWorkerTemplate)).slice(0, 10);

/**
 * Creates `sts` so that the real StatefulSet controller leaves its pods to the stand-in: at 0 replicas with the
 * stand-in's finalizer, then deleted (the controller only updates the status of a StatefulSet being deleted), then
 * set to its replicas, which the disruption controller counts as the pods expected. Returns once the controller has
 * synced that last version (its status names the generation): no later sync can act on the first one, which would
 * delete the pods above its 0 replicas.
 */
async function createHeldStatefulSet(k: KubeClient, sts: KubeObject): Promise<KubeObject> {
  const created = await k.create({
    ...sts,
    metadata: { ...sts.metadata, finalizers: [STAND_IN_FINALIZER] },
    spec: { ...sts.spec, replicas: 0 },
  });
  await k.delete(created);
  const held = await k.patch(created, { spec: { replicas: sts.spec.replicas } });
  return waitFor(
    async () => {
      const live = await k.get('apps/v1', 'StatefulSet', held.metadata.namespace, held.metadata.name);
      return (live.status?.observedGeneration ?? 0) >= (live.metadata.generation ?? 1) ? live : undefined;
    },
    30000,
    () => `StatefulSet ${held.metadata.namespace}/${held.metadata.name}: the StatefulSet controller has not synced it after 30 s`,
    100,
  );
}

/** The leader StatefulSet of `lws` (live, with its uid), as LWS v0.10.0 makes it. */
function leaderStatefulSet(lws: KubeObject): KubeObject {
  const name = lws.metadata.name;
  const t = lws.spec.leaderWorkerTemplate;
  const template = clone(t.leaderTemplate ?? t.workerTemplate);
  const unique = lws.spec.networkConfig?.subdomainPolicy === 'UniquePerReplica';
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [LWS_WORKER_INDEX]: '0', [LWS_NAME]: name, [LWS_REVISION]: lwsRevision(lws) },
    annotations: {
      ...template.metadata?.annotations,
      [LWS_SIZE]: String(t.size ?? 1),
      ...(unique ? { 'leaderworkerset.sigs.k8s.io/subdomainPolicy': 'UniquePerReplica' } : {}),
    },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: lws.metadata.namespace,
      labels: { ...lws.metadata.labels, [LWS_NAME]: name, [LWS_REVISION]: lwsRevision(lws) },
      annotations: { ...lws.metadata.annotations, 'leaderworkerset.sigs.k8s.io/replicas': String(lws.spec.replicas ?? 1) },
      ownerReferences: [ownerRef(lws)],
    },
    spec: {
      serviceName: name,
      replicas: lws.spec.replicas ?? 1,
      podManagementPolicy: 'Parallel',
      template,
      selector: { matchLabels: { [LWS_NAME]: name, [LWS_WORKER_INDEX]: '0' } },
    },
  };
}

/** The worker StatefulSet of the group led by `leader` (live), as LWS v0.10.0's pod controller makes it. */
function workerStatefulSet(lws: KubeObject, leader: KubeObject): KubeObject {
  const name = lws.metadata.name;
  const t = lws.spec.leaderWorkerTemplate;
  const l = leader.metadata.labels!;
  const selector = { [LWS_GROUP]: l[LWS_GROUP], [LWS_NAME]: name, [LWS_GROUP_KEY]: l[LWS_GROUP_KEY] };
  const labels = { ...selector, [LWS_REVISION]: l[LWS_REVISION] };
  const template = clone(t.workerTemplate);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, ...labels },
    annotations: {
      ...template.metadata?.annotations,
      [LWS_SIZE]: String(t.size ?? 1),
      'leaderworkerset.sigs.k8s.io/leader-name': leader.metadata.name,
    },
  };
  const unique = lws.spec.networkConfig?.subdomainPolicy === 'UniquePerReplica';
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: leader.metadata.name,
      namespace: lws.metadata.namespace,
      labels: { ...lws.metadata.labels, ...labels },
      annotations: lws.metadata.annotations,
      ownerReferences: [ownerRef(leader)],
    },
    spec: {
      serviceName: unique ? leader.metadata.name : name,
      replicas: (t.size ?? 1) - 1,
      podManagementPolicy: 'Parallel',
      template,
      ordinals: { start: 1 },
      selector: { matchLabels: selector },
    },
  };
}

/** The pods of group `g` of the LeaderWorkerSet `lws` (live), as LWS v0.10.0 and its pod webhook make them (no owner yet). */
export function lwsGroupPods(lws: KubeObject, g: number): KubeObject[] {
  const ns = lws.metadata.namespace!;
  const name = lws.metadata.name;
  const t = lws.spec.leaderWorkerTemplate;
  const size: number = t.size ?? 1;
  const unique = lws.spec.networkConfig?.subdomainPolicy === 'UniquePerReplica';
  const leaderName = `${name}-${g}`;
  const groupKey = sha1(`${ns}/${leaderName}`);
  const subdomain = unique ? leaderName : name;
  const pod = (template: any, podName: string, worker: number): KubeObject => {
    const spec = clone(template.spec);
    spec.hostname = podName;
    spec.subdomain = subdomain;
    const env = [
      { name: 'LWS_LEADER_ADDRESS', value: `${name}-${g}.${subdomain}.${ns}` },
      { name: 'LWS_GROUP_SIZE', value: String(size) },
      { name: 'LWS_WORKER_INDEX', value: String(worker) },
    ];
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) prependEnv(c, env);
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: ns,
        labels: {
          ...template.metadata?.labels,
          [LWS_NAME]: name,
          [LWS_WORKER_INDEX]: String(worker),
          [LWS_GROUP]: String(g),
          [LWS_GROUP_KEY]: groupKey,
          [LWS_REVISION]: lwsRevision(lws),
          'statefulset.kubernetes.io/pod-name': podName,
        },
        annotations: {
          ...template.metadata?.annotations,
          [LWS_SIZE]: String(size),
          ...(worker > 0 ? { 'leaderworkerset.sigs.k8s.io/leader-name': leaderName } : {}),
          ...(unique && worker === 0 ? { 'leaderworkerset.sigs.k8s.io/subdomainPolicy': 'UniquePerReplica' } : {}),
        },
      },
      spec,
    };
  };
  const leaderTemplate = t.leaderTemplate ?? t.workerTemplate;
  return [
    pod(leaderTemplate, leaderName, 0),
    ...Array.from({ length: size - 1 }, (_, i) => pod(t.workerTemplate, `${leaderName}-${i + 1}`, i + 1)),
  ];
}

/** Creates group `g`: its leader pod (owned by `leaderSet`), the group's worker StatefulSet, its worker pods. */
async function createGroup(k: KubeClient, lws: KubeObject, leaderSet: KubeObject, g: number): Promise<number> {
  const owned = (p: KubeObject, owner: KubeObject) => ({ ...p, metadata: { ...p.metadata, ownerReferences: [ownerRef(owner)] } });
  const [leaderPod, ...workers] = lwsGroupPods(lws, g);
  const leader = await k.create(owned(leaderPod, leaderSet));
  if (workers.length === 0) return 1;
  const workerSet = await createHeldStatefulSet(k, workerStatefulSet(lws, { ...leader, apiVersion: 'v1', kind: 'Pod' }));
  for (const w of workers) await k.create(owned(w, workerSet));
  return 1 + workers.length;
}

/** Creates the StatefulSets, every group's pods and the headless Service(s) of `lws`; returns the pods it created. */
export async function expandLeaderWorkerSet(k: KubeClient, lws: KubeObject): Promise<number> {
  const unique = lws.spec.networkConfig?.subdomainPolicy === 'UniquePerReplica';
  const name = lws.metadata.name;
  if (!unique) await createHeadlessServiceIfMissing(k, lws, name, { [LWS_NAME]: name }, { [LWS_NAME]: name }, true);
  const leaderSet = await createHeldStatefulSet(k, leaderStatefulSet(lws));
  let created = 0;
  for (let g = 0; g < (lws.spec.replicas ?? 1); g++) {
    if (unique) {
      await createHeadlessServiceIfMissing(
        k,
        lws,
        `${name}-${g}`,
        { [LWS_NAME]: name, [LWS_GROUP]: String(g) },
        { [LWS_NAME]: name },
        true,
      );
    }
    created += await createGroup(k, lws, leaderSet, g);
  }
  return created;
}

/**
 * Recreates the groups of `lws` that lost a pod (restartPolicy RecreateGroupOnPodRestart: the whole group goes, its
 * worker StatefulSet with its leader pod, then the group comes back). Returns the groups it restarted.
 */
export async function reconcileLeaderWorkerSet(k: KubeClient, lws: KubeObject, pods: KubeObject[]): Promise<number> {
  const mine = pods.filter((p) => p.metadata.labels?.[LWS_NAME] === lws.metadata.name);
  const ns = lws.metadata.namespace!;
  let restarted = 0;
  for (let g = 0; g < (lws.spec.replicas ?? 1); g++) {
    const want = lwsGroupPods(lws, g);
    const group = mine.filter((p) => p.metadata.labels?.[LWS_GROUP] === String(g));
    const alive = group.filter((p) => !p.metadata.deletionTimestamp);
    if (alive.length === want.length) continue;
    if (group.length > 0) {
      await Promise.all(alive.map((p) => k.delete(p)));
      continue; // the rest goes first; the group comes back on a later pass
    }
    const oldWorkers = await getIfExists(k, 'apps/v1', 'StatefulSet', ns, want[0].metadata.name);
    if (oldWorkers) {
      await releaseStandInStatefulSet(k, oldWorkers);
      continue; // upstream the garbage collector removes it with its leader pod; the group comes back once it is gone
    }
    try {
      await createGroup(k, lws, await k.get('apps/v1', 'StatefulSet', ns, lws.metadata.name), g);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e; // a pod of the old group still terminating
      continue;
    }
    restarted++;
  }
  return restarted;
}

/** The object, or undefined when the server has none of that name. */
async function getIfExists(k: KubeClient, apiVersion: string, kind: string, ns: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await k.get(apiVersion, kind, ns, name);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  }
}

standIn({
  name: 'KEDA operator (ScaledObject)',
  source:
    'kedacore/keda v2.20.2 (68a5b5028f35b22d50597c69819ab32c4e92f21a): controllers/keda/hpa.go newHPAForScaledObject, getHPAName; apis/keda/v1alpha1/scaledobject_types.go GetHPAMinReplicas',
  does: 'the HorizontalPodAutoscaler KEDA makes: named keda-hpa-<name> or advanced.horizontalPodAutoscalerConfig.name, KEDA labels, minReplicas max(1, minReplicaCount) (the workload as when its queue has work), maxReplicas, behavior, one external metric per trigger; the real HPA controller then holds the floor',
});

/** The HPA KEDA makes for the ScaledObject `so` (live). */
export function kedaHpa(so: KubeObject): KubeObject {
  const name = so.spec.advanced?.horizontalPodAutoscalerConfig?.name || `keda-hpa-${so.metadata.name}`;
  const min = so.spec.minReplicaCount ?? 0;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name,
      namespace: so.metadata.namespace,
      labels: {
        'app.kubernetes.io/name': name.slice(0, 63),
        'app.kubernetes.io/version': '2.20.2',
        'app.kubernetes.io/part-of': so.metadata.name,
        'app.kubernetes.io/managed-by': 'keda-operator',
        ...so.metadata.labels,
      },
      ownerReferences: [ownerRef(so)],
    },
    spec: {
      minReplicas: min > 0 ? min : 1,
      maxReplicas: so.spec.maxReplicaCount ?? 100,
      scaleTargetRef: {
        apiVersion: so.spec.scaleTargetRef.apiVersion ?? 'apps/v1',
        kind: so.spec.scaleTargetRef.kind ?? 'Deployment',
        name: so.spec.scaleTargetRef.name,
      },
      ...(so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior
        ? { behavior: so.spec.advanced.horizontalPodAutoscalerConfig.behavior }
        : {}),
      metrics: (so.spec.triggers ?? []).map((t: any, i: number) => ({
        type: 'External',
        external: {
          metric: { name: `s${i}-${t.type}`, selector: { matchLabels: { 'scaledobject.keda.sh/name': so.metadata.name } } },
          target: { type: 'AverageValue', averageValue: '1' },
        },
      })),
    },
  };
}

standIn({
  name: 'KEDA operator (ScaledJob)',
  source: 'kedacore/keda v2.20.2 (68a5b5028f35b22d50597c69819ab32c4e92f21a): pkg/scaling/executor/scale_jobs.go generateJobs',
  does: "max(1, minReplicaCount) Jobs as for that many messages: generateName <name>-, KEDA labels plus the ScaledJob's, annotation scaledjob.keda.sh/generation, the jobTargetRef spec with scaledjob.keda.sh/name on the pod template, owned by the ScaledJob",
});

/** The Jobs KEDA makes for the ScaledJob `sj` (live) when `count` messages wait. */
export function kedaJobs(sj: KubeObject, count: number): KubeObject[] {
  const spec = clone(sj.spec.jobTargetRef);
  spec.template.metadata = {
    ...spec.template.metadata,
    labels: { ...spec.template.metadata?.labels, 'scaledjob.keda.sh/name': sj.metadata.name },
  };
  spec.template.spec.restartPolicy ||= 'OnFailure';
  return Array.from({ length: count }, () => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      generateName: `${sj.metadata.name}-`,
      name: undefined as unknown as string,
      namespace: sj.metadata.namespace,
      labels: {
        'app.kubernetes.io/name': sj.metadata.name,
        'app.kubernetes.io/version': '2.20.2',
        'app.kubernetes.io/part-of': sj.metadata.name,
        'app.kubernetes.io/managed-by': 'keda-operator',
        'scaledjob.keda.sh/name': sj.metadata.name,
        ...sj.metadata.labels,
      },
      annotations: { 'scaledjob.keda.sh/generation': String(sj.metadata.generation ?? 1), ...sj.metadata.annotations },
      ownerReferences: [ownerRef(sj)],
    },
    spec,
  }));
}

standIn({
  name: 'CronJob run on demand (kubectl create job --from=cronjob/<name>)',
  source:
    'kubectl create job --from=cronjob/<name> (k8s.io/kubectl pkg/cmd/create/create_job.go createJobFromCronJob), checked against the output of kubectl 1.32 here',
  does: 'a Job <cronjob>-manual-<suffix> from the jobTemplate, its labels and annotations plus cronjob.kubernetes.io/instantiate=manual, owned by the CronJob; the real Job controller makes its pods',
});

/** The Job `kubectl create job --from=cronjob/<name>` makes. */
export function manualJob(cj: KubeObject): KubeObject {
  const t = cj.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-manual-${Date.now().toString(36).slice(-5)}`,
      namespace: cj.metadata.namespace,
      labels: t.metadata?.labels,
      annotations: { ...t.metadata?.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ apiVersion: cj.apiVersion, kind: cj.kind, name: cj.metadata.name, uid: cj.metadata.uid!, controller: true }],
    },
    spec: clone(t.spec),
  };
}

standIn({
  name: 'Kueue admission',
  source: 'kubernetes-sigs/kueue job integration (jobframework): an admitted workload is started by setting suspend=false',
  does: 'admits every suspended Job and JobSet that names a queue (label kueue.x-k8s.io/queue-name) by setting spec.suspend=false; no ClusterQueue quota is modelled (the cluster check covers the pools)',
});

/** Starts the suspended Jobs and JobSets of `namespace` that name a Kueue queue; returns how many. */
export async function admitQueued(k: KubeClient, namespaces: readonly string[]): Promise<number> {
  let admitted = 0;
  for (const ns of namespaces) {
    for (const [apiVersion, kind] of [
      ['batch/v1', 'Job'],
      ['jobset.x-k8s.io/v1alpha2', 'JobSet'],
    ]) {
      for (const o of await k.list(apiVersion, kind, ns, 'kueue.x-k8s.io/queue-name')) {
        if (o.spec.suspend !== true) continue;
        await k.patch(o, { spec: { suspend: false } });
        admitted++;
      }
    }
  }
  return admitted;
}

standIn({
  name: 'volume provisioner',
  source: 'Kubernetes static provisioning (a PersistentVolume pre-bound through claimRef)',
  does: 'one PersistentVolume per PersistentVolumeClaim, same storage class, access modes and size, pre-bound to it; the real persistent-volume controller binds them',
});

/** A PersistentVolume pre-bound to the claim `pvc` (live). */
export function volumeFor(pvc: KubeObject): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pv-${pvc.metadata.namespace}-${pvc.metadata.name}`.slice(0, 253), labels: { 'cdk8s-ml.test/owned': 'true' } },
    spec: {
      capacity: { storage: pvc.spec.resources.requests.storage },
      accessModes: pvc.spec.accessModes,
      storageClassName: pvc.spec.storageClassName ?? '',
      volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: 'Delete',
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
      },
      csi: { driver: 'stand-in.cdk8s-ml.test', volumeHandle: `${pvc.metadata.namespace}-${pvc.metadata.name}` },
    },
  };
}

export { JOBSET, LWS };
