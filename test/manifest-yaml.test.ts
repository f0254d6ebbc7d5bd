import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { stringifyManifest, stringifyManifests } from '../src/app/manifest-yaml';

/** What cdk8s writes: the reference every rendering must match byte for byte. */
const reference = (...docs: unknown[]) => Yaml.stringify(...docs);

// Strings YAML 1.1 reads as something else, or that need quoting, folding or block style.
const TRICKY = [
  '',
  ' ',
  'a ',
  ' a',
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'N',
  'true',
  'False',
  'null',
  'Null',
  '~',
  '<<',
  '=',
  '0',
  '010',
  '0x1F',
  '0b101',
  '1_000',
  '1:20',
  '190:20:30',
  '1.5',
  '.5',
  '1e3',
  '-1',
  '+1',
  '.inf',
  '-.Inf',
  '.nan',
  'NaN',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '500m',
  '1Gi',
  'v1',
  '-',
  '- a',
  '-a',
  '?',
  '? a',
  ':',
  'a:',
  'a: b',
  'a:b',
  '#',
  'a #b',
  'a#b',
  '&a',
  '*a',
  '!a',
  '|',
  '>',
  "'",
  '"',
  "it's",
  'say "hi"',
  `'"`,
  '%',
  '%TAG',
  '@a',
  '`a',
  '---',
  '--- a',
  '...',
  'a\n---\nb',
  '[a]',
  '{a}',
  'a,b',
  'a\nb',
  'a\n\nb',
  'a\n',
  'a\n\n',
  '\na',
  ' a\nb',
  'a \nb',
  'a\n b',
  '\t',
  'a\tb',
  'line\r\nend',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ud800',
  'é',
  '日本',
  '😀',
  'set -eu\ncurl "$URI" \\\n  -o /tmp/x\n',
  'x'.repeat(1100),
  `${'k'.repeat(1030)}`,
];
const tricky = fc.constantFrom(...TRICKY);
const text = fc.oneof(
  tricky,
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.stringMatching(/^[a-z0-9./:_-]{1,20}$/),
  fc.tuple(tricky, tricky).map(([a, b]) => `${a}${b}`),
);
const key = fc.oneof({ arbitrary: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9./:_-]{0,15}$/), weight: 8 }, text);
const scalar = fc.oneof(
  { arbitrary: text, weight: 6 },
  fc.integer(),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.constantFrom(0, 1e21, 2 ** 53, -1.5e-7),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
  list: fc.array(tie('node'), { maxLength: 4 }),
})).node;
const manifest = fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 });

describe('stringifyManifests', () => {
  test('renders any manifest-shaped JSON exactly as cdk8s does, mostly without the library', () => {
    const wholeDocuments = jest.spyOn(Yaml, 'stringify');
    let docs = 0;
    let fallbacks = 0;
    fc.assert(
      fc.property(manifest, (doc) => {
        wholeDocuments.mockClear();
        const fast = stringifyManifest(doc);
        docs++;
        if (wholeDocuments.mock.calls.some((args) => args[0] === doc)) fallbacks++;
        expect(fast).toBe(reference(doc));
      }),
      { numRuns: 400 },
    );
    wholeDocuments.mockRestore();
    expect(fallbacks / docs).toBeLessThan(0.35); // the property exercises the writer, not only the fallback
  });

  test('renders every tricky string as a value, key and list item at several depths exactly as cdk8s does', () => {
    for (const s of TRICKY) {
      const doc = { top: s, [s]: 1, list: [s, { [s]: s }], deep: { a: { b: [{ c: s, [s]: [s] }] } } };
      expect(stringifyManifest(doc)).toBe(reference(doc));
    }
  });

  test('joins documents as cdk8s does, including undefined ones', () => {
    const docs = [{ a: 1 }, undefined, { b: ['x', 'y'] }, {}];
    expect(stringifyManifests(docs)).toBe(reference(...docs));
    expect(stringifyManifests([])).toBe(reference());
  });

  test.each([
    ['null and undefined values', { a: null, b: undefined, c: [null, undefined] }],
    ['maps whose values are all null', { a: { x: null, y: null } }],
    [
      'shared references (anchors and aliases)',
      (() => {
        const shared = { x: 1 };
        return { a: shared, b: [shared] };
      })(),
    ],
    [
      'dates, maps, sets and class instances',
      {
        d: new Date(0),
        m: new Map([['k', 1]]),
        s: new Set([1]),
        c: new (class C {
          public x = 1;
        })(),
      },
    ],
    ['objects with toJSON', { a: { toJSON: () => 'json' } }],
    ['sparse arrays', { a: [1, , 3] }], // eslint-disable-line no-sparse-arrays
    ['numbers of every kind', { a: [0, -0, 1.5, -2, 1e21, 1e-7, NaN, Infinity, -Infinity, 2 ** 53 + 2] }],
    ['a top-level document marker key', { '---': 1, '...': { '---': 2 }, '%x': 3 }],
  ])('falls back to the library for %s', (_, doc) => {
    expect(stringifyManifest(doc)).toBe(reference(doc));
  });

  test.each([
    ['empty collections', { a: {}, b: [], c: [[], {}], d: { e: [[]] } }],
    ['nested lists', { a: [[1, [2, 3]], ['x']] }],
    ['multi-line strings at every depth', { a: 'x\ny', b: { c: ['x\n  y\n', { d: 'x\n\n' }] } }],
  ])('renders %s itself', (_, doc) => {
    expect(stringifyManifest(doc)).toBe(reference(doc));
  });

  test('writes sentences, PromQL and runbook text without calling the library, as cdk8s would', () => {
    const doc = {
      metadata: {
        annotations: {
          summary: 'A pod of svc in team is crash looping',
          when: 'no ready address: every request fails',
          quoted: 'the "x" label: y',
          both: `it's "x": y`,
          'a/b': 'sum by (pod) (rate(x{job="a", code=~"5.."}[5m])) > 0',
        },
      },
      spec: {
        groups: [
          {
            rules: [
              {
                expr: 'a > 1\nand on (namespace)\nb',
                annotations: { runbook: '1. Read the logs:\n   kubectl logs -n team deploy/svc --previous\n' },
              },
            ],
          },
        ],
      },
    };
    const library = jest.spyOn(Yaml, 'stringify');
    try {
      const fast = stringifyManifest(doc);
      expect(library).not.toHaveBeenCalled();
      library.mockRestore();
      expect(fast).toBe(reference(doc));
    } finally {
      library.mockRestore();
    }
  });

  test('a non-object document is rendered by the library', () => {
    for (const doc of ['text', 42, ['a'], null]) expect(stringifyManifest(doc)).toBe(reference(doc));
  });
});
