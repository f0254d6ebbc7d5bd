import * as path from 'path';
import { ImportEdge, Layer, circles, importEdges, layerOf, layerViolations, sourceFiles, writtenImports } from './import-graph';

/*
 * The layers of src/ (README "Architecture"), lowest first. A file imports its own layer and lower ranks
 * only; layers of one rank stand side by side and import nothing of each other. No import circles at all,
 * type-only imports included.
 */
const LAYERS: Layer[] = [
  { name: 'core/validation', rank: 0, paths: ['core/validation'] },
  { name: 'core', rank: 1, paths: ['core'] },
  { name: 'platform', rank: 2, paths: ['platform'] },
  { name: 'observability', rank: 2, paths: ['observability'] },
  { name: 'review', rank: 2, paths: ['review'] },
  { name: 'keda', rank: 3, paths: ['keda'] },
  { name: 'serving', rank: 4, paths: ['serving'] },
  { name: 'batch', rank: 4, paths: ['batch'] },
  { name: 'training', rank: 4, paths: ['training'] },
  { name: 'queue', rank: 4, paths: ['queue'] },
  { name: 'llm', rank: 5, paths: ['llm'] },
  { name: 'app', rank: 6, paths: ['app'] },
  { name: 'index', rank: 7, paths: ['index.ts'] },
];

const ROOT = path.join(__dirname, '..');
const files = sourceFiles(ROOT, 'src');
const edges = importEdges(ROOT, files);

test('every file of src/ belongs to a layer', () => {
  expect(files.filter((f) => layerOf(f, LAYERS) === undefined)).toEqual([]);
});

test('src/ has no import circles (type-only imports, re-exports and require() count)', () => {
  expect(circles(edges)).toEqual([]);
});

test('no file imports a higher layer or a sibling layer', () => {
  expect(layerViolations(edges, LAYERS)).toEqual([]);
});

describe('the checks catch what they forbid', () => {
  const edge = (from: string, to: string, kind: ImportEdge['kind'] = 'import'): ImportEdge => ({ from, to, kind, specifier: to, line: 1 });

  test('a circle, through a type-only import, and a file that imports itself', () => {
    const graph = [
      edge('src/core/a.ts', 'src/core/b.ts'),
      edge('src/core/b.ts', 'src/core/c.ts'),
      edge('src/core/c.ts', 'src/core/a.ts', 'import type'),
      edge('src/core/c.ts', 'src/core/d.ts'),
      edge('src/core/e.ts', 'src/core/e.ts', 'require'),
    ];
    expect(circles(graph)).toEqual([['src/core/a.ts', 'src/core/b.ts', 'src/core/c.ts'], ['src/core/e.ts']]);
    expect(circles(graph.filter((e) => e.from !== 'src/core/c.ts' && e.from !== 'src/core/e.ts'))).toEqual([]);
  });

  test('an upward import, a sibling import and a downward one', () => {
    const graph = [
      edge('src/core/pod.ts', 'src/serving/online-inference.ts', 'import type'),
      edge('src/serving/online-inference.ts', 'src/batch/batch-scoring-job.ts'),
      edge('src/llm/serving-runtime.ts', 'src/serving/runtime.ts'),
      edge('src/core/pod.ts', 'src/core/validation/strings.ts'),
      edge('src/app/ml-app.ts', 'imports/keda.ts'),
    ];
    expect(layerViolations(graph, LAYERS)).toEqual([
      'src/core/pod.ts:1 (core) import type src/serving/online-inference.ts (serving, a higher layer)',
      'src/serving/online-inference.ts:1 (serving) import src/batch/batch-scoring-job.ts (batch, a sibling layer)',
    ]);
  });

  test('every way a file names another is read', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "export { c } from './c';",
      "export * from './d';",
      "import e = require('./e');",
      "const f = () => require('./f');",
      "const g = import('./g');",
      "let h: typeof import('./h');",
      "import * as cdk8s from 'cdk8s';",
      'const text = "import { x } from \'./not-an-import\'";',
    ].join('\n');
    expect(writtenImports('x.ts', text).map((w) => `${w.kind} ${w.specifier}`)).toEqual([
      'import ./a',
      'import type ./b',
      'export from ./c',
      'export from ./d',
      'require ./e',
      'require ./f',
      'import() ./g',
      'import type ./h',
      'import cdk8s',
    ]);
  });
});
