// Jest global teardown of `npm run test:cluster`: writes reports/cluster-test.md from the suites' figures (and
// prints it), then stops the control plane when global-setup.js started it.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function report(rootDir) {
  const dir = path.join(rootDir, 'reports', 'cluster-test');
  if (!fs.existsSync(dir)) return;
  const sections = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  if (sections.length === 0) return;
  const seconds = ((Date.now() - Number(process.env.CDK8S_ML_TEST_T0)) / 1000).toFixed(1);
  const standIns = new Map();
  for (const s of sections) for (const x of s.standIns) standIns.set(x.name, x);
  const lines = [
    '# Cluster test report (npm run test:cluster)',
    '',
    `Cluster: ${process.env.CDK8S_ML_TEST_CLUSTER}. Wall time including start and stop: ${seconds} s.`,
    '',
    ...sections.flatMap((s) => [
      `## ${s.suite}`,
      '',
      ...Object.entries(s.figures).map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
      ...s.notes.map((n) => `- ${n}`),
      '',
    ]),
    '## Stand-ins (controllers this cluster does not run, played by the test as upstream does it)',
    '',
    ...[...standIns.values()].flatMap((x) => [`- **${x.name}**: ${x.does}. Source: ${x.source}.`]),
    '',
  ];
  const file = path.join(rootDir, 'reports', 'cluster-test.md');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  console.log(`\n${lines.slice(0, -2 - standIns.size).join('\n')}\n[test:cluster] report with the stand-ins: ${file}`);
}

module.exports = async (globalConfig) => {
  report(globalConfig.rootDir);
  if (!process.env.CDK8S_ML_TEST_STARTED) return;
  const { script, dir, wipe } = JSON.parse(process.env.CDK8S_ML_TEST_STARTED);
  execFileSync(script, wipe ? ['down', '--wipe'] : ['down'], { env: { ...process.env, KUBE_CP_DIR: dir }, stdio: 'inherit' });
};
