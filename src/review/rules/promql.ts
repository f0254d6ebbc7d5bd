/**
 * A small PromQL reader for one question: does a query return a single series, or one per pod?
 * KEDA's Prometheus scaler needs a single value; a per-pod result makes it use the first series only.
 */

const AGGREGATIONS = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'quantile',
  'topk',
  'bottomk',
  'count_values',
  'limitk',
  'limit_ratio',
]);
const SCALAR_FUNCTIONS = new Set(['scalar', 'vector', 'time', 'absent', 'absent_over_time', 'pi']);
const PER_POD_LABELS = /\b(pod|pod_name|instance|container|kubernetes_pod_name|node)\b/;
const BINARY = /^(\+|-|\*|\/|%|\^|==|!=|>=|<=|>|<|and|or|unless)$/;

/** Splits `text` at depth-0 binary operators (string literals and brackets respected). */
function operands(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  const quote = '';
  let current = '';
  const tokens =
    text.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|==|!=|>=|<=|\b(?:and|or|unless)\b|[()[\]{}+\-*/%^<>]|[^()[\]{}+\-*/%^<>"'=!]+|./g) ??
    [];
  for (const token of tokens) {
    if (quote) {
      current += token;
      continue;
    }
    if ('([{'.includes(token)) depth++;
    if (')]}'.includes(token)) depth--;
    if (
      depth === 0 &&
      BINARY.test(token.trim()) &&
      current.trim() !== '' &&
      !/(?:\bby|\bwithout|\bon|\bignoring|group_left|group_right|offset)\s*$/.test(current)
    ) {
      parts.push(current);
      current = '';
      continue;
    }
    current += token;
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map((p) => p.trim());
}

function stripParens(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && matchingParen(t, 0) === t.length - 1) t = t.slice(1, -1).trim();
  return t;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Splits a function's argument list at depth-0 commas. */
function args(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of inner) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((a) => a.trim());
}

/**
 * Why a query may return one series per pod (or per instance), or `undefined` when every operand
 * is aggregated (without grouping by pod), a number or a scalar function.
 */
export function perPodReason(query: string, depth = 0): string | undefined {
  if (depth > 20) return undefined;
  for (const operand of operands(stripParens(query))) {
    const e = stripParens(operand);
    if (e === '' || /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(e) || /^"|^'/.test(e)) continue;
    const head = /^([a-zA-Z_:][\w:]*)\s*(?:(by|without)\s*\(([^)]*)\))?\s*\(/.exec(e);
    if (!head) return `'${e}' is not aggregated`;
    const name = head[1];
    const open = e.indexOf('(', head[0].length - 1);
    const close = matchingParen(e, open);
    const after = close >= 0 ? e.slice(close + 1).trim() : '';
    const trailing = /^(by|without)\s*\(([^)]*)\)/.exec(after);
    const grouping = head[2] ? { mode: head[2], labels: head[3] } : trailing ? { mode: trailing[1], labels: trailing[2] } : undefined;
    if (AGGREGATIONS.has(name)) {
      if (grouping?.mode === 'by' && PER_POD_LABELS.test(grouping.labels)) return `'${name}' groups by (${grouping.labels.trim()})`;
      if (grouping?.mode === 'without') return `'${name} without (...)' keeps the other labels`;
      continue;
    }
    if (SCALAR_FUNCTIONS.has(name)) continue;
    const inner = args(e.slice(open + 1, close));
    // histogram_quantile(φ, v) and label-preserving functions return what their vector argument does.
    const vector = name === 'histogram_quantile' ? (inner[1] ?? '') : (inner.find((a) => !/^[-+]?[\d.]+$/.test(a) && !/^"/.test(a)) ?? '');
    const inside = perPodReason(vector, depth + 1);
    if (inside) return inside;
  }
  return undefined;
}
