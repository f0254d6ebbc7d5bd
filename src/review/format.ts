/** Human and machine output of a review report. */
import { Finding, ReviewReport } from './types';

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Wrap width of the MESSAGE column, in characters. @default 70 */
  readonly messageWidth?: number;
  /** Wrap width of the FIX column, in characters. @default 60 */
  readonly fixWidth?: number;
}

/** Greedy word wrap; words longer than `width` are split when `split` (else they overflow). */
function wrap(text: string, width: number, split: boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    let rest = word;
    while (split && rest.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** The message without its `Kind 'ns/name': ` prefix (the table shows the object in its own column). */
function shortMessage(f: Finding): string {
  const prefix = `${subjectText(f.kind, f.namespace, f.name)}: `;
  return f.kind !== '' && f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message;
}

/** `file:line:column` (editors and CI logs link it), or the file alone when the position is unknown. */
function fileColumn(f: Finding): string {
  if (f.file === undefined) return '-';
  return f.line !== undefined ? `${f.file}:${f.line}:${f.column ?? 1}` : f.file;
}

function objectColumn(f: Finding): string {
  if (f.kind === '') return '-';
  return `${f.kind}/${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One-line summary: `2 errors, 1 warning, 3 info in 5 objects (1 suppressed)`. */
export function formatSummary(report: ReviewReport): string {
  const { error, warning, info, suppressed, objects } = report.counts;
  const tail = `${plural(objects, 'object')}${suppressed ? ` (${suppressed} suppressed)` : ''}`;
  if (report.counts.total === 0) return `No findings in ${tail}.`;
  return `${plural(error, 'error')}, ${plural(warning, 'warning')}, ${info} info in ${tail}.`;
}

/**
 * Renders a report as a text table (FILE, OBJECT, RULE, SEVERITY, MESSAGE, FIX; long messages and
 * fixes wrap within their column) followed by a summary line.
 */
export function formatTable(report: ReviewReport, options: TableOptions = {}): string {
  const messageWidth = Math.max(20, options.messageWidth ?? 70);
  const fixWidth = Math.max(20, options.fixWidth ?? 60);
  if (report.findings.length === 0) return `${formatSummary(report)}\n`;
  const header = ['FILE', 'OBJECT', 'RULE', 'SEVERITY', 'MESSAGE', 'FIX'];
  const rows = report.findings.map((f) => ({
    cells: [fileColumn(f), objectColumn(f), f.ruleId, f.severity],
    message: wrap(shortMessage(f), messageWidth, true),
    fix: wrap(f.fix, fixWidth, false), // last column: long words may overflow
  }));
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (cells: readonly string[], message: string, fix: string): string =>
    [...cells.map((c, i) => c.padEnd(widths[i])), message.padEnd(messageWidth), fix].join('  ').trimEnd();
  const out = [line(header.slice(0, 4), header[4], header[5])];
  const separate = rows.some((r) => r.message.length > 1 || r.fix.length > 1);
  for (const row of rows) {
    const height = Math.max(row.message.length, row.fix.length);
    if (separate && out.length > 1) out.push('');
    for (let i = 0; i < height; i++) {
      out.push(line(i === 0 ? row.cells : row.cells.map(() => ''), row.message[i] ?? '', row.fix[i] ?? ''));
    }
  }
  return `${out.join('\n')}\n\n${formatSummary(report)}\n`;
}

/** Renders a report as pretty-printed JSON (`findings`, `suppressed`, `counts`). */
export function formatJson(report: ReviewReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** How a finding names its object: `Kind 'namespace/name'` (`subjectOf` in kube.ts reads the parts from an object). */
export function subjectText(kind: string, namespace: string, name: string): string {
  return `${kind} '${namespace ? `${namespace}/` : ''}${name}'`;
}
