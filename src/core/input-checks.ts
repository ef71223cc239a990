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

/** JSON nested deeper than this is refused: serialising it again (to the queue, to clients) would overflow the stack. */
export const MAX_INPUT_DEPTH = 64;

/** An issue if `value` nests arrays or objects deeper than `maxDepth`; walks iteratively, so any depth is safe. */
export function depthIssue(
  value: unknown,
  field: string,
  maxDepth = MAX_INPUT_DEPTH,
): string | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return `${field} is nested more than ${maxDepth} levels deep`;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}
