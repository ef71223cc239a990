import type { Socket } from 'socket.io';
import { type ApiKey, findKey } from './api-keys';
import type { Caller } from './caller';
import { ANONYMOUS_TENANT } from '../bus/event-store';

type Next = (error?: Error) => void;

interface SocketAuthData {
  tenant?: string;
}

/**
 * Socket.IO connection middleware: a key given as `auth: { key }` must be
 * valid (else `connect_error` "unauthorized"); it makes the socket its
 * tenant's. A socket without a key may still connect: each `subscribe` then
 * needs the job's token. With auth off every socket is the anonymous tenant.
 */
export function socketKeyMiddleware(keys: readonly ApiKey[]): (socket: Socket, next: Next) => void {
  return (socket, next) => {
    const data = socket.data as SocketAuthData;
    if (keys.length === 0) {
      data.tenant = ANONYMOUS_TENANT;
      return next();
    }
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const presented = auth?.key;
    if (presented === undefined || presented === null) return next();
    const key = typeof presented === 'string' ? findKey(keys, presented) : undefined;
    if (!key) return next(new Error('unauthorized'));
    data.tenant = key.tenant;
    next();
  };
}

/** The tenant the handshake established, if any. */
export function socketCaller(socket: Socket): Caller {
  const { tenant } = socket.data as SocketAuthData;
  return tenant === undefined ? {} : { tenant };
}
