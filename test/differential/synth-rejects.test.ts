import { App, Testing } from 'cdk8s';
import { Platform } from '../../src';
import { INVALID, VALID } from './invalid-values';
import { MUTATIONS } from './mutations';

/**
 * The differential suite's generators without a cluster: every prop of test/differential/mutations.ts refuses
 * every hand-picked invalid value at synth (the cluster suite found which ones the API server refuses; after the
 * fixes, synth refuses all of them), and accepts a valid one.
 */
function synth(build: (app: App) => void): void {
  const app = Testing.app();
  Platform.configure(app, { kubernetesVersion: '1.26' });
  build(app);
  app.charts.forEach((c) => Testing.synth(c));
}

describe.each(MUTATIONS.map((m) => [m.path, m] as const))('%s', (_path, m) => {
  test('accepts a valid value', () => {
    expect(() => synth((app) => m.build(app, 'ml', m.valid ?? VALID[m.category]))).not.toThrow();
  });

  const refused = m.apiAccepts ? [] : INVALID[m.category];
  (refused.length
    ? test.each(refused.map((v) => [JSON.stringify(v).slice(0, 40), v] as const))
    : test.skip.each([['(the API server accepts any value here)', '']]))('refuses %s', (_label, value) => {
    expect(() => synth((app) => m.build(app, 'ml', value))).toThrow();
  });
});
