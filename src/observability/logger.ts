import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Options as HttpLoggerOptions } from 'pino-http';
import type { LogLevelName } from '../config/app-config';
import { routeOf } from './request-route';

/**
 * Never logged whatever a log call passes: credentials (the Authorization
 * header, keys, job tokens) and job inputs, at the top level or one level down.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  ...['key', 'apiKey', 'token', 'input', 'authorization', 'password'].flatMap((field) => [
    field,
    `*.${field}`,
  ]),
];

/** Credentials a URL may carry in its query (`?token=` for EventSource), cut before the URL is logged. */
const SECRET_QUERY = /([?&](?:token|key|access_token)=)[^&#]*/gi;

/** An incoming `X-Request-Id` is kept only if it is short and plain; anything else gets a fresh id. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Health probes and scrapes arrive every few seconds: their lines are debug, not info. */
const PROBE_PATH = /^\/(?:health\/|metrics(?:\?|$))/;

/** The request's id: its `X-Request-Id` when that is short and plain, a fresh UUID otherwise. */
export function requestId(req: { headers: IncomingHttpHeaders }): string {
  const presented = req.headers['x-request-id'];
  return typeof presented === 'string' && REQUEST_ID.test(presented) ? presented : randomUUID();
}

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[redacted]');
}

/** The process's root logger: JSON lines on stdout, pretty on a terminal, at LOG_LEVEL. */
export function createRootLogger(
  level: LogLevelName,
  {
    pretty = process.stdout.isTTY === true,
    destination,
  }: { pretty?: boolean; destination?: DestinationStream } = {},
): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  const json = { ...options, formatters: { level: (label: string) => ({ level: label }) } };
  // Written asynchronously: lines written while one is in flight go out together (flushed at exit).
  return pino(json, destination ?? pino.destination({ dest: 1, sync: false }));
}

type Request = IncomingMessage & { id?: string | number };

/** pino-http: one line per request with its id (echoed as X-Request-Id), method, route, status and duration. */
export function httpLoggerOptions(logger: Logger): HttpLoggerOptions {
  return {
    logger,
    // Fastify gave the request its id already (requestId below); this is for requests it did not see.
    genReqId: requestId,
    customAttributeKeys: { responseTime: 'durationMs' },
    serializers: {
      req: (req: Request) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customSuccessObject: (req, _res, value: Record<string, unknown>) => ({
      ...value,
      route: routeOf(req),
    }),
    // A 5xx gets pino-http's placeholder error ("failed with status code"); Nest logs the real one.
    customErrorObject: (req, _res, _error, { err: _placeholder, ...value }) => ({
      ...value,
      route: routeOf(req),
    }),
    customLogLevel(req, res, error) {
      if (PROBE_PATH.test(req.url ?? '')) return 'debug';
      if (error || res.statusCode >= 500) return 'error';
      return 'info';
    },
  };
}

/** Nest's LoggerService over the root logger, for Nest's own lines and `new Logger(context)` calls. */
export function nestLogger(logger: Logger): NestPinoLogger {
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}
