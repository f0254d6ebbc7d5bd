import { IConstruct } from 'constructs';
import { check, invalidProp } from './errors';
import { Platform } from './platform';
import { isDns1035Label, isDns1123Label, isLabelValue as isValidLabelValue, isQualifiedName } from './validation/strings';

/** The label keys of the Kubernetes recommended labels. */
export const LabelKeys = {
  /** The workload's name; part of every selector. */
  NAME: 'app.kubernetes.io/name',
  /** The workload's name again (one instance per workload); part of every selector. */
  INSTANCE: 'app.kubernetes.io/instance',
  /** The model version a pod serves (`model.version`); on pods only, never in a selector, so a new version rolls. */
  VERSION: 'app.kubernetes.io/version',
  /** The kind of workload, e.g. `batch-scoring` or `model-cache`. */
  COMPONENT: 'app.kubernetes.io/component',
  /** The application the workload belongs to (`partOf`). */
  PART_OF: 'app.kubernetes.io/part-of',
  /** Always `cdk8s-ml`: what wrote the object. */
  MANAGED_BY: 'app.kubernetes.io/managed-by',
  /** Release track of a serving Deployment: `stable` or `canary`. */
  TRACK: 'cdk8s-ml.io/track',
} as const;

/** True when `value` is a valid label value (≤ 63 characters, alphanumerics with `-_.` inside). */
export function isLabelValue(value: string): boolean {
  return isValidLabelValue(value);
}

/** Throws unless `name` is a DNS-1123 label (lowercase alphanumerics and '-', at most `max` characters). */
export function requireDnsLabel(scope: IConstruct, field: string, name: string, max = 63): void {
  check(typeof name === 'string' && name.length <= max && isDns1123Label(name), scope, {
    field,
    value: name,
    problem: name?.length > max ? `is longer than ${max} characters` : 'is not a DNS-1123 label',
    fix: `use at most ${max} lowercase letters, digits and '-', starting and ending with a letter or digit`,
  });
}

/**
 * Throws unless `name` is a DNS-1035 label, which Services need (a DNS-1123 label that starts with a
 * letter): `kind` says which object needs it.
 */
export function requireDns1035Label(scope: IConstruct, field: string, name: string, kind: string): void {
  requireDnsLabel(scope, field, name);
  check(isDns1035Label(name), scope, {
    field,
    value: name,
    problem: `does not start with a letter, which a ${kind} name must (DNS-1035)`,
    fix: `start the name with a lowercase letter (e.g. 'm-${name}')`,
  });
}

/** Throws unless every key and value of `labels` is valid. */
export function requireLabels(scope: IConstruct, field: string, labels: Record<string, string>): void {
  for (const [k, v] of Object.entries(labels)) {
    check(isQualifiedName(k), scope, {
      field: `${field} key`,
      value: k,
      problem: 'is not a valid label key',
      fix: "use '[prefix/]name': prefix a DNS subdomain (≤ 253), name ≤ 63 alphanumerics, '-', '_' or '.'",
    });
    check(typeof v === 'string' && isLabelValue(v), scope, {
      field: `${field}['${k}']`,
      value: v,
      problem: 'is not a valid label value',
      fix: "use at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
    });
  }
}

/** Who a workload is, for its labels. */
export interface WorkloadIdentityProps {
  /** The workload name (also the name of every object it creates). */
  readonly name: string;
  /** The role: `inference`, `batch-scoring`, `training`, `queue-worker`. */
  readonly component: string;
  /** The larger application this is part of. @default - none */
  readonly partOf?: string;
  /** Version shown on the pod template only (never in selectors). @default - none */
  readonly version?: string;
  /** Extra labels for every object of the workload. @default - none */
  readonly labels?: Record<string, string>;
}

/** The labels of one workload: selectors use only the stable identity; the version lives on the pod template. */
export class WorkloadLabels {
  /** Stable identity: what Services, PDBs, spread constraints and policies select on. */
  public readonly selector: Record<string, string>;
  /** Labels on every object the workload creates. */
  public readonly common: Record<string, string>;
  /** Labels on the pod template: common labels plus the version. */
  public readonly pod: Record<string, string>;

  /**
   * The labels of workload `props.name`; throws `MlValidationError` when a label is invalid or one the platform
   * requires is missing.
   */
  constructor(scope: IConstruct, props: WorkloadIdentityProps) {
    const platform = Platform.of(scope);
    this.selector = { [LabelKeys.NAME]: props.name, [LabelKeys.INSTANCE]: props.name };
    this.common = {
      ...platform.labels,
      ...props.labels,
      ...this.selector,
      [LabelKeys.COMPONENT]: props.component,
      ...(props.partOf ? { [LabelKeys.PART_OF]: props.partOf } : {}),
      [LabelKeys.MANAGED_BY]: 'cdk8s-ml',
    };
    requireLabels(scope, 'labels', this.common);
    for (const key of platform.requiredLabels) {
      if (!(key in this.common)) {
        invalidProp(scope, {
          field: `labels['${key}']`,
          value: undefined,
          problem: 'is required by the platform',
          fix: `add labels: { '${key}': '...' } (platform required labels: ${platform.requiredLabels.join(', ')})`,
        });
      }
    }
    this.pod = this.withVersion(this.common, props.version);
  }

  /** Selector of one release track's Deployment: the identity plus the track. */
  public trackSelector(track: string): Record<string, string> {
    return { ...this.selector, [LabelKeys.TRACK]: track };
  }

  /** Pod labels of one release track: common labels, the track and that track's version. */
  public trackPod(track: string, version?: string): Record<string, string> {
    return { ...this.withVersion(this.common, version), [LabelKeys.TRACK]: track };
  }

  private withVersion(labels: Record<string, string>, version?: string): Record<string, string> {
    return version !== undefined && isLabelValue(version) ? { ...labels, [LabelKeys.VERSION]: version } : { ...labels };
  }
}
