import { ApiObject, App, Chart, JsonPatch, Size, Testing } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { MlNamespace, OnlineInference } from '../src';

/*
 * The synth-time checks over rendered objects are one mechanism (the gate: the API server's rules, the pod
 * contract, LimitRange admission): a mistake the API server and the library's contract would both catch is
 * reported once, not by each.
 */

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const MODEL = { name: 'm', version: 'v1', uri: 'https://models.example.com/m.onnx', sha256: SHA, size: '1Gi' };
const SIDECAR: plus.ContainerProps = {
  name: 'proxy',
  image: 'registry.example.com/proxy:v2',
  resources: { cpu: { request: plus.Cpu.millis(50) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) } },
  securityContext: { user: 65532, group: 65532, capabilities: { drop: [plus.Capability.ALL] } },
};
const serving = (c: Chart) =>
  new OnlineInference(c, 'svc', {
    image: 'registry.example.com/app:v1',
    resources: { cpu: '500m', memory: '2Gi' },
    model: MODEL,
    networkPolicy: { egressTo: [{ to: { cidr: '10.0.0.0/8' }, ports: [443] }] },
  });
const patch = (c: Chart, op: JsonPatch) => ApiObject.of(serving(c).deployment).addJsonPatch(op);

const cases: [string, (c: Chart, app: App) => void, RegExp][] = [
  [
    'a contract variable replaced through the hatch',
    (c) => serving(c).deployment.containers[0].env.addVariable('MODEL_DIR', plus.EnvValue.fromValue('/data')),
    /MODEL_DIR/,
  ],
  ['a container name used twice', (c) => serving(c).deployment.addContainer({ ...SIDECAR, name: 'server' }), /server/],
  ['an empty image', (c) => patch(c, JsonPatch.replace('/spec/template/spec/containers/0/image', '')), /image/],
  [
    'a request a JSON patch dropped',
    (c) => patch(c, JsonPatch.replace('/spec/template/spec/containers/0/resources/requests/cpu', '2')),
    /requests/,
  ],
  [
    "a request above the namespace's default limit",
    (c, app) => {
      new MlNamespace(new Chart(app, 'platform'), 'ml', { quota: { requestsCpu: '64' }, containerDefaults: { cpuLimit: '100m' } });
      serving(c);
    },
    /containerDefaults.cpuLimit/,
  ],
];

test.each(cases)('%s is one error', (_, mutate, names) => {
  const app = Testing.app();
  const c = new Chart(app, 'hatch', { namespace: 'ml' });
  mutate(c, app);
  let message = '';
  try {
    app.synth();
  } catch (e) {
    message = (e as Error).message;
  }
  const errors = message.split('\n').filter((l) => /^\s*\[[^\]]*\] /.test(l));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(names);
});
