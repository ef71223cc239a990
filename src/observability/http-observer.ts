import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics';
import { routeOf, stampRoute } from './request-route';

/**
 * Fastify hooks that give every request its route pattern (for the request
 * log line), echo its id as `X-Request-Id` and count it in the HTTP series. Added on the root instance, so
 * they see the routes of every plugin (the dashboard, static files) too.
 */
export function observeHttp(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    stampRoute(request.raw, request.routeOptions.url);
    void reply.header('X-Request-Id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request.raw);
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
}
