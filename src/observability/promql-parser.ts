/*
 * A PromQL reader for the gate: parses an expression (Prometheus 3 grammar) and works out its type, so
 * a query that Prometheus or KEDA would refuse fails synth with the reason (a syntax error, `rate()` of
 * an instant vector, an unknown function, a comparison of scalars without `bool`, `{}` alone). It keeps
 * what the gate's other rules need: the vector selectors and their label matchers. Tests compare its
 * verdict on syntax with the Prometheus project's own grammar (@prometheus-io/lezer-promql).
 */

/** The type of a PromQL expression. */
export type PromType = 'scalar' | 'vector' | 'matrix' | 'string';

/** One label matcher of a selector. */
export interface PromMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** A vector selector: `metric{label="value"}` (the metric name is also the `__name__` matcher). */
export interface PromSelector {
  readonly metric?: string;
  readonly matchers: readonly PromMatcher[];
}

/** A selector as parsed from blanked text: values are indexes into the expression's string literals. */
interface SelectorTemplate {
  readonly metric?: string | number;
  readonly matchers: readonly { readonly label: string | number; readonly op: PromMatcher['op']; readonly value: number }[];
  readonly at: number;
}

/** A parsed expression, or why it does not parse. */
export type PromParse =
  | {
      readonly ok: true;
      readonly type: PromType;
      /** The vector selectors, with their values (built when first read). */
      readonly selectors: readonly PromSelector[];
      /** Every label name a selector matches on (unquoted ones), and every metric name: to skip what a rule does not need. */
      readonly names: ReadonlySet<string>;
      /** The selectors with one of `metrics` or a matcher on `label` (the others are not built). */
      selectorsReading(metrics: ReadonlySet<string>, label: string): PromSelector[];
    }
  | { readonly ok: false; readonly error: string; readonly at: number };

type A = 's' | 'v' | 'm' | 'str';
/** Argument types (`?` suffix: optional, `*` suffix: repeated) and result type of every function. */
const FUNCTIONS: Record<string, { readonly args: string[]; readonly returns: A }> = {};
const fn = (names: string, args: string[], returns: A = 'v') => names.split(' ').forEach((n) => (FUNCTIONS[n] = { args, returns }));
fn(
  'abs ceil exp floor ln log2 log10 sgn sqrt sort sort_desc timestamp histogram_avg histogram_count histogram_sum histogram_stddev histogram_stdvar deg rad',
  ['v'],
);
fn('acos acosh asin asinh atan atanh cos cosh sin sinh tan tanh absent', ['v']);
fn('day_of_month day_of_week day_of_year days_in_month hour minute month year', ['v?']);
fn('rate irate increase delta idelta deriv changes resets absent_over_time present_over_time', ['m']);
fn(
  'avg_over_time min_over_time max_over_time sum_over_time count_over_time stddev_over_time stdvar_over_time last_over_time mad_over_time first_over_time ts_of_max_over_time ts_of_min_over_time ts_of_last_over_time',
  ['m'],
);
fn('quantile_over_time', ['s', 'm']);
fn('predict_linear', ['m', 's']);
fn('double_exponential_smoothing', ['m', 's', 's']);
fn('histogram_quantile', ['s', 'v']);
fn('histogram_fraction', ['s', 's', 'v']);
fn('clamp', ['v', 's', 's']);
fn('clamp_max clamp_min', ['v', 's']);
fn('round', ['v', 's?']);
fn('label_replace', ['v', 'str', 'str', 'str', 'str']);
fn('label_join', ['v', 'str', 'str', 'str*']);
fn('sort_by_label sort_by_label_desc', ['v', 'str*']);
fn('info', ['v', 'v?']);
fn('scalar', ['v'], 's');
fn('time pi', [], 's');
fn('vector', ['s'], 'v');

/** Functions Prometheus 3 removed, with their replacement. */
const REMOVED: Record<string, string> = { holt_winters: 'double_exponential_smoothing' };

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const AGGREGATION_PARAM: Record<string, A> = { count_values: 'str', bottomk: 's', topk: 's', quantile: 's', limitk: 's', limit_ratio: 's' };
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);
const COMPARISONS = new Set(['==', '!=', '<=', '<', '>=', '>']);
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};

