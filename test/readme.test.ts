import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { validateManifest } from './helpers';

/*
 * Every ```ts example of README.md works when copied: `npm run readme` copies them to test/readme/ (only the
 * library import differs), `npm test` type-checks the copies with the rest of test/ (tsc), and this test checks
 * the copies are current and synthesizes each one, validating every object it writes against its schema.
 */

const { readmeCopies } = require('../scripts/readme-blocks.js');
const copies: { file: string; text: string }[] = readmeCopies();
const dir = path.join(__dirname, 'readme');

test('test/readme/ holds a current copy of every ```ts example of README.md (after a README change: npm run readme)', () => {
  const current = copies.filter((c) => fs.existsSync(path.join(dir, c.file)) && fs.readFileSync(path.join(dir, c.file), 'utf8') === c.text);
  expect({
    stale: copies.filter((c) => !current.includes(c)).map((c) => c.file),
    leftOver: fs.readdirSync(dir).filter((f) => !copies.some((c) => c.file === f)),
  }).toEqual({
    stale: [],
    leftOver: [],
  });
  expect(copies.length).toBeGreaterThanOrEqual(10);
});

test('every README example builds its app with MlApp (one validation, staged writes, reports beside the manifests)', () => {
  expect(copies.filter((c) => /\bnew App\(/.test(c.text) || !/\bnew MlApp\(/.test(c.text)).map((c) => c.file)).toEqual([]);
});

describe('every README example synthesizes', () => {
  let outdir: string;
  const saved = process.env.CDK8S_OUTDIR;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-readme-'));
    process.env.CDK8S_OUTDIR = path.join(outdir, 'dist');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = saved;
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test.each(copies.map((c) => c.file))('%s', (file) => {
    require(path.join(dir, file));
    const written = fs.readdirSync(path.join(outdir, 'dist')).filter((f) => f.endsWith('.k8s.yaml'));
    expect(written.length).toBeGreaterThan(0);
    for (const f of written) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, 'dist', f), 'utf8'))) validateManifest(doc.toJSON());
    }
  });
});
