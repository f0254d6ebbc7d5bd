/** The review engine: runs the rules over a set of objects and applies suppressions and re-grades. */
import { field, isRecord } from './access';
import { DISABLE_ANNOTATION, readDirectives } from './annotations';
import { createContext } from './context';
import { effectiveNamespaceOf, groupOf, isBuiltin, isKnownKind, isKubeObject, nameOf, rawNamespaceOf, subjectOf } from './kube';
import { hasTemplateRegistry } from './templates';
import { defaultRules } from './rules';
import { parsePath } from './paths';
import { fieldPositionOf, sourcePositionOf } from './yaml';
import {
  Finding,
  KubeObject,
  ManifestDocument,
  ReviewContext,
  ReviewCounts,
  ReviewOptions,
  ReviewReport,
  Rule,
  RuleFinding,
  SEVERITIES,
  Severity,
  SuppressedFinding,
  isSeverity,
} from './types';

/** Rule id of input problems: unparsable files, documents that are not objects, unknown kinds, duplicates. */
export const INPUT_RULE_ID = 'ML000';
/** Rule id of problems with the review annotations themselves (not suppressible by annotation). */
export const ANNOTATION_RULE_ID = 'ML090';
/** Rule id reported when a rule throws (a bug in the rule; the review goes on). */
export const INTERNAL_RULE_ID = 'ML099';

/** Ids the engine itself reports, with their titles. */
export const ENGINE_RULES: ReadonlyMap<string, string> = new Map([
  [INPUT_RULE_ID, 'Input problem (parse error, not an object, unknown kind, duplicate)'],
  [ANNOTATION_RULE_ID, 'Invalid or unused review annotation'],
  [INTERNAL_RULE_ID, 'Rule failed on an object (internal error)'],
]);

const MAX_LIST_DEPTH = 8;

