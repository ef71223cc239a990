import type { IncomingMessage } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServerOptions } from 'socket.io';

type CorsOptions = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

/** CORS_ORIGINS: the origins answered cross-origin; `['*']` any (auth off only); empty, none. */
export function restCors(origins: readonly string[]): CorsOptions | undefined {
  if (origins.length === 0) return undefined;
  return {
    origin: origins[0] === '*' ? '*' : [...origins],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    exposedHeaders: ['Location', 'Retry-After', 'WWW-Authenticate'],
    maxAge: 600,
  };
}

/** Whether a browser page of `origin` may use the gateway served at `host`. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  origins: readonly string[],
): boolean {
  if (origin === undefined || origins[0] === '*' || origins.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The gateway's CORS and handshake check. CORS headers alone do not stop a
 * cross-origin WebSocket (browsers do not apply CORS to it), so every
 * handshake's Origin is checked as well.
 */
export function socketCors(
  origins: readonly string[],
): Pick<ServerOptions, 'cors' | 'allowRequest'> {
  return {
    ...(origins.length > 0
      ? { cors: { origin: origins[0] === '*' ? '*' : [...origins], credentials: false } }
      : {}),
    allowRequest: (request: IncomingMessage, callback) =>
      callback(null, originAllowed(request.headers.origin, request.headers.host, origins)),
  };
}
