import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { MlApp } from '../src';
import { FileWriter } from '../src/app/file-writer';
import { expectSameTree, readTree, tempDir } from './app-output';

function writeAll(writer: FileWriter, dir: string, files: [string, string[]][]): void {
  for (const [name, pieces] of files) {
    const sink = writer.open(path.join(dir, name));
    for (const p of pieces) sink.write(p);
    sink.end();
  }
}

describe('FileWriter', () => {
  test('writes every file in order, past the first ones on a worker thread; a repeated name keeps the last text', () => {
    const dir = tempDir('file-writer');
    const big = 'x'.repeat(70_000); // more than one batch
    const files: [string, string[]][] = Array.from({ length: 100 }, (_, i) => [`f${i}.yaml`, [`a${i}\n`, big, `b${i}\n`]]);
    files.push(['f5.yaml', ['last\n']]);
    const writer = new FileWriter();
    writeAll(writer, dir, files);
    writer.finish();
    expect(fs.readdirSync(dir)).toHaveLength(100);
    expect(fs.readFileSync(path.join(dir, 'f99.yaml'), 'utf8')).toBe(`a99\n${big}b99\n`);
    expect(fs.readFileSync(path.join(dir, 'f5.yaml'), 'utf8')).toBe('last\n');
    expect(fs.readFileSync(path.join(dir, 'f40.yaml'), 'utf8')).toBe(`a40\n${big}b40\n`);
  });

  test("a failed write on the worker is thrown by finish(), with the system's message", () => {
    const dir = tempDir('file-writer');
    const writer = new FileWriter();
    writeAll(
      writer,
      dir,
      Array.from({ length: 40 }, (_, i) => [i === 35 ? 'missing/f.yaml' : `f${i}.yaml`, ['x']]),
    );
    expect(() => writer.finish()).toThrow(/MlApp could not write a file: ENOENT.*missing\/f\.yaml/);
  });

  test('a failed write before the worker starts throws at once', () => {
    const writer = new FileWriter();
    expect(() => writer.open(path.join(tempDir('file-writer'), 'missing', 'f.yaml'))).toThrow(/ENOENT/);
  });
});

describe('MlApp with a worker writing its files', () => {
  test('writes what App writes for 80 charts', () => {
    const build = (app: App) => {
      for (let i = 0; i < 80; i++) {
        const chart = new Chart(app, `c${i}`, { namespace: 'ns' });
        new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: `cm-${i}` }, data: { i: String(i), text: 'y'.repeat(i * 100) } });
      }
    };
    const cdk8s = new App({ outdir: tempDir('writer-app') });
    build(cdk8s);
    cdk8s.synth();
    const ours = new MlApp({ outdir: tempDir('writer-mlapp') });
    build(ours);
    ours.synth();
    expect(fs.readdirSync(ours.outdir)).toHaveLength(80);
    expectSameTree(readTree(ours.outdir), readTree(cdk8s.outdir));
  });

  test('a file the worker cannot create fails the synthesis and nothing is written', () => {
    const outdir = path.join(tempDir('writer-fail'), 'dist');
    const app = new MlApp({ outdir, yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    const chart = new Chart(app, 'c', { namespace: 'ns' });
    // File per resource: `ConfigMap.<name>.k8s.yaml`; a 253-character name makes a file name longer than 255 bytes.
    for (let i = 0; i < 40; i++) new ApiObject(chart, `o${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` } });
    new ApiObject(chart, 'long', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n'.repeat(253) } });
    expect(() => app.synth()).toThrow(/MlApp could not write a file: ENAMETOOLONG/);
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual([]);
  });
});
