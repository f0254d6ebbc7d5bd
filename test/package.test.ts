import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Every .ts file below `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The package a module specifier names (`@scope/name/x` -> `@scope/name`), or undefined for relative paths. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.replace(/^node:/, '').split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

// The fast guard in `npm test`; scripts/consumer-test.js (CI) proves the same on a real install.
test('the library imports only its dependencies, peer dependencies and Node built-ins (never a dev dependency)', () => {
  const allowed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), ...builtinModules]);
  const offending: string[] = [];
  for (const file of [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'imports'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|(?:require|import)\(\s*'([^']+)'\s*\)/gm)) {
      const name = packageOf(m[1] ?? m[2]);
      if (name !== undefined && !allowed.has(name.replace(/^node:/, ''))) offending.push(`${path.relative(ROOT, file)}: ${name}`);
    }
  }
  expect(offending).toEqual([]);
});

test('the package ships the compiled library, the CLI and the plugin entry, and nothing of the sources', () => {
  expect(pkg.files).toEqual(['lib/**/*.js', 'lib/**/*.d.ts', 'bin/', 'review-plugin/', 'CHANGELOG.md']);
  expect(pkg.bin).toEqual({ 'cdk8s-ml-review': 'bin/cdk8s-ml-review' });
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-28', 'constructs']);
  for (const peer of Object.keys(pkg.peerDependencies)) expect(Object.keys(pkg.dependencies)).not.toContain(peer);
  for (const entry of ['bin/cdk8s-ml-review', 'review-plugin/index.js']) {
    expect(fs.readFileSync(path.join(ROOT, entry), 'utf8')).toMatch(/require\('\.\.\/lib\/src\/review\/(cli|plugin)\.js'\)/);
  }
});
