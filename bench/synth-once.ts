// Synthesizes N workloads in one fresh process and prints one JSON line of figures (run by synth-bench.ts).
// Usage: node -r ./scripts/register.js bench/synth-once.ts <N> <layout> <workload> <app>
//   layout:   chart-per-service | chart-per-namespace (50 services each) | single-chart
//   workload: realistic | mix | minimal | plain (the minimal shape built directly with cdk8s-plus-28)
//   app:      mlapp (MlApp) | cdk8s (cdk8s's App) | yaml (the same objects as plain JSON, serialized with the
//             `yaml` package as cdk8s does and written one file per chart: no constructs at all)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { MlApp } from '../src';
import { GatePass, gateTiming } from '../src/core/gate';
import { plainService } from './plain-shape';
import { SERVICES_PER_NAMESPACE, WorkloadFactory, mixFactories, onlineInference, realisticService } from './workload-mix';

const [n, layout, workload, appKind] = [
  Number(process.argv[2] ?? 100),
  process.argv[3] ?? 'chart-per-service',
  process.argv[4] ?? 'realistic',
  process.argv[5] ?? 'mlapp',
];
const FACTORIES: Record<string, () => WorkloadFactory[]> = {
  realistic: () => [realisticService],
  mix: mixFactories,
  minimal: () => [onlineInference],
  plain: () => [plainService],
};
if (
  !FACTORIES[workload] ||
  !['chart-per-service', 'chart-per-namespace', 'single-chart'].includes(layout) ||
  !['cdk8s', 'mlapp', 'yaml'].includes(appKind)
) {
  throw new Error(`bad arguments: ${process.argv.slice(2).join(' ')}`);
}
const factories = FACTORIES[workload]();
// GATE=off measures synthesis without the gate's rules (the difference is the gate's whole cost, garbage included).
if (process.env.GATE === 'off') {
  GatePass.prototype.add = () => undefined;
  GatePass.prototype.finish = () => [];
}
// The system temp folder: on some machines (this repository's CI VM among them) writing thousands of files inside
// the working tree costs milliseconds each, which would measure the file system rather than synthesis.
const outdir = path.join(os.tmpdir(), `cdk8s-ml-bench-${process.pid}`);

/** Builds the construct tree of the benchmark in `app`. */
function build(app: App): Map<string, Chart> {
  const charts = new Map<string, Chart>();
  const chartFor = (i: number): Construct => {
    const key =
      layout === 'chart-per-service' ? `svc-${i}` : layout === 'single-chart' ? 'all' : `team-${Math.floor(i / SERVICES_PER_NAMESPACE)}`;
    let chart = charts.get(key);
    if (!chart) {
      chart = new Chart(app, key, { namespace: layout === 'chart-per-namespace' ? key : 'bench' });
      charts.set(key, chart);
    }
    return chart;
  };
  for (let i = 0; i < n; i++) factories[i % factories.length](chartFor(i), `model-${i}`, i);
  return charts;
}

const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;
let figures: Record<string, number>;
if (appKind === 'yaml') {
  // The same objects as plain JSON (built outside the timed part), then only serialization and writing is timed.
  const prepared = process.hrtime.bigint();
  const charts = build(new App({ outdir }));
  const files: [string, unknown[]][] = [...charts].map(([name, chart]) => [
    `${name}.k8s.yaml`,
    JSON.parse(
      JSON.stringify(
        chart.node
          .findAll()
          .filter((c): c is ApiObject => c instanceof ApiObject)
          .map((o) => o.toJson()),
      ),
    ),
  ]);
  charts.clear();
  const objects = files.reduce((sum, [, docs]) => sum + docs.length, 0);
  (globalThis as { gc?: () => void }).gc?.();
  const started = process.hrtime.bigint();
  fs.mkdirSync(outdir, { recursive: true });
  for (const [file, docs] of files) {
    fs.writeFileSync(
      path.join(outdir, file),
      docs.map((d) => stringify(d, { keepUndefined: true, lineWidth: 0, version: '1.1' })).join('---\n'),
    );
  }
  const done = process.hrtime.bigint();
  figures = {
    objects,
    charts: files.length,
    constructSeconds: seconds(prepared, started),
    synthSeconds: seconds(started, done),
    totalSeconds: seconds(started, done),
  };
} else {
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const app = appKind === 'mlapp' ? new MlApp({ outdir }) : new App({ outdir });
  const charts = build(app);
  const built = process.hrtime.bigint();
  const cpuBuilt = process.cpuUsage(cpuStart);
  app.synth();
  const done = process.hrtime.bigint();
  const cpuDone = process.cpuUsage(cpuStart);
  const objects = app.node.findAll().filter((c) => c instanceof ApiObject).length;
  figures = {
    objects,
    charts: charts.size,
    constructSeconds: seconds(started, built),
    synthSeconds: seconds(built, done),
    totalSeconds: seconds(started, done),
    constructCpuSeconds: (cpuBuilt.user + cpuBuilt.system) / 1e6,
    synthCpuSeconds: (cpuDone.user + cpuDone.system - cpuBuilt.user - cpuBuilt.system) / 1e6,
    // The gate's own time (its rules), and the JSON it renders for them (which MlApp's writer then reuses).
    gateSeconds: gateTiming.milliseconds / 1000,
    gateRenderSeconds: gateTiming.renderMilliseconds / 1000,
  };
}
const yamlBytes = fs.readdirSync(outdir).reduce((sum, f) => sum + fs.statSync(path.join(outdir, f)).size, 0);
fs.rmSync(outdir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    n,
    layout,
    workload,
    app: appKind,
    ...figures,
    yamlMb: Math.round(yamlBytes / 2 ** 20),
    objectsPerSecond: Math.round(figures.objects / figures.totalSeconds),
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