interface Token {
  readonly kind: 'ident' | 'number' | 'duration' | 'string' | 'op' | 'eof';
  readonly text: string;
  readonly at: number;
  /** A string literal's position among the expression's literals. */
  readonly index?: number;
}

class PromError extends Error {
  constructor(
    message: string,
    public readonly at: number,
  ) {
    super(message);
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };

/**
 * Where the string literals of `text` are (start and end of each literal's content) and a key of the
 * shape (the number of literals and of characters outside them): the parser reads one blanked copy
 * per shape (each literal written `"<index>"`), found again by the key and compared piece by piece,
 * without building strings.
 */
interface Scan {
  readonly hash: number;
  /** Start and end (exclusive) of each literal's content, and its quote character code. */
  readonly literals: number[];
}

function scan(text: string): Scan {
  if (text.indexOf("'") < 0 && text.indexOf('`') < 0 && text.indexOf('#') < 0 && text.indexOf('\\') < 0) return scanDoubleQuoted(text);
  const literals: number[] = [];
  let outside = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 35) {
      // a comment runs to the end of the line, quotes included
      while (i < n && text.charCodeAt(i) !== 10) {
        i++;
        outside++;
      }
      continue;
    }
    if (c !== 34 && c !== 39 && c !== 96) {
      outside++;
      i++;
      continue;
    }
    let j = i + 1;
    for (;;) {
      if (j >= n) throw new PromError('unterminated string', i);
      const d = text.charCodeAt(j);
      if (d === c) break;
      if (d === 10 && c !== 96) throw new PromError('unterminated string', i);
      if (d !== 92 || c === 96) {
        j++;
        continue;
      }
      // a backslash escape: checked here, decoded when the value is read
      const e = text[j + 1];
      if (e !== undefined && ESCAPES[e] !== undefined) j += 2;
      else {
        const m = /^\\([0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(text.slice(j, j + 10));
        if (!m) throw new PromError(`invalid escape '\\${e ?? ''}' in a string`, j);
        j += m[0].length;
      }
    }
    literals.push(i + 1, j, c);
    i = j + 1;
  }
  return { hash: literals.length * 1000003 + outside, literals };
}

/** The usual case (how the library writes queries): double quotes only, no escapes, no comments. */
function scanDoubleQuoted(text: string): Scan {
  const literals: number[] = [];
  let outside = text.length;
  let i = text.indexOf('"');
  while (i >= 0) {
    const j = text.indexOf('"', i + 1);
    const newline = text.indexOf('\n', i + 1);
    if (j < 0 || (newline >= 0 && newline < j)) throw new PromError('unterminated string', i);
    literals.push(i + 1, j, 34);
    outside -= j - i + 1;
    i = text.indexOf('"', j + 1);
  }
  return { hash: literals.length * 1000003 + outside, literals };
}

/** The decoded value of literal `k` of a scan. */
function literalValue(text: string, s: Scan, k: number): string {
  const start = s.literals[3 * k];
  const end = s.literals[3 * k + 1];
  const raw = text.slice(start, end);
  if (s.literals[3 * k + 2] === 96 || !raw.includes('\\')) return raw;
  let value = '';
  for (let j = 0; j < raw.length;) {
    if (raw[j] !== '\\') {
      value += raw[j++];
      continue;
    }
    const e = raw[j + 1];
    if (e !== undefined && ESCAPES[e] !== undefined) {
      value += ESCAPES[e];
      j += 2;
      continue;
    }
    const m = /^\\([0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(raw.slice(j, j + 10));
    if (!m) throw new PromError(`invalid escape '\\${e ?? ''}' in a string`, start + j);
    value += String.fromCodePoint(parseInt(m[1].replace(/^[xuU]/, ''), /^[0-7]/.test(m[1]) ? 8 : 16));
    j += m[0].length;
  }
  return value;
}

/** The text between the literals of a scan (one more piece than literals). */
function piecesOf(text: string, s: Scan): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (let k = 0; k < s.literals.length; k += 3) {
    pieces.push(text.slice(from, s.literals[k] - 1));
    from = s.literals[k + 1] + 1;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** Whether `text` (scanned as `s`) has exactly the pieces of a cached shape. */
function samePieces(text: string, s: Scan, pieces: readonly string[]): boolean {
  if (pieces.length !== s.literals.length / 3 + 1) return false;
  let from = 0;
  for (let k = 0; k < pieces.length; k++) {
    const to = k < pieces.length - 1 ? s.literals[3 * k] - 1 : text.length;
    if (to - from !== pieces[k].length || !text.startsWith(pieces[k], from)) return false;
    from = k < pieces.length - 1 ? s.literals[3 * k + 1] + 1 : from;
  }
  return true;
}

const DURATION = /^(\d+(ms|[smhdwy]))+/;
const NUMBER = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/;
const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '=~',
  '!~',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '=',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '@',
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const rest = text.slice(i);
    if (c === '"') {
      const j = text.indexOf('"', i + 1); // the input's literals are blanked: "<index>"
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), at: i, index: Number(text.slice(i + 1, j)) });
      i = j + 1;
      continue;
    }
    const d = DURATION.exec(rest);
    if (d && !/^[a-zA-Z0-9_]/.test(rest.slice(d[0].length))) {
      tokens.push({ kind: 'duration', text: d[0], at: i });
      i += d[0].length;
      continue;
    }
    const n = NUMBER.exec(rest);
    if (n && !/^[a-zA-Z_:]/.test(rest.slice(n[0].length))) {
      tokens.push({ kind: 'number', text: n[0], at: i });
      i += n[0].length;
      continue;
    }
    const last = tokens[tokens.length - 1];
    const id = c === ':' && (last?.kind === 'duration' || last?.kind === 'number' || last?.text === '[') ? null : IDENT.exec(rest); // ':' of a subquery
    if (id) {
      tokens.push({ kind: 'ident', text: id[0], at: i });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new PromError(`unexpected character '${c}'`, i);
    tokens.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', at: text.length });
  return tokens;
}

/** Why a label-matcher regular expression would not compile in Prometheus (RE2), or undefined. */
export function regexProblem(pattern: string): string | undefined {
  if (/\(\?[=!<]/.test(pattern)) return 'uses a lookaround, which RE2 (Prometheus) does not support';
  if (/\\[1-9]/.test(pattern)) return 'uses a back-reference, which RE2 (Prometheus) does not support';
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
    return undefined;
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
}

const TYPE_NAMES: Record<PromType, string> = { scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string' };
const ARG_TYPES: Record<string, PromType> = { s: 'scalar', v: 'vector', m: 'matrix', str: 'string' };

class Parser {
  private i = 0;
  public readonly selectors: SelectorTemplate[] = [];

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private is(text: string, kind?: Token['kind']): boolean {
    const t = this.peek();
    return t.text === text && (kind === undefined || t.kind === kind);
  }
  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text) throw new PromError(`expected '${text}' but found ${t.kind === 'eof' ? 'the end' : `'${t.text}'`}`, t.at);
    return t;
  }

  public parseAll(): PromType {
    const type = this.expression(0);
    const t = this.peek();
    if (t.kind !== 'eof') throw new PromError(`unexpected '${t.text}' after a complete expression`, t.at);
    return type;
  }

  private binaryOperator(): string | undefined {
    const t = this.peek();
    if (t.kind === 'op' && PRECEDENCE[t.text] !== undefined) return t.text;
    if (t.kind === 'ident' && ['and', 'or', 'unless', 'atan2'].includes(t.text)) return t.text;
    return undefined;
  }

  private expression(minPrecedence: number): PromType {
    let left = this.unary();
    for (;;) {
      const op = this.binaryOperator();
      if (op === undefined || PRECEDENCE[op] < minPrecedence) return left;
      const at = this.next().at;
      let returnBool = false;
      if (this.is('bool', 'ident')) {
        if (!COMPARISONS.has(op)) throw new PromError(`'bool' is only allowed after a comparison, not '${op}'`, this.peek().at);
        this.next();
        returnBool = true;
      }
      const matching = this.vectorMatching(op);
      const right = this.expression(op === '^' ? PRECEDENCE[op] : PRECEDENCE[op] + 1);
      left = this.binaryType(op, left, right, returnBool, matching, at);
    }
  }

  private vectorMatching(op: string): boolean {
    if (!this.is('on', 'ident') && !this.is('ignoring', 'ident')) return false;
    this.next();
    this.labelList();
    if (this.is('group_left', 'ident') || this.is('group_right', 'ident')) {
      const t = this.next();
      if (['and', 'or', 'unless'].includes(op)) throw new PromError(`${t.text} is not allowed with the set operator '${op}'`, t.at);
      if (this.is('(')) this.labelList();
    }
    return true;
  }

  private binaryType(op: string, l: PromType, r: PromType, returnBool: boolean, matching: boolean, at: number): PromType {
    for (const t of [l, r]) {
      if (t === 'matrix' || t === 'string')
        throw new PromError(`binary '${op}' cannot take a ${TYPE_NAMES[t]} (wrap a range vector in a function such as rate())`, at);
    }
    if (['and', 'or', 'unless'].includes(op) && (l !== 'vector' || r !== 'vector'))
      throw new PromError(`set operator '${op}' needs instant vectors on both sides`, at);
    if (COMPARISONS.has(op) && l === 'scalar' && r === 'scalar' && !returnBool)
      throw new PromError(`comparisons between scalars must use the 'bool' modifier ('${op} bool')`, at);
    if (matching && (l !== 'vector' || r !== 'vector'))
      throw new PromError('vector matching (on/ignoring) needs instant vectors on both sides', at);
    return l === 'vector' || r === 'vector' ? 'vector' : 'scalar';
  }

  private unary(): PromType {
    if (this.is('-', 'op') || this.is('+', 'op')) {
      const t = this.next();
      const type = this.expression(PRECEDENCE['^']); // a unary sign binds looser than ^ (-2^2 is -(2^2))
      if (type !== 'scalar' && type !== 'vector') throw new PromError(`unary '${t.text}' needs a scalar or an instant vector`, t.at);
      return type;
    }
    return this.postfix(this.primary());
  }

  private primary(): { type: PromType; selector: boolean } {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return { type: 'scalar', selector: false };
    }
    if (t.kind === 'duration') throw new PromError(`a duration ('${t.text}') is only allowed in [] and after offset`, t.at);
    if (t.kind === 'string') {
      this.next();
      return { type: 'string', selector: false };
    }
    if (this.is('(')) {
      this.next();
      const type = this.expression(0);
      this.expect(')');
      return { type, selector: false };
    }
    if (this.is('{')) return { type: this.selector(undefined, t.at), selector: true };
    if (t.kind === 'ident') {
      const name = t.text;
      if (/^(inf|nan)$/i.test(name)) {
        this.next();
        return { type: 'scalar', selector: false };
      }
      if (AGGREGATIONS.has(name) && (this.peek(1).text === '(' || this.peek(1).text === 'by' || this.peek(1).text === 'without'))
        return { type: this.aggregation(), selector: false };
      if (this.peek(1).text === '(' && this.peek(1).kind === 'op') return { type: this.call(), selector: false };
      if (KEYWORDS.has(name)) throw new PromError(`unexpected keyword '${name}'`, t.at);
      this.next();
      return { type: this.selector(name, t.at), selector: true };
    }
    throw new PromError(t.kind === 'eof' ? 'unexpected end of the expression' : `unexpected '${t.text}'`, t.at);
  }

