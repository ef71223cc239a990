/**
 * End-to-end clients: each loop owns one socket.io-client socket and, one job
 * after another, starts a demo job over HTTP and waits for its `completed`
 * event. Latency runs from sending the HTTP request to receiving `completed`.
 *
 * - service: POST /analyses, then `subscribe` with the returned id (the
 *   service replays what the socket missed, so subscribing late is safe).
 * - bare: nothing replays, so the socket joins the job's room first (not
 *   timed), then PUT /analyses/{id} starts the job.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import type { AnalysisEvent } from '../../src/core/analysis.types';
import { announceReady, serve } from '../lib/rpc';
import { DEMO_BODY } from '../lib/shapes';

const BODY = JSON.stringify(DEMO_BODY);
const agent = new Agent({ keepAlive: true, maxSockets: 1_000 });

function send(
  baseUrl: string,
  method: string,
  path: string,
  key: string | undefined,
): Promise<{ id: string }> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(BODY),
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 202) reject(new Error(`${response.statusCode}: ${text}`));
          else resolve(JSON.parse(text) as { id: string });
        });
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

class Loop {
  readonly socket: Socket;
  private waiting: { id: string; resolve: () => void } | undefined;
  events = 0;

  constructor(
    private readonly baseUrl: string,
    /** An API key: sent with each request and at the handshake (BENCH_AUTH=compare's auth-on pass). */
    private readonly key: string | undefined,
  ) {
    this.socket = io(`${baseUrl}/analyses`, {
      transports: ['websocket'],
      ...(key ? { auth: { key } } : {}),
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('analysis.event', (event: AnalysisEvent) => {
      this.events += 1;
      if (event.type === 'completed' && this.waiting?.id === event.id) this.waiting.resolve();
    });
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** One job, start to `completed`; resolves with its latency in ms. */
  async job(variant: 'service' | 'bare'): Promise<number> {
    if (variant === 'service') {
      const started = performance.now();
      const { id } = await send(this.baseUrl, 'POST', '/analyses', this.key);
      // Nothing reaches the socket before it subscribes: waiting from here misses nothing.
      const done = this.completion(id);
      await this.subscribe(id);
      await done;
      return performance.now() - started;
    }
    const id = randomUUID();
    await this.subscribe(id);
    const done = this.completion(id);
    const started = performance.now();
    await send(this.baseUrl, 'PUT', `/analyses/${id}`, this.key);
    await done;
    return performance.now() - started;
  }

  close(): void {
    this.socket.close();
  }

  private completion(id: string): Promise<void> {
    return new Promise((resolve) => (this.waiting = { id, resolve }));
  }

  private async subscribe(id: string): Promise<void> {
    const ack = (await this.socket.timeout(10_000).emitWithAck('subscribe', { id })) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error(`subscribe ${id} refused: ${JSON.stringify(ack)}`);
  }
}

interface RunArgs {
  url: string;
  variant: 'service' | 'bare';
  loops: number;
  /** Jobs per loop (sequential scenario) or… */
  jobsPerLoop?: number;
  /** …how long every loop keeps starting jobs. */
  durationMs?: number;
  /** Jobs per loop run first and not measured. */
  warmup: number;
  key?: string;
}

serve({
  async run(args: RunArgs) {
    const loops = Array.from({ length: args.loops }, () => new Loop(args.url, args.key));
    await Promise.all(loops.map((loop) => loop.connected()));
    await Promise.all(
      loops.map(async (loop) => {
        for (let i = 0; i < args.warmup; i += 1) await loop.job(args.variant);
      }),
    );
    for (const loop of loops) loop.events = 0;
    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + (args.durationMs ?? Number.POSITIVE_INFINITY);
    await Promise.all(
      loops.map(async (loop) => {
        for (let i = 0; i < (args.jobsPerLoop ?? Number.POSITIVE_INFINITY); i += 1) {
          if (performance.now() >= deadline) break;
          latencies.push(await loop.job(args.variant));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const events = loops.reduce((sum, loop) => sum + loop.events, 0);
    loops.forEach((loop) => loop.close());
    return { latencies, seconds, events };
  },
});
announceReady();
