import { type ApiKey, findKey } from '../auth/api-keys';

/** What `Authorization` presents: a Bearer key, or HTTP Basic `tenant:key` so that a browser can sign in. */
export function presentedAdmin(
  header: string | undefined,
): { key: string; tenant?: string } | undefined {
  const match = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  if (match[1].toLowerCase() === 'bearer') return { key: match[2] };
  const decoded = Buffer.from(match[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { tenant: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

/** Whether the request carries a key of ADMIN_KEYS (with Basic, under its own tenant or no user name). */
export function isAdmin(keys: readonly ApiKey[], header: string | undefined): boolean {
  const presented = presentedAdmin(header);
  const found = findKey(keys, presented?.key);
  return found !== undefined && (!presented?.tenant || presented.tenant === found.tenant);
}

/** The 401 a request without an admin key gets: Nest's error shape, and a Basic challenge so that a browser asks. */
export const ADMIN_CHALLENGE = {
  headers: { 'WWW-Authenticate': 'Basic realm="queues", charset="UTF-8"' },
  body: {
    statusCode: 401,
    error: 'Unauthorized',
    message:
      'The queue dashboard needs a key of ADMIN_KEYS, as a Bearer key or as HTTP Basic (user = tenant, password = key)',
  },
};