  private selector(name: string | undefined, at: number): PromType {
    let metric: string | number | undefined = name;
    const matchers: SelectorTemplate['matchers'][number][] = [];
    if (this.is('{')) {
      this.next();
      while (!this.is('}')) {
        const l = this.next();
        let label: string | number;
        if (l.kind === 'ident') label = l.text;
        else if (l.kind === 'string') label = l.index!;
        else throw new PromError(`expected a label name but found '${l.text}'`, l.at);
        if (l.kind === 'string' && (this.is(',') || this.is('}'))) {
          if (metric !== undefined) throw new PromError('the metric name is given twice', l.at);
          metric = label; // {"metric.name"} (Prometheus 3 quoted metric names)
        } else {
          const op = this.next();
          if (!['=', '!=', '=~', '!~'].includes(op.text))
            throw new PromError(`expected a label matcher operator (=, !=, =~, !~) but found '${op.text}'`, op.at);
          const v = this.next();
          if (v.kind !== 'string') throw new PromError(`expected a quoted label value but found '${v.text}'`, v.at);
          if (label === '__name__' && op.text === '=') {
            if (metric !== undefined) throw new PromError('the metric name is given twice', l.at);
            metric = v.index;
          } else matchers.push({ label, op: op.text as PromMatcher['op'], value: v.index! });
        }
        if (this.is(',')) this.next();
        else if (!this.is('}')) throw new PromError(`expected ',' or '}' but found '${this.peek().text}'`, this.peek().at);
      }
      this.expect('}');
    }
    this.selectors.push({ metric, matchers, at });
    return 'vector';
  }

