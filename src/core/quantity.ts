import type { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
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

/** True for fields that hold bytes (memory, storage, sizes): they get the byte checks of {@link requireQuantity}. */
export function isByteField(field: string): boolean {
  return /memory|storage|size/i.test(field);
}

/**
 * The problem with `text` as a byte amount, or undefined: a milli/micro/nano suffix (`512m` is 0.512
 * bytes, not 512 MiB) or a fraction of a byte, which the API server accepts and the kubelet rounds.
 */
export function byteQuantityProblem(text: string, value: number): string | undefined {
  if (/[0-9.](m|u|n)$/.test(text))
    return `ends in '${text.slice(-1)}', a milli/micro/nano suffix: that is ${Number(value.toPrecision(3))} bytes`;
  if (!Number.isInteger(value)) return `is a fraction of a byte (${Number(value.toPrecision(6))} bytes)`;
  return undefined;
}

/**
 * The quantity's value, or a clear error naming the field. Negative quantities are rejected; byte
 * fields ({@link isByteField}) must be whole bytes without a milli suffix.
 */
export function requireQuantity(scope: IConstruct, field: string, text: string, example: string): number {
  const value = typeof text === 'string' ? parseQuantity(text) : undefined;
  if (value === undefined || value < 0) {
    invalidProp(scope, {
      field,
      value: text,
      problem: 'is not a Kubernetes quantity',
      fix: `use a quantity such as '${example}'`,
    });
  }
  const bytes = isByteField(field) ? byteQuantityProblem(text, value) : undefined;
  if (bytes !== undefined) {
    invalidProp(scope, {
      field,
      value: text,
      problem: bytes,
      fix: `write bytes with a binary suffix such as '${example}' (Mi, Gi), never 'm'`,
    });
  }
  return value;
}

/** A byte count as a cdk8s Size, rounded up to whole mebibytes. */
export function sizeOfBytes(bytes: number): Size {
  // Required here, not at the top: the review CLI parses quantities without loading cdk8s.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cdk8sSize ??= (require('cdk8s') as typeof import('cdk8s')).Size;
  return cdk8sSize.mebibytes(Math.ceil(bytes / 2 ** 20));
}
let cdk8sSize: typeof Size | undefined;

/** Formats a byte count the way people write memory quantities (`1Gi`, `512Mi`, `1.5Gi`, `300`). */
export function formatBytes(bytes: number): string {
  for (const [suffix, size] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${suffix}`;
  }
  return String(Number(bytes.toFixed(3)));
}

/** Formats an amount of `resource` for messages: bytes for memory and storage, plain numbers otherwise. */
export function formatAmount(resource: string, amount: number): string {
  return /memory|storage/.test(resource) ? formatBytes(amount) : String(Number(amount.toFixed(3)));
}
