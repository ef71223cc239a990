/** Deeper inputs are refused: serialising them (fingerprint, queue payload) would overflow the stack. */
export const MAX_INPUT_DEPTH = 256;

/** Whether `value` nests arrays or objects more than `max` levels deep; iterative, so any depth is safe. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}
