import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { storage } from 'nestjs-pino/storage';
import type { Logger } from 'pino';
import { logAnswered, RequestLogContext, redactUrl } from './logger';
import type { Metrics } from './metrics';
import { routeOf, stampRoute } from './request-route';

/*
 * Fastify hooks, added on the root instance so that they see the routes of
 * every plugin (the queue dashboard, static files) too.
 */

/**
 * Requests being handled in this process, by every application in it (the logging
 * context's storage is one for the process).
 */
let handling = 0;

/**
 * Once it has run a context, Node 20's AsyncLocalStorage tracks every promise the
 * process makes (a promise hook each), whatever it is for: a worker answering a
 * probe now and then would pay for it on every job's promises from then on. The
 * storage is turned off whenever no request is being handled; `storage.run` turns
 * it on again for the next one.
 */
function requestEnded(): void {
  handling -= 1;
  if (handling === 0) storage.disable();
}

/**
 * Gives every request its route pattern and echoes its id as `X-Request-Id`;
 * logs one line when it is answered, and runs it in a logging context so that
 * every line logged meanwhile carries the request. Plain hooks rather than an
 * HTTP-logging middleware: no middleware layer and no child logger per request.
 */
export function traceRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    handling += 1;
    reply.raw.once('close', requestEnded);
    const started = performance.now();
    stampRoute(request.raw, request.routeOptions.url);
    // On the raw response, so that hijacked replies (Server-Sent Events) carry it too.
    reply.raw.setHeader('X-Request-Id', request.id);
    const req = { id: request.id, method: request.method, url: redactUrl(request.url) };
    // 'close' comes after 'finish', and alone when the client went away first.
    reply.raw.once('close', () =>
      logAnswered(
        logger,
        req,
        reply.raw.statusCode,
        routeOf(request.raw),
        Math.round(performance.now() - started),
      ),
    );
    storage.run(new RequestLogContext(logger, req), done);
  });
}

/** Counts every answered request in the HTTP series, by method, route pattern and status. */
export function countRequests(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request.raw);
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
}