  private postfix(p: { type: PromType; selector: boolean }): PromType {
    let { type } = p;
    let selector = p.selector;
    for (;;) {
      if (this.is('[')) {
        const open = this.next();
        const range = this.next();
        if (range.kind !== 'duration' && !(range.kind === 'number' && /^\d+$/.test(range.text)))
          throw new PromError(`expected a duration in [] but found '${range.text}'`, range.at);
        if (this.is(':')) {
          this.next();
          if (this.peek().kind === 'duration' || (this.peek().kind === 'number' && /^\d+$/.test(this.peek().text))) this.next();
          this.expect(']');
          if (type !== 'vector') throw new PromError(`a subquery needs an instant vector, not a ${TYPE_NAMES[type]}`, open.at);
        } else {
          this.expect(']');
          if (!selector || type !== 'vector')
            throw new PromError(
              `a range [${range.text}] applies only to a vector selector (for an expression, use a subquery: (...)[${range.text}:])`,
              open.at,
            );
        }
        type = 'matrix';
        selector = false;
        continue;
      }
      if (this.is('offset', 'ident')) {
        const t = this.next();
        if (this.is('-')) this.next();
        if (this.peek().kind !== 'duration' && !(this.peek().kind === 'number' && /^\d+$/.test(this.peek().text)))
          throw new PromError(`expected a duration after offset but found '${this.peek().text}'`, this.peek().at);
        this.next();
        if (type !== 'vector' && type !== 'matrix') throw new PromError('offset applies only to a selector or a subquery', t.at);
        continue;
      }
      if (this.is('@')) {
        const t = this.next();
        if ((this.is('start', 'ident') || this.is('end', 'ident')) && this.peek(1).text === '(') {
          this.next();
          this.expect('(');
          this.expect(')');
        } else {
          if (this.is('-') || this.is('+')) this.next();
          if (this.peek().kind !== 'number')
            throw new PromError(`expected a timestamp after @ but found '${this.peek().text}'`, this.peek().at);
          this.next();
        }
        if (type !== 'vector' && type !== 'matrix') throw new PromError('@ applies only to a selector or a subquery', t.at);
        continue;
      }
      return type;
    }
  }

