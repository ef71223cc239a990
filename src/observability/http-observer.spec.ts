import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { storage } from 'nestjs-pino/storage';
import { traceRequests } from './http-observer';
import { createRootLogger, requestId } from './logger';

type Line = Record<string, unknown>;

/** A Fastify app with the request hooks, its log lines, and a way to wait for the n-th line. */
async function observed(): Promise<{
  app: FastifyInstance;
  url: string;
  linesAfter: (count: number) => Promise<Line[]>;
}> {
  const lines: Line[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(text) as Line);
      }
      for (const wait of waiting.filter((w) => lines.length >= w.count)) wait.resolve();
      done();
    },
  });
  const logger = createRootLogger('info', { pretty: false, destination });
  const app = Fastify({ genReqId: requestId, requestIdHeader: false });
  traceRequests(app, logger);
  app.post('/analyses', (request) => {
    // What nestjs-pino's Logger does inside a request: log through the request's context.
    storage.getStore()?.logger.info({ token: 'secret-token' }, 'inside');
    return { ok: true, body: request.body };
  });
  app.get('/health/live', () => ({ ok: true }));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const linesAfter = (count: number): Promise<Line[]> =>
    lines.length >= count
      ? Promise.resolve(lines)
      : new Promise((resolve) => waiting.push({ count, resolve: () => resolve(lines) }));
  return { app, url, linesAfter };
}

describe('request lines', () => {
  let context: Awaited<ReturnType<typeof observed>>;
  beforeEach(async () => {
    context = await observed();
  });
  afterEach(() => context.app.close());

  it('logs one line per answered request, and lines logged meanwhile carry the request', async () => {
    const response = await fetch(`${context.url}/analyses?token=secret-token&x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
      body: JSON.stringify({ pipeline: 'demo' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-1');
    const lines = await context.linesAfter(2);
    const req = { id: 'req-1', method: 'POST', url: '/analyses?token=[redacted]&x=1' };
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'inside', req, token: '[redacted]' }),
      expect.objectContaining({
        level: 'info',
        msg: 'request completed',
        req,
        res: { statusCode: 200 },
        route: '/analyses',
        durationMs: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });

  it('gives requests that follow one another each their own context', async () => {
    for (const id of ['req-a', 'req-b']) {
      const response = await fetch(`${context.url}/analyses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: '{}',
      });
      expect(response.status).toBe(200);
      await context.linesAfter(id === 'req-a' ? 2 : 4);
    }
    const inside = (await context.linesAfter(4)).filter((line) => line.msg === 'inside');
    expect(inside.map((line) => (line.req as { id: string }).id)).toEqual(['req-a', 'req-b']);
    expect(storage.getStore()).toBeUndefined();
  });

  it('logs probes at debug (not shown at info) and a 5xx at error', async () => {
    expect((await fetch(`${context.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${context.url}/boom`)).status).toBe(500);
    const lines = await context.linesAfter(1);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'request errored',
        route: '/boom',
        res: { statusCode: 500 },
      }),
    ]);
  });
});
