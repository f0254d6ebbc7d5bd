import { DNS_1035_LABEL, DNS_LABEL, DNS_SUBDOMAIN, Grammar, PATH_SEGMENT, QUALIFIED_NAME, checkGrammar, checkLabels } from '../checks';
import { GateContext, GateObject } from '../gate';

/** Annotations of one object may total at most this many bytes (keys and values, `TotalAnnotationSizeLimitB`). */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

const RBAC_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

/** The grammar of `metadata.name` per kind (k8s.io/kubernetes pkg/apis/core/validation and the group validators). */
function nameGrammar(o: GateObject): Grammar {
  if (o.group === '' && o.kind === 'Namespace') return DNS_LABEL;
  if (o.group === '' && o.kind === 'Service') return DNS_1035_LABEL;
  if (o.group === 'rbac.authorization.k8s.io' && RBAC_KINDS.has(o.kind)) return PATH_SEGMENT;
  return DNS_SUBDOMAIN;
}

/**
 * `metadata` of every object: the name by its kind's rule (Services DNS-1035, Namespaces DNS-1123
 * labels, most others DNS-1123 subdomains; a CronJob's at most 52 characters, as its Jobs add a suffix),
 * the namespace, label keys and values, annotation keys and the annotations' total size.
 */
export function metadataRule(ctx: GateContext, o: GateObject): void {
  {
    const m = o.json?.metadata ?? {};
    const grammar = nameGrammar(o);
    if (checkGrammar(ctx, o, 'metadata.name', m.name, grammar, `a ${o.kind} name`)) {
      if (o.kind === 'CronJob' && o.group === 'batch' && m.name.length > 52)
        ctx.report(
          o,
          'metadata.name',
          m.name,
          'is longer than 52 characters, so the Jobs the CronJob creates (name + 11) could not be named',
          'use at most 52 characters',
        );
      if (o.kind === 'Job' && o.group === 'batch' && m.name.length > 63)
        ctx.report(
          o,
          'metadata.name',
          m.name,
          "is longer than 63 characters, so it cannot be the 'job-name' label of the Job's pods",
          'use at most 63 characters',
        );
    }
    if (m.namespace !== undefined) checkGrammar(ctx, o, 'metadata.namespace', m.namespace, DNS_LABEL, 'a namespace');
    checkLabels(ctx, o, 'metadata.labels', m.labels);
    checkAnnotations(ctx, o, 'metadata.annotations', m.annotations);
  }
}

/** Annotation keys (qualified names) and the total size of one annotation map. */
export function checkAnnotations(ctx: GateContext, o: GateObject, path: string, annotations: unknown): void {
  if (annotations === undefined || annotations === null || typeof annotations !== 'object') return;
  let size = 0;
  let largest: [string, unknown] = ['', ''];
  for (const [k, v] of Object.entries(annotations as object)) {
    if (String(v).length > String(largest[1]).length) largest = [k, v];
    if (!annotationKey(k))
      ctx.report(o, `${path}['${k}']`, k, `is not a valid annotation key (${QUALIFIED_NAME.what})`, QUALIFIED_NAME.fix);
    if (typeof v !== 'string') ctx.report(o, `${path}['${k}']`, v, 'is not a string', 'annotation values are strings: quote it');
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > ANNOTATIONS_SIZE_LIMIT)
    ctx.report(
      o,
      `${path}['${largest[0]}']`,
      largest[1],
      `makes the annotations ${size} bytes, over the API server's limit of ${ANNOTATIONS_SIZE_LIMIT} bytes (256 KiB) for one object`,
      'shorten it, or keep large values in a ConfigMap and annotate a reference to it',
    );
}

const annotationKeys = new Map<string, boolean>();

/** Whether `k` is an annotation key (a qualified name, any case), remembered: the same keys recur on every object. */
function annotationKey(k: string): boolean {
  let ok = annotationKeys.get(k);
  if (ok === undefined) {
    ok = QUALIFIED_NAME.test(k.toLowerCase());
    if (annotationKeys.size > 5000) annotationKeys.clear();
    annotationKeys.set(k, ok);
  }
  return ok;
}
