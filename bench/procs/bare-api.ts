/**
 * Bare baseline for the API process: node:http that validates the body and
 * calls Queue.add with the service's job data and options, plus a socket.io
 * server (namespace /analyses) fed by one ioredis subscriber that relays every
 * event to the job's room. No event log, no snapshot, no replay, no ordering
 * guard: what the service adds on top of the libraries is exactly what is missing here.
 *
 * PUBLISH_QUEUED=1 makes it PUBLISH a `queued` event as the service does, so the
 * end-to-end pipelines carry the same number of messages.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { AnalysisEvent } from '../../src/core/analysis.types';
import { HttpError, validateDemoRequest } from '../lib/demo-request';
import { announceReady, serve } from '../lib/rpc';
import {
  bullJobId,
  channelOf,
  eventJson,
  JOB_OPTIONS,
  QUEUE_NAME,
  queuedEvent,
  queuedSnapshot,
} from '../lib/shapes';

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port) };
const prefix = process.env.KEY_PREFIX ?? 'bare';
const publishQueued = process.env.PUBLISH_QUEUED === '1';
const maxBodyBytes = 16 * 1024 * 1024;

const queue = new Queue(QUEUE_NAME, { connection, prefix });
const commands = new Redis({ ...connection, connectionName: `${prefix}:commands` });
const subscriber = new Redis({ ...connection, connectionName: `${prefix}:subscriber` });

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) reject(new HttpError(413, 'body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function create(request: IncomingMessage, id: string): Promise<unknown> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'malformed JSON');
  }
  const { pipeline, input } = validateDemoRequest(body);
  const createdAt = new Date().toISOString();
  await queue.add(pipeline, { id, pipeline, input }, { jobId: bullJobId(id), ...JOB_OPTIONS });
  if (publishQueued) {
    await commands.publish(channelOf(prefix, id), eventJson(1, queuedEvent(id, createdAt)));
  }
  return queuedSnapshot(id, pipeline, createdAt);
}

function reply(response: ServerResponse, status: number, body: unknown, location?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(location ? { location } : {}),
  });
  response.end(text);
}

const ID = /^\/analyses\/([A-Za-z0-9_-]{1,128})$/;

const server = createServer((request, response) => {
  const url = request.url ?? '/';
  if (request.method === 'GET' && url === '/health/live') return reply(response, 200, { ok: 1 });
  const put = request.method === 'PUT' ? ID.exec(url) : null;
  if (!(request.method === 'POST' && url === '/analyses') && !put) {
    return reply(response, 404, { statusCode: 404, message: 'not found' });
  }
  const id = put ? put[1] : randomUUID();
  create(request, id).then(
    (snapshot) => reply(response, 202, snapshot, `/analyses/${id}`),
    (error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      reply(response, status, { statusCode: status, message: String(error) });
    },
  );
});

const io = new Server(server, { cors: { origin: true } });
const analyses = io.of('/analyses');
const roomOf = (id: string): string => `analysis:${id}`;

type Ack = ((response: unknown) => void) | undefined;

analyses.on('connection', (socket: Socket) => {
  socket.on('subscribe', (payload: { id?: unknown } | undefined, ack: Ack) => {
    if (typeof payload?.id !== 'string') return ack?.({ ok: false, error: { code: 'invalid' } });
    void socket.join(roomOf(payload.id));
    ack?.({ ok: true });
  });
  socket.on('unsubscribe', (payload: { id?: unknown } | undefined, ack: Ack) => {
    if (typeof payload?.id === 'string') void socket.leave(roomOf(payload.id));
    ack?.({ ok: true });
  });
});

subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
  const event = JSON.parse(message) as AnalysisEvent;
  const room = roomOf(event.id);
  analyses.to(room).emit('analysis.event', event);
  if (event.status === 'completed' || event.status === 'failed' || event.status === 'cancelled') {
    analyses.in(room).socketsLeave(room);
  }
});

serve({});
process.once('SIGTERM', () => {
  void Promise.allSettled([queue.close(), commands.quit(), subscriber.quit()]).finally(() =>
    process.exit(0),
  );
});

async function main(): Promise<void> {
  await subscriber.psubscribe(channelOf(prefix, '*'));
  await queue.waitUntilReady();
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve),
  );
  const address = server.address();
  announceReady({ port: typeof address === 'object' && address ? address.port : 0 });
}

void main();
