// Review figures in one fresh process; prints one JSON line (run by synth-bench.ts).
// Usage: node -r ./scripts/register.js bench/review-once.ts objects <N services>   review() of N realistic services' objects
//        node -r ./scripts/register.js bench/review-once.ts make-file <MB> <path>  writes a manifest file of about MB megabytes
//        node -r ./scripts/register.js bench/review-once.ts file <path>            the CLI on that file (parse + review + report)
import * as fs from 'fs';
import { ApiObject, Chart } from 'cdk8s';
import { MlApp, review } from '../src';
import { reviewCli } from '../src/review';
import { SERVICES_PER_NAMESPACE, realisticService } from './workload-mix';

/** The plain objects of `n` realistic services, 50 per namespace. */
function objects(n: number): unknown[] {
  const app = new MlApp({ outdir: '.bench/unused' });
  for (let i = 0; i < n; i += SERVICES_PER_NAMESPACE) {
    const chart = new Chart(app, `team-${i / SERVICES_PER_NAMESPACE}`, { namespace: `team-${i / SERVICES_PER_NAMESPACE}` });
    for (let j = i; j < Math.min(n, i + SERVICES_PER_NAMESPACE); j++) realisticService(chart, `model-${j}`, j);
  }
  return app.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => o.toJson());
}

const [mode, arg, file] = process.argv.slice(2);
const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);
if (mode === 'objects') {
  const docs = objects(Number(arg));
  const started = process.hrtime.bigint();
  const report = review(docs);
  console.log(
    JSON.stringify({
      mode,
      objects: report.counts.objects,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      findings: report.counts.total,
      peakRssMb: rss(),
    }),
  );
} else if (mode === 'make-file') {
  // ~37 KB of YAML per realistic service.
  const app = new MlApp({ outdir: '.bench/unused' });
  const services = Math.ceil((Number(arg) * 2 ** 20) / 37_000);
  const chart = new Chart(app, 'all', { namespace: 'bench' });
  for (let i = 0; i < services; i++) realisticService(chart, `model-${i}`, i);
  fs.writeFileSync(file, app.synthYaml());
  console.log(JSON.stringify({ mode, services, megabytes: fs.statSync(file).size / 2 ** 20 }));
} else if (mode === 'file') {
  const started = process.hrtime.bigint();
  const sink = { write: () => true };
  Promise.resolve(reviewCli(['--json', arg], { stdout: sink, stderr: sink })).then((code) => {
    console.log(
      JSON.stringify({
        mode,
        megabytes: fs.statSync(arg).size / 2 ** 20,
        exitCode: code,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        peakRssMb: rss(),
      }),
    );
  });
} else {
  throw new Error(`bad arguments: ${process.argv.slice(2).join(' ')}`);
}