  private labelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    while (!this.is(')')) {
      const t = this.next();
      if (t.kind !== 'ident' && t.kind !== 'string') throw new PromError(`expected a label name but found '${t.text}'`, t.at);
      labels.push(t.text);
      if (this.is(',')) this.next();
      else if (!this.is(')')) throw new PromError(`expected ',' or ')' but found '${this.peek().text}'`, this.peek().at);
    }
    this.expect(')');
    return labels;
  }

  private aggregation(): PromType {
    const op = this.next();
    let grouped = false;
    if (this.is('by', 'ident') || this.is('without', 'ident')) {
      this.next();
      this.labelList();
      grouped = true;
    }
    this.expect('(');
    const param = AGGREGATION_PARAM[op.text];
    if (param !== undefined) {
      const at = this.peek().at;
      const type = this.expression(0);
      if (type !== ARG_TYPES[param])
        throw new PromError(`${op.text}() takes a ${TYPE_NAMES[ARG_TYPES[param]]} first, not a ${TYPE_NAMES[type]}`, at);
      this.expect(',');
    }
    const at = this.peek().at;
    const type = this.expression(0);
    if (type !== 'vector') throw new PromError(`${op.text}() aggregates an instant vector, not a ${TYPE_NAMES[type]}`, at);
    this.expect(')');
    if (this.is('by', 'ident') || this.is('without', 'ident')) {
      const t = this.next();
      if (grouped) throw new PromError(`${op.text}() has two grouping clauses`, t.at);
      this.labelList();
    }
    return 'vector';
  }

  private call(): PromType {
    const name = this.next();
    const f = FUNCTIONS[name.text];
    if (!f) {
      const removed = REMOVED[name.text];
      throw new PromError(
        removed ? `${name.text}() was removed in Prometheus 3; use ${removed}()` : `unknown function ${name.text}()`,
        name.at,
      );
    }
    this.expect('(');
    const types: { type: PromType; at: number }[] = [];
    while (!this.is(')')) {
      const at = this.peek().at;
      types.push({ type: this.expression(0), at });
      if (this.is(',')) {
        const comma = this.next();
        if (this.is(')')) throw new PromError('trailing commas are not allowed in function call arguments', comma.at);
      } else if (!this.is(')')) throw new PromError(`expected ',' or ')' but found '${this.peek().text}'`, this.peek().at);
    }
    this.expect(')');
    const required = f.args.filter((a) => !a.endsWith('?') && !a.endsWith('*')).length;
    const variadic = f.args.some((a) => a.endsWith('*'));
    if (types.length < required || (!variadic && types.length > f.args.length))
      throw new PromError(
        `${name.text}() takes ${required === f.args.length ? required : `${required} to ${f.args.length}`} argument(s), not ${types.length}`,
        name.at,
      );
    types.forEach((t, i) => {
      const spec = (f.args[i] ?? f.args[f.args.length - 1]).replace(/[?*]$/, '');
      const want = ARG_TYPES[spec];
      if (t.type !== want)
        throw new PromError(
          `${name.text}() expects a ${TYPE_NAMES[want]} as argument ${i + 1}, not a ${TYPE_NAMES[t.type]}${want === 'matrix' ? ` (add a range, e.g. ${name.text}(metric[5m]))` : ''}`,
          t.at,
        );
    });
    return ARG_TYPES[f.returns];
  }
}

