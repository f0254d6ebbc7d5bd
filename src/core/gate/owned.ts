import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/*
 * Contract variables: environment the library wires itself and its own code depends on (the fetcher
 * writes where MODEL_DIR says, every shard reads its index, every run writes under RUN_ID). A user
 * value for one of them silently breaks that wiring, so the gate rejects it, naming who owns it.
 */

/** Who owns a contract variable and what breaks when a user replaces it. */
export interface EnvContract {
  /** The prop (or mechanism) that sets it, e.g. `model` or `shards`. */
  readonly owner: string;
  /** What it carries, e.g. `the directory the model fetcher writes to and the server reads`. */
  readonly carries: string;
}

/** The contract variables the library wires, by name (one table, for every construct). */
export const ENV_CONTRACTS: Record<string, EnvContract> = {
  MODEL_NAME: { owner: 'model.name', carries: 'the model name the server reports' },
  MODEL_VERSION: { owner: 'model.version', carries: 'the model version the pods are labelled with' },
  MODEL_DIR: { owner: 'model', carries: 'the directory the model fetcher writes to and the server reads' },
  MODEL_FILE: { owner: 'model', carries: 'the file below MODEL_DIR the fetcher verified' },
  MODEL_URI: { owner: 'model.uri', carries: 'where the fetcher downloads the model from' },
  MODEL_DIGEST: { owner: 'model.sha256', carries: 'the digest the model is verified against' },
  JOB_NAME: { owner: 'the Job', carries: "the Job's own name" },
  RUN_ID: { owner: 'the Job', carries: "this run's unique id (the Job's uid), the prefix every run writes under" },
  SHARD_COUNT: { owner: 'shards', carries: 'the number of shards every shard divides the input by' },
  JOB_COMPLETION_INDEX: { owner: 'shards / workers (Indexed completion)', carries: "this pod's index, which the Job controller injects" },
  NODE_RANK: { owner: 'workers', carries: "this worker's rank" },
  MASTER_ADDR: { owner: 'workers', carries: 'the address of the rendezvous on worker 0' },
  MASTER_PORT: { owner: 'masterPort', carries: 'the rendezvous port' },
  WORLD_SIZE: { owner: 'workers', carries: 'the number of workers' },
  CHECKPOINT_DIR: { owner: 'checkpoint', carries: 'the mounted checkpoint directory' },
  CHECKPOINT_INTERVAL_SECONDS: { owner: 'checkpoint.interval', carries: 'how often the job saves' },
  JOBSET_RESTART_ATTEMPT: { owner: "engine: 'jobset'", carries: 'the group restart attempt' },
  HF_HOME: { owner: 'runtime', carries: 'where the runtime keeps its Hugging Face files' },
  HF_HUB_CACHE: { owner: 'runtime / model.cache', carries: 'the Hugging Face cache the model was written to' },
  HF_HUB_OFFLINE: { owner: 'runtime / model.cache', carries: 'that the runtime reads the cache instead of the Hub' },
  HF_TOKEN: { owner: 'runtime hfToken', carries: 'the Hub token from its Secret' },
  HOME: { owner: 'the library (a writable HOME for a read-only root filesystem)', carries: 'a writable home directory' },
};

/** Controller-injected variables: the controller only sets them when the pod does not, so a user value wins. */
export const CONTROLLER_ENV: Record<string, { readonly controller: string; readonly carries: string }> = {
  JOB_COMPLETION_INDEX: { controller: 'the Job controller (Indexed completion)', carries: "each pod's own index" },
  LWS_LEADER_ADDRESS: { controller: 'the LeaderWorkerSet webhook', carries: "the group leader's address" },
  LWS_GROUP_SIZE: { controller: 'the LeaderWorkerSet webhook', carries: 'the size of the group' },
  LWS_WORKER_INDEX: { controller: 'the LeaderWorkerSet webhook', carries: "the pod's index in its group" },
};

/** The env entries the library wrote for one container of one workload, by name (their rendered JSON). */
const owned = new WeakMap<IConstruct, Map<string, Map<string, Set<string>>>>();

/** Records the env entries `owner`'s construct wired into its container `container` (`{ name, value | valueFrom }`). */
export function ownEnv(owner: IConstruct, container: string, entries: readonly Record<string, unknown>[]): void {
  const byContainer = owned.get(owner) ?? new Map<string, Map<string, Set<string>>>();
  owned.set(owner, byContainer);
  const names = byContainer.get(container) ?? new Map<string, Set<string>>();
  byContainer.set(container, names);
  for (const e of entries) {
    const sources = names.get(String(e.name)) ?? new Set<string>();
    sources.add(envSource(e)); // pod templates of one owner (e.g. leader and worker) may wire different values
    names.set(String(e.name), sources);
  }
}

