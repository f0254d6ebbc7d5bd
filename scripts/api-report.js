// The public API report: every name `src/index.ts` exports, with its declaration as a consumer's
// type-checker sees it (the emitted .d.ts, comments and private members left out), sorted by name.
// Types the public API refers to but does not export are listed at the end: a user cannot name them.
// So is every exported name or public member without a doc comment (`undocumented`): an exported
// declaration, and each member a user reaches from it (class members, static or not, constructors and
// accessors; interface and object-type properties at any depth; call and index signatures; enum members;
// each overload of a function or method). A doc comment is a `/** ... */` block with text before its tags
// (`/** @default 3 */` alone does not count). `npm test` requires none.
//
//   npm run api                  writes api/cdk8s-ml.api.md (commit it with the change)
//   node scripts/api-report.js --check   exits 1 when the committed report differs (test/api-report.test.ts does the same)
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..');
const REPORT = path.join(ROOT, 'api', 'cdk8s-ml.api.md');
const ENTRY = path.join(ROOT, 'src', 'index.ts');
const IMPORTS = path.join(ROOT, 'imports') + path.sep;

/** Renders the report text. */
function renderApiReport() {
  return apiReport().text;
}

/** The report text, the names without a doc comment, and how many declarations and members were checked. */
function apiReport() {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const program = ts.createProgram([ENTRY], {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    removeComments: false, // the doc comments are checked; the printer below leaves them out of the report
  });
  const checker = program.getTypeChecker();
  const declarations = new Map(); // source .ts path -> parsed .d.ts
  const emitted = program.emit(
    undefined,
    (fileName, text, _bom, _onError, sources) => {
      if (!fileName.endsWith('.d.ts') || !sources || sources.length !== 1) return;
      declarations.set(path.resolve(sources[0].fileName), ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true));
    },
    undefined,
    true,
  );
  const errors = emitted.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0)
    throw new Error(
      ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }),
    );

  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  const entry = checker.getSymbolAtLocation(program.getSourceFile(ENTRY));
  const exported = checker.getExportsOfModule(entry).sort((a, b) => compare(a.name, b.name));
  const exportedSymbols = new Set();
  const docs = { undocumented: [], checked: 0 };
  const upstream = upstreamNames(program, checker);
  const shared = []; // names cdk8s or cdk8s-plus-28 also export, with whether ours is a deprecated alias
  const entryStatements = []; // the declarations of the exported names
  let values = 0;
  const sections = [];
  const referenced = new Map(); // declared name -> source file, for names the printed declarations mention
  for (const symbol of exported) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    exportedSymbols.add(target);
    const typeOnly = (symbol.declarations ?? []).some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly));
    if (!typeOnly && target.flags & ts.SymbolFlags.Value) values++;
    const blocks = [];
    for (const file of new Set((target.declarations ?? []).map((d) => path.resolve(d.getSourceFile().fileName)))) {
      const dts = declarations.get(file);
      if (!dts) throw new Error(`no declaration emitted for ${file}`);
      const statements = dts.statements.filter((s) => declaredNames(s).includes(target.name));
      const owner = upstream.get(symbol.name);
      if (owner) shared.push({ name: symbol.name, owner, deprecated: statements.every(isDeprecated) });
      entryStatements.push(...statements);
      statements.forEach((statement, i) => {
        const overload = ts.isFunctionDeclaration(statement) && statements.length > 1 ? ` (overload ${i + 1})` : '';
        checkDocs(statement, `${symbol.name}${overload}`, docs);
        const node = withoutPrivateMembers(statement);
        blocks.push(printer.printNode(ts.EmitHint.Unspecified, node, dts));
        typeNames(node, new Set(), (n) => referenced.set(n, dts.fileName));
      });
    }
    const alias = symbol.name !== target.name ? `export { ${target.name} as ${symbol.name} };\n` : '';
    sections.push(`${alias}${blocks.join('\n')}`);
  }
  const internal = [...referenced.keys()]
    .filter((name) => {
      if ([...exportedSymbols].some((s) => s.name === name)) return false;
      // Generated CRD bindings (imports/) are exported as classes only; their props and specs are not API of ours.
      return [...declarations].some(
        ([file, dts]) => !file.startsWith(IMPORTS) && dts.statements.some((s) => declaredNames(s).includes(name)),
      );
    })
    .sort(compare);
  // A type the public API names but does not export is still read by users (hover, go to definition).
  for (const name of internal)
    for (const [file, dts] of declarations) {
      if (file.startsWith(IMPORTS)) continue;
      const statements = dts.statements.filter((s) => declaredNames(s).includes(name));
      statements.forEach((s, i) =>
        checkDocs(s, `${name}${ts.isFunctionDeclaration(s) && statements.length > 1 ? ` (overload ${i + 1})` : ''}`, docs),
      );
    }
  const undocumented = [...new Set(docs.undocumented)].sort(compare);
  const ours = [...declarations].filter(([file]) => !file.startsWith(IMPORTS)).flatMap(([, dts]) => dts.statements);
  const defaults = optionalWithoutDefault(entryStatements, ours);
  const withoutDefault = defaults.missing.sort(compare);
  const clashes = shared.filter((c) => !c.deprecated).map((c) => c.name);
  const header = [
    '# API report: cdk8s-ml',
    '',
    'Generated by `npm run api` from `src/index.ts` (the emitted declarations, without comments and private',
    'members). `npm test` fails when the public API differs from this file: review the diff, then run',
    '`npm run api` and commit it with the change.',
    '',
    `${exported.length} exported names: ${values} at run time (classes, functions, constants), ${exported.length - values} types only.`,
    '',
    `${docs.checked} declarations and public members checked for a doc comment: ${undocumented.length} undocumented` +
      (undocumented.length === 0 ? '.' : ' (listed at the end; `npm test` requires 0).'),
    '',
    `${defaults.checked} optional props of the types users pass in checked for \`@default\`: ${withoutDefault.length} without` +
      (withoutDefault.length === 0 ? '.' : ' (listed at the end; `npm test` requires 0).'),
    '',
    `Names cdk8s or cdk8s-plus-28 also export (${upstream.size} checked): ` +
      (shared.length === 0
        ? 'none.'
        : shared.map((c) => `\`${c.name}\` (${c.owner}${c.deprecated ? ', ours a deprecated alias' : ''})`).join(', ') +
          (clashes.length === 0 ? '.' : '; `npm test` allows only deprecated aliases.')),
    '',
  ];
  /** A section listing `names`, left out when there are none. */
  const list = (heading, intro, names) =>
    names.length === 0 ? [] : ['', `## ${heading}`, '', ...(intro ? [intro, ''] : []), ...names.map((n) => `- \`${n}\``)];
  const tail = [
    ...list(
      'Referenced but not exported',
      'Named in the declarations above, declared in the library, not exported (a user cannot name them):',
      internal,
    ),
    ...list('Undocumented', 'Exported names and public members without a doc comment:', undocumented),
    ...list('Optional props without @default', '', withoutDefault),
  ];
  const text = [...header, '```ts', sections.join('\n\n'), '```', ...tail, ''].join('\n');
  return { text, undocumented, withoutDefault, defaultsChecked: defaults.checked, checked: docs.checked, shared, clashes };
}

