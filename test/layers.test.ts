import * as fs from 'fs';
import * as path from 'path';

/** The shared core is the ground every workload family stands on: it imports nothing above it. */
test('src/core imports only src/core and the generated imports', () => {
  const core = path.join(__dirname, '..', 'src', 'core');
  const upward = fs
    .readdirSync(core)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => {
      const text = fs.readFileSync(path.join(core, f), 'utf8');
      return [...text.matchAll(/from '(\.\.\/[^']+)'/g)]
        .map((m) => m[1])
        .filter((m) => !m.startsWith('../../imports/'))
        .map((m) => `${f} imports ${m}`);
    });
  expect(upward).toEqual([]);
});
