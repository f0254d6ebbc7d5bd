import { IConstruct } from 'constructs';
import { check } from './errors';
import { ResolvedPlatform } from './platform-conventions';
import { isLabelValue, isQualifiedName } from './validation/strings';

/** A node taint a pod accepts. */
export interface Toleration {
  /** Taint key. @default - every key (only with operator `Exists`) */
  readonly key?: string;
  /**
   * `Exists` tolerates any value of the key, `Equal` only `value`.
   * @default 'Equal' when `value` is set, else 'Exists'
   */
  readonly operator?: 'Exists' | 'Equal';
  /** Taint value (only with `Equal`). @default - none */
  readonly value?: string;
  /** The taint effect tolerated. @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/**
 * Validates user tolerations and returns them as Kubernetes tolerations. A toleration that matches
 * the platform's accelerator taint is an error on a pod without an accelerator: it lets CPU work
 * land on (and block) the most expensive nodes.
 */
export function tolerationList(
  scope: IConstruct,
  field: string,
  tolerations: Toleration[],
  platform: ResolvedPlatform,
  hasAccelerator: boolean,
): Record<string, string>[] {
  return tolerations.map((t, i) => {
    const f = `${field}[${i}]`;
    const operator = t.operator ?? (t.value !== undefined ? 'Equal' : 'Exists');
    check(!(operator === 'Exists' && t.value !== undefined), scope, {
      field: `${f}.value`,
      value: t.value,
      problem: "is set with operator 'Exists'",
      fix: "drop the value, or use operator 'Equal'",
    });
    check(!!t.key || operator === 'Exists', scope, {
      field: `${f}.key`,
      value: t.key,
      problem: "is empty with operator 'Equal'",
      fix: `set ${f}.key, e.g. 'dedicated'`,
    });
    check(!t.key || isQualifiedName(t.key), scope, {
      field: `${f}.key`,
      value: t.key,
      problem: 'is not a valid taint key',
      fix: "use '[prefix/]name' like a label key, e.g. 'nvidia.com/gpu'",
    });
    check(t.value === undefined || isLabelValue(t.value), scope, {
      field: `${f}.value`,
      value: t.value,
      problem: 'is not a valid taint value',
      fix: "use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    });
    const taint = platform.acceleratorTaint;
    const matchesAcceleratorTaint = (!t.key || t.key === taint.key) && (t.effect === undefined || t.effect === taint.effect);
    check(hasAccelerator || !matchesAcceleratorTaint, scope, {
      field: `${f}.key`,
      value: t.key ?? '(every key)',
      problem: `tolerates the accelerator taint '${taint.key}' but the pod requests no accelerator`,
      fix: 'remove the toleration (CPU work on accelerator nodes blocks them for accelerator work), or request an accelerator',
    });
    return Object.fromEntries(
      Object.entries({ key: t.key, operator, value: t.value, effect: t.effect }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
  });
}
