import { Chart } from 'cdk8s';
import { MlApp } from '../src';
import { GatePass, gateTiming } from '../src/core/gate';
import { fastObjectJson } from '../src/app/fast-object-json';
import { realisticService } from './workload-mix';
import { ApiObject } from 'cdk8s';
const app = new MlApp({ outdir: '/tmp/gp-out' });
const n = Number(process.argv[2] ?? 2000);
let chart: Chart | undefined;
for (let i = 0; i < n; i++) { if (i % 50 === 0) chart = new Chart(app, `team-${i / 50}`, { namespace: `team-${i / 50}` }); realisticService(chart!, `model-${i}`, i); }
const objs = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => [o, fastObjectJson(o)] as const);
gateTiming.detailed = true;
for (let r = 0; r < 3; r++) {
  for (const k of Object.keys(gateTiming.byRule)) gateTiming.byRule[k] = 0;
  const t = performance.now();
  const pass = new GatePass();
  for (const [o, j] of objs) pass.add(o, j);
  pass.finish();
  console.log('run', r, (performance.now() - t).toFixed(0), 'ms', JSON.stringify(Object.fromEntries(Object.entries(gateTiming.byRule).map(([k, v]) => [k, Math.round(v)]))));
}
