import * as fs from 'fs';

type Report = {
  text: string;
  undocumented: string[];
  withoutDefault: string[];
  defaultsChecked: number;
  checked: number;
  shared: { name: string; owner: string; deprecated: boolean }[];
  clashes: string[];
};
const { apiReport, undocumentedIn, missingDefaultsIn, REPORT } = require('../scripts/api-report') as {
  apiReport: () => Report;
  undocumentedIn: (dtsText: string) => { undocumented: string[]; checked: number };
  missingDefaultsIn: (dtsText: string) => string[];
  REPORT: string;
};

let report: Report;
beforeAll(() => {
  report = apiReport();
}, 120_000);

test('the public API is the one recorded in api/cdk8s-ml.api.md (after an intended change: `npm run api`, commit the report)', () => {
  const recorded = fs.readFileSync(REPORT, 'utf8');
  const current = report.text;
  if (current === recorded) return;
  const before = new Set(recorded.split('\n'));
  const after = new Set(current.split('\n'));
  const removed = [...before].filter((l) => !after.has(l)).map((l) => `- ${l}`);
  const added = [...after].filter((l) => !before.has(l)).map((l) => `+ ${l}`);
  throw new Error(
    `The public API (src/index.ts) differs from ${REPORT}:\n${[...removed, ...added].slice(0, 60).join('\n')}\n\nIf the change is intended, run \`npm run api\` and commit the report.`,
  );
});

test('every exported name and public member has a doc comment', () => {
  // The whole surface was walked (217 names and their members when this test was written), and nothing lacks a comment.
  expect(report.checked).toBeGreaterThan(1000);
  expect(report.undocumented).toEqual([]);
});

test('every optional prop a user passes in says its default (`@default`)', () => {
  expect(report.defaultsChecked).toBeGreaterThan(300); // 402 when this test was written
  expect(report.withoutDefault).toEqual([]);
});

test('no exported name shadows one of cdk8s or cdk8s-plus-28 (a deprecated alias kept for one release aside)', () => {
  // The check reads cdk8s-plus-28's exports: the old names it shares with ours are found (as deprecated aliases).
  expect(report.shared).toContainEqual({ name: 'EnvValue', owner: 'cdk8s-plus-28', deprecated: true });
  expect(report.clashes).toEqual([]);
});

describe('the doc-comment count', () => {
  // Declarations as the compiler emits them in .d.ts files: each doc comment on its own line.
  test('counts a declaration and each member without a doc comment, at every level a user reaches', () => {
    const { undocumented, checked } = undocumentedIn(`
      export declare class Pool {
        static of(name: string): Pool;
        readonly name: string;
        /** The pool's nodes, at most 100. */
        readonly nodes: number;
        private readonly secret;
        constructor(name: string);
        get size(): number;
        protected grow(by: number): void;
      }
      /** Documented. */
      export interface PoolProps {
        readonly zone?: string;
        /** The taint. */
        readonly taint?: {
          readonly key: string;
          /** Its value. */
          readonly value?: string;
        };
        readonly rules?: { readonly name: string }[];
        readonly [key: string]: unknown;
      }
      export type Shape = { readonly kind: 'a'; readonly a: number } | { readonly kind: 'b' };
      export declare enum Mode {
        /** Fast. */
        FAST = 0,
        SLOW = 1,
      }
      /** One name. */
      export declare function pick(name: string): Pool;
      export declare function pick(index: number): Pool;
      export declare const DEFAULTS: { readonly zone: string };
    `);
    expect(undocumented).toEqual([
      'Pool',
      'Pool.of',
      'Pool.name',
      'Pool.constructor',
      'Pool.size',
      'Pool.grow',
      'PoolProps.zone',
      'PoolProps.taint.key',
      'PoolProps.rules',
      'PoolProps.rules.name',
      'PoolProps.[index]',
      'Shape',
      'Shape.kind',
      'Shape.a',
      'Shape.kind',
      'Mode',
      'Mode.SLOW',
      'pick (overload 2)',
      'DEFAULTS',
    ]);
    expect(checked).toBe(undocumented.length + 6);
  });

  test('a comment of tags only, an empty block or a line comment is no doc comment', () => {
    const { undocumented } = undocumentedIn(`
      export interface Props {
        /** @default 3 */
        readonly replicas?: number;
        /** */
        readonly name?: string;
        // The zone.
        readonly zone?: string;
        /* The region. */
        readonly region?: string;
        /** The team that owns the workload. @default - none */
        readonly team?: string;
      }
    `);
    expect(undocumented).toEqual(['Props', 'Props.replicas', 'Props.name', 'Props.zone', 'Props.region']);
  });

  test('a getter and its setter share one doc comment; each overload of a method needs its own', () => {
    const { undocumented } = undocumentedIn(`
      /** A class. */
      export declare class Scale {
        /** Replicas. */
        get replicas(): number;
        set replicas(value: number);
        get weight(): number;
        set weight(value: number);
        /** By count. */
        to(count: number): void;
        to(percent: string): void;
      }
    `);
    expect(undocumented).toEqual(['Scale.weight', 'Scale.to (overload 2)']);
  });
});

describe('the @default check', () => {
  test('covers the types a user passes in, nested object types included, and leaves results alone', () => {
    expect(
      missingDefaultsIn(`
        /** Props. */
        export interface PoolProps extends BaseProps {
          /** Nodes. @default 3 */
          readonly nodes?: number;
          /** Zone. */
          readonly zone?: string;
          /** Name. */
          readonly name: string;
          /** Taint. @default - none */
          readonly taint?: {
            /** Its value. */
            readonly value?: string;
          };
        }
        /** Shared props. */
        export interface BaseProps {
          /** Labels. */
          readonly labels?: Record<string, string>;
        }
        /** Options, as a type alias. */
        export type DrainOptions = {
          /** Grace. */
          readonly grace?: number;
        };
        /** A result. */
        export interface PoolRow {
          /** Absent without a zone. */
          readonly zone?: string;
        }
        /** A pool. */
        export declare class Pool {
          /** Creates it. */
          constructor(props: PoolProps);
          /** Drains it. */
          drain(options?: DrainOptions): PoolRow;
        }
      `).sort(),
    ).toEqual(['BaseProps.labels', 'DrainOptions.grace', 'PoolProps.taint.value', 'PoolProps.zone']);
  });
});
