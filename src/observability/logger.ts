import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevelName } from '../config/app-config';
import { isoNow } from '../service/iso-now';

/**
 * Never logged whatever a log call passes: credentials (keys, job tokens) and
 * job inputs, at the top level or one level down…
 */
const SECRET_FIELDS = ['key', 'apiKey', 'token', 'input', 'authorization', 'password'];
const SECRET_FIELD_SET = new Set(SECRET_FIELDS);
/** …and the request headers that carry credentials, under `req.headers`. */
const SECRET_HEADERS = ['authorization', 'cookie', 'x-api-key'];
const CENSOR = '[redacted]';

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

/** pino's `isoTime`, formatted once per millisecond (a worker logs a line per job). */
function isoTime(): string {
  return `,"time":"${isoNow()}"`;
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
    // A formatter rather than pino's `redact` paths: those are parsed again for every field
    // of every line (a worker logs a line per job); this looks up each field once.
    formatters: { log: redactSecrets },
    timestamp: isoTime,
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
  const json = {
    ...options,
    formatters: { ...options.formatters, level: (label: string) => ({ level: label }) },
  };
  return pino(json, destination ?? bufferedStdout());
}

/**
 * The fields of a log call with its secrets replaced by `[redacted]`: the fields named in
 * SECRET_FIELDS, at the top level or one level down, and SECRET_HEADERS under `req.headers`.
 * The caller's objects are left as they are: what holds a secret is copied.
 */
export function redactSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  let redacted: Record<string, unknown> | undefined;
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    let safe: unknown;
    if (SECRET_FIELD_SET.has(name)) safe = value === undefined ? value : CENSOR;
    else if (name === 'req') safe = withoutSecretHeaders(withoutSecrets(value, SECRET_FIELDS));
    else safe = withoutSecrets(value, SECRET_FIELDS);
    if (safe !== value) (redacted ??= { ...fields })[name] = safe;
  }
  return redacted ?? fields;
}

/** `value` itself when it holds none of `secrets`, else a copy with them replaced. */
function withoutSecrets(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const secret of secrets) {
    if (!Object.hasOwn(value, secret) || (value as Record<string, unknown>)[secret] === undefined)
      continue;
    (copy ??= { ...value })[secret] = CENSOR;
  }
  return copy ?? value;
}

function withoutSecretHeaders(req: unknown): unknown {
  if (typeof req !== 'object' || req === null || !('headers' in req)) return req;
  const headers = withoutSecrets(req.headers, SECRET_HEADERS);
  return headers === req.headers ? req : { ...req, headers };
}

/** Lines gather up to this many bytes before a write (a worker logs a line per job)… */
const LOG_BUFFER_BYTES = 4096;
/** …or for this long at most. */
const LOG_FLUSH_MS = 100;

/**
 * Stdout, written asynchronously and in batches: one write per few kilobytes of lines rather
 * than one per line. pino flushes what is left when the process exits, fatal errors included.
 */
function bufferedStdout(): DestinationStream {
  return pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_MS,
  });
}

/** What a request line says of the request: never its headers or body. */
export interface RequestSummary {
  id: string;
  method: string;
  url: string | undefined;
}

export type RequestLogLevel = 'debug' | 'info' | 'error';

/** Probes and scrapes at debug, 5xx at error, the rest at info. */
export function requestLogLevel(url: string | undefined, statusCode: number): RequestLogLevel {
  if (PROBE_PATH.test(url ?? '')) return 'debug';
  return statusCode >= 500 ? 'error' : 'info';
}

/**
 * The one line a request gives when it is answered (or its connection closes
 * first). A 5xx says so; Nest logs the real error.
 */
export function logAnswered(
  logger: Logger,
  req: RequestSummary,
  statusCode: number,
  route: string,
  durationMs: number,
): void {
  const level = requestLogLevel(req.url, statusCode);
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    { req, res: { statusCode }, durationMs, route },
    statusCode >= 500 ? 'request errored' : 'request completed',
  );
}

/**
 * The logging context of one request, for nestjs-pino's Logger: every line
 * logged while the request is handled carries `req`. The child logger is made
 * on first use, so that a request that logs nothing but its own line costs none.
 */
export class RequestLogContext {
  private child: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private readonly req: RequestSummary,
  ) {}

  get logger(): Logger {
    return (this.child ??= this.root.child({ req: this.req }));
  }

  /** nestjs-pino's `assign` replaces it with a child carrying more fields. */
  set logger(logger: Logger) {
    this.child = logger;
  }
}

/** Nest's LoggerService over the root logger, for Nest's own lines and `new Logger(context)` calls. */
export function nestLogger(logger: Logger): NestPinoLogger {
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}
