import { Chart, Testing } from 'cdk8s';
import { parsePromql } from '../src/observability/promql-parser';
import { realisticService } from './workload-mix';
const app = Testing.app();
const c = new Chart(app, 'c', { namespace: 'ns' });
for (let i = 0; i < 20; i++) realisticService(c, `model-${i}`, i);
const rules = Testing.synth(c).filter((o: any) => o.kind === 'PrometheusRule').flatMap((o: any) => o.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr)));
console.log('exprs per service', rules.length / 20, 'avg length', Math.round(rules.reduce((s: number, e: string) => s + e.length, 0) / rules.length));
for (let round = 0; round < 3; round++) {
  const t = performance.now();
  let n = 0;
  for (let k = 0; k < 100; k++) for (const e of rules) { parsePromql(e.replace(/model-(\d+)/g, `model-$1x${k}`)); n++; }
  const ms = performance.now() - t;
  console.log(round, n, 'parses', ms.toFixed(0), 'ms', ((ms * 1000) / n).toFixed(1), 'µs each');
}
