/** Kubernetes resource quantities (`500m`, `2Gi`, `1e3`, ...). */

const BINARY: Readonly<Record<string, number>> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const DECIMAL: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

// <sign><digits>[.<digits>] then one of: binary suffix, decimal suffix, or e/E exponent.
// `1E` is exa while `1E3` is an exponent: the regex backtracks from the `E` suffix to the exponent.
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

/**
 * Parses a Kubernetes quantity into a plain number in base units (cores, bytes, devices):
 * `500m` → 0.5, `2Gi` → 2147483648, `1e3` → 1000, `100k` → 100000. YAML numbers (`cpu: 1`) are
 * accepted as they are. Returns `undefined` for anything that is not a valid quantity.
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const [, digits, binary, decimal, exponent] = match;
  const base = Number(digits);
  let result: number;
  if (binary !== undefined) result = base * BINARY[binary];
  else if (exponent !== undefined) result = base * 10 ** Number(exponent);
  else result = base * DECIMAL[decimal ?? ''];
  return Number.isFinite(result) ? result : undefined;
}

/** Formats a byte count the way people write memory quantities (`1Gi`, `512Mi`, `1.5Gi`, `300`). */
export function formatBytes(bytes: number): string {
  for (const [suffix, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${suffix}`;
  }
  return String(Number(bytes.toFixed(3)));
}