/** The sources the library wired for each variable of container `container` of an object below `object`'s owner. */
export function ownedEnvOf(object: IConstruct, container: string): ReadonlyMap<string, ReadonlySet<string>> | undefined {
  for (let s: IConstruct | undefined = object; s; s = s.node.scope) {
    const names = owned.get(s)?.get(container);
    if (names) return names;
  }
  return undefined;
}

/** An env entry's source (`value` or `valueFrom`) as canonical JSON, to compare what was rendered with what was wired. */
export function envSource(entry: Record<string, unknown>): string {
  if (typeof entry.value === 'string' && entry.valueFrom === undefined) return `=${entry.value}`; // the common case, cheaply
  return canonical({ value: entry.value, valueFrom: entry.valueFrom });
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const entries = Object.entries(v as object)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
}

/** The props that own the ports a construct wires, by container and port name. */
const ownedPorts = new WeakMap<IConstruct, Map<string, Map<string, string>>>();

/** Records that port `name` of container `container` of `owner` comes from prop `field` (e.g. `masterPort`). */
export function ownPorts(owner: IConstruct, container: string, ports: readonly { readonly name: string; readonly field?: string }[]): void {
  const byContainer = ownedPorts.get(owner) ?? new Map<string, Map<string, string>>();
  ownedPorts.set(owner, byContainer);
  const names = byContainer.get(container) ?? new Map<string, string>();
  byContainer.set(container, names);
  for (const p of ports) if (p.field) names.set(p.name, p.field);
}

/** The prop that owns port `name` of container `container` of an object below `object`'s owner, if recorded. */
export function portOwner(object: IConstruct, container: string, name: string): string | undefined {
  for (let s: IConstruct | undefined = object; s; s = s.node.scope) {
    const field = ownedPorts.get(s)?.get(container)?.get(name);
    if (field) return field;
  }
  return undefined;
}

/*
 * The pods a construct owns: which rendered objects hold which of its pod templates (the pod contract rule
 * compares them), the Namespaces the app renders, and the workloads whose pods the contract covers.
 */

/** What the library owns in the pods a template renders (`PodTemplate` is one). */
export interface OwnedPod {
  /** The main container as the library renders it. */
  readonly container: Record<string, unknown>;
  /** Native sidecars and init containers as the library renders them. */
  readonly initContainers: readonly Record<string, unknown>[];
  /** Pod-level fields the library sets. */
  readonly spec: Record<string, unknown>;
  /** Environment variable names of the main container the construct sets itself. */
  readonly ownedEnv: ReadonlySet<string>;
  /** Names of the construct's helper init containers: wholly the library's. */
  readonly helperContainers: ReadonlySet<string>;
  /** Whether the pod mounts a service-account token. */
  readonly automountServiceAccountToken: boolean;
}

/** A pod template an object renders, found at `spec(json)`. */
interface Binding {
  readonly spec: (json: any) => any;
  readonly template: OwnedPod;
}

const bindings = new WeakMap<ApiObject, Binding[]>();
const namespaces = new WeakMap<IConstruct, { readonly owner: IConstruct; readonly object: ApiObject }[]>();
const workloads = new WeakSet<IConstruct>();

/** Records that `object` renders `template`'s pod at `spec(json)`. */
export function bindPodTemplate(object: ApiObject, spec: (json: any) => any, template: OwnedPod): void {
  bindings.set(object, [...(bindings.get(object) ?? []), { spec, template }]);
}

/** Records a Namespace object the app renders (its Pod Security labels are read at synth). */
export function registerNamespace(owner: IConstruct, object: ApiObject): void {
  const root = owner.node.root;
  namespaces.set(root, [...(namespaces.get(root) ?? []), { owner, object }]);
}

/** Puts every pod `workload` renders (hatch edits included) under the contract, checked by the gate at synth. */
export function checkRenderedPods(workload: IConstruct): void {
  workloads.add(workload);
}

/** The pod templates `object` renders that a construct owns. */
export function ownedPodsOf(object: IConstruct): readonly Binding[] {
  return bindings.get(object as ApiObject) ?? [];
}

/** The Namespace objects the app of `root` renders through a construct (MlNamespace), with who renders each. */
export function renderedNamespaces(root: IConstruct): readonly { readonly owner: IConstruct; readonly object: ApiObject }[] {
  return namespaces.get(root) ?? [];
}

/** The nearest enclosing workload of `c` whose pods the contract covers, if any. */
export function podContractWorkload(c: IConstruct): IConstruct | undefined {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) if (workloads.has(s)) return s;
  return undefined;
}
