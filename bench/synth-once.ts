// Synthesizes N workloads in one process and prints one JSON line of figures (run by synth-bench.ts).
// Usage: node -r ./scripts/register.js bench/synth-once.ts <N> <layout> <workload> <app>
//   layout:   chart-per-service | chart-per-namespace | single-chart
//   workload: online-inference | mix | plain (the same shape built directly with cdk8s-plus-28)
//   app:      cdk8s (cdk8s's App) | mlapp (MlApp)
import * as fs from 'fs';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MlApp } from '../src';
import { plainService } from './plain-shape';
import { WorkloadFactory, mixFactories, onlineInference, realisticService } from './workload-mix';

/** Services per namespace in the chart-per-namespace layout (a team's namespace). */
const SERVICES_PER_NAMESPACE = 50;

const [n, layout, workload, appKind] = [Number(process.argv[2] ?? 100), process.argv[3] ?? 'chart-per-service', process.argv[4] ?? 'online-inference', process.argv[5] ?? 'mlapp'];
const factories: WorkloadFactory[] = workload === 'plain' ? [plainService] : workload === 'mix' ? mixFactories() : workload === 'realistic' ? [realisticService] : [onlineInference];
if (!['chart-per-service', 'chart-per-namespace', 'single-chart'].includes(layout) || !['cdk8s', 'mlapp'].includes(appKind)) throw new Error(`bad arguments: ${process.argv.slice(2).join(' ')}`);

const started = process.hrtime.bigint();
const outdir = `.bench/out-${n}-${layout}-${workload}-${appKind}`;
const app = appKind === 'mlapp' ? new MlApp({ outdir }) : new App({ outdir });
const charts = new Map<string, Chart>();
const chartFor = (i: number): Construct => {
  const key = layout === 'chart-per-service' ? `svc-${i}` : layout === 'single-chart' ? 'all' : `team-${Math.floor(i / SERVICES_PER_NAMESPACE)}`;
  let chart = charts.get(key);
  if (!chart) {
    chart = new Chart(app, key, { namespace: layout === 'chart-per-namespace' ? key : 'bench' });
    charts.set(key, chart);
  }
  return chart;
};
for (let i = 0; i < n; i++) factories[i % factories.length](chartFor(i), `model-${i}`, i);
const built = process.hrtime.bigint();
app.synth();
const done = process.hrtime.bigint();
const objects = app.node.findAll().filter((c) => c instanceof ApiObject).length;
const seconds = Number(done - started) / 1e9;
console.log(JSON.stringify({
  n, layout, workload, app: appKind, objects, charts: charts.size,
  constructSeconds: Number(built - started) / 1e9,
  synthSeconds: Number(done - built) / 1e9,
  totalSeconds: seconds,
  objectsPerSecond: Math.round(objects / seconds),
  cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
}));
fs.rmSync(outdir, { recursive: true, force: true });
