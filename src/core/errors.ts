import { IConstruct } from 'constructs';

/** What was wrong with one prop, for {@link invalidProp}. */
export interface PropProblem {
  /** The prop, as the user wrote it (e.g. `resources.memoryLimit`). */
  readonly field: string;
  /** The value given. */
  readonly value: unknown;
  /** What is wrong with it (e.g. `is below resources.memory (1Gi)`). */
  readonly problem: string;
  /** How to fix it (e.g. `set memoryLimit >= memory`). */
  readonly fix: string;
}

/** Thrown for props that would yield a manifest that fails in a cluster. */
export class MlValidationError extends Error {
  /** An error whose `message` names the construct path, the prop, its value and the fix. */
  constructor(message: string) {
    super(message);
    this.name = 'MlValidationError';
  }
}

/** Formats a value for an error message: strings as they are, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'unset';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The message: `OnlineInference 'prod/sentiment': memoryLimit (512Mi) is below ...; set ...` (`MlApp (the app root)` for the app). */
export function problemMessage(scope: IConstruct, p: PropProblem): string {
  const where = scope.node.path === '' ? '(the app root)' : `'${scope.node.path}'`;
  return `${scope.constructor.name} ${where}: ${p.field} (${formatValue(p.value)}) ${p.problem}; ${p.fix}`;
}

/** Throws an {@link MlValidationError} naming the construct path, the field, the value and the fix. */
export function invalidProp(scope: IConstruct, p: PropProblem): never {
  throw new MlValidationError(problemMessage(scope, p));
}

/** Throws {@link invalidProp} unless `ok`. */
export function check(ok: boolean, scope: IConstruct, p: PropProblem): void {
  if (!ok) invalidProp(scope, p);
}