/** Every name `cdk8s` and `cdk8s-plus-28` export (values and types), with the package that exports it. */
function upstreamNames(program, checker) {
  const names = new Map();
  for (const pkg of ['cdk8s', 'cdk8s-plus-28']) {
    const index = require.resolve(`${pkg}/lib/index.d.ts`, { paths: [ROOT] });
    const file = program.getSourceFile(index) ?? program.getSourceFiles().find((f) => path.resolve(f.fileName) === index);
    if (!file) throw new Error(`${pkg}'s declarations are not part of the program (${index})`);
    for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(file))) if (!names.has(s.name)) names.set(s.name, pkg);
  }
  return names;
}

/** The statement's doc comment carries `@deprecated`. */
function isDeprecated(statement) {
  return (statement.jsDoc ?? []).some((doc) => (doc.tags ?? []).some((t) => t.tagName.text === 'deprecated'));
}

/**
 * Records in `out` the declaration `statement` (reported as `name`) and each public member a user reaches from it
 * when it has no doc comment. Variables are checked as a whole: the keys of a constant's literal type are data.
 */
function checkDocs(statement, name, out) {
  const record = (documented, label) => {
    out.checked++;
    if (!documented) out.undocumented.push(label);
  };
  record(hasDocComment(statement), name);
  if (ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isEnumDeclaration(statement))
    checkMemberDocs(statement.members, name, record);
  else if (ts.isTypeAliasDeclaration(statement)) checkTypeDocs(statement.type, name, record);
}

