import fc from 'fast-check';
import Redis from 'ioredis';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { LiveClient } from '../support/live-client';
import { startPrivateRedis } from '../support/private-redis';
import { expectNoSecrets } from '../support/secrets';
import { type ServiceProcess, startService } from '../support/service-process';

/**
 * What a hostile client might send, over REST, SSE and Socket.IO: every
 * answer is a 4xx in Nest's error shape, never a 5xx; the process lives on,
 * nothing is stored, and a normal job completes afterwards.
 */
const KEY = 'hostile_suite_key_0123456789';
const MAX_BODY_BYTES = 1_048_576;

let redis: RedisServer;
let store: Redis;
let service: ServiceProcess;
const sockets: LiveClient[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  store = new Redis(redis.url);
  service = await startService({
    REDIS_URL: redis.url,
    API_KEYS: `hostile:${KEY}`,
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  });
});

afterAll(async () => {
  sockets.forEach((socket) => socket.close());
  await service?.stop();
  store?.disconnect();
  await redis?.stop();
});

interface Attempt {
  method?: string;
  path: string;
  /** Sent as is. */
  body?: string;
  headers?: Record<string, string>;
}

const json = (value: unknown) => JSON.stringify(value);
const create = (body: string, headers: Record<string, string> = {}): Attempt => ({
  method: 'POST',
  path: '/analyses',
  body,
  headers: { 'content-type': 'application/json', ...headers },
});
const nested = (depth: number, leaf = '1') => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
const wideHeader = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');

async function send({ method = 'GET', path, body, headers = {} }: Attempt) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...headers },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Checked below: an error must be JSON.
  }
  return { status: response.status, body: parsed };
}

function expectClientError(answer: { status: number; body: unknown }): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.body).toMatchObject({ statusCode: answer.status, error: expect.any(String) });
  const { message } = answer.body as { message: unknown };
  expect(typeof message === 'string' || Array.isArray(message)).toBe(true);
}

