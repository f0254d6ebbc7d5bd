/** Quantities in findings: parsing is the core's (`src/core/quantity.ts`). */
export { parseQuantity } from '../core/quantity';

/** Formats a byte count the way people write memory quantities (`1Gi`, `512Mi`, `1.5Gi`, `300`). */
export function formatBytes(bytes: number): string {
  for (const [suffix, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${suffix}`;
  }
  return String(Number(bytes.toFixed(3)));
}
