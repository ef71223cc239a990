/**
 * Many lightweight Socket.IO clients in one process, for the fan-out and
 * capacity scenarios. They speak the Socket.IO v5 / Engine.IO v4 protocol over
 * a raw `ws` socket (websocket transport, namespace /analyses): connect,
 * `subscribe` with an acknowledgement, answer pings, and decode `analysis.event`.
 * Skipping socket.io-client's layers keeps the client side from becoming the
 * bottleneck on a two-core machine; the servers cannot tell the difference.
 *
 * Every received event is checked: its `seq` must be the next one for that job
 * on that socket (a gap counts as lost, anything else as reordered), and its
 * delivery latency is the receive time minus the send time it carries in `data.t`.
 */
import WebSocket from 'ws';
import { announceReady, serve } from '../lib/rpc';
import { LatencyHistogram, wallNow } from '../lib/stats';

const NAMESPACE = '/analyses';
const EVENT_PREFIX = `42${NAMESPACE},`;
const ACK_PREFIX = `43${NAMESPACE},`;
const CONNECT_PREFIX = `40${NAMESPACE},`;
const ERROR_PREFIX = `44${NAMESPACE},`;

interface ReceivedEvent {
  id: string;
  seq: number;
  status: string;
  data?: { t?: number };
}

const totals = {
  deliveries: 0,
  lost: 0,
  reordered: 0,
  terminals: 0,
  firstAt: 0,
  lastAt: 0,
};
const latency = new LatencyHistogram();

class RawClient {
  private ws: WebSocket | undefined;
  private readonly acks = new Map<number, (payload: unknown) => void>();
  private nextAck = 0;
  /** Per followed job: the seq expected next. */
  readonly expected = new Map<string, number>();

  connect(baseUrl: string): Promise<void> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      this.ws = ws;
      ws.on('error', reject);
      ws.on('close', () => reject(new Error('closed')));
      ws.on('message', (raw: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const frame = raw.toString();
        if (frame.startsWith(EVENT_PREFIX)) return this.onEvent(frame);
        if (frame === '2') return ws.send('3');
        if (frame.startsWith(ACK_PREFIX)) return this.onAck(frame);
        if (frame.startsWith('0')) return ws.send(CONNECT_PREFIX);
        if (frame.startsWith(CONNECT_PREFIX)) return resolve();
        if (frame.startsWith(ERROR_PREFIX)) return reject(new Error(frame));
      });
    });
  }

  emitWithAck(event: string, payload: unknown, timeoutMs = 30_000): Promise<unknown> {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`${event} ack timed out`));
      }, timeoutMs);
      this.acks.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.ws?.send(`${EVENT_PREFIX}${id}${JSON.stringify([event, payload])}`);
    });
  }

  close(): void {
    this.ws?.removeAllListeners('close');
    this.ws?.on('error', () => undefined);
    this.ws?.terminate();
  }

  private onAck(frame: string): void {
    const open = frame.indexOf('[', ACK_PREFIX.length);
    const id = Number(frame.slice(ACK_PREFIX.length, open));
    const [payload] = JSON.parse(frame.slice(open)) as unknown[];
    const resolve = this.acks.get(id);
    this.acks.delete(id);
    resolve?.(payload);
  }

  private onEvent(frame: string): void {
    const now = wallNow();
    const [name, event] = JSON.parse(frame.slice(EVENT_PREFIX.length)) as [string, ReceivedEvent];
    if (name !== 'analysis.event') return;
    totals.deliveries += 1;
    if (totals.firstAt === 0) totals.firstAt = now;
    totals.lastAt = now;
    if (typeof event.data?.t === 'number') latency.record(now - event.data.t);
    const expected = this.expected.get(event.id);
    if (expected !== undefined) {
      if (event.seq === expected) this.expected.set(event.id, expected + 1);
      else if (event.seq > expected) {
        totals.lost += event.seq - expected;
        this.expected.set(event.id, event.seq + 1);
      } else totals.reordered += 1;
    }
    if (event.status === 'completed') totals.terminals += 1;
  }
}

let clients: RawClient[] = [];

/** Runs `task` over `items` with at most `limit` in flight. */
async function bounded<T>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index).catch(() => (failed += 1));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return failed;
}

interface SubscribeArgs {
  /** One job id per client, in client order; the first `ids.length` clients subscribe. */
  ids: string[];
  after: number;
  concurrency?: number;
}

async function subscribeAll({ ids, after, concurrency = 200 }: SubscribeArgs) {
  const started = performance.now();
  let rejected = 0;
  const failed = await bounded(ids, concurrency, async (id, index) => {
    const client = clients[index];
    client.expected.set(id, after + 1);
    const ack = (await client.emitWithAck('subscribe', { id, after })) as { ok?: boolean };
    if (!ack?.ok) rejected += 1;
  });
  return { failed: failed + rejected, ms: performance.now() - started };
}

serve({
  /** Opens `count` more clients; then subscribes the new clients when `ids` is given. */
  async connect(
    args: { url: string; count: number; concurrency?: number } & Partial<SubscribeArgs>,
  ) {
    const started = performance.now();
    const fresh = Array.from({ length: args.count }, () => new RawClient());
    const failedConnects = await bounded(fresh, args.concurrency ?? 100, (client) =>
      client.connect(args.url),
    );
    const offset = clients.length;
    clients = clients.concat(fresh);
    let failedSubscribes = 0;
    if (args.ids) {
      const failed = await bounded(args.ids, args.concurrency ?? 100, async (id, index) => {
        const client = clients[offset + index];
        client.expected.set(id, (args.after ?? 0) + 1);
        const ack = (await client.emitWithAck('subscribe', { id, after: args.after ?? 0 })) as {
          ok?: boolean;
        };
        if (!ack?.ok) throw new Error('refused');
      });
      failedSubscribes = failed;
    }
    return {
      clients: clients.length,
      failedConnects,
      failedSubscribes,
      ms: performance.now() - started,
    };
  },
  subscribe: subscribeAll,
  /** Zeroes the counters; `forget` also drops what each client expects next. */
  reset(args: { forget?: boolean } = {}) {
    Object.assign(totals, {
      deliveries: 0,
      lost: 0,
      reordered: 0,
      terminals: 0,
      firstAt: 0,
      lastAt: 0,
    });
    latency.reset();
    if (args?.forget !== false) for (const client of clients) client.expected.clear();
    return true;
  },
  /** Resolves once `deliveries` events have arrived, or at the timeout, with the counters. */
  async collect(args: { deliveries: number; timeoutMs: number }) {
    const deadline = performance.now() + args.timeoutMs;
    while (totals.deliveries < args.deliveries && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { ...totals, histogram: latency.serialize() };
  },
  close() {
    for (const client of clients) client.close();
    const closed = clients.length;
    clients = [];
    return closed;
  },
});
announceReady();
