import type { Duration } from 'cdk8s';
import type { AddonVersions } from './facts/addons';
import type { NetworkPeer } from './network-peer';
import type { RunAsProps } from './security';

/*
 * What a platform team can say once for every workload below a scope (`Platform.configure`), and the
 * resolved form every construct applies (`Platform.of`). Types only: the lowest modules of core read
 * them without depending on how conventions are stored and resolved (platform.ts).
 */

/** A node taint that keeps ordinary pods off accelerator nodes. */
export interface AcceleratorTaint {
  /** Taint key on the accelerator nodes. @default 'nvidia.com/gpu' */
  readonly key: string;
  /** Taint value. @default - tolerate any value (operator Exists) */
  readonly value?: string;
  /** Taint effect the pods tolerate. @default 'NoSchedule' */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Platform-wide defaults for workload monitoring (scrape targets, alert rules, runbook links). */
export interface MonitoringDefaults {
  /**
   * Monitor every workload that does not set `monitoring: false`.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Labels on every ServiceMonitor, PodMonitor and PrometheusRule, so the Prometheus selects them
   * (e.g. `{ release: 'kube-prometheus-stack' }`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Where the generated RUNBOOK.md is published; `runbook_url` annotations point at `<runbookUrl>#<anchor>`.
   * @default 'RUNBOOK.md'
   */
  readonly runbookUrl?: string;
  /**
   * How often Prometheus scrapes workload metrics.
   * @default Duration.seconds(30)
   */
  readonly scrapeInterval?: Duration;
  /**
   * The alerting stack the cluster already runs. `'kube-prometheus-stack'` leaves out the alerts its
   * default `kubernetes-apps` rules already raise for every pod, Deployment, HPA and Job (crash
   * loops, pods not ready, missing replicas, stuck rollouts, an HPA at its maximum, failed Jobs), so
   * nobody is paged twice; RUNBOOK.md names the rule that covers each one.
   * @default 'none'
   */
  readonly alertsCoveredBy?: 'none' | 'kube-prometheus-stack';
  /**
   * Labels every alert carries, for Alertmanager routing (e.g. `{ routing_key: 'ml-oncall' }`).
   * @default - none
   */
  readonly alertLabels?: Record<string, string>;
  /**
   * The label that names a workload's owning team: every alert copies it from the workload's labels.
   * @default 'team'
   */
  readonly teamLabel?: string;
  /**
   * Where the triage steps live: `'inline'` puts them in each alert's `runbook` annotation beside
   * the `runbook_url` link; `'link'` keeps them only in RUNBOOK.md and the alert carries the link
   * (a realistic service's PrometheusRule shrinks by about half).
   * @default 'inline'
   */
  readonly runbook?: 'inline' | 'link';
  /**
   * Who scrapes workload metrics: every NetworkPolicy admits these peers on the scraped port (a
   * workload's own `metricsFrom` wins). E.g. `[{ namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }]`.
   * @default [{ namespace: 'monitoring' }]
   */
  readonly scrapeFrom?: NetworkPeer[];
}

/**
 * The image that fetches and verifies models (`model.uri`, model caches) and the numeric user it runs as.
 * A platform that mirrors images points `image` at its mirror.
 */
export interface ModelFetcherDefaults {
  /**
   * Needs a POSIX shell, `curl`, `sha256sum` and `tar` on its PATH; an immutable reference (tag or digest).
   * @default 'curlimages/curl:8.10.1' (its USER is the named `curl_user`, so the uid is pinned below)
   */
  readonly image: string;
  /**
   * Numeric user the fetcher runs as (the image's USER may be a name, which the kubelet cannot check).
   * @default 65532
   */
  readonly runAsUser?: number;
  /** Numeric group the fetcher runs as. @default 65532 */
  readonly runAsGroup?: number;
}

/** The default model fetcher image (see {@link ModelFetcherDefaults}). */
export const DEFAULT_MODEL_FETCHER_IMAGE = 'curlimages/curl:8.10.1';

/** The cluster DNS pods, by namespace and labels. */
export interface DnsPods {
  /** Namespace of the DNS pods. */
  readonly namespace: string;
  /** Labels of the DNS pods. */
  readonly podLabels: Record<string, string>;
}

/**
 * The DNS servers every workload's NetworkPolicy (and an MlNamespace's default-deny policy) lets pods
 * reach on port 53, UDP and TCP.
 */
export interface DnsServers {
  /**
   * The cluster DNS pods; `false` when pods resolve only through `cidrs`.
   * @default { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } (CoreDNS as most distributions label it)
   */
  readonly pods?: DnsPods | false;
  /**
   * DNS server addresses beside (or instead of) the pods, e.g. `['169.254.20.10/32']` for NodeLocal DNSCache.
   * @default - none
   */
  readonly cidrs?: string[];
}

/** The storage model caches are filled on. */
export interface ModelCacheStorage {
  /** StorageClass of the cache claims. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /** Every node can mount the volume at once (a shared filesystem offering `ReadWriteMany`). */
  readonly readWriteMany: boolean;
}

/** The kinds of workload a platform may give different defaults. */
export type WorkloadKind = 'serving' | 'batch' | 'training' | 'queue';

/**
 * What runs a training job's pods: `job`, one (Indexed) Job and a headless Service, on any cluster;
 * `jobset`, a JobSet (needs the kubernetes-sigs/jobset controller) that restarts the whole worker
 * group when one worker is lost.
 */
export type TrainingEngine = 'job' | 'jobset';

/**
 * Conventions a platform team sets once for every workload below a scope.
 * Every workload construct reads them through {@link Platform.of}; nothing else hard-codes them.
 */
export interface PlatformConventions {
  /**
   * Node label every accelerator node carries; GPU pods select `<label>: "true"`.
   * @default 'nvidia.com/gpu.present' (NVIDIA GPU feature discovery)
   */
  readonly acceleratorNodeLabel?: string;
  /**
   * Node label naming the accelerator model; used when an accelerator asks for a `product`.
   * @default 'nvidia.com/gpu.product'
   */
  readonly acceleratorProductLabel?: string;
  /**
   * The taint on accelerator nodes that GPU pods tolerate (and CPU pods never do).
   * @default { key: 'nvidia.com/gpu', effect: 'NoSchedule' }
   */
  readonly acceleratorTaint?: AcceleratorTaint;
  /**
   * Registries images may come from (`registry.example.com`, `registry.example.com/team`).
   * @default - any registry
   */
  readonly allowedRegistries?: string[];
  /**
   * Require images pinned by digest (`image@sha256:...`), not only by tag.
   * @default false
   */
  readonly requireImageDigest?: boolean;
  /**
   * Labels every workload must carry (e.g. `team`, `cost-center`); a workload missing one is an error.
   * @default - none
   */
  readonly requiredLabels?: string[];
  /**
   * Labels put on every object (e.g. `{ team: 'search', 'cost-center': 'cc-42' }`); merged across scopes.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Default PriorityClass per workload kind.
   * @default - none
   */
  readonly priorityClasses?: Partial<Record<WorkloadKind, string>>;
  /**
   * Engine of training jobs that name none. Set `'jobset'` where the JobSet controller runs.
   * @default 'job' (works without an operator)
   */
  readonly trainingEngine?: TrainingEngine;
  /**
   * Image pull secrets every pod gets.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * The pull secret each private registry needs (`{ 'registry.example.com': 'registry-credentials' }`; a key may
   * be a host and path prefix, the longest match wins): a pod with an image from such a registry whose
   * `imagePullSecrets` (its own and the platform's) lack that secret is an error, instead of an ImagePullBackOff.
   * @default - none (no registry is known to need one)
   */
  readonly registryPullSecrets?: Record<string, string>;
  /**
   * When the kubelet asks the registry for an image. `Always` re-checks the (immutable) reference and the
   * pod's pull credentials at every start, a manifest request, layers stay cached: a pod without the
   * credentials cannot run a private image another tenant's pod left on the node. `IfNotPresent` starts
   * without the registry (air-gapped mirrors, registries that rate-limit).
   * @default 'Always'
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent';
  /**
   * Monitoring defaults; `enabled: true` turns monitoring on for every workload below the scope.
   * @default - monitoring off unless a workload opts in
   */
  readonly monitoring?: MonitoringDefaults;
  /**
   * Namespace for workloads whose chart and props name none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * The numeric user, group and fsGroup every pod runs as unless the workload sets `runAs`.
   * @default { runAsUser: 65532, runAsGroup: 65532, fsGroup: <runAsGroup> }
   */
  readonly runAs?: RunAsProps;
  /**
   * The image (and uid) of the init containers and Jobs that fetch and verify models.
   * @default { image: 'curlimages/curl:8.10.1', runAsUser: 65532, runAsGroup: 65532 }
   */
  readonly modelFetcher?: ModelFetcherDefaults;
  /**
   * Kubernetes version of the target clusters (`'1.26'` to `'1.34'`, see `SUPPORTED_KUBERNETES_VERSIONS`):
   * fields newer than it are left out or replaced by their closest equivalent (README: Kubernetes versions).
   * @default '1.34' (the newest supported version)
   */
  readonly kubernetesVersion?: string;
  /**
   * Where pods resolve names: the DNS egress every NetworkPolicy allows.
   * @default { pods: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } }
   */
  readonly dns?: DnsServers;
  /**
   * Sustained bandwidth from the model store (object store, Hub mirror) to a pod, in MiB/s. Download
   * budgets (each fetch's timeout, a ModelCache's fill deadline, the startup and rollout budgets of the
   * pods that wait for it, the startup probe of a server that downloads its weights, the scale-down window
   * that covers a startup) are derived from each model's size at this rate.
   * @default 100
   */
  readonly downloadBandwidthMiBps?: number;
  /**
   * The storage model caches are filled on: its StorageClass and whether it is a shared filesystem
   * every node can mount at once (`ReadWriteMany`: NFS, EFS, Filestore, CephFS). Block storage (PD,
   * EBS, Azure Disk, RBD) attaches to one node at a time, so replicas on several nodes cannot share it.
   * @default { readWriteMany: false } on the cluster's default StorageClass
   */
  readonly modelCacheStorage?: ModelCacheStorage;
  /**
   * Versions of the add-ons the target clusters run (JobSet, LeaderWorkerSet, Gateway API Inference
   * Extension, KEDA): fields newer than a stated version are left out or refused (README: Add-on versions).
   * @default - the versions the library is tested with (`ADDON_VERSIONS`)
   */
  readonly addons?: AddonVersions;
  /**
   * The largest model a pod of an autoscaled workload may download itself at start (`model.uri`,
   * `model.huggingFace`): every pod a scale-up adds pulls it at the same moment, so larger models must come from
   * a `ModelCache` (filled once, mounted by every replica). Raise it when the model store serves such bursts.
   * @default '10Gi'
   */
  readonly maxPerPodDownload?: string;
  /**
   * The cluster admits jobs through Kueue: a multi-worker training job (its workers must all run at once) without
   * `queueName` is an error, since without all-or-nothing admission partial worker sets hold accelerators while
   * waiting for the rest.
   * @default false
   */
  readonly kueue?: boolean;
  /**
   * The node pools of the target clusters. When set, a pod that fits no pool it can be scheduled on
   * (node selector, tolerations vs taints, required affinity, requests as the scheduler sums them) fails synth,
   * and so do workload floors that do not fit the pools' nodes together (each pool counts `count` nodes).
   * @default - none (no node-shape check)
   */
  readonly nodePools?: NodePool[];
}

/** Options of {@link Platform.configure}. */
export interface PlatformConfigureOptions {
  /**
   * Conventions product teams may not override, neither below this scope nor through workload props
   * (`priorityClasses` ↔ `priorityClassName`, `defaultNamespace` ↔ `namespace`).
   * @default - everything may be overridden
   */
  readonly locked?: (keyof PlatformConventions)[];
}

/**
 * The conventions in force at a scope, every default filled in: what {@link Platform.of} returns and what every
 * construct applies. Each field is the {@link PlatformConventions} field of the same name.
 */
export interface ResolvedPlatform {
  /** Node label accelerator pods select (`<label>: "true"`). */
  readonly acceleratorNodeLabel: string;
  /** Node label an accelerator's `product` is matched against. */
  readonly acceleratorProductLabel: string;
  /** The taint accelerator pods tolerate (effect filled in). */
  readonly acceleratorTaint: Required<Omit<AcceleratorTaint, 'value'>> & {
    /** Taint value; undefined: pods tolerate any value (operator `Exists`). */
    readonly value?: string;
  };
  /** Registries images may come from; empty: any registry. */
  readonly allowedRegistries: string[];
  /** Images must be pinned by digest (`image@sha256:...`); a tag alone is an error. */
  readonly requireImageDigest: boolean;
  /** Label keys every workload must carry; a workload missing one fails synth. */
  readonly requiredLabels: string[];
  /** Labels put on every object, merged over every configured scope above (nearer scopes win per key). */
  readonly labels: Record<string, string>;
  /** Default PriorityClass per workload kind; a kind missing here gets none. */
  readonly priorityClasses: Partial<Record<WorkloadKind, string>>;
  /** Engine of training jobs that name none: `job` (any cluster) or `jobset` (needs the JobSet controller). */
  readonly trainingEngine: TrainingEngine;
  /** Names of the pull secrets every pod gets beside its own. */
  readonly imagePullSecrets: string[];
  /** The pull secret each private registry (host and path prefix) needs; the longest prefix wins. */
  readonly registryPullSecrets: Record<string, string>;
  /** Pull policy of every container; `Always` re-checks the pod's pull credentials at every start. */
  readonly imagePullPolicy: 'Always' | 'IfNotPresent';
  /** Monitoring defaults, every field filled in (`enabled: false` unless a scope turned it on). */
  readonly monitoring: Required<MonitoringDefaults>;
  /** Namespace of workloads whose chart and props name none; undefined: `default`. */
  readonly defaultNamespace?: string;
  /** User, group and fsGroup of pods that set no `runAs`; left out here: uid and gid 65532, fsGroup the gid. */
  readonly runAs: RunAsProps;
  /** Image and numeric identity of the containers that fetch and verify models. */
  readonly modelFetcher: Required<ModelFetcherDefaults>;
  /** Target Kubernetes version as given (validated by `targetVersion`). */
  readonly kubernetesVersion: string;
  /** Node pools every pod must fit; empty: the node-shape check is off. */
  readonly nodePools: NodePool[];
  /** Bandwidth from the model store to a pod, in MiB/s: every download budget is derived from it. */
  readonly downloadBandwidthMiBps: number;
  /** StorageClass of model caches, and whether every node can mount one at once (`ReadWriteMany`). */
  readonly modelCacheStorage: ModelCacheStorage;
  /** Add-on versions of the target clusters, every add-on filled in; newer fields are left out or refused. */
  readonly addons: Required<AddonVersions>;
  /** Largest model a pod of an autoscaled workload may download itself, as a quantity (e.g. `10Gi`). */
  readonly maxPerPodDownload: string;
  /** Jobs are admitted through Kueue: a multi-worker training job must name its `queueName`. */
  readonly kueue: boolean;
  /** The DNS servers every NetworkPolicy lets pods reach on port 53. */
  readonly dns: {
    /** The cluster DNS pods; `false` when pods resolve only through `cidrs`. */
    readonly pods: DnsPods | false;
    /** DNS server addresses beside (or instead of) the pods; empty: none. */
    readonly cidrs: string[];
  };
  /** Locked conventions and the scope that locked each. @internal */
  readonly locked: Partial<Record<keyof PlatformConventions, string>>;
}

/** A node taint. */
export interface NodeTaint {
  /** Taint key, e.g. `nvidia.com/gpu`. */
  readonly key: string;
  /** Taint value, compared by tolerations with operator `Equal`. @default - no value */
  readonly value?: string;
  /** What the taint does to pods that do not tolerate it. */
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** One node pool: how many nodes it has, what a single node of it can give pods (its allocatable), its labels and taints. */
export interface NodePool {
  /** Pool name, used in messages and CAPACITY.md; its nodes are named `<name>-1` ... `<name>-<count>`. */
  readonly name: string;
  /**
   * Nodes in the pool (for an autoscaled pool, its maximum). The floors of every workload that can only run on
   * the declared pools must fit them together (checked at synth; CAPACITY.md shows the headroom per pool).
   * @default 3 (one per zone)
   */
  readonly count?: number;
  /**
   * Zones the nodes are spread over, round-robin (`topology.kubernetes.io/zone`).
   * @default ['zone-a', 'zone-b', 'zone-c']
   */
  readonly zones?: string[];
  /** Pods one node runs at most (its kubelet's `maxPods`). @default 110 */
  readonly maxPods?: number;
  /** Allocatable CPU of one node (e.g. `'7910m'`). */
  readonly cpu: string;
  /** Allocatable memory of one node (e.g. `'28Gi'`). */
  readonly memory: string;
  /** Allocatable ephemeral storage of one node. @default - not checked */
  readonly ephemeralStorage?: string;
  /** Devices per node by extended resource name (e.g. `{ 'nvidia.com/gpu': 8 }`). @default - none */
  readonly accelerators?: Record<string, number>;
  /** Node labels. @default - none */
  readonly labels?: Record<string, string>;
  /** Node taints. @default - none */
  readonly taints?: NodeTaint[];
}
