// Synthesizes N OnlineInference services in one process and prints one JSON line of figures.
// Usage: node -r ./scripts/register.js bench/synth-once.ts <N> [chart-per-service|single-chart]
import { ApiObject, App, Chart } from 'cdk8s';
import { OnlineInference, ScalingMetric } from '../src';

const n = Number(process.argv[2] ?? 100);
const layout = process.argv[3] ?? 'chart-per-service';
const started = process.hrtime.bigint();
const app = new App({ outdir: `.bench/out-${n}-${layout}` });
const shared = layout === 'single-chart' ? new Chart(app, 'all', { namespace: 'bench' }) : undefined;
for (let i = 0; i < n; i++) {
  const chart = shared ?? new Chart(app, `svc-${i}`, { namespace: 'bench' });
  new OnlineInference(chart, `model-${i}`, {
    image: `registry.example.com/model-${i}:v1.${i % 10}.0`,
    resources: { cpu: '500m', memory: '1Gi', memoryLimit: '2Gi' },
    model: { name: `model-${i}`, version: `v${i % 7}` },
    autoscaling: { minReplicas: 2, maxReplicas: 10, metrics: [ScalingMetric.cpuUtilization(65)] },
  });
}
const built = process.hrtime.bigint();
app.synth();
const done = process.hrtime.bigint();
const objects = app.node.findAll().filter((c) => c instanceof ApiObject).length;
const seconds = Number(done - started) / 1e9;
console.log(JSON.stringify({
  n, layout, objects,
  constructSeconds: Number(built - started) / 1e9,
  synthSeconds: Number(done - built) / 1e9,
  totalSeconds: seconds,
  objectsPerSecond: Math.round(objects / seconds),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
}));
