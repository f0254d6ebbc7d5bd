/** Quantities in findings: parsing and formatting are the core's (`src/core/quantity.ts`). */
export { formatBytes, parseQuantity } from '../core/quantity';
