// What loading the library costs, against loading cdk8s-plus-28 alone: each figure is the median of fresh Node
// processes timing one `require` (and first use of some exports). Reads the compiled lib/ (run `npm run build`).
//
//   node bench/load-time.js [--runs 21]
const { spawnSync } = require('child_process');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 21;
const ENTRY = JSON.stringify(path.join(ROOT, 'lib', 'src', 'index.js'));

const cases = [
  ['cdk8s-plus-28', `require('cdk8s-plus-28');`],
  ['cdk8s-ml: require only', `require(${ENTRY});`],
  [
    'cdk8s-ml: MlApp, Platform, OnlineInference, Accelerator',
    `const m = require(${ENTRY}); m.MlApp; m.Platform; m.OnlineInference; m.Accelerator;`,
  ],
  ['cdk8s-ml: every export', `const m = require(${ENTRY}); for (const k of Object.keys(m)) m[k];`],
];

function median(code) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const script = `const s = process.hrtime.bigint(); ${code} console.log(Number(process.hrtime.bigint() - s) / 1e6);`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    times.push(Number(r.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

let base;
for (const [name, code] of cases) {
  const ms = median(code);
  base ??= ms;
  console.log(`${name.padEnd(58)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}x`);
}
