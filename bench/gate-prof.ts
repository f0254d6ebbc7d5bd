import { Chart } from 'cdk8s';
import { MlApp } from '../src';
import { gateTiming, gateErrors } from '../src/core/gate';
import { realisticService } from './workload-mix';
const app = new MlApp({ outdir: '/tmp/gp-out' });
const n = Number(process.argv[2] ?? 2000);
let chart: Chart | undefined;
for (let i = 0; i < n; i++) { if (i % 50 === 0) chart = new Chart(app, `team-${i / 50}`, { namespace: `team-${i / 50}` }); realisticService(chart!, `model-${i}`, i); }
const t0 = performance.now();
const errs = gateErrors(app);
const t1 = performance.now();
console.log('errors', errs.length, 'total ms', (t1 - t0).toFixed(0), JSON.stringify({ ...gateTiming, byRule: Object.fromEntries(Object.entries(gateTiming.byRule).map(([k, v]) => [k, Math.round(v)])) }));
const t2 = performance.now();
gateErrors(app);
console.log('second run ms', (performance.now() - t2).toFixed(0), JSON.stringify(Object.fromEntries(Object.entries(gateTiming.byRule).map(([k, v]) => [k, Math.round(v)]))));
