// Transpile-only loader for .ts files: synthesis and benchmarks skip type-checking
// (the build and the tests type-check). Uses the project's own TypeScript, loaded only on a cache
// miss: transpiled files are cached by content hash in node_modules/.cache/cdk8s-ml-ts, so a
// repeated `cdk8s synth` starts without loading the compiler.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'cdk8s-ml-ts');
const compilerVersion = require('typescript/package.json').version;
// Part of the cache key: change it whenever the options below change.
const OPTIONS_KEY = 'commonjs,es2022,esModuleInterop';
let ts;

function transpile(source, filename) {
  ts = ts ?? require('typescript');
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  return ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
}

function cached(source, filename) {
  const key = crypto.createHash('sha256').update(`${compilerVersion}\0${OPTIONS_KEY}\0${filename}\0${source}`).digest('hex');
  const file = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    const output = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, file); // atomic: concurrent runs never read a partial file
    } catch {
      // an unwritable cache only costs the next run a transpile
    }
    return output;
  }
}

require.extensions['.ts'] = (module, filename) => {
  module._compile(cached(fs.readFileSync(filename, 'utf8'), filename), filename);
};