function checkMemberDocs(members, prefix, record) {
  const visible = members.filter(
    (m) => !(ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private) && !(m.name && ts.isPrivateIdentifier(m.name)),
  );
  const keyOf = (m) =>
    ts.isConstructorDeclaration(m) || ts.isConstructSignatureDeclaration(m)
      ? 'constructor'
      : ts.isIndexSignatureDeclaration(m)
        ? '[index]'
        : ts.isCallSignatureDeclaration(m)
          ? '(call)'
          : m.name.getText();
  const accessor = (m) => ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m);
  const done = new Set();
  for (const m of visible) {
    const key = keyOf(m);
    const label = `${prefix}.${key}`;
    if (accessor(m)) {
      // A getter and its setter are one property: one doc comment on either.
      if (done.has(key)) continue;
      done.add(key);
      const pair = visible.filter((o) => accessor(o) && keyOf(o) === key);
      record(pair.some(hasDocComment), label);
      const getter = pair.find(ts.isGetAccessorDeclaration);
      if (getter?.type) checkTypeDocs(getter.type, label, record);
      continue;
    }
    const overloads = visible.filter((o) => !accessor(o) && keyOf(o) === key);
    record(hasDocComment(m), overloads.length > 1 ? `${label} (overload ${overloads.indexOf(m) + 1})` : label);
    if ((ts.isPropertyDeclaration(m) || ts.isPropertySignature(m)) && m.type) checkTypeDocs(m.type, label, record);
  }
}

/** The members of object types written inline (`{ readonly a: string }`, in unions, arrays, intersections). */
function checkTypeDocs(type, prefix, record) {
  if (ts.isTypeLiteralNode(type)) checkMemberDocs(type.members, prefix, record);
  else if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) for (const t of type.types) checkTypeDocs(t, prefix, record);
  else if (ts.isArrayTypeNode(type)) checkTypeDocs(type.elementType, prefix, record);
  else if (ts.isParenthesizedTypeNode(type) || ts.isTypeOperatorNode(type)) checkTypeDocs(type.type, prefix, record);
}

/** A `/** ... *\/` block with text of its own (not only tags). */
function hasDocComment(node) {
  return (node.jsDoc ?? []).some((doc) => /[A-Za-z0-9]/.test(ts.getTextOfJSDocComment(doc.comment) ?? ''));
}

/** The names in a .d.ts text (every top-level declaration, as if exported) without a doc comment. */
function undocumentedIn(dtsText) {
  const dts = ts.createSourceFile('check.d.ts', dtsText, ts.ScriptTarget.ES2022, true);
  const out = { undocumented: [], checked: 0 };
  const count = new Map();
  for (const s of dts.statements) for (const n of declaredNames(s)) count.set(n, (count.get(n) ?? 0) + 1);
  const seen = new Map();
  for (const s of dts.statements)
    for (const n of declaredNames(s)) {
      const i = (seen.get(n) ?? 0) + 1;
      seen.set(n, i);
      checkDocs(s, ts.isFunctionDeclaration(s) && count.get(n) > 1 ? `${n} (overload ${i})` : n, out);
    }
  return out;
}

/**
 * Optional properties of the types a user passes in (props, options: reachable from a parameter of an exported
 * function, constructor or method) whose doc comment has no `@default` tag, nested object types included. Types
 * that also come back out (a return type, a method a user implements returns) are left out: an optional field of
 * a result says when it is absent, not what it defaults to.
 */
