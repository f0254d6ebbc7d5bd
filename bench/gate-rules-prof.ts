import { ApiObject, Chart } from 'cdk8s';
import { MlApp } from '../src';
import { GatePass, gateTiming } from '../src/core/gate';
import { fastObjectJson } from '../src/app/fast-object-json';
import { realisticService } from './workload-mix';
// Profiles the gate alone: `node --cpu-prof -r ./scripts/register.js bench/gate-rules-prof.ts`.
const app = new MlApp({ outdir: '/tmp/gp-out' });
let chart: Chart | undefined;
for (let i = 0; i < 500; i++) {
  if (i % 50 === 0) chart = new Chart(app, `team-${i / 50}`, { namespace: `team-${i / 50}` });
  realisticService(chart!, `model-${i}`, i);
}
const objs = app.node
  .findAll()
  .filter((c): c is ApiObject => c instanceof ApiObject)
  .map((o) => [o, fastObjectJson(o)] as const);
gateTiming.detailed = true;
const t = process.cpuUsage();
for (let r = 0; r < 20; r++) {
  const pass = new GatePass();
  for (const [o, j] of objs) pass.add(o, j);
  pass.finish();
}
const u = process.cpuUsage(t);
console.log('gate CPU per 500 services:', ((u.user + u.system) / 1000 / 20).toFixed(1), 'ms');
console.log(JSON.stringify(Object.fromEntries(Object.entries(gateTiming.byRule).map(([k, v]) => [k, Math.round(v / 20)]))));
