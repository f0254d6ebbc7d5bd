import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import { ADDON_FEATURES } from '../src';
import { synthValid } from './helpers';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The first ```ts block after `heading`. */
function blockAfter(heading: string): string {
  const from = README.indexOf(heading);
  const m = /```ts\n([^]*?)```/.exec(README.slice(from));
  if (from < 0 || !m) throw new Error(`no ts block after ${heading}`);
  return m[1];
}

test('the README LLM serving stack compiles, synthesizes and passes every schema, picker included', () => {
  const source = blockAfter('## LLM serving').replace(/app\.synth\(\);\s*$/, 'module.exports = app;\n');
  const diagnostics = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS } });
  expect(diagnostics.diagnostics).toEqual([]);
  const mod = { exports: {} as unknown };
  const load = (name: string) => (name === 'cdk8s-ml' ? require('../src') : require(name));
  new Function('require', 'module', 'exports', diagnostics.outputText)(load, mod, mod.exports);
  const app = mod.exports as App;
  const kinds = app.charts.flatMap((c) => synthValid(c)).map((o) => `${o.kind}/${o.metadata.name}`);
  expect(kinds).toEqual(
    expect.arrayContaining([
      'Job/llama-3-1-8b-0e9e39f2',
      'Deployment/llama',
      'InferencePool/llama',
      'HTTPRoute/llama',
      'ScaledObject/llama',
      'Deployment/llama-epp',
      'Service/llama-epp',
      'Role/llama-epp',
    ]),
  );
});

test('the README add-on table lists every version-dependent field with its minimum', () => {
  for (const f of Object.values(ADDON_FEATURES)) expect(README).toContain(`| ${f.field} | ${f.since} | ${f.olderTargets} |`);
});
