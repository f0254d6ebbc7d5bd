import * as fc from 'fast-check';
import { parseQuantity } from '../src/core/quantity';

describe('parseQuantity', () => {
  test.each([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['2Gi', 2 * 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1G', 1e9],
    ['100k', 1e5],
    ['1E', 1e18],
    ['250u', 250e-6],
    ['10n', 10e-9],
    ['1Ki', 1024],
    ['.5', 0.5],
    ['+2', 2],
    ['-1', -1],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2e-3', 0.002],
    ['1M', 1e6],
    ['1Ti', 2 ** 40],
    [4, 4],
    [0.25, 0.25],
  ])('%j → %d', (input, expected) => {
    expect(parseQuantity(input)).toBeCloseTo(expected as number, 12);
  });

  test.each(['', 'half', '1GB', ' 1', '1 Gi', '1gi', 'Gi', '1e', '1KiB', '1.2.3', 'abc', '1mm', '--1', '0x10'])(
    '%j is invalid',
    (input) => {
      expect(parseQuantity(input)).toBeUndefined();
    },
  );

  test.each([null, undefined, {}, [], true, NaN, Infinity])('%p is not a quantity', (input) => {
    expect(parseQuantity(input)).toBeUndefined();
  });

  test('integers with any binary suffix round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), fc.constantFrom('Ki', 'Mi', 'Gi'), (n, s) => {
        expect(parseQuantity(`${n}${s}`)).toBe(n * { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[s]!);
      }),
    );
  });

  test('milli versus mega are distinguished', () => {
    expect(parseQuantity('1m')).toBe(0.001);
    expect(parseQuantity('1M')).toBe(1e6);
  });
});
