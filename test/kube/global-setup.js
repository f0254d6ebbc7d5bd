// Jest global setup of `npm run test:cluster` (jest.kube.config.js): finds the cluster the suites run against.
//   1. KUBE_TEST_KUBECONFIG names a kubeconfig: that cluster (kind, k3d, a real one); nothing is started.
//      An explicit variable, not KUBECONFIG, so a developer's everyday cluster is never used by accident.
//   2. Else the local control plane (a real kube-apiserver, controller manager and scheduler, no kubelet):
//      KUBE_TEST_CONTROL_PLANE, else ../shared/kube/control-plane beside the repository. It is started here
//      (in KUBE_CP_DIR, default ${TMPDIR:-/tmp}/cdk8s-ml-test-cluster) and stopped by global-teardown.js.
//   3. Neither: every cluster suite is skipped with one message, and the run passes.
// The suites read the chosen kubeconfig from CDK8S_ML_TEST_KUBECONFIG (set here, inherited by Jest's workers).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function controlPlaneScript(rootDir) {
  if (process.env.KUBE_TEST_CONTROL_PLANE)
    return { script: path.resolve(process.env.KUBE_TEST_CONTROL_PLANE), from: 'KUBE_TEST_CONTROL_PLANE' };
  return { script: path.resolve(rootDir, '..', 'shared', 'kube', 'control-plane'), from: 'default location' };
}

function skip(reason) {
  process.env.CDK8S_ML_TEST_SKIP = reason;
  console.log(`\n[test:cluster] SKIPPED: ${reason}\n`);
}

module.exports = async (globalConfig) => {
  delete process.env.CDK8S_ML_TEST_KUBECONFIG;
  process.env.CDK8S_ML_TEST_T0 = String(Date.now());
  fs.rmSync(path.join(globalConfig.rootDir, 'reports', 'cluster-test'), { recursive: true, force: true });
  if (process.env.KUBE_TEST_KUBECONFIG) {
    const file = path.resolve(process.env.KUBE_TEST_KUBECONFIG);
    if (!fs.existsSync(file)) throw new Error(`KUBE_TEST_KUBECONFIG=${file}: no such file`);
    process.env.CDK8S_ML_TEST_KUBECONFIG = file;
    process.env.CDK8S_ML_TEST_CLUSTER = `the cluster of KUBE_TEST_KUBECONFIG (${file})`;
    console.log(`\n[test:cluster] cluster: KUBE_TEST_KUBECONFIG=${file}; nothing started`);
    return;
  }
  const { script, from } = controlPlaneScript(globalConfig.rootDir);
  if (!fs.existsSync(script)) {
    return skip(
      `no cluster: KUBE_TEST_KUBECONFIG is not set and there is no control plane at ${script} (${from}). ` +
        'Set KUBE_TEST_KUBECONFIG to a test cluster (README: Testing against a cluster) or KUBE_TEST_CONTROL_PLANE to the control-plane script.',
    );
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return skip(
      `the control plane at ${script} runs on linux/x64 only (this is ${process.platform}/${process.arch}); set KUBE_TEST_KUBECONFIG instead`,
    );
  }
  const env = { ...process.env, KUBE_CP_DIR: process.env.KUBE_CP_DIR || path.join(os.tmpdir(), 'cdk8s-ml-test-cluster') };
  let wasUp = true;
  try {
    execFileSync(script, ['status'], { env, stdio: 'ignore' });
  } catch {
    wasUp = false;
  }
  console.log(`\n[test:cluster] control plane: ${script} (${from}), KUBE_CP_DIR=${env.KUBE_CP_DIR}${wasUp ? ', already up' : ''}`);
  const out = execFileSync(script, ['up'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const exported = out.trim().split('\n').pop();
  const kubeconfig = exported.replace(/^export KUBECONFIG=/, '').replace(/^'(.*)'$/, '$1');
  process.env.CDK8S_ML_TEST_KUBECONFIG = kubeconfig;
  process.env.CDK8S_ML_TEST_CLUSTER = `the local control plane (${script}, v1.26)`;
  // Stop only what this run started; wipe its data only in the suite's own default directory.
  if (!wasUp) {
    process.env.CDK8S_ML_TEST_STARTED = JSON.stringify({ script, dir: env.KUBE_CP_DIR, wipe: !process.env.KUBE_CP_DIR });
  }
};
