import { readFileSync } from 'node:fs';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { type HttpAnswer, request } from '../support/http';
import { LiveClient } from '../support/live-client';
import { startPrivateRedis } from '../support/private-redis';
import { expectNoSecrets } from '../support/secrets';
import { type ServiceProcess, startService } from '../support/service-process';
import { SseClient } from '../support/sse-client';

/**
 * The contract's "Limits" section: each limit is hit, answered as the contract
 * says, and other tenants, sockets and processes carry on.
 */
const ACME = 'acme_key_0123456789abcdef';
const UMBRELLA = 'umbrella_key_0123456789ab';
const BUSY = 'busy_tenant_key_0123456789';
const ALLOWED_ORIGIN = 'http://allowed.example';
const RATE = 20;

let redis: RedisServer;
let queueRedis: RedisServer;
/** a: ROLE=all, b: ROLE=api, on one Redis; queueOnly: ROLE=api alone on another (nothing runs). */
let a: ServiceProcess;
let b: ServiceProcess;
let queueOnly: ServiceProcess;
const sockets: LiveClient[] = [];

const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const LONG_DEMO = { pipeline: 'demo', input: { stepMs: 60_000 } };

function expectLimitAnswer(answer: HttpAnswer, status: number, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ statusCode: status, error: expect.any(String) });
  expect((answer.body as { message: string }).message).toMatch(message);
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
}

async function connect(service: ServiceProcess, key: string): Promise<LiveClient> {
  const socket = new LiveClient(service.url, ['websocket'], { auth: { key } });
  sockets.push(socket);
  await socket.connected();
  return socket;
}

function rssKiB(service: ServiceProcess): number {
  const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
}

beforeAll(async () => {
  [redis, queueRedis] = await Promise.all([startPrivateRedis(), startPrivateRedis()]);
  const env = {
    REDIS_URL: redis.url,
    API_KEYS: `acme:${ACME},umbrella:${UMBRELLA},busy:${BUSY}`,
    RATE_LIMIT: `${RATE}/60`,
    MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
    MAX_STREAMS: '1',
    CORS_ORIGINS: ALLOWED_ORIGIN,
  };
  [a, b, queueOnly] = await Promise.all([
    startService({ ...env, ROLE: 'all' }),
    startService({ ...env, ROLE: 'api' }),
    startService({
      REDIS_URL: queueRedis.url,
      API_KEYS: `acme:${ACME},umbrella:${UMBRELLA}`,
      ROLE: 'api',
      MAX_QUEUED_JOBS: '2',
    }),
  ]);
});

afterAll(async () => {
  sockets.forEach((socket) => socket.close());
  await Promise.all([a, b, queueOnly].filter(Boolean).map((service) => service.stop()));
  await Promise.all([redis, queueRedis].filter(Boolean).map((server) => server.stop()));
});

describe('RATE_LIMIT', () => {
  it("counts a tenant's writes on every api process together, and only that tenant's", async () => {
    for (let i = 0; i < RATE; i += 1) {
      const service = i % 2 === 0 ? a : b;
      const created = await request(
        service.url,
        'POST',
        '/analyses',
        { pipeline: 'demo', input: { stepMs: 0 } },
        auth(BUSY),
      );
      expect(created.status).toBe(202);
    }
    for (const service of [a, b]) {
      const refused = await request(
        service.url,
        'POST',
        '/analyses',
        { pipeline: 'demo', input: {} },
        auth(BUSY),
      );
      expectLimitAnswer(refused, 429, /RATE_LIMIT/);
      expectLimitAnswer(
        await request(service.url, 'DELETE', '/analyses/any', undefined, auth(BUSY)),
        429,
        /RATE_LIMIT/,
      );
    }
    // Reads are not limited, nothing refused was stored, and another tenant writes on.
    const list = await request(b.url, 'GET', '/analyses?limit=200', undefined, auth(BUSY));
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(RATE);
    const other = await request(
      b.url,
      'POST',
      '/analyses',
      { pipeline: 'demo', input: { stepMs: 0 } },
      auth(UMBRELLA),
    );
    expect(other.status).toBe(202);
  });
});

