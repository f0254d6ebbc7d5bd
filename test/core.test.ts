import { Testing, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { Platform } from '../src';
import { parseImage, requireImmutableImage } from '../src/core/image';
import { isLabelValue } from '../src/core/names';
import { parseQuantity } from '../src/core/quantity';

describe('parseQuantity', () => {
  test.each([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['2Gi', 2 * 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1e3', 1000],
    ['1G', 1e9],
    ['100k', 1e5],
    ['.5', 0.5],
  ])('%s = %d', (text, value) => expect(parseQuantity(text)).toBeCloseTo(value));
  test.each(['', 'half', '1GB', '1 Gi', 'Gi', '1.2.3', '--1'])('%s is not a quantity', (text) =>
    expect(parseQuantity(text)).toBeUndefined(),
  );
  test('integers with any binary suffix round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), fc.constantFrom('Ki', 'Mi', 'Gi'), (n, s) => {
        expect(parseQuantity(`${n}${s}`)).toBe(n * { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[s]!);
      }),
    );
  });
});

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
