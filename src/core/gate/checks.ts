import { parseQuantity } from '../quantity';
import { portNumberProblem, wholeNumberProblem } from '../validation/numbers';
import {
  isCidr,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isLabelValue,
  isPathSegmentName,
  isPortName,
  isQualifiedName,
} from '../validation/strings';
import { GateContext, GateObject } from './gate';

/** A string grammar of the API server, with how to say it in a message. */
export interface Grammar {
  readonly test: (value: string) => boolean;
  /** What a valid value is, e.g. `a DNS-1123 subdomain`. */
  readonly what: string;
  readonly fix: string;
}

export const DNS_LABEL: Grammar = {
  test: isDns1123Label,
  what: 'a DNS-1123 label',
  fix: "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
};
export const DNS_1035_LABEL: Grammar = {
  test: isDns1035Label,
  what: 'a DNS-1035 label',
  fix: "use at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
};
export const DNS_SUBDOMAIN: Grammar = {
  test: isDns1123Subdomain,
  what: 'a DNS-1123 subdomain',
  fix: "use at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit",
};
export const PATH_SEGMENT: Grammar = {
  test: isPathSegmentName,
  what: "a name without '/' or '%'",
  fix: "remove '/' and '%' from the name",
};
export const QUALIFIED_NAME: Grammar = {
  test: isQualifiedName,
  what: "a qualified name ('[prefix/]name')",
  fix: "use '[prefix/]name': prefix a DNS subdomain (≤ 253), name ≤ 63 alphanumerics, '-', '_' or '.' with alphanumeric ends",
};
export const LABEL_VALUE: Grammar = {
  test: isLabelValue,
  what: 'a label value',
  fix: "use at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (or empty)",
};
export const ENV_NAME: Grammar = {
  test: isEnvVarName,
  what: 'an environment variable name',
  fix: "use letters, digits, '_', '-' and '.', not starting with a digit",
};
export const PORT_NAME: Grammar = {
  test: isPortName,
  what: 'a port name (IANA_SVC_NAME)',
  fix: "use at most 15 lowercase letters, digits and single '-', with at least one letter (e.g. 'http', 'metrics')",
};
export const CONFIG_KEY: Grammar = {
  test: isConfigMapKey,
  what: 'a ConfigMap or Secret key',
  fix: "use letters, digits, '-', '_' and '.' (at most 253)",
};
export const CIDR: Grammar = {
  test: isCidr,
  what: 'an IPv4 or IPv6 CIDR',
  fix: "write an address and prefix length, e.g. '10.0.0.0/8' or 'fd00::/8' (IPv4 parts 0-255, prefix ≤ 32; IPv6 prefix ≤ 128)",
};

/** Reports `value` unless it is a string of `grammar` (`what` names the field, e.g. `a Secret name`). */
export function checkGrammar(ctx: GateContext, o: GateObject, path: string, value: unknown, grammar: Grammar, what?: string): boolean {
  const ok = typeof value === 'string' && grammar.test(value);
  if (!ok) ctx.report(o, path, value, `is not ${grammar.what}${what ? `, which ${what} must be` : ''}`, grammar.fix);
  return ok;
}

/**
 * Reports a reference that no object can satisfy: a name outside the grammar the referenced kind's
 * names follow (the API server may store the reference, but the pod then waits for an object that
 * cannot exist).
 */
export function checkReference(ctx: GateContext, o: GateObject, path: string, value: unknown, kind: string, grammar: Grammar): void {
  if (typeof value === 'string' && grammar.test(value)) return;
  ctx.report(
    o,
    path,
    value,
    `can never name a ${kind}: ${kind} names must be ${grammar.what}`,
    `${grammar.fix}, as the ${kind}'s own name does`,
  );
}

/** Reports every invalid key and value of a label map (labels, node selectors, `matchLabels`). */
export function checkLabels(ctx: GateContext, o: GateObject, path: string, labels: unknown): void {
  if (labels === undefined || labels === null) return;
  if (typeof labels !== 'object') {
    ctx.report(o, path, labels, 'is not a map of labels', 'give a map of label keys to values');
    return;
  }
  for (const [k, v] of Object.entries(labels as object)) {
    if (!qualifiedKey(k)) ctx.report(o, `${path}['${k}']`, k, `is not a valid label key (${QUALIFIED_NAME.what})`, QUALIFIED_NAME.fix);
    if (typeof v !== 'string' || !labelValue(v)) ctx.report(o, `${path}['${k}']`, v, 'is not a valid label value', LABEL_VALUE.fix);
  }
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Reports an invalid label selector (`matchLabels`, `matchExpressions`), as `ValidateLabelSelector` does. */
export function checkSelector(ctx: GateContext, o: GateObject, path: string, selector: any): void {
  if (selector === undefined || selector === null) return;
  checkLabels(ctx, o, `${path}.matchLabels`, selector.matchLabels);
  (selector.matchExpressions ?? []).forEach((e: any, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!isQualifiedName(e?.key))
      ctx.report(o, `${p}.key`, e?.key, `is not a valid label key (${QUALIFIED_NAME.what})`, QUALIFIED_NAME.fix);
    const values: unknown[] = e?.values ?? [];
    if (!SELECTOR_OPERATORS.includes(e?.operator)) {
      ctx.report(o, `${p}.operator`, e?.operator, 'is not a selector operator', `use one of ${SELECTOR_OPERATORS.join(', ')}`);
    } else if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      ctx.report(o, `${p}.values`, values, `is empty, which operator ${e.operator} forbids`, "list at least one value, or use 'Exists'");
    } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      ctx.report(o, `${p}.values`, values, `is set with operator ${e.operator}`, 'drop the values, or use In / NotIn');
    }
    values.forEach((v, j) => {
      if (typeof v !== 'string' || !isLabelValue(v)) ctx.report(o, `${p}.values[${j}]`, v, 'is not a valid label value', LABEL_VALUE.fix);
    });
  });
}

