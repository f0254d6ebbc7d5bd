/** Public types of the review engine. */
import { PlatformAssumptions, ReviewPlatform } from './platform';

/** How bad a finding is: `error` fails the review (CLI exit code 1), `warning` and `info` do not. */
export type Severity = 'error' | 'warning' | 'info';

/** All severities, worst first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Whether `value` is one of the {@link SEVERITIES}. */
export function isSeverity(value: unknown): value is Severity {
  return value === 'error' || value === 'warning' || value === 'info';
}

/**
 * A Kubernetes object as parsed from YAML/JSON: only `apiVersion` and `kind` are known to be
 * strings; everything else is unverified input and must be read through the accessors in `access.ts`.
 */
export interface KubeObject {
  /** The object's `apiVersion`, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** The object's `kind`, e.g. `Deployment`. */
  readonly kind: string;
  /** Every other field as parsed (`metadata`, `spec`, ...): rules read them defensively. */
  readonly [field: string]: unknown;
}

/** One parsed document, optionally with the file it came from (used for the `file` of its findings). */
export interface ManifestDocument {
  /** The parsed value; anything (non-objects are reported, not reviewed). */
  readonly object: unknown;
  /** Source file, as given to the loader. */
  readonly file?: string;
  /** 1-based position of the document in its file (defaults to its position in the input). */
  readonly index?: number;
  /** 1-based line where the document's content starts, when known. */
  readonly line?: number;
  /** 1-based column where the document's content starts, when known. */
  readonly column?: number;
}

/** What a rule reports: the engine adds the rule id, severity and the object's identity. */
export interface RuleFinding {
  /** What is wrong, with the actual values; the engine prefixes it with `Kind 'namespace/name': `. */
  readonly message: string;
  /** How to fix it, concretely. */
  readonly fix: string;
  /**
   * JSON path of the offending field inside the object (`spec.template.spec.containers[0].readinessProbe`);
   * for a missing field, where it belongs. The finding's line and column are those of the field, or of
   * its deepest ancestor written in the source. Every built-in rule sets it; without it a finding
   * points at the object.
   */
  readonly path?: string;
  /** Severity of this finding when it differs from the rule's default severity. */
  readonly severity?: Severity;
}

/** A review rule: a pure check over one object, with read access to the whole set through `ctx`. */
export interface Rule {
  /** Stable identifier, e.g. `ML003`; used in suppression annotations and options. */
  readonly id: string;
  /** One-line summary. */
  readonly title: string;
  /** Default severity (a finding may carry its own, see {@link RuleFinding.severity}). */
  readonly severity: Severity;
  /** Built-in kinds the rule applies to, or `['*']` for every object. */
  readonly kinds: readonly string[];
  /**
   * For `kinds: ['*']` rules, the kinds the rule actually examines (documentation: rule page and `--help`).
   * @default - every kind
   */
  readonly appliesTo?: readonly string[];
  /**
   * Pod-template roles the rule applies to, wherever the template lives (built-in or custom kinds).
   * @default - only the templates of `kinds`
   */
  readonly roles?: readonly WorkloadRole[];
  /**
   * Severity per pod-template role where it differs from {@link Rule.severity} (documented on the rule page and in `--help`).
   * @default - `severity` for every role
   */
  readonly roleSeverity?: Readonly<Partial<Record<WorkloadRole, Severity>>>;
  /** Other cases with their own severity (documented on the rule page and in `--help`). @default - none */
  readonly conditions?: readonly SeverityCondition[];
  /** Documentation: why the rule exists, a bad and a good example, and the fix. @default - no rule page */
  readonly docs?: RuleDocs;
  /** The reference document, section or table row the rule traces to. */
  readonly reference: string;
  /** Checks one object. Must not throw; return an empty array when the object is fine. */
  check(obj: KubeObject, ctx: ReviewContext): readonly RuleFinding[];
}

/**
 * What the pods of a template do, which decides the standards they are held to: `serving` (long-running
 * behind traffic: Deployment, StatefulSet, LeaderWorkerSet, RayService, InferenceService),
 * `long-running` (ReplicaSet, RayCluster), `daemon`, `pod` (a bare Pod), `batch` (Job, CronJob,
 * RayJob submitter), `training` (distributed runs to completion: Kubeflow jobs, JobSet, RayJob
 * clusters) or `generic` (an unknown kind reviewed by shape: only kind-independent rules apply).
 */
