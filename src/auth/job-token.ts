import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 192 random bits, base64url: unguessable, and safe in a URL. */
export function newJobToken(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time: digests of equal length are compared, whatever was presented. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (expected.length === 0 || presented === undefined || presented.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}