function optionalWithoutDefault(entry, all) {
  // By name; where several files declare one name (a module's private `type Toleration`), the exported one.
  const isType = (s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name;
  const byName = new Map();
  for (const s of all) if (isType(s)) byName.set(s.name.text, [...(byName.get(s.name.text) ?? []), s]);
  for (const name of new Set(entry.filter(isType).map((s) => s.name.text)))
    byName.set(
      name,
      entry.filter((s) => isType(s) && s.name.text === name),
    );
  const params = new Set();
  const returns = new Set();
  const signature = (m) => {
    for (const p of m.parameters ?? []) typeNames(p.type, params);
    if (!ts.isConstructorDeclaration(m)) typeNames(m.type, returns);
  };
  for (const s of entry) {
    if (ts.isFunctionDeclaration(s)) signature(s);
    if (ts.isClassDeclaration(s))
      for (const m of s.members) {
        if (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private) continue;
        if (ts.isConstructorDeclaration(m) || ts.isMethodDeclaration(m)) signature(m);
        if (ts.isGetAccessorDeclaration(m)) typeNames(m.type, returns);
      }
  }
  for (const list of byName.values())
    for (const s of list)
      if (ts.isInterfaceDeclaration(s))
        for (const m of s.members) if (ts.isMethodSignature(m) || ts.isCallSignatureDeclaration(m)) typeNames(m.type, returns);
  const closure = (seed) => {
    const out = new Set();
    const todo = [...seed];
    while (todo.length > 0) {
      const name = todo.pop();
      if (out.has(name) || !byName.has(name)) continue;
      out.add(name);
      for (const s of byName.get(name)) typeNames(s, new Set(), (n) => todo.push(n));
    }
    return out;
  };
  const outputs = closure(returns);
  const missing = [];
  const checked = new Set();
  const visit = (members, prefix) => {
    for (const m of members) {
      if (!ts.isPropertySignature(m)) continue;
      const label = `${prefix}.${m.name.getText()}`;
      if (m.questionToken) checked.add(label);
      if (m.questionToken && !(m.jsDoc ?? []).some((d) => (d.tags ?? []).some((t) => t.tagName.text === 'default'))) missing.push(label);
      if (m.type && ts.isTypeLiteralNode(m.type)) visit(m.type.members, label);
    }
  };
  for (const name of closure(params)) {
    if (outputs.has(name)) continue;
    for (const s of byName.get(name)) {
      if (ts.isInterfaceDeclaration(s)) visit(s.members, name);
      else if (ts.isTypeLiteralNode(s.type)) visit(s.type.members, name);
    }
  }
  return { missing: [...new Set(missing)], checked: checked.size };
}

/** Adds to `out` the simple type names `node` refers to (type references and heritage clauses); `each` sees every one. */
function typeNames(node, out, each = () => {}) {
  const visit = (n) => {
    const name =
      ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName)
        ? n.typeName.text
        : ts.isExpressionWithTypeArguments(n) && ts.isIdentifier(n.expression)
          ? n.expression.text
          : undefined;
    if (name !== undefined) {
      out.add(name);
      each(name);
    }
    ts.forEachChild(n, visit);
  };
  if (node) visit(node);
  return out;
}

/** The optional props without `@default` in a .d.ts text, every function and class in it taken as exported. */
function missingDefaultsIn(dtsText) {
  const dts = ts.createSourceFile('check.d.ts', dtsText, ts.ScriptTarget.ES2022, true);
  return optionalWithoutDefault(dts.statements, dts.statements).missing;
}

/** Names a top-level .d.ts statement declares. */
function declaredNames(statement) {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.map((d) => d.name.getText());
  return statement.name && ts.isIdentifier(statement.name) ? [statement.name.text] : [];
}

function withoutPrivateMembers(statement) {
  if (!ts.isClassDeclaration(statement)) return statement;
  const visible = statement.members.filter(
    (m) => !(ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private) && !(m.name && ts.isPrivateIdentifier(m.name)),
  );
  return ts.factory.updateClassDeclaration(
    statement,
    statement.modifiers,
    statement.name,
    statement.typeParameters,
    statement.heritageClauses,
    visible,
  );
}

/** Code-point order: the same in every locale. */
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

module.exports = { apiReport, renderApiReport, undocumentedIn, missingDefaultsIn, REPORT };

if (require.main === module) {
  const text = renderApiReport();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '';
    if (current !== text) {
      console.error(
        `The public API differs from ${path.relative(ROOT, REPORT)}: review the change, then run \`npm run api\` and commit the report.`,
      );
      process.exitCode = 1;
    }
  } else {
    fs.mkdirSync(path.dirname(REPORT), { recursive: true });
    fs.writeFileSync(REPORT, text);
    console.log(`wrote ${path.relative(ROOT, REPORT)}`);
  }
}
