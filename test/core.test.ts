import { Testing, Chart } from 'cdk8s';
import { Platform } from '../src';
import { parseImage, requireImmutableImage } from '../src/core/image';
import { isLabelValue } from '../src/core/names';

describe('image references', () => {
  const scope = new Chart(Testing.app(), 'c');
  const platform = Platform.of(scope);
  test.each([
    ['python:3.12', { registry: 'docker.io', repository: 'python', tag: '3.12' }],
    ['registry.example.com:5000/team/model:v1', { registry: 'registry.example.com:5000', repository: 'team/model', tag: 'v1' }],
    [`ghcr.io/org/m@sha256:${'a'.repeat(64)}`, { registry: 'ghcr.io', repository: 'org/m', digest: `sha256:${'a'.repeat(64)}` }],
    ['localhost/m:dev', { registry: 'localhost', repository: 'm', tag: 'dev' }],
  ])('%s', (image, parts) => expect(parseImage(image)).toMatchObject(parts));
  test('accepts tags and digests, rejects latest and untagged', () => {
    expect(() => requireImmutableImage(scope, 'image', 'python:3.12', platform)).not.toThrow();
    expect(() => requireImmutableImage(scope, 'image', `python:3.12@sha256:${'a'.repeat(64)}`, platform)).not.toThrow();
    expect(() => requireImmutableImage(scope, 'image', 'python:latest', platform)).toThrow(/mutable tag 'latest'/);
    expect(() => requireImmutableImage(scope, 'image', 'registry:5000/python', platform)).toThrow(/no tag or digest/);
  });
});

test('label values', () => {
  expect(isLabelValue('v2.1.0')).toBe(true);
  expect(isLabelValue('3.1-8b_q4')).toBe(true);
  expect(isLabelValue('a'.repeat(64))).toBe(false);
  expect(isLabelValue('has space')).toBe(false);
  expect(isLabelValue('-lead')).toBe(false);
});

test('platform conventions: the nearest scope wins per field', () => {
  const app = Testing.app();
  Platform.configure(app, { acceleratorNodeLabel: 'pool', imagePullSecrets: ['a'] });
  const chart = new Chart(app, 'c');
  Platform.configure(chart, { acceleratorNodeLabel: 'gpu-pool' });
  expect(Platform.of(chart)).toMatchObject({
    acceleratorNodeLabel: 'gpu-pool',
    imagePullSecrets: ['a'],
    acceleratorTaint: { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
  });
  expect(Platform.of(app).acceleratorNodeLabel).toBe('pool');
});
