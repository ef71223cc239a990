import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics';
import { routeOf, stampRoute } from './request-route';

/*
 * Fastify hooks, added on the root instance so that they see the routes of
 * every plugin (the queue dashboard, static files) too.
 */

/** Gives every request its route pattern, for its log line, and echoes its id as `X-Request-Id`. */
export function traceRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    stampRoute(request.raw, request.routeOptions.url);
    // On the raw response, so that hijacked replies (Server-Sent Events) carry it too.
    reply.raw.setHeader('X-Request-Id', request.id);
    done();
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
