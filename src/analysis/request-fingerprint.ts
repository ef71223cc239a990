import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so that key order never changes the text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Equal for two requests with the same pipeline and deep-equal input, whatever their key order. */
export function requestFingerprint(pipeline: string, input: unknown): string {
  return createHash('sha256').update(canonicalJson({ pipeline, input })).digest('base64url');
}
