import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { isPromDuration, parsePromql, regexProblem } from '../../src/observability/promql-parser';
import { exampleApp } from '../example-app';
import { promqlErrors } from '../observability/promql';

/*
 * The gate's PromQL reader against the Prometheus project's own grammar (@prometheus-io/lezer-promql, a
 * dev dependency only): whatever the reader accepts, the grammar accepts; every syntax error the
 * grammar finds, the reader finds. On top of the grammar the reader checks types, as Prometheus does.
 */

const lezerOk = (expr: string) => promqlErrors(expr).length === 0;

/** Every query the examples render: alert and recording rules, KEDA triggers. */
function renderedQueries(): string[] {
  const app = exampleApp();
  const objects = app.charts.flatMap((c) => Testing.synth(c));
  return objects.flatMap((o: any) => [
    ...(o.kind === 'PrometheusRule' ? o.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr)) : []),
    ...(o.kind === 'ScaledObject' || o.kind === 'ScaledJob'
      ? (o.spec.triggers ?? []).filter((t: any) => t.type === 'prometheus').map((t: any) => t.metadata.query)
      : []),
  ]);
}

test('every query the examples render parses, to a vector or a scalar, and the grammar agrees', () => {
  const queries = renderedQueries();
  expect(queries.length).toBeGreaterThan(50);
  for (const q of queries) {
    const r = parsePromql(q);
    expect({ q, ok: r.ok, lezer: lezerOk(q) }).toEqual({ q, ok: true, lezer: true });
    if (r.ok) expect(['vector', 'scalar']).toContain(r.type);
  }
});

test.each([
  ['an unclosed call', 'sum(rate(x[5m])'],
  ['an unclosed selector', 'x{a="b"'],
  ['a dangling operator', 'x +'],
  ['two expressions', 'x y'],
  ['a matcher without a value', 'x{a=}'],
  ['an unquoted label value', 'x{a=b}'],
  ['a range without a duration', 'x[]'],
  ['an unterminated string', 'x{a="b}'],
])('%s is a syntax error for both', (_n, expr) => {
  expect(lezerOk(expr)).toBe(false);
  expect(parsePromql(expr).ok).toBe(false);
});

test.each([
  ['rate() of an instant vector', 'rate(x)', /rate\(\) expects a range vector/],
  ['a scalar comparison without bool', '1 > 2', /must use the 'bool' modifier/],
  ['a set operator on a scalar', 'x and 1', /needs instant vectors on both sides/],
  ['an empty selector', '{}', /needs a metric name or a matcher/],
  ['a selector matching only empty values', '{job=~".*"}', /needs a metric name or a matcher/],
  ['a range on an expression', 'sum(x)[5m]', /use a subquery/],
  ['an aggregation of a range vector', 'sum(x[5m])', /aggregates an instant vector, not a range vector/],
  ['topk with a string', 'topk("3", x)', /takes a scalar first/],
  ['an unknown function', 'rates(x[5m])', /unknown function rates\(\)/],
  ['an escape Go strings do not have (the lezer grammar lets it through)', 'x{a="\\q"}', /invalid escape/],
  ['a removed function', 'holt_winters(x[5m], 0.5, 0.5)', /was removed in Prometheus 3/],
  ['too many arguments', 'abs(x, y)', /takes 1 argument/],
  ['a lookahead', 'x{a=~"(?!b).*"}', /lookaround/],
  ['group_left with a set operator', 'x and on(a) group_left y', /not allowed with the set operator/],
  ['two grouping clauses', 'sum by (a) (x) by (b)', /two grouping clauses/],
])('%s is refused with the reason (type rules beyond the grammar)', (_n, expr, reason) => {
  const r = parsePromql(expr);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error).toMatch(reason);
});

test.each([
  'sum by (namespace) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (namespace) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))',
  'max_over_time(rate(x[5m])[1h:5m] offset 1m)',
  'x @ 1609746000',
  'x @ start()',
  'a + on(x) group_left(y) b',
  'sum(x) by (pod)',
  '-x ^ 2',
  '1 > bool 2',
  'count_values("v", x)',
  'label_replace(up, "a", "$1", "b", "(.*)")',
  "x{a='single', b=`raw\\d`}",
  '{__name__="up", job!=""}',
  'absent(up{job="x"}) == 1',
  'vector(1) or on() vector(0)',
  'sort_by_label(x, "a", "b")',
  '# a comment\nsum(x)',
])('%s parses for both', (expr) => {
  expect(lezerOk(expr)).toBe(true);
  expect(parsePromql(expr)).toMatchObject({ ok: true });
});

/** Small valid expressions from a grammar of the constructs the library writes. */
const expression: fc.Arbitrary<string> = fc.letrec((tie) => ({
  selector: fc
    .tuple(
      fc.constantFrom('up', 'http_requests_total', 'kube_pod_status_ready', 'keda_scaler_metrics_value'),
      fc.array(fc.tuple(fc.constantFrom('job', 'namespace', 'pod'), fc.constantFrom('=', '!=', '=~'), fc.constantFrom('a', 'b.*', 'x|y')), {
        maxLength: 2,
      }),
    )
    .map(([m, ms]) => `${m}${ms.length ? `{${ms.map(([l, op, v]) => `${l}${op}"${v}"`).join(', ')}}` : ''}`),
  instant: fc.oneof(
    { depthSize: 'small' },
    tie('selector'),
    tie('selector').map((s) => `rate(${s}[5m])`),
    fc
      .tuple(fc.constantFrom('sum', 'max', 'avg', 'count'), fc.constantFrom('', ' by (namespace)', ' without (pod)'), tie('instant'))
      .map(([a, g, e]) => `${a}${g} (${e})`),
    fc.tuple(tie('instant'), fc.constantFrom('+', '/', '>', 'and', 'or', '*'), tie('instant')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('instant').map((e) => `(${e})`),
    tie('instant').map((e) => `max_over_time((${e})[10m:1m])`),
    tie('instant').map((e) => `${e} > 0.5`),
  ),
})).instant as fc.Arbitrary<string>;

test('property: generated expressions parse for both', () => {
  fc.assert(
    fc.property(expression, (e) => {
      expect(lezerOk(e)).toBe(true);
      expect(parsePromql(e).ok).toBe(true);
    }),
    { numRuns: 200 },
  );
});

test('property: an expression with a character removed or inserted is accepted only when the grammar accepts it', () => {
  fc.assert(
    fc.property(expression, fc.nat(), fc.constantFrom('', '(', ')', '{', '}', '"', ',', '[', ']', '=', 'by'), (e, at, insert) => {
      const i = at % (e.length + 1);
      const mutated = e.slice(0, i) + insert + e.slice(i + (insert === '' ? 1 : 0));
      // `0.` is a number for Prometheus's lexer (and for the reader), not for the lezer grammar.
      if (/\d\.(?!\d)/.test(mutated)) return;
      if (parsePromql(mutated).ok) expect(lezerOk(mutated)).toBe(true);
    }),
    { numRuns: 400 },
  );
});

test('durations and regular expressions as Prometheus reads them', () => {
  expect(['5m', '1h30m', '0', '0s', '90s', '1d', '2w', '100ms'].every(isPromDuration)).toBe(true);
  expect(['30m1h', '5m5m', '1.5m', '5 m', '', 'm', '-1m'].some(isPromDuration)).toBe(false);
  expect(regexProblem('5..|429')).toBeUndefined();
  expect(regexProblem('(')).toMatch(/not a valid regular expression/);
  expect(regexProblem('a\\1')).toMatch(/back-reference/);
});
