// Synthesis stays linear: the time per object barely changes when the app grows 4x, in both chart layouts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { MlApp } from '../src';
import { realisticService } from '../bench/workload-mix';

/** Fastest of two syntheses of `n` realistic services (8 objects each), in seconds per service. */
function secondsPerService(n: number, perChart: number): number {
  let best = Infinity;
  for (let r = 0; r < 2; r++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-scale-'));
    const started = process.hrtime.bigint();
    const app = new MlApp({ outdir: path.join(outdir, 'dist') });
    let chart: Chart | undefined;
    for (let i = 0; i < n; i++) {
      if (i % perChart === 0) chart = new Chart(app, `team-${i / perChart}`, { namespace: `team-${i / perChart}` });
      realisticService(chart!, `model-${i}`, i);
    }
    app.synth();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return best / n;
}

test.each([
  ['a chart per service', 1],
  ['a chart per namespace of 40 services', 40],
])(
  'synthesis time per service stays flat from 40 to 160 services (%s)',
  (_, perChart) => {
    secondsPerService(10, perChart); // warm up the JIT
    const small = secondsPerService(40, perChart);
    const large = secondsPerService(160, perChart);
    // Quadratic work makes this ratio about 4; linear work keeps it near 1 (bound generous for shared CI machines).
    expect(large / small).toBeLessThan(2.2);
  },
  60_000,
);
