import type { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

const SUFFIX: Record<string, number> = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;
const cache = new Map<string, number | undefined>();

/**
 * Parses a Kubernetes quantity (`500m`, `1.5`, `2Gi`, `1e3`) to a number in base units, or undefined
 * if it is not one. YAML numbers (`cpu: 1`) are taken as they are.
 */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  if (cache.has(text)) return cache.get(text);
  const m = QUANTITY.exec(text);
  let value: number | undefined;
  if (m) value = m[2] ? Number(m[1] + m[2]) : Number(m[1]) * SUFFIX[m[3] ?? ''];
  if (value !== undefined && !Number.isFinite(value)) value = undefined;
  if (cache.size < 10000) cache.set(text, value);
  return value;
}

/** The quantity's value, or a clear error naming the field. Negative quantities are rejected. */
export function requireQuantity(scope: IConstruct, field: string, text: string, example: string): number {
  const value = typeof text === 'string' ? parseQuantity(text) : undefined;
  if (value === undefined || value < 0) {
    invalidProp(scope, {
      field, value: text, problem: 'is not a Kubernetes quantity',
      fix: `use a quantity such as '${example}'`,
    });
  }
  return value;
}

/** A byte count as a cdk8s Size, rounded up to whole mebibytes. */
export function sizeOfBytes(bytes: number): Size {
  // Required here, not at the top: the review CLI parses quantities without loading cdk8s.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('cdk8s') as typeof import('cdk8s')).Size.mebibytes(Math.ceil(bytes / 2 ** 20));
}

/** Formats a byte count the way people write memory quantities (`1Gi`, `512Mi`, `1.5Gi`, `300`). */
export function formatBytes(bytes: number): string {
  for (const [suffix, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${suffix}`;
  }
  return String(Number(bytes.toFixed(3)));
}

/** Formats an amount of `resource` for messages: bytes for memory and storage, plain numbers otherwise. */
export function formatAmount(resource: string, amount: number): string {
  return /memory|storage/.test(resource) ? formatBytes(amount) : String(Number(amount.toFixed(3)));
}