/** Reports a quantity the API server cannot parse, a negative one, or a byte amount in milli-units. */
export function checkQuantity(ctx: GateContext, o: GateObject, path: string, value: unknown, bytes: boolean): number | undefined {
  const n = parseQuantity(value);
  if (value === undefined || value === null) {
    ctx.report(
      o,
      path,
      value,
      'is empty: a plain string set through an escape hatch or JSON patch is dropped by the generated Kubernetes types',
      "pass the quantity as k8s.Quantity.fromString('500m') (or set it through the construct's props)",
    );
    return undefined;
  }
  if (n === undefined) {
    ctx.report(o, path, value, 'is not a Kubernetes quantity', "write a number with an optional suffix, e.g. '500m', '2', '4Gi'");
    return undefined;
  }
  if (n < 0) ctx.report(o, path, value, 'is negative', 'use 0 or more');
  else if (bytes && typeof value === 'string' && /[0-9.](m|u|n)$/.test(value))
    ctx.report(
      o,
      path,
      value,
      `ends in '${value.slice(-1)}', a milli/micro/nano suffix: that is ${Number(n.toPrecision(3))} bytes`,
      "write bytes with a binary suffix such as '1Gi' (Mi, Gi), never 'm'",
    );
  return n;
}

/** Reports a value that is not a port number, with the right reason (a fraction is not "out of range"). */
export function checkPortNumber(ctx: GateContext, o: GateObject, path: string, value: unknown): boolean {
  const problem = portNumberProblem(value);
  if (problem) ctx.report(o, path, value, problem, 'use a whole port number from 1 to 65535');
  return problem === undefined;
}

/** Reports an int-or-string port that is neither a port number nor a port name. */
export function checkPortOrName(ctx: GateContext, o: GateObject, path: string, value: unknown): void {
  if (typeof value === 'string') checkGrammar(ctx, o, path, value, PORT_NAME);
  else checkPortNumber(ctx, o, path, value);
}

/** The largest value of the API's 32-bit integer fields (replicas, counts, ids): a larger one overflows when decoded. */
export const INT32_MAX = 2147483647;

/** Reports a count that is not a whole number from `min` to `max` (by default the 32-bit maximum the API decodes). */
export function checkCount(
  ctx: GateContext,
  o: GateObject,
  path: string,
  value: unknown,
  min: number,
  max = INT32_MAX,
  fix?: string,
): boolean {
  if (value === undefined) return true;
  const problem = wholeNumberProblem(value, min, max);
  if (problem)
    ctx.report(
      o,
      path,
      value,
      problem === `is above ${INT32_MAX}`
        ? `is above ${INT32_MAX}, the largest value of a 32-bit API field (it overflows when decoded)`
        : problem,
      fix ?? `use a whole number${max === INT32_MAX && !problem.startsWith('is above') ? ` of ${min} or more` : ` from ${min} to ${max}`}`,
    );
  return problem === undefined;
}

/** Reports a ConfigMap/Secret key that is not one. */
export function checkKey(ctx: GateContext, o: GateObject, path: string, value: unknown): void {
  checkGrammar(ctx, o, path, value, CONFIG_KEY);
}

const keys = new Map<string, boolean>();

/** `isQualifiedName` for label keys, remembered (a few keys recur on every object). */
function qualifiedKey(k: string): boolean {
  let ok = keys.get(k);
  if (ok === undefined) {
    ok = isQualifiedName(k);
    if (keys.size > 5000) keys.clear();
    keys.set(k, ok);
  }
  return ok;
}

const values = new Map<string, boolean>();

/** `isLabelValue`, remembered (an object's labels recur on every object of its workload). */
function labelValue(v: string): boolean {
  let ok = values.get(v);
  if (ok === undefined) {
    ok = isLabelValue(v);
    if (values.size > 20000) values.clear();
    values.set(v, ok);
  }
  return ok;
}
