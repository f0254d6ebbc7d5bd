/**
 * JSON paths of fields inside a manifest object, as findings report them:
 * `spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]`. Keys that are not plain
 * identifiers are quoted in brackets; list indexes are bare numbers in brackets.
 */

/** One step of a path: a map key or a list index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `a.b[0]["x.y"]` from its segments. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * The segments of a path written by {@link formatPath} (or by hand in the same form). Text that is
 * not a path (a description such as `spec.replicatedJobs[].template`) yields the segments read up
 * to the first step that does not parse.
 */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const close = path[i + 1] === '"' ? closingQuote(path, i + 1) : path.indexOf(']', i);
      if (close < 0) break;
      if (path[i + 1] === '"') {
        try {
          segments.push(JSON.parse(path.slice(i + 1, close + 1)) as string);
        } catch {
          break;
        }
        i = close + 2; // past `"]`
        continue;
      }
      const index = path.slice(i + 1, close);
      if (!/^\d+$/.test(index)) break;
      segments.push(Number(index));
      i = close + 1;
      continue;
    }
    const match = /^[^.[\s]+/.exec(path.slice(i));
    if (!match) break;
    segments.push(match[0]);
    i += match[0].length;
  }
  return segments;
}

/** Index of the quote closing the JSON string starting at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return text[i + 1] === ']' ? i : -1;
  }
  return -1;
}

/** `base` extended by `rest` (either may be empty). */
export function joinPath(base: string, rest: string | undefined): string {
  if (!rest) return base;
  if (!base) return rest;
  return rest.startsWith('[') ? `${base}${rest}` : `${base}.${rest}`;
}