/** An object to review with its origin. */
interface Entry {
  readonly obj: KubeObject;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * Reviews plain Kubernetes objects (parsed YAML/JSON). Never throws for odd input: values that are
 * not Kubernetes objects are reported as `ML000` findings. `List` kinds are expanded.
 * Throws only for invalid `options` (unknown rule ids, invalid severities).
 */
export function review(objects: readonly unknown[], options: ReviewOptions = {}): ReviewReport {
  const list: readonly unknown[] = Array.isArray(objects) ? objects : [objects];
  return reviewDocuments(
    list.map((object) => ({ object })),
    options,
  );
}

/**
 * Reviews parsed documents carrying their source file; `inputFindings` (e.g. parse errors found by
 * the loader) are merged into the report, subject to the same options.
 */
export function reviewDocuments(
  documents: readonly ManifestDocument[],
  options: ReviewOptions = {},
  inputFindings: readonly Finding[] = [],
): ReviewReport {
  const rules = options.rules ?? defaultRules;
  const knownIds = new Set([...rules.map((r) => r.id), ...ENGINE_RULES.keys()]);
  validateOptions(options, knownIds);
  const disabled = new Set(options.disabled ?? []);
  const globalSeverity = (id: string, severity: Severity): Severity => options.severityOverrides?.[id] ?? severity;

  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const report = (f: Finding): void => {
    if (!disabled.has(f.ruleId)) findings.push({ ...f, severity: globalSeverity(f.ruleId, f.severity) });
  };
  for (const f of inputFindings) report(f);

  const entries: Entry[] = [];
  documents.forEach((doc, i) => expand(doc.object, doc.file, doc.index ?? i + 1, 0, entries, report, doc));
  const ctx = createContext(
    entries.map((e) => e.obj),
    options.platform,
  );
  reportInputProblems(entries, ctx, report);
  const annotationIds = new Set(rules.map((r) => r.id));
  const activeRules = rules.filter((r) => !disabled.has(r.id));
  for (const entry of entries) {
    const { obj } = entry;
    const identity = identityOf(entry);
    const directives = readDirectives(obj, annotationIds);
    const used = new Set<string>();
    const applicable = new Set<string>();
    for (const rule of activeRules) {
      if (!applies(rule, obj, ctx)) continue;
      applicable.add(rule.id);
      let results: readonly RuleFinding[];
      try {
        results = rule.check(obj, ctx);
      } catch (error) {
        report({
          ...identity,
          ruleId: INTERNAL_RULE_ID,
          severity: 'warning',
          message: `${subjectOf(obj)}: rule ${rule.id} failed: ${errorText(error)}`,
          fix: 'report this as a bug in the review engine',
        });
        continue;
      }
      for (const r of results) {
        const base = r.severity ?? rule.severity;
        const severity = directives.severities.get(rule.id) ?? globalSeverity(rule.id, base);
        const finding: Finding = {
          ...identity,
          ...fieldOf(entry, r.path),
          ruleId: rule.id,
          severity,
          message: `${subjectOf(obj)}: ${r.message}`,
          fix: r.fix,
        };
        const reason = directives.suppressions.get(rule.id);
        if (reason !== undefined) {
          used.add(rule.id);
          suppressed.push({ ...finding, reason });
        } else {
          findings.push(finding);
        }
      }
    }
    for (const p of directives.problems) {
      report({
        ...identity,
        ...fieldOf(entry, p.path),
        ruleId: ANNOTATION_RULE_ID,
        severity: p.severity ?? 'warning',
        message: `${subjectOf(obj)}: ${p.message}`,
        fix: p.fix,
      });
    }
    for (const id of directives.suppressions.keys()) {
      if (used.has(id) || !applicable.has(id)) continue;
      report({
        ...identity,
        ...fieldOf(entry, `metadata.annotations[${JSON.stringify(DISABLE_ANNOTATION)}]`),
        ruleId: ANNOTATION_RULE_ID,
        severity: 'info',
        message: `${subjectOf(obj)}: suppression of ${id} matches no finding on this object`,
        fix: `remove ${id} from the review-disable annotation if the problem was fixed`,
      });
    }
  }

  findings.sort(compareFindings);
  suppressed.sort(compareFindings);
  return { findings, suppressed, counts: countFindings(findings, suppressed.length, entries.length) };
}

/**
 * Whether `rule` applies to `obj`: built-in kinds only match when served by their usual API group;
 * rules with `roles` apply to every object carrying a pod template of one of those roles.
 */
function applies(rule: Rule, obj: KubeObject, ctx: ReviewContext): boolean {
  if (rule.kinds.includes('*') || (rule.kinds.includes(obj.kind) && isBuiltin(obj))) return true;
  const roles = rule.roles;
  return roles !== undefined && ctx.podTemplates(obj).some((t) => roles.includes(t.role));
}

/** Flattens a document into reviewable objects, reporting what is not one. */
function expand(
  value: unknown,
  file: string | undefined,
  index: number,
  depth: number,
  out: Entry[],
  report: (f: Finding) => void,
  source?: ManifestDocument,
): void {
  const position = sourcePositionOf(value) ?? (source?.line !== undefined ? { line: source.line, column: source.column ?? 1 } : undefined);
  const where = { kind: '', name: '', namespace: '', ...(file !== undefined ? { file } : {}), ...position };
  const doc = depth === 0 ? `document ${index}` : `item ${index} of a List`;
  if (value === null || value === undefined) return; // empty YAML documents (`---` with only comments)
  if (!isRecord(value)) {
    report({
      ...where,
      ruleId: INPUT_RULE_ID,
      severity: 'warning',
      message: `${doc} is ${describeValue(value)}, not a Kubernetes object; it is not reviewed`,
      fix: 'write each document as a mapping with apiVersion, kind, metadata and spec',
    });
    return;
  }
  if (!isKubeObject(value)) {
    report({
      ...where,
      ruleId: INPUT_RULE_ID,
      severity: 'warning',
      message: `${doc} has no apiVersion/kind strings; it is not a Kubernetes object and is not reviewed`,
      fix: 'add apiVersion and kind, or remove the document',
    });
    return;
  }
  const items = field(value, 'items');
  if (value.kind.endsWith('List') && Array.isArray(items)) {
    if (depth >= MAX_LIST_DEPTH) {
      report({
        ...where,
        kind: value.kind,
        ruleId: INPUT_RULE_ID,
        severity: 'warning',
        message: `${doc} nests Lists deeper than ${MAX_LIST_DEPTH} levels; the inner ones are not reviewed`,
        fix: 'flatten the List',
      });
      return;
    }
    items.forEach((item, i) => expand(item, file, i + 1, depth + 1, out, report));
    return;
  }
  out.push({ obj: value, ...(file !== undefined ? { file } : {}), ...position });
}

/** The identity fields of findings about an entry: kind, name, namespace, file, line and column. */
function identityOf({ obj, file, line, column }: Entry): Pick<Finding, 'kind' | 'name' | 'namespace' | 'file' | 'line' | 'column'> {
  return {
    kind: obj.kind,
    name: nameOf(obj),
    namespace: rawNamespaceOf(obj),
    ...(file !== undefined ? { file } : {}),
    ...(line !== undefined ? { line, column: column ?? 1 } : {}),
  };
}

/** The path of a field of an entry's object with the field's line and column (the object's when the source has no positions). */
function fieldOf(entry: Entry, path: string | undefined): Pick<Finding, 'path' | 'line' | 'column'> {
  if (path === undefined) return {};
  const position = fieldPositionOf(entry.obj, parsePath(path));
  return { path, ...(position ? { line: position.line, column: position.column } : {}) };
}

/** Reports unknown kinds and duplicate objects. */
function reportInputProblems(entries: readonly Entry[], ctx: ReviewContext, report: (f: Finding) => void): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    const { obj } = entry;
    const identity = identityOf(entry);
    const templates = ctx.podTemplates(obj);
    if (!isKnownKind(obj)) {
      const generic = templates.filter((t) => t.generic).map((t) => t.path);
      const embedded = [...new Set(templates.filter((t) => t.embeddedIn).map((t) => `${t.embeddedIn} as a ${t.workloadKind}`))];
      const how = [
        ...(generic.length > 0
          ? [
              `its pod template${generic.length > 1 ? 's' : ''} at ${generic.join(', ')} ${generic.length > 1 ? 'are' : 'is'} reviewed by shape (kind-independent rules only: resources, images, security, accelerators, shared memory, processes per GPU)`,
            ]
          : []),
        ...(embedded.length > 0
          ? [
              `its embedded object${embedded.length > 1 ? 's' : ''} at ${embedded.join(', ')} ${embedded.length > 1 ? 'are' : 'is'} reviewed by kind`,
            ]
          : []),
      ];
      report({
        ...identity,
        ...fieldOf(entry, 'kind'),
        ruleId: INPUT_RULE_ID,
        severity: 'info',
        message: `${subjectOf(obj)}: kind ${obj.kind} of ${obj.apiVersion} is not known to the reviewer; ${
          how.length > 0
            ? how.join('; ')
            : 'no pod template was found in it (nothing shaped like metadata + spec.containers, at any depth), so none of the containers it creates were reviewed'
        }`,
        fix: `nothing to fix if this is an intended custom resource; review the pods it creates where they are rendered (disable ${INPUT_RULE_ID} to hide these notes)`,
      });
    } else if (hasTemplateRegistry(obj) && templates.length === 0) {
      report({
        ...identity,
        ...fieldOf(entry, 'spec'),
        ruleId: INPUT_RULE_ID,
        severity: 'info',
        message: `${subjectOf(obj)}: no pod template was found where a ${obj.kind} keeps them, so none of its containers were reviewed`,
        fix: `check the ${obj.kind}'s spec (a missing or misspelt template key is rejected or ignored by its controller)`,
      });
    }
    const key = JSON.stringify([groupOf(obj.apiVersion), obj.kind, effectiveNamespaceOf(obj), nameOf(obj)]);
    if (nameOf(obj) !== '' && seen.has(key)) {
      report({
        ...identity,
        ...fieldOf(entry, 'metadata.name'),
        ruleId: INPUT_RULE_ID,
        severity: 'warning',
        message: `${subjectOf(obj)}: defined more than once in the reviewed set; the last definition applied wins`,
        fix: 'keep a single definition',
      });
    }
    seen.add(key);
  }
}

/** Throws for unknown rule ids and invalid severities in `options`. */
function validateOptions(options: ReviewOptions, knownIds: ReadonlySet<string>): void {
  for (const id of options.disabled ?? []) {
    if (!knownIds.has(id)) throw new RangeError(`review: unknown rule id '${id}' in options.disabled`);
  }
  for (const [id, severity] of Object.entries(options.severityOverrides ?? {})) {
    if (!knownIds.has(id)) throw new RangeError(`review: unknown rule id '${id}' in options.severityOverrides`);
    if (!isSeverity(severity))
      throw new RangeError(`review: invalid severity for ${id} in options.severityOverrides (expected ${SEVERITIES.join('|')})`);
  }
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic order: file, namespace, kind, name, severity (worst first), rule id, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file ?? '', b.file ?? '') ||
    compareText(a.namespace, b.namespace) ||
    compareText(a.kind, b.kind) ||
    compareText(a.name, b.name) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.message, b.message)
  );
}

function countFindings(findings: readonly Finding[], suppressed: number, objects: number): ReviewCounts {
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  return { error: count('error'), warning: count('warning'), info: count('info'), total: findings.length, suppressed, objects };
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
}
