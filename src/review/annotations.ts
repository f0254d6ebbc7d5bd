/** Per-object review directives carried in annotations. */
import { field, isRecord } from './access';
import { KubeObject, RuleFinding, Severity, isSeverity } from './types';

/** `cdk8s-ml.io/review-disable: "ML003=reason text,ML007=other reason"`: silences rules on this object, with a mandatory reason. */
export const DISABLE_ANNOTATION = 'cdk8s-ml.io/review-disable';

/** `cdk8s-ml.io/review-severity: "ML003=warning"`: re-grades rules on this object. */
export const SEVERITY_ANNOTATION = 'cdk8s-ml.io/review-severity';

/** The directives of one object, plus problems found while reading them. */
export interface ObjectDirectives {
  /** Rule id → reason. */
  readonly suppressions: ReadonlyMap<string, string>;
  /** Rule id → severity. */
  readonly severities: ReadonlyMap<string, Severity>;
  /** Malformed entries, unknown rule ids, suppressions without a reason (these are not applied). */
  readonly problems: readonly RuleFinding[];
}

const ENTRY = /^([A-Za-z]+\d+)\s*(?:=([\s\S]*))?$/;
// Entries are comma-separated, but a reason may itself contain commas: split only before `ID=`/`ID,`/`ID<end>`.
const ENTRY_SEPARATOR = /,(?=\s*[A-Za-z]+\d+\s*(?:=|,|$))/;

/** Reads the review annotations of `obj`; `knownIds` are the ids that may be named. */
export function readDirectives(obj: KubeObject, knownIds: ReadonlySet<string>): ObjectDirectives {
  const suppressions = new Map<string, string>();
  const severities = new Map<string, Severity>();
  const problems: RuleFinding[] = [];
  const annotations = field(field(obj, 'metadata'), 'annotations');
  if (!isRecord(annotations)) return { suppressions, severities, problems };

  const entries = (annotation: string): { id: string; value: string | undefined; raw: string }[] => {
    const value = field(annotations, annotation);
    if (value === undefined) return [];
    if (typeof value !== 'string') {
      problems.push({
        path: `metadata.annotations[${JSON.stringify(annotation)}]`,
        message: `annotation ${annotation} is not a string; it is ignored`,
        fix: `write it as "ML003=<reason>,ML007=<reason>"`,
      });
      return [];
    }
    const parsed: { id: string; value: string | undefined; raw: string }[] = [];
    for (const raw of value
      .split(ENTRY_SEPARATOR)
      .map((e) => e.trim())
      .filter((e) => e !== '')) {
      const match = ENTRY.exec(raw);
      if (!match) {
        problems.push({
          path: `metadata.annotations[${JSON.stringify(annotation)}]`,
          message: `annotation ${annotation} has a malformed entry '${raw}'; it is ignored`,
          fix: 'write entries as RULE=value separated by commas, e.g. ML003=model loads in 5 s',
        });
        continue;
      }
      const id = match[1].toUpperCase();
      if (!knownIds.has(id)) {
        problems.push({
          path: `metadata.annotations[${JSON.stringify(annotation)}]`,
          message: `annotation ${annotation} names unknown rule ${match[1]}; the entry is ignored`,
          fix: 'use an id listed by `cdk8s-ml-review --help`',
        });
        continue;
      }
      parsed.push({ id, value: match[2]?.trim(), raw });
    }
    return parsed;
  };

  for (const entry of entries(DISABLE_ANNOTATION)) {
    if (!entry.value) {
      problems.push({
        path: `metadata.annotations[${JSON.stringify(DISABLE_ANNOTATION)}]`,
        message: `annotation ${DISABLE_ANNOTATION} disables ${entry.id} without a reason; the suppression is not applied`,
        fix: `write ${entry.id}=<why this is acceptable here>`,
      });
    } else {
      suppressions.set(entry.id, entry.value);
    }
  }
  for (const entry of entries(SEVERITY_ANNOTATION)) {
    if (isSeverity(entry.value)) {
      severities.set(entry.id, entry.value);
    } else {
      problems.push({
        path: `metadata.annotations[${JSON.stringify(SEVERITY_ANNOTATION)}]`,
        message: `annotation ${SEVERITY_ANNOTATION} gives ${entry.id} the invalid severity '${entry.value ?? ''}'; the entry is ignored`,
        fix: `write ${entry.id}=error, ${entry.id}=warning or ${entry.id}=info`,
      });
    }
  }
  return { suppressions, severities, problems };
}
