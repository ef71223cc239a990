import { INVALID_ID_MESSAGE, isValidId } from '../analysis-job';

export interface SubscribeRequest {
  id: string;
  after: number;
  token?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a client's `subscribe` payload; anything a client may send is handled. */
export function parseSubscribeRequest(payload: unknown): Parsed<SubscribeRequest> {
  if (!isRecord(payload)) {
    return { ok: false, message: 'subscribe expects an object like { "id": "…", "after": 0 }' };
  }
  const { id, after = 0, token } = payload;
  if (!isValidId(id)) return { ok: false, message: `id: ${INVALID_ID_MESSAGE}` };
  if (typeof after !== 'number' || !Number.isSafeInteger(after) || after < 0) {
    return { ok: false, message: 'after must be an integer ≥ 0: the last seq the client has seen' };
  }
  if (token !== undefined && typeof token !== 'string') {
    return { ok: false, message: 'token must be a string' };
  }
  return { ok: true, value: { id, after, ...(token === undefined ? {} : { token }) } };
}

export function parseUnsubscribeRequest(payload: unknown): Parsed<{ id: string }> {
  if (!isRecord(payload) || !isValidId(payload.id)) {
    return { ok: false, message: `unsubscribe expects { "id": "…" } where ${INVALID_ID_MESSAGE}` };
  }
  return { ok: true, value: { id: payload.id } };
}