describe('MAX_QUEUED_JOBS', () => {
  const REPEATED = { pipeline: 'demo', input: { stepMs: 60_000, input: 'again' } };

  it('refuses a new job with 503 + Retry-After while that many wait, storing nothing', async () => {
    expect(
      (await request(queueOnly.url, 'PUT', '/analyses/repeat', REPEATED, auth(ACME))).status,
    ).toBe(202);
    expect((await request(queueOnly.url, 'POST', '/analyses', LONG_DEMO, auth(ACME))).status).toBe(
      202,
    );
    const put = await request(
      queueOnly.url,
      'PUT',
      '/analyses/queued-1',
      LONG_DEMO,
      auth(UMBRELLA),
    );
    expectLimitAnswer(put, 503, /MAX_QUEUED_JOBS/);
    expectLimitAnswer(
      await request(queueOnly.url, 'POST', '/analyses', LONG_DEMO, auth(ACME)),
      503,
      /MAX_QUEUED_JOBS/,
    );
    expect(
      (await request(queueOnly.url, 'GET', '/analyses/queued-1', undefined, auth(UMBRELLA))).status,
    ).toBe(404);
    expect(
      (await request(queueOnly.url, 'GET', '/analyses', undefined, auth(ACME))).body,
    ).toHaveLength(2);
    expect(
      (await request(queueOnly.url, 'GET', '/analyses', undefined, auth(UMBRELLA))).body,
    ).toHaveLength(0);
  });

  it('still answers the same PUT again, which is not a new job', async () => {
    const again = await request(queueOnly.url, 'PUT', '/analyses/repeat', REPEATED, auth(ACME));
    expect(again).toMatchObject({ status: 200, body: { id: 'repeat', status: 'queued' } });
    expect(
      (await request(queueOnly.url, 'GET', '/analyses', undefined, auth(ACME))).body,
    ).toHaveLength(2);
  });
});

describe('MAX_SUBSCRIPTIONS_PER_SOCKET', () => {
  it("answers a further subscribe with a limit ack, leaving other sockets' subscriptions alone", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await request(a.url, 'POST', '/analyses', LONG_DEMO, auth(ACME))).body.id);
    }
    const first = await connect(a, ACME);
    expect((await first.subscribe({ id: ids[0] })).ok).toBe(true);
    expect((await first.subscribe({ id: ids[1] })).ok).toBe(true);
    const refused = await first.subscribe({ id: ids[2] });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'limit', message: expect.stringMatching(/MAX_SUBSCRIPTIONS_PER_SOCKET/) },
    });
    const second = await connect(a, ACME);
    expect((await second.subscribe({ id: ids[2] })).ok).toBe(true);
    await first.unsubscribe({ id: ids[0] });
    expect((await first.subscribe({ id: ids[2] })).ok).toBe(true);
    for (const id of ids) await request(a.url, 'DELETE', `/analyses/${id}`, undefined, auth(ACME));
    await first.finished(ids[2]);
    await second.finished(ids[2]);
  });
  it('holds for a burst of subscribes sent at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      ids.push(
        (await request(a.url, 'PUT', `/analyses/burst-${i}`, LONG_DEMO, auth(UMBRELLA))).body.id,
      );
    }
    const socket = await connect(a, UMBRELLA);
    const acks = await Promise.all(ids.map((id) => socket.subscribe({ id })));
    expect(acks.filter((ack) => ack.ok)).toHaveLength(2);
    expect(acks.filter((ack) => !ack.ok && ack.error.code === 'limit')).toHaveLength(2);
    for (const id of ids)
      await request(a.url, 'DELETE', `/analyses/${id}`, undefined, auth(UMBRELLA));
  });
});

