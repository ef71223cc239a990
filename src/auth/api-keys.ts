import { hash, timingSafeEqual } from 'node:crypto';

/** One accepted key and the tenant it speaks for. The key itself is kept only as a digest. */
export interface ApiKey {
  tenant: string;
  /** SHA-256 of the key: what presented keys are compared against. */
  digest: Buffer;
}

export const MIN_KEY_LENGTH = 16;
const TENANT_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Why an entry of a key list was refused; never carries the key itself. */
export class KeyListError extends Error {}

/** One-shot hashing: no Hash object per presented key. */
function digest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/**
 * Parses `tenant:key,tenant:key,key`. A bare key is a tenant of its own, named
 * after a digest of the key so that the name never reveals the key.
 */
export function parseKeyList(raw: string): ApiKey[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry, position) => {
      const colon = entry.indexOf(':');
      const tenant = colon > 0 ? entry.slice(0, colon) : undefined;
      const key = colon > 0 ? entry.slice(colon + 1) : entry;
      if (tenant !== undefined && !TENANT_PATTERN.test(tenant)) {
        throw new KeyListError(
          `entry ${position + 1}: the tenant must be 1 to 64 letters, digits, _ . or -`,
        );
      }
      if (key.length < MIN_KEY_LENGTH) {
        throw new KeyListError(
          `entry ${position + 1}: a key must be at least ${MIN_KEY_LENGTH} characters`,
        );
      }
      const keyDigest = digest(key);
      return {
        tenant: tenant ?? `key-${keyDigest.toString('hex').slice(0, 12)}`,
        digest: keyDigest,
      };
    });
}

/**
 * The entry whose key equals `presented`, compared in constant time: every
 * entry is compared, whatever matches, so timing tells nothing about the keys.
 */
export function findKey(
  keys: readonly ApiKey[],
  presented: string | undefined,
): ApiKey | undefined {
  if (presented === undefined || presented.length === 0) return undefined;
  const candidate = digest(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, candidate) && found === undefined) found = key;
  }
  return found;
}
