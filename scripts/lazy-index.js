// Makes the compiled entry point (lib/src/index.js) load each module on first use of one of its exports, the way
// aws-cdk-lib's index does: `require('cdk8s-ml')` then costs the side-effect imports only, and an app pays for the
// families it uses. Run by `npm run build` after tsc; `node scripts/lazy-index.js [file]`.
//
// tsc emits each `export { X } from './m'` as `var m_1 = require("./m");` and a getter `return m_1.X;`. Only the
// binding changes: `var m_1 = lazy(() => require("./m"));`, an object that loads the module when a getter first
// reads it. The getters keep tsc's shape, so Node's ESM loader (cjs-module-lexer) still finds every named export
// for `import { MlApp } from 'cdk8s-ml'`. A side-effect `require("./m");` (an `import './m'` in index.ts, for
// modules that register gate rules) stays eager. A require the script does not recognise fails the build.
const fs = require('fs');
const path = require('path');

const file = process.argv[2] ?? path.join(__dirname, '..', 'lib', 'src', 'index.js');
const source = fs.readFileSync(file, 'utf8');
const BINDING = /^var (\w+) = require\("(\.[^"]+)"\);$/;
const SIDE_EFFECT = /^require\("\.[^"]+"\);$/;
const HELPER =
  'function lazy(load) { let m; return new Proxy({}, { get: (_, key) => (m ??= load())[key], has: (_, key) => key in (m ??= load()) }); }';

let modules = 0;
const lines = source.split('\n').map((line) => {
  const m = BINDING.exec(line);
  if (m) {
    modules++;
    return `var ${m[1]} = lazy(() => require("${m[2]}"));`;
  }
  if (/\brequire\(/.test(line) && !SIDE_EFFECT.test(line.trim())) {
    throw new Error(`lazy-index: ${file}: a require this script does not know how to make lazy: ${line.trim()}`);
  }
  return line;
});
if (modules === 0) throw new Error(`lazy-index: ${file}: no module binding found (did tsc's output change?)`);
// After the "use strict" prologue; one line, so the rest keeps its line numbers but one.
const strict = lines.findIndex((l) => l === '"use strict";');
lines.splice(strict + 1, 0, HELPER);
fs.writeFileSync(file, lines.join('\n'));
console.log(`lazy-index: ${modules} modules load on first use`);
