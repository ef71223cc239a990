import type { IncomingMessage } from 'node:http';

const ROUTE = Symbol('route');

/** What a request is logged and counted under when no route matched it (404s, probes for paths). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Remembers the route pattern Fastify matched, on the raw request that the request logger sees. */
export function stampRoute(req: IncomingMessage, pattern: string | undefined): void {
  (req as IncomingMessage & { [ROUTE]?: string })[ROUTE] = pattern ?? UNMATCHED_ROUTE;
}

/** The route pattern (`/analyses/:id`), never the raw URL: ids and query values stay out of labels. */
export function routeOf(req: IncomingMessage): string {
  return (req as IncomingMessage & { [ROUTE]?: string })[ROUTE] ?? UNMATCHED_ROUTE;
}