export type WorkloadRole = 'serving' | 'long-running' | 'daemon' | 'pod' | 'batch' | 'training' | 'generic';

/** Every role, for rules that apply to all pod templates. */
export const ALL_ROLES: readonly WorkloadRole[] = ['serving', 'long-running', 'daemon', 'pod', 'batch', 'training', 'generic'];

/** A case in which a rule reports another severity than its kind's. */
export interface SeverityCondition {
  /** The severity in that case. */
  readonly severity: Severity;
  /** The case, completing "when ..." (`the container only declares a port`). */
  readonly when: string;
}

/** What the rule documentation pages and `--help` show for a rule. */
export interface RuleDocs {
  /** Why the rule exists: what goes wrong in the cluster. */
  readonly rationale: string;
  /** How to fix a finding, in general terms. */
  readonly fix: string;
  /** A manifest (YAML) that the rule flags. */
  readonly bad: string;
  /** The same manifest, fixed: the rule does not flag it. */
  readonly good: string;
}

/** Labels of a pod template and where the template sits in its workload. */
export interface PodTemplateInfo {
  /** The pod spec (`spec` of a Pod, `spec.template.spec` of a Deployment, ...). */
  readonly podSpec: Readonly<Record<string, unknown>>;
  /** Labels the pods will carry. */
  readonly podLabels: ReadonlyMap<string, string>;
  /** Annotations of the pod template, when it has any. */
  readonly podAnnotations?: ReadonlyMap<string, string>;
  /** Kind of the object holding the template. */
  readonly workloadKind: string;
  /** Dotted path of `podSpec` inside the object, for messages (`spec.template.spec`). */
  readonly path: string;
  /** What the pods do. */
  readonly role: WorkloadRole;
  /** Name of the template inside its object (`Worker`, `head`, `predictor`), for multi-template kinds. */
  readonly name?: string;
  /** Pods this template runs at its lowest, when the manifest says. */
  readonly replicas?: number;
  /** Found by shape in an unknown kind. */
  readonly generic?: boolean;
  /** Path of the embedded object of a known kind holding this template (a Katib trial's Job at `spec.trialTemplate.trialSpec`). */
  readonly embeddedIn?: string;
  /** The containers' image and probes come from a runtime object (a KServe ServingRuntime), not this template. */
  readonly containersFromRuntime?: boolean;
  /** The controller adds health probes itself (KubeRay injects them into Ray pods). */
  readonly probesFromController?: boolean;
  /** The kind routes inference traffic to these pods (a LeaderWorkerSet leader, a KServe predictor). */
  readonly servesTraffic?: boolean;
  /** The controller fills default resource requests and limits (KServe's inferenceservice-config). */
  readonly resourcesDefaulted?: boolean;
  /**
   * Where the containers of a pod spec assembled by the reviewer are written in the object, as
   * prefix rewrites of container paths (`containers[0]` → `model` for a KServe model spec, whose
   * container fields sit in `spec.predictor.model`); longest prefix first.
   */
  readonly containerPaths?: readonly (readonly [string, string])[];
  /**
   * Only part of the pod template is here; the rest comes from this object (a TrainJob's
   * TrainingRuntime). Rules skip partial templates unless they opt in.
   */
  readonly partialFrom?: string;
}

/** Kinds whose objects carry a pod template. */
export type PodOwnerKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';