type Template = (
  | {
      readonly ok: true;
      readonly type: PromType;
      readonly selectors: readonly SelectorTemplate[];
      /** Selectors whose values need checking each time: regular expressions, or no metric name. */
      readonly checked: readonly SelectorTemplate[];
      readonly names: ReadonlySet<string>;
    }
  | { readonly ok: false; readonly error: string; readonly at: number }
) & { readonly pieces: readonly string[] };
const templates = new Map<number, Template[]>();
let cachedShapes = 0;
const regexProblems = new Map<string, string | undefined>();
const LEADING_LITERAL = /^[A-Za-z0-9_.-]+/;

/** The parse of a shape: from the cache (by hash, checked piece by piece), else parsed from its blanked text. */
function templateOf(text: string, s: Scan): Template {
  const bucket = templates.get(s.hash);
  for (const t of bucket ?? []) if (samePieces(text, s, t.pieces)) return t;
  const pieces = piecesOf(text, s);
  const blanked = pieces.map((piece, k) => (k === 0 ? piece : `"${k - 1}"${piece}`)).join('');
  let template: Template;
  try {
    const parser = new Parser(tokenize(blanked));
    const type = parser.parseAll();
    const names = new Set<string>();
    for (const t of parser.selectors) {
      if (typeof t.metric === 'string') names.add(t.metric);
      for (const m of t.matchers) if (typeof m.label === 'string') names.add(m.label);
    }
    const checked = parser.selectors.filter((t) => t.metric === undefined || t.matchers.some((m) => m.op === '=~' || m.op === '!~'));
    template = { ok: true, type, selectors: parser.selectors, checked, names, pieces };
  } catch (e) {
    if (!(e instanceof PromError)) throw e;
    template = { ok: false, error: e.message, at: e.at, pieces };
  }
  if (++cachedShapes > 20000) {
    templates.clear();
    cachedShapes = 0;
  }
  templates.set(s.hash, [...(bucket ?? []), template]);
  return template;
}

/**
 * Parses `expr`. The parse is cached by the expression's shape (its string literals blanked): label
 * values differ between workloads, the structure rarely does; regular expressions and the selectors'
 * values are checked on each expression.
 */
export function parsePromql(expr: string): PromParse {
  if (typeof expr !== 'string' || !/\S/.test(expr)) return { ok: false, error: 'is empty', at: 0 };
  let scanned: Scan;
  let template: Template;
  try {
    scanned = scan(expr);
    template = templateOf(expr, scanned);
    if (!template.ok) return template;
    for (const t of template.checked) {
      for (const tm of t.matchers) {
        if (tm.op !== '=~' && tm.op !== '!~') continue;
        const value = literalValue(expr, scanned, tm.value);
        // A leading run of literal characters (a workload's name) does not change whether it compiles.
        const key = value.replace(LEADING_LITERAL, 'a');
        if (!regexProblems.has(key)) {
          if (regexProblems.size > 20000) regexProblems.clear();
          regexProblems.set(key, regexProblem(regexShape(key)));
        }
        const problem = regexProblems.get(key);
        if (problem) return { ok: false, error: `the regular expression "${value}" ${problem}`, at: t.at };
      }
      if (t.metric !== undefined) continue;
      const s = selectorOf(t, expr, scanned);
      if (s.metric === undefined && !s.matchers.some(matchesNonEmpty))
        return { ok: false, error: 'a vector selector needs a metric name or a matcher that does not match the empty string', at: t.at };
    }
  } catch (e) {
    if (!(e instanceof PromError)) throw e;
    return { ok: false, error: e.message, at: e.at };
  }
  return new ParsedQuery(template, expr, scanned);
}

