import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { OnlineInference } from '../../src';
import { GatePass } from '../../src/core/gate';

const image = 'registry.example.com/team/app:v1.0.0';

/** cdk8s's App with `charts` charts of one service each, and a counter of the gate's passes. */
function appWithCharts(charts: number) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gate-once-')) });
  const services = Array.from({ length: charts }, (_, i) => {
    const chart = new Chart(app, `team-${i}`, { namespace: `team-${i}` });
    return new OnlineInference(chart, 'scorer', { image, resources: { cpu: '1', memory: '1Gi' } });
  });
  return { app, services };
}

function countPasses<T>(run: () => T): { result?: T; passes: number; error?: unknown } {
  const finish = GatePass.prototype.finish;
  let passes = 0;
  GatePass.prototype.finish = function (this: GatePass) {
    passes++;
    return finish.call(this);
  };
  try {
    return { result: run(), passes };
  } catch (error) {
    return { passes, error };
  } finally {
    GatePass.prototype.finish = finish;
  }
}

describe("cdk8s's App runs the gate once per synthesis, not once per chart", () => {
  test('synth() and synthYaml() of six charts: one pass each (cdk8s validates the app 1 + 6 times)', () => {
    const { app } = appWithCharts(6);
    expect(countPasses(() => app.synth()).passes).toBe(1);
    expect(countPasses(() => app.synthYaml()).passes).toBe(1);
  });

  test('a change between two synths is judged: the second synth refuses it, every chart still reported once', () => {
    const { app, services } = appWithCharts(3);
    expect(countPasses(() => app.synth()).error).toBeUndefined();
    ApiObject.of(services[1].deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/imagePullSecrets', [{ name: 'Bad_Name' }]));
    const second = countPasses(() => app.synth());
    expect(second.passes).toBe(1);
    const message = String((second.error as Error)?.message);
    expect(message).toMatch(/Deployment 'scorer' spec.template.spec.imagePullSecrets\[0\].name \(Bad_Name\)/);
    expect(message.match(/Bad_Name/g)?.length).toBe(1);
  });

  test('the gate judges again on the next synth after one that threw', () => {
    const { app, services } = appWithCharts(2);
    ApiObject.of(services[0].deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/imagePullSecrets', [{ name: 'Bad_Name' }]));
    expect(() => app.synth()).toThrow(/Bad_Name/);
    expect(() => app.synthYaml()).toThrow(/Bad_Name/);
  });
});
