// Benchmark: synthesis time and peak memory for N OnlineInference services, one process per run
// so peak memory is per run. Prints figures; not part of the test suite.
// Usage: npm run bench [-- 100 500 1000]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const ns = sizes.length ? sizes : [100, 500, 1000];
const layouts = ['chart-per-service', 'single-chart'];

console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}`);
console.log('layout              services  objects  construct s  synth s  total s  objects/s  peak RSS MB');
for (const layout of layouts) {
  for (const n of ns) {
    const out = execFileSync(process.execPath, ['-r', './scripts/register.js', 'bench/synth-once.ts', String(n), layout], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    console.log(`${layout.padEnd(19)} ${String(n).padStart(8)} ${String(r.objects).padStart(8)} ${r.constructSeconds.toFixed(2).padStart(12)} ${r.synthSeconds.toFixed(2).padStart(8)} ${r.totalSeconds.toFixed(2).padStart(8)} ${String(r.objectsPerSecond).padStart(10)} ${String(r.peakRssMb).padStart(12)}`);
  }
}
fs.rmSync('.bench', { recursive: true, force: true });
