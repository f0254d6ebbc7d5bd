import { ApiObject, App, Chart, JsonPatch, Lazy, LazyResolver, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { fastObjectJson } from '../src/app/fast-object-json';
import { batchChart } from '../examples/batch';
import { llmChart } from '../examples/llm';
import { observabilityChart } from '../examples/observability';
import { configurePlatform, platformChart } from '../examples/platform';
import { queueChart } from '../examples/queue';
import { servingChart } from '../examples/serving';

/** JSON text with key order, -0 and undefined marked, so any of them is a difference. */
const text = (v: unknown) => JSON.stringify(v, (_, x) => (x === undefined ? '<undefined>' : Object.is(x, -0) ? '<-0>' : (x as unknown)));

function apiObjects(scope: App | Chart): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

/** Renders `o` both ways; returns whether the one-pass path needed cdk8s's own toJson(). */
function compare(o: ApiObject): boolean {
  const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
  let fast: unknown;
  let calls: number;
  try {
    fast = fastObjectJson(o);
    calls = toJson.mock.calls.length;
  } finally {
    toJson.mockRestore();
  }
  expect(text(fast)).toBe(text(o.toJson()));
  return calls > 0;
}

describe('fastObjectJson renders exactly what toJson() renders', () => {
  test('every object of the examples, without falling back to cdk8s', () => {
    const app = Testing.app();
    configurePlatform(app);
    for (const chart of [platformChart, servingChart, batchChart, queueChart, observabilityChart, llmChart]) chart(app);
    const objects = apiObjects(app);
    expect(objects.length).toBeGreaterThan(100);
    const kinds = new Set(objects.map((o) => o.kind));
    expect(kinds.size).toBeGreaterThan(20);
    const fellBack = objects.filter(compare).map((o) => o.node.path);
    expect(fellBack).toEqual([]);
  });

  const SKELETON = { metadata: { labels: { a: 'b' } }, spec: { list: [{ a: 1 }, 'two', [3]], 'a/b': { x: 1 }, 'c~d': 2, '~1': 3 } };

  // Values as constructs hold them: Lazy, number/string unions, objects resolving themselves, nulls.
  const leaf = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(-0),
    fc.integer().map((n) => k8s.IntOrString.fromNumber(n)),
    fc.string({ maxLength: 4 }).map((s) => k8s.Quantity.fromString(s)),
  );
  const tree = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'Z', '10', '2', 'x-y', 'a/b', 'c~d'), tie('value'), { maxKeys: 4 }),
      tie('value').map((v) => Lazy.any({ produce: () => v })),
      tie('value').map((v) => ({ resolve: () => v })),
    ),
  })).value;
  // Paths into the skeleton below (so most operations land), and random ones (so some fail as in cdk8s).
  const SKELETON_POINTERS = [
    '/spec/list/0',
    '/spec/list/1',
    '/spec/list/2/0',
    '/spec/list/-',
    '/spec/list/0/a',
    '/spec/a~1b/x',
    '/spec/c~0d',
    '/spec/~01',
    '/metadata/labels/a',
  ];
  const pointer = fc.oneof(
    { arbitrary: fc.constantFrom(...SKELETON_POINTERS), weight: 6 },
    fc.constantFrom('/spec/list/01', '/spec/new', '/data/a', '/metadata/name', '/kind', '/spec/list/9/x'),
    fc
      .array(fc.constantFrom('a', 'Z', '0', '-', 'a~1b', 'spec', 'data', 'list'), { minLength: 1, maxLength: 3 })
      .map((keys) => `/${keys.join('/')}`),
  );
  /** Renders `o` with `patches` both ways: both throw the same error or render the same. */
  const sameWithPatches = (o: ApiObject, patches: JsonPatch[]) => {
    o.addJsonPatch(...patches);
    let expected: string;
    try {
      expected = text(o.toJson());
    } catch (e) {
      expect(() => fastObjectJson(o)).toThrow((e as Error).message);
      return;
    }
    expect(text(fastObjectJson(o))).toBe(expected);
  };
  const thing = (props: object) => new ApiObject(Testing.chart(), 'o', { apiVersion: 'v1', kind: 'Thing', ...props } as never);

  test.each(SKELETON_POINTERS.flatMap((p) => ['add', 'replace', 'remove'].map((op) => [op, p])))('%s %s', (op, p) => {
    const patch = op === 'remove' ? JsonPatch.remove(p) : op === 'add' ? JsonPatch.add(p, { v: [1] }) : JsonPatch.replace(p, 'v');
    sameWithPatches(thing(SKELETON), [patch]);
  });

  const patch = fc.oneof(
    fc.tuple(pointer, tree).map(([p, v]) => JsonPatch.add(p, v)),
    fc.tuple(pointer, tree).map(([p, v]) => JsonPatch.replace(p, v)),
    pointer.map((p) => JsonPatch.remove(p)),
  );

  test('generated values and patches, on ApiObject and a generated L1 class (errors included)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('spec', 'data', 'a', 'Z'), tree, { maxKeys: 3 }),
        fc.array(patch, { maxLength: 4 }),
        fc.record(
          {
            labels: fc.dictionary(fc.constantFrom('a', 'b'), fc.oneof(fc.string({ maxLength: 3 }), fc.constant(undefined))),
            annotations: fc.dictionary(fc.constantFrom('x', 'y'), tree, { maxKeys: 2 }),
            finalizers: fc.array(fc.oneof(fc.string({ maxLength: 3 }), tree), { maxLength: 2 }),
            ownerReferences: fc.array(tree, { maxLength: 2 }),
            uid: tree,
            namespace: fc.constantFrom('ns', undefined),
          },
          { requiredKeys: [] },
        ),
        (props, patches, metadata) => {
          const app = Testing.app();
          const chart = new Chart(app, 'c', { namespace: 'ns' });
          const skeleton = { spec: { ...SKELETON.spec, z: props.spec } };
          const plain = new ApiObject(chart, 'plain', {
            apiVersion: 'v1',
            kind: 'Thing',
            ...props,
            metadata,
            ...skeleton,
          } as never);
          const l1 = new k8s.KubeConfigMap(chart, 'l1', { metadata: metadata as never, data: props.data as never });
          for (const o of [plain, l1]) sameWithPatches(o, patches);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('unsorted keys (CDK8S_DISABLE_SORT) come out in the same order', () => {
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const chart = Testing.chart();
      const o = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'Thing', spec: { z: 1, a: { y: 2, b: 3 } } } as never);
      expect(compare(o)).toBe(false);
      expect(Object.keys(fastObjectJson(o).spec)).toEqual(['z', 'a']);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test.each([
    ['an app with its own resolvers', () => new Chart(new App({ resolvers: [new LazyResolver()] }), 'c'), {}],
    ['a move operation', () => Testing.chart(), { patch: JsonPatch.move('/spec/a', '/spec/b') }],
    ['a class instance that does not resolve', () => Testing.chart(), { spec: { at: new Map() } }],
    ['a sparse array', () => Testing.chart(), { spec: { list: [1, , 3] } }], // eslint-disable-line no-sparse-arrays
  ] as [string, () => Chart, { patch?: JsonPatch; spec?: object }][])('%s is rendered by cdk8s itself', (_, scope, extra) => {
    const o = new ApiObject(scope(), 'o', { apiVersion: 'v1', kind: 'Thing', spec: { a: 1, ...extra.spec } } as never);
    if (extra.patch) o.addJsonPatch(extra.patch);
    let expected: string | Error;
    try {
      expected = text(o.toJson());
    } catch (e) {
      expected = e as Error;
    }
    if (expected instanceof Error) expect(() => fastObjectJson(o)).toThrow(expected.message);
    else expect(compare(o)).toBe(true);
  });

  test('a patch value with toJSON (computed at render time, or a Date) is rendered in one pass, as JSON would copy it', () => {
    const o = new ApiObject(Testing.chart(), 'o', { apiVersion: 'v1', kind: 'Thing', spec: { a: 1 } } as never);
    let later = 'at construction';
    o.addJsonPatch(JsonPatch.add('/spec/when', new Date(0)));
    o.addJsonPatch(
      JsonPatch.add('/spec/late', {
        toJSON: () => ({ value: later, gone: { toJSON: () => undefined }, list: [{ toJSON: () => undefined }] }),
      }),
    );
    later = 'at render';
    expect(compare(o)).toBe(false);
    expect(fastObjectJson(o).spec).toEqual({ a: 1, when: '1970-01-01T00:00:00.000Z', late: { value: 'at render', list: [null] } });
  });

  test('a subclass that overrides toJson() is asked itself', () => {
    class Custom extends k8s.KubeConfigMap {
      public toJson(): any {
        return { ...super.toJson(), custom: true };
      }
    }
    const o = new Custom(Testing.chart(), 'o', { data: { a: 'b' } });
    expect(compare(o)).toBe(true);
    expect(fastObjectJson(o).custom).toBe(true);
  });

  test("a failing Lazy fails with cdk8s's message", () => {
    const o = new ApiObject(Testing.chart(), 'o', {
      apiVersion: 'v1',
      kind: 'Thing',
      spec: Lazy.any({
        produce: () => {
          throw new Error('boom');
        },
      }),
    } as never);
    expect(() => fastObjectJson(o)).toThrow(/Failed serializing construct at path 'test\/o'.*boom/);
  });
});
