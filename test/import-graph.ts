import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/*
 * The import graph of src/, read with the TypeScript compiler's parser: every `import` (type-only too),
 * `export ... from`, `import x = require()`, and `require()` / `import()` of a string literal. Type-only
 * imports count: a circle of types is still a circle a reader has to hold in their head.
 */

/** How one file names another. */
export type ImportKind = 'import' | 'import type' | 'export from' | 'require' | 'import()';

/** One module specifier written in a file. */
export interface WrittenImport {
  readonly specifier: string;
  readonly kind: ImportKind;
  /** 1-based line of the statement or call. */
  readonly line: number;
}

/** One arrow between two files of the tree, paths relative to the repository (`src/core/pod.ts`). */
export interface ImportEdge extends WrittenImport {
  readonly from: string;
  readonly to: string;
}

/** Every module specifier `text` (a TypeScript file) names, with how and where. */
export function writtenImports(fileName: string, text: string): WrittenImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: WrittenImport[] = [];
  const line = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const typeOnly = n.importClause?.isTypeOnly === true;
      out.push({ specifier: n.moduleSpecifier.text, kind: typeOnly ? 'import type' : 'import', line: line(n) });
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push({ specifier: n.moduleSpecifier.text, kind: 'export from', line: line(n) });
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) {
      const e = n.moduleReference.expression;
      if (ts.isStringLiteral(e)) out.push({ specifier: e.text, kind: 'require', line: line(n) });
    } else if (ts.isCallExpression(n) && n.arguments.length > 0 && ts.isStringLiteralLike(n.arguments[0])) {
      const callee = n.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) out.push({ specifier: n.arguments[0].text, kind: 'import()', line: line(n) });
      else if (ts.isIdentifier(callee) && callee.text === 'require')
        out.push({ specifier: n.arguments[0].text, kind: 'require', line: line(n) });
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      // `typeof import('./x')` in a type position
      out.push({ specifier: n.argument.literal.text, kind: 'import type', line: line(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}

/** The `.ts` files below `dir` (repository-relative, `/`-separated), sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  const walk = (d: string): string[] =>
    fs
      .readdirSync(path.join(root, d), { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(`${d}/${e.name}`) : e.name.endsWith('.ts') ? [`${d}/${e.name}`] : []));
  return walk(dir).sort();
}

/** The file a relative specifier names (`./x` → `x.ts` or `x/index.ts`), or undefined for a package. */
export function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (candidate.endsWith('.ts') && fs.existsSync(path.join(root, candidate))) return candidate;
  }
  return `${base}.ts`; // names a file that does not exist: still an arrow, to the name it gives
}

/** Every arrow between files of `files` (and to files outside them they name, e.g. `imports/`). */
export function importEdges(root: string, files: readonly string[]): ImportEdge[] {
  return files.flatMap((from) =>
    writtenImports(from, fs.readFileSync(path.join(root, from), 'utf8')).flatMap((w) => {
      const to = resolveSpecifier(root, from, w.specifier);
      return to === undefined ? [] : [{ ...w, from, to }];
    }),
  );
}

/**
 * The circles of a graph: its strongly connected components of more than one file (and files that import
 * themselves), each sorted, in a stable order (Tarjan's algorithm).
 */
export function circles(edges: readonly { readonly from: string; readonly to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    if (!next.has(e.to)) next.set(e.to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || next.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  return found.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * One layer of the house: the folders (or files) it holds, below `src/`. A file may import its own
 * layer and every layer of a lower rank; layers of one rank stand side by side and import nothing of
 * each other.
 */
export interface Layer {
  readonly name: string;
  readonly rank: number;
  /** Folders or files below src/, e.g. `core`, `core/validation`, `index.ts`. */
  readonly paths: readonly string[];
}

/** The layer holding `file` (`src/...`): the one with the longest matching path. */
export function layerOf(file: string, layers: readonly Layer[]): Layer | undefined {
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of layers) {
    for (const p of layer.paths) {
      const full = `src/${p}`;
      if ((file === full || file.startsWith(`${full}/`)) && full.length > (best?.length ?? -1)) best = { layer, length: full.length };
    }
  }
  return best?.layer;
}

/**
 * The arrows that break the layering: an import of a higher layer, or of a sibling of the same rank.
 * Files outside src/ (the generated `imports/`) are the ground below every layer.
 */
export function layerViolations(edges: readonly ImportEdge[], layers: readonly Layer[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (!e.to.startsWith('src/')) continue;
    const from = layerOf(e.from, layers);
    const to = layerOf(e.to, layers);
    if (!from || !to || from === to || to.rank < from.rank) continue;
    const why = to.rank > from.rank ? 'a higher layer' : 'a sibling layer';
    out.push(`${e.from}:${e.line} (${from.name}) ${e.kind} ${e.to} (${to.name}, ${why})`);
  }
  return out;
}