/** A query that parsed: its type, and its selectors with their values (built when first read). */
class ParsedQuery {
  public readonly ok = true as const;
  public readonly type: PromType;
  public readonly names: ReadonlySet<string>;
  private built?: PromSelector[];

  constructor(
    private readonly shape: {
      readonly type: PromType;
      readonly names: ReadonlySet<string>;
      readonly selectors: readonly SelectorTemplate[];
    },
    private readonly text: string,
    private readonly scanned: Scan,
  ) {
    this.type = shape.type;
    this.names = shape.names;
  }

  public get selectors(): PromSelector[] {
    return (this.built ??= this.shape.selectors.map((t) => selectorOf(t, this.text, this.scanned)));
  }

  /** The selectors with metric `metrics` or a matcher on `label` (others are not built). */
  public selectorsReading(metrics: ReadonlySet<string>, label: string): PromSelector[] {
    return this.shape.selectors
      .filter((t) => (typeof t.metric === 'string' && metrics.has(t.metric)) || t.matchers.some((m) => m.label === label))
      .map((t) => selectorOf(t, this.text, this.scanned));
  }
}

/**
 * A regular expression with each run of literal letters and digits (outside classes, counts and escapes)
 * written as one letter: it compiles exactly when the original does, and names differ only there.
 */
function regexShape(pattern: string): string {
  if (!/[\\[{]/.test(pattern)) return pattern.replace(/[A-Za-z0-9_]+/g, 'a');
  let out = '';
  let inClass = false;
  let inCount = false;
  let run = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
      run = false;
      continue;
    }
    if (inClass) inClass = c !== ']';
    else if (inCount) inCount = c !== '}';
    else if (c === '[') inClass = true;
    else if (c === '{') inCount = true;
    else if (isWordChar(pattern.charCodeAt(i))) {
      if (!run) out += 'a';
      run = true;
      continue;
    }
    run = false;
    out += c;
  }
  return out;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function selectorOf(t: SelectorTemplate, text: string, s: Scan): PromSelector {
  const v = (k: number) => literalValue(text, s, k);
  return {
    metric: typeof t.metric === 'number' ? v(t.metric) : t.metric,
    matchers: t.matchers.map((m) => ({ label: typeof m.label === 'number' ? v(m.label) : m.label, op: m.op, value: v(m.value) })),
  };
}

function matchesNonEmpty(m: PromMatcher): boolean {
  if (m.op === '=') return m.value !== '';
  if (m.op === '!~') return new RegExp(`^(?:${m.value})$`, 'u').test('');
  if (m.op === '=~') return !new RegExp(`^(?:${m.value})$`, 'u').test('');
  return m.value === '';
}

const DURATION_UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

const durations = new Map<string, boolean>();

/** A Prometheus duration (`30s`, `1h30m`, `0`): units at most once each, largest first. */
export function isPromDuration(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let ok = durations.get(value);
  if (ok === undefined) {
    ok = promDuration(value);
    if (durations.size > 1000) durations.clear();
    durations.set(value, ok);
  }
  return ok;
}

function promDuration(value: string): boolean {
  if (value === '0') return true;
  if (typeof value !== 'string' || !/^(\d+(ms|[smhdwy]))+$/.test(value)) return false;
  const units = [...value.matchAll(/\d+(ms|[smhdwy])/g)].map((m) => DURATION_UNITS.indexOf(m[1]));
  return units.every((u, i) => i === 0 || u > units[i - 1]);
}

/** A Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`). */
export function isPromLabelName(value: unknown): boolean {
  return typeof value === 'string' && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(value);
}

/** A Prometheus metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
export function isPromMetricName(value: unknown): boolean {
  return typeof value === 'string' && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(value);
}