describe('MAX_STREAMS', () => {
  it('refuses a stream over the limit with 503 + Retry-After; other processes stream on', async () => {
    const job = (await request(b.url, 'POST', '/analyses', LONG_DEMO, auth(UMBRELLA))).body;
    const streamUrl = (service: ServiceProcess) =>
      `${service.url}/analyses/${job.id}/stream?token=${job.token}`;
    const first = await SseClient.open(streamUrl(b));
    expect(first.status).toBe(200);
    const refused = await SseClient.open(streamUrl(b));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({
      statusCode: 503,
      message: expect.stringMatching(/MAX_STREAMS/),
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const elsewhere = await SseClient.open(streamUrl(a));
    expect(elsewhere.status).toBe(200);
    await request(a.url, 'DELETE', `/analyses/${job.id}`, undefined, auth(UMBRELLA));
    await Promise.all([first.stream?.ended, elsewhere.stream?.ended]);
    expect(first.stream?.events().at(-1)?.type).toBe('cancelled');
  });
});

describe('Socket.IO messages over 64 KiB', () => {
  it('close only the socket that sent one', async () => {
    const job = (
      await request(
        a.url,
        'POST',
        '/analyses',
        { pipeline: 'demo', input: { stepMs: 200 } },
        auth(ACME),
      )
    ).body;
    const bystander = await connect(a, ACME);
    expect((await bystander.subscribe({ id: job.id })).ok).toBe(true);
    const sender = await connect(a, ACME);
    // Just under the limit: an ordinary bad payload, answered and survived.
    const under = await sender.subscribe({ id: 'x'.repeat(60_000) });
    expect(under).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const closed = new Promise<string>((resolve) => sender.socket.once('disconnect', resolve));
    sender.socket.emit('subscribe', { id: 'x'.repeat(70_000) });
    expect(await closed).toBe('transport close');
    expect((await bystander.finished(job.id)).at(-1)?.type).toBe('completed');
  });
});

describe('stats input limits', () => {
  it('answers a 100,000-column CSV with 400 while the process stays under 300 MB', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    const csv = `${header}\n${Array(100_000).fill('1').join(',')}\n`;
    const answers = await Promise.all(
      [a, a, a].map((service) =>
        request(
          service.url,
          'POST',
          '/analyses',
          { pipeline: 'stats', input: { csv } },
          auth(UMBRELLA),
        ),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.message).toEqual([
        'input.csv has 100000 columns: stats accepts at most 1000',
      ]);
    }
    expect(rssKiB(a)).toBeLessThan(300 * 1024);
    expect((await request(a.url, 'GET', '/health/ready')).status).toBe(200);
  });

  it('answers 1,001 columns given as arrays with 400 naming the limit', async () => {
    const columns = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`c${i}`, [1, 2]]));
    const answer = await request(
      b.url,
      'PUT',
      '/analyses/wide',
      { pipeline: 'stats', input: { columns } },
      auth(UMBRELLA),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual([
      'input.columns has 1001 columns: stats accepts at most 1000',
    ]);
    expect((await request(b.url, 'GET', '/analyses/wide', undefined, auth(UMBRELLA))).status).toBe(
      404,
    );
  });
});

describe('CORS_ORIGINS', () => {
  it('answers a listed origin cross-origin, and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${a.url}/analyses`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const refused = await preflight('http://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${a.url}/pipelines`, { headers: { origin: 'http://evil.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the gateway accept a handshake only from a listed origin', async () => {
    for (const transports of [['websocket'], ['polling']] as const) {
      const evil = new LiveClient(a.url, [...transports], {
        auth: { key: ACME },
        extraHeaders: { origin: 'http://evil.example' },
      });
      sockets.push(evil);
      await expect(evil.connected()).rejects.toThrow();
      const good = new LiveClient(a.url, [...transports], {
        auth: { key: ACME },
        extraHeaders: { origin: ALLOWED_ORIGIN },
      });
      sockets.push(good);
      await good.connected();
    }
  });
});

describe('secrets in the logs', () => {
  it('never writes a key to any process output', () => {
    expectNoSecrets(
      [a, b, queueOnly].map((service) => service.output()),
      [ACME, UMBRELLA, BUSY],
    );
  });
});
