// Makes the compiled entry point (lib/src/index.js) load each module on first use of one of its exports, the way
// aws-cdk-lib's index does: `require('cdk8s-ml')` then costs the side-effect imports only, and an app pays for the
// families it uses. Run by `npm run build` after tsc; `node scripts/lazy-index.js [file]`.
//
// tsc emits each `export { X } from './m'` as `var m_1 = require("./m");` and a getter `return m_1.X;`. The
// binding becomes `var m_1;` and each getter `return (m_1 || (m_1 = require("./m"))).X;` (same line count, so the
// source map still points at the right lines). A side-effect `require("./m");` (an `import './m'` in index.ts, for
// modules that register gate rules) stays eager. Anything else the script does not recognise fails the build.
const fs = require('fs');
const path = require('path');

const file = process.argv[2] ?? path.join(__dirname, '..', 'lib', 'src', 'index.js');
const source = fs.readFileSync(file, 'utf8');
const BINDING = /^var (\w+) = require\("(\.[^"]+)"\);$/;
const SIDE_EFFECT = /^require\("\.[^"]+"\);$/;

const modules = new Map();
const lines = source.split('\n').map((line) => {
  const m = BINDING.exec(line);
  if (!m) return line;
  modules.set(m[1], m[2]);
  return `var ${m[1]};`;
});
let getters = 0;
const out = lines.map((line) => {
  if (/require\(/.test(line) && !BINDING.test(line) && !SIDE_EFFECT.test(line.trim()) && !/^var \w+;$/.test(line)) {
    throw new Error(`lazy-index: ${file}: a require this script does not know how to make lazy: ${line.trim()}`);
  }
  return line.replace(/return (\w+)\.(\w+); \}/g, (whole, binding, name) => {
    const from = modules.get(binding);
    if (!from) return whole;
    getters++;
    return `return (${binding} || (${binding} = require("${from}"))).${name}; }`;
  });
});
const eager = [...modules.keys()].filter((b) => out.some((l) => new RegExp(`\\b${b}\\b`).test(l) && !l.includes(`(${b} || (${b} =`) && l !== `var ${b};`));
if (eager.length > 0) throw new Error(`lazy-index: ${file}: bindings used outside an export getter: ${eager.join(', ')}`);
if (modules.size === 0) throw new Error(`lazy-index: ${file}: no module binding found (did tsc's output change?)`);
fs.writeFileSync(file, out.join('\n'));
console.log(`lazy-index: ${modules.size} modules, ${getters} exports load on first use`);
