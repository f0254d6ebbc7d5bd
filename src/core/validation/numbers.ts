/**
 * Why `value` is not a whole number from `min` to `max` (inclusive), or undefined when it is. The
 * reason names what is wrong first: a fraction is "not a whole number" even when it is also out of range.
 */
export function wholeNumberProblem(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'is not a number';
  if (!Number.isFinite(value)) return 'is not a finite number';
  if (!Number.isInteger(value)) return 'is not a whole number';
  if (value < min) return `is below ${min}`;
  if (value > max) return `is above ${max}`;
  return undefined;
}

/** Why `value` is not a port number (a whole number from 1 to 65535), or undefined. */
export function portNumberProblem(value: unknown): string | undefined {
  const p = wholeNumberProblem(value, 1, 65535);
  return p === undefined || p === 'is not a whole number' || p === 'is not a number' ? p : 'is outside 1-65535';
}