// prettier-ignore
const REST_CASES: [string, Attempt][] = [
  ['malformed JSON', create('{"pipeline":')],
  ['JSON with a trailing comma', create('{"pipeline":"demo","input":{},}')],
  ['a raw NUL byte inside a JSON string', create('{"pipeline":"de\u0000mo","input":{}}')],
  ['an escaped NUL in the pipeline name', create(json({ pipeline: 'demo\u0000', input: {} }))],
  ['the body null', create('null')],
  ['the body an array', create('[]')],
  ['the body a string', create('"demo"')],
  ['the body a number', create('42')],
  ['an empty body', create('')],
  ['a text/plain body', { method: 'POST', path: '/analyses', body: 'pipeline=demo', headers: { 'content-type': 'text/plain' } }],
  ['pipeline a number', create(json({ pipeline: 7, input: {} }))],
  ['pipeline an array', create(json({ pipeline: ['demo'], input: {} }))],
  ['a 10,000-character pipeline name', create(json({ pipeline: 'p'.repeat(10_000), input: {} }))],
  ['input missing', create(json({ pipeline: 'demo' }))],
  ['input null', create(json({ pipeline: 'demo', input: null }))],
  ['input an array', create(json({ pipeline: 'demo', input: [] }))],
  ['an unknown top-level field', create(json({ pipeline: 'demo', input: {}, admin: true }))],
  ['__proto__ at the top level', create('{"__proto__":{"polluted":true},"pipeline":"demo","input":{}}')],
  ['__proto__ inside input', create('{"pipeline":"demo","input":{"__proto__":{"polluted":true}}}')],
  ['constructor.prototype at the top level', create('{"constructor":{"prototype":{"polluted":true}},"pipeline":"demo","input":{}}')],
  ['constructor.prototype inside input', create('{"pipeline":"demo","input":{"constructor":{"prototype":{"polluted":true}}}}')],
  ['demo input nested 100,000 levels deep', create(`{"pipeline":"demo","input":{"stepMs":0,"input":${nested(100_000)}}}`)],
  ['stats columns nested 100,000 levels deep', create(`{"pipeline":"stats","input":{"columns":{"a":${nested(100_000)}}}}`)],
  ['a body over MAX_BODY_BYTES', create(json({ pipeline: 'demo', input: { input: 'x'.repeat(MAX_BODY_BYTES) } }))],
  ['stepMs a string', create(json({ pipeline: 'demo', input: { stepMs: '10' } }))],
  ['stepMs negative', create(json({ pipeline: 'demo', input: { stepMs: -1 } }))],
  ['stepMs fractional', create(json({ pipeline: 'demo', input: { stepMs: 1.5 } }))],
  ['stepMs 1e308', create('{"pipeline":"demo","input":{"stepMs":1e308}}')],
  ['stats csv a number', create(json({ pipeline: 'stats', input: { csv: 5 } }))],
  ['stats with both csv and columns', create(json({ pipeline: 'stats', input: { csv: 'a\n1\n', columns: { a: [1] } } }))],
  ['stats with a 100,000-column CSV header', create(json({ pipeline: 'stats', input: { csv: `${wideHeader}\n` } }))],
  ['stats bins 0', create(json({ pipeline: 'stats', input: { csv: 'a\n1\n', bins: 0 } }))],
  ['stats bins 1,001', create(json({ pipeline: 'stats', input: { csv: 'a\n1\n', bins: 1001 } }))],
  ['stats columns of unequal length', create(json({ pipeline: 'stats', input: { columns: { a: [1, 2], b: [1] } } }))],
  ['stats columns of strings', create(json({ pipeline: 'stats', input: { columns: { a: ['1', 'x'] } } }))],
  ['a CSV row with a different number of cells', create(json({ pipeline: 'stats', input: { csv: 'a,b\n1\n' } }))],
  ['a 129-character id', { method: 'PUT', path: `/analyses/${'a'.repeat(129)}`, body: json({ pipeline: 'demo', input: {} }), headers: { 'content-type': 'application/json' } }],
  ['an id with a space', { path: '/analyses/bad%20id' }],
  ['an id with a NUL byte', { path: '/analyses/a%00b' }],
  ['an id climbing directories', { path: '/analyses/..%2F..%2Fetc%2Fpasswd' }],
  ['an id in another script', { path: `/analyses/${encodeURIComponent('идентификатор')}` }],
  ['an unknown id', { path: '/analyses/no-such-analysis' }],
  ['events of an unknown id', { path: '/analyses/no-such-analysis/events' }],
  ['DELETE of an invalid id', { method: 'DELETE', path: '/analyses/%2e%2e' }],
  ['DELETE of an unknown id', { method: 'DELETE', path: '/analyses/no-such-analysis' }],
  ['list limit 0', { path: '/analyses?limit=0' }],
  ['list limit 201', { path: '/analyses?limit=201' }],
  ['list limit not a number', { path: '/analyses?limit=lots' }],
  ['list limit 1e3', { path: '/analyses?limit=1e3' }],
  ['list status unknown', { path: '/analyses?status=pwned' }],
  ['list status with a NUL byte', { path: '/analyses?status=queued%00' }],
  ['list limit given twice', { path: '/analyses?limit=1&limit=2' }],
  ['events after -1', { path: '/analyses/some-id/events?after=-1' }],
  ['events after fractional', { path: '/analyses/some-id/events?after=1.5' }],
  ['events after beyond 2^53', { path: '/analyses/some-id/events?after=99999999999999999999' }],
  ['a token given twice', { path: '/analyses/some-id?token=a&token=b', headers: { authorization: '' } }],
  ['a 10 KB bearer credential', { path: '/analyses', headers: { authorization: `Bearer ${'k'.repeat(10_000)}` } }],
  ['a Basic credential', { path: '/analyses', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }],
  ['Bearer without a credential', { path: '/analyses', headers: { authorization: 'Bearer' } }],
  ['SSE of an invalid id', { path: '/analyses/bad%20id/stream' }],
  ['SSE of an unknown id', { path: '/analyses/no-such-analysis/stream' }],
  ['SSE with after -1', { path: '/analyses/some-id/stream?after=-1' }],
  ['SSE with a Last-Event-ID that is not a number', { path: '/analyses/some-id/stream', headers: { 'last-event-id': 'abc' } }],
  ['SSE with a negative Last-Event-ID', { path: '/analyses/some-id/stream', headers: { 'last-event-id': '-1' } }],
  ['an unknown route', { path: '/analyses/some-id/secrets' }],
  ['PATCH, a method the API does not have', { method: 'PATCH', path: '/analyses/some-id', body: '{}', headers: { 'content-type': 'application/json' } }],
];

