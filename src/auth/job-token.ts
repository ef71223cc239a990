import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 24;
/**
 * Random bytes are drawn a few kilobytes at a time, as randomUUID does: one
 * call into the CSPRNG per 256 tokens instead of one per token.
 */
const pool = Buffer.alloc(TOKEN_BYTES * 256);
let offset = pool.length;

/** 192 random bits, base64url: unguessable, and safe in a URL. */
export function newJobToken(): string {
  if (offset + TOKEN_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const token = pool.toString('base64url', offset, offset + TOKEN_BYTES);
  offset += TOKEN_BYTES;
  return token;
}

const digest = (value: string): Buffer => hash('sha256', value, 'buffer');

/** Constant-time: digests of equal length are compared, whatever was presented. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (expected.length === 0 || presented === undefined || presented.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}