/** Read access to the whole reviewed set, for cross-object rules. */
export interface ReviewContext {
  /** Every reviewable object of the set, in input order. */
  readonly objects: readonly KubeObject[];
  /** Effective namespace of a namespaced object (`default` when unset); `''` for cluster-scoped kinds. */
  namespaceOf(obj: KubeObject): string;
  /** The object of `kind` named `name` in `namespace` (`''` for cluster-scoped kinds), if the set has one. */
  find(kind: string, namespace: string, name: string): KubeObject | undefined;
  /** Built-in objects of `kind` in `namespace`, in input order. */
  ofKind(kind: string, namespace?: string): readonly KubeObject[];
  /** Objects carrying a pod template, optionally only those of one namespace, in input order. */
  workloads(namespace?: string): readonly KubeObject[];
  /**
   * Workloads of `namespace` whose pods carry every label of `labels` (none for an empty map), in
   * input order; answered from an index, so matching selectors stays linear in the set's size.
   */
  workloadsWithLabels(namespace: string, labels: ReadonlyMap<string, string>): readonly KubeObject[];
  /** The first pod template of a workload (cached), or `undefined` for other objects. */
  podTemplate(obj: KubeObject): PodTemplateInfo | undefined;
  /** Every pod template of a workload (a PyTorchJob's Master and Worker, a RayCluster's groups, ...). */
  podTemplates(obj: KubeObject): readonly PodTemplateInfo[];
  /** The platform assumptions of the review, with defaults applied. */
  readonly platform: ReviewPlatform;
  /** HorizontalPodAutoscalers, KEDA ScaledObjects and HTTPScaledObjects of the set whose `scaleTargetRef` names `obj`. */
  autoscalersOf(obj: KubeObject): readonly KubeObject[];
}

/** One finding of a review. */
export interface Finding {
  /** The rule that found it (`ML001`, ...; `ML000` for input problems: parse errors, unknown kinds, duplicates). */
  readonly ruleId: string;
  /** `error` fails the review (CLI exit code, `reviewOnSynth`, the plugin); `warning` and `info` do not by default. */
  readonly severity: Severity;
  /** Kind of the object (`''` for findings about a file or document rather than an object). */
  readonly kind: string;
  /** `metadata.name` of the object (`''` when not applicable). */
  readonly name: string;
  /** `metadata.namespace` as written (`''` when unset). */
  readonly namespace: string;
  /** File the object came from, when known. */
  readonly file?: string;
  /**
   * JSON path of the offending field inside the object (see {@link RuleFinding.path}); absent for
   * findings about a file or a document rather than a field.
   */
  readonly path?: string;
  /** 1-based line of the field (or, without a path, of the object) in `file`, when known. */
  readonly line?: number;
  /** 1-based column of the field (or, without a path, of the object) in `file`, when known. */
  readonly column?: number;
  /** What is wrong and why it fails in a cluster. */
  readonly message: string;
  /** What to change, naming the field. */
  readonly fix: string;
}

/** A finding silenced by a `cdk8s-ml.io/review-disable` annotation, kept for audit. */
export interface SuppressedFinding extends Finding {
  /** The reason given in the annotation. */
  readonly reason: string;
}

/** Finding counts of a report. */
export interface ReviewCounts {
  /** Findings of severity `error`. */
  readonly error: number;
  /** Findings of severity `warning`. */
  readonly warning: number;
  /** Findings of severity `info`. */
  readonly info: number;
  /** `error + warning + info`. */
  readonly total: number;
  /** Findings silenced by annotations (not included in `total`). */
  readonly suppressed: number;
  /** Objects reviewed (after `List` expansion). */
  readonly objects: number;
}

/** Result of {@link review}. */
export interface ReviewReport {
  /** Findings, sorted by file, namespace, kind, name, severity, rule id and message. */
  readonly findings: readonly Finding[];
  /** Findings silenced by annotations, sorted the same way. */
  readonly suppressed: readonly SuppressedFinding[];
  /** Findings per severity, suppressed findings and objects reviewed. */
  readonly counts: ReviewCounts;
}

/** Options of {@link review}. */
export interface ReviewOptions {
  /** Rule ids not to run at all. @default - none */
  readonly disabled?: readonly string[];
  /**
   * Severity re-grades by rule id; a per-object `cdk8s-ml.io/review-severity` annotation takes precedence.
   * @default - each rule's own severity
   */
  readonly severityOverrides?: Readonly<Record<string, Severity>>;
  /** Rule set to run instead of the default rules. @default - the built-in rules */
  readonly rules?: readonly Rule[];
  /**
   * What the reviewer assumes about the target cluster.
   * @default - GKE accelerator selectors auto-tolerated, no admission plugin, any registry
   */
  readonly platform?: PlatformAssumptions;
}