async function storedKeys(): Promise<string[]> {
  return [...(await store.keys('ras:job:*')), ...(await store.keys('ras:tenant:*'))];
}

describe('hostile requests over REST and SSE', () => {
  it.each(REST_CASES)('%s: a 4xx with the error shape', async (_name, attempt) => {
    expectClientError(await send(attempt));
  });

  it('answers 1,000 concurrent bad requests, each with a 4xx', async () => {
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        send(i % 2 === 0 ? create('{"pipeline":') : { path: `/analyses/${i}?limit=0&x=${i}` }),
      ),
    );
    for (const answer of answers) expectClientError(answer);
  });

  it('stored nothing for any of them', async () => {
    expect(await storedKeys()).toEqual([]);
  });

  it('answers arbitrary request bodies with a 4xx or an accepted job, never a 5xx (property)', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          pipeline: fc.oneof(fc.constantFrom('demo', 'stats'), fc.string()),
          input: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const answer = await send(create(typeof value === 'string' ? value : json(value)));
        if (answer.status !== 202) expectClientError(answer);
      }),
      { numRuns: 150 },
    );
  });
});

describe('hostile Socket.IO messages', () => {
  let socket: LiveClient;
  beforeAll(async () => {
    socket = new LiveClient(service.url, ['websocket'], { auth: { key: KEY } });
    sockets.push(socket);
    await socket.connected();
  });

  // prettier-ignore
  const PAYLOADS: [string, unknown][] = [
    ['null', null],
    ['a string', 'abc'],
    ['a number', 42],
    ['an array', [{ id: 'x' }]],
    ['an id that is a number', { id: 5 }],
    ['an empty id', { id: '' }],
    ['an id with a NUL byte', { id: 'a\u0000b' }],
    ['a 129-character id', { id: 'a'.repeat(129) }],
    ['after negative', { id: 'x', after: -1 }],
    ['after a string', { id: 'x', after: '1' }],
    ['after fractional', { id: 'x', after: 0.5 }],
    ['a token that is not a string', { id: 'x', token: { $ne: null } }],
    ['__proto__ in the payload', JSON.parse('{"__proto__":{"polluted":true},"id":"x y"}')],
  ];

  it.each(PAYLOADS)('subscribe with %s: an invalid ack', async (_name, payload) => {
    expect(await socket.subscribe(payload)).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
  });

  it('acks an invalid unsubscribe and survives messages sent without an ack or to no handler', async () => {
    expect(await socket.unsubscribe({ id: 7 })).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    socket.socket.emit('subscribe', { id: 5 });
    socket.socket.emit('no-such-event', { id: 'x' });
    socket.socket.emit('subscribe');
    expect(await socket.subscribe({ id: 'unknown-job' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('answers arbitrary subscribe payloads with an ack and stays connected (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (payload) => {
        const ack = await socket.subscribe(payload);
        expect(ack.ok || ['invalid', 'not_found', 'forbidden'].includes(ack.error.code)).toBe(true);
      }),
      { numRuns: 150 },
    );
    expect(socket.socket.connected).toBe(true);
  });
});

describe('after all of it', () => {
  it('lives on and completes a normal job', async () => {
    expect(service.child.exitCode).toBeNull();
    const answer = await send(create(json({ pipeline: 'demo', input: { stepMs: 0 } })));
    expect(answer.status).toBe(202);
    const { id } = answer.body as { id: string };
    const live = new LiveClient(service.url, ['websocket'], { auth: { key: KEY } });
    sockets.push(live);
    await live.connected();
    expect((await live.subscribe({ id })).ok).toBe(true);
    expect((await live.finished(id)).at(-1)?.type).toBe('completed');
  });

  it('never wrote the key to its output', () => {
    expectNoSecrets([service.output()], [KEY]);
  });
});
