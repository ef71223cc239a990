import { InputError } from './input-error';

/** Small checks shared by pipeline input validators; messages name the field as `input.<field>`. */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field = 'input'): Record<string, unknown> {
  if (!isPlainObject(value)) throw new InputError(`${field} must be an object`);
  return value;
}

/** Issues for keys the pipeline does not know, so that a typo is reported instead of ignored. */
export function unknownKeyIssues(
  value: Record<string, unknown>,
  allowed: readonly string[],
  field = 'input',
): string[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${field}.${key} is not a known field (known: ${allowed.join(', ')})`);
}

export function integerIssue(
  value: unknown,
  field: string,
  min: number,
  max: number,
): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return `${field} must be an integer from ${min} to ${max}`;
  }
  return undefined;
}
