import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/**
 * Everything below `dir`: each file's relative path mapped to its bytes, and each directory's
 * relative path (ending in '/') mapped to an empty buffer, so empty folders count too.
 */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out.set(`${p}/`, Buffer.alloc(0));
        walk(p);
      } else {
        out.set(p, fs.readFileSync(path.join(dir, p)));
      }
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}

/** Asserts two trees hold the same paths with byte-identical contents. */
export function expectSameTree(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [p, bytes] of expected) {
    if (!actual.get(p)!.equals(bytes)) throw new Error(`${p} differs:\n${actual.get(p)}\n--- expected ---\n${bytes}`);
  }
}
