import type { RedisServer } from '../../src/local-redis/redis-server';
import { request } from '../support/http';
import { LiveClient } from '../support/live-client';
import { startPrivateRedis } from '../support/private-redis';
import { expectNoSecrets } from '../support/secrets';
import { type ServiceProcess, startService } from '../support/service-process';
import { SseClient } from '../support/sse-client';

/**
 * The contract's "Security" section as a table: every route × every kind of
 * credential, each cell asked of both `api` processes (jobs run on a third,
 * worker, process).
 */
const OWNER_KEY = 'acme_key_one_0123456789';
const OWNER_SECOND_KEY = 'acme_key_two_0123456789';
const OTHER_KEY = 'umbrella_key_0123456789';
const BAD_KEY = 'not_a_key_at_all_0123456';

let redis: RedisServer;
let apis: ServiceProcess[] = [];
let worker: ServiceProcess | undefined;
const sockets: LiveClient[] = [];
let job: { id: string; token: string };

const CREDENTIALS = [
  'owner key',
  "owner's second key",
  'other tenant',
  'job token (?token=)',
  'job token (Bearer)',
  'bad key',
  'none',
] as const;
type Credential = (typeof CREDENTIALS)[number];

function authorization(credential: Credential): Record<string, string> {
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  switch (credential) {
    case 'owner key':
      return bearer(OWNER_KEY);
    case "owner's second key":
      return bearer(OWNER_SECOND_KEY);
    case 'other tenant':
      return bearer(OTHER_KEY);
    case 'job token (Bearer)':
      return bearer(job.token);
    case 'bad key':
      return bearer(BAD_KEY);
    default:
      return {};
  }
}

function withToken(path: string, credential: Credential): string {
  if (credential !== 'job token (?token=)') return path;
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(job.token)}`;
}

const DEMO = { pipeline: 'demo', input: { stepMs: 0, input: 'tenancy' } };

/** A route: how to call it, and what each credential gets, in CREDENTIALS' order. */
type Row = [
  route: string,
  call: (base: string, credential: Credential) => Promise<{ status: number; body: unknown }>,
  expected: [number, number, number, number, number, number, number],
];

async function plain(
  base: string,
  method: string,
  path: string,
  credential: Credential,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${withToken(path, credential)}`, {
    method,
    headers: {
      ...authorization(credential),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json');
  if (response.status === 401) {
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  }
  return { status: response.status, body: json && text ? JSON.parse(text) : text };
}

// prettier-ignore
const TABLE: Row[] = [
  //                                                                      owner 2nd  other ?token Bearer-token bad none
  ['GET /analyses/{id}', (b, c) => plain(b, 'GET', `/analyses/${job.id}`, c), [200, 200, 404, 200, 200, 401, 401]],
  ['GET /analyses/{id}/events', (b, c) => plain(b, 'GET', `/analyses/${job.id}/events?after=0`, c), [200, 200, 404, 200, 200, 401, 401]],
  ['GET /analyses/{id}/stream', (b, c) => plain(b, 'GET', `/analyses/${job.id}/stream`, c), [200, 200, 404, 200, 200, 401, 401]],
  ['DELETE /analyses/{id} (finished: 409)', (b, c) => plain(b, 'DELETE', `/analyses/${job.id}`, c), [409, 409, 404, 401, 401, 401, 401]],
  ['GET /analyses', (b, c) => plain(b, 'GET', '/analyses', c), [200, 200, 200, 401, 401, 401, 401]],
  ['PUT /analyses/{id}, the same request again', (b, c) => plain(b, 'PUT', '/analyses/tenancy-put', c, DEMO), [200, 200, 409, 401, 401, 401, 401]],
  ['POST /analyses', (b, c) => plain(b, 'POST', '/analyses', c, DEMO), [202, 202, 202, 401, 401, 401, 401]],
  ['GET /pipelines (open)', (b, c) => plain(b, 'GET', '/pipelines', c), [200, 200, 200, 200, 200, 200, 200]],
  ['GET /health/live (open)', (b, c) => plain(b, 'GET', '/health/live', c), [200, 200, 200, 200, 200, 200, 200]],
  ['GET /health/ready (open)', (b, c) => plain(b, 'GET', '/health/ready', c), [200, 200, 200, 200, 200, 200, 200]],
  ['GET /docs-json (open)', (b, c) => plain(b, 'GET', '/docs-json', c), [200, 200, 200, 200, 200, 200, 200]],
];

beforeAll(async () => {
  redis = await startPrivateRedis();
  const env = {
    REDIS_URL: redis.url,
    API_KEYS: `acme:${OWNER_KEY},acme:${OWNER_SECOND_KEY},umbrella:${OTHER_KEY}`,
  };
  [apis, worker] = await Promise.all([
    Promise.all([startService({ ...env, ROLE: 'api' }), startService({ ...env, ROLE: 'api' })]),
    startService({ ...env, ROLE: 'worker' }),
  ]);
  const created = await request(apis[0].url, 'POST', '/analyses', DEMO, {
    headers: { authorization: `Bearer ${OWNER_KEY}` },
  });
  expect(created.status).toBe(202);
  job = { id: created.body.id, token: created.body.token };
  const put = await request(apis[1].url, 'PUT', '/analyses/tenancy-put', DEMO, {
    headers: { authorization: `Bearer ${OWNER_SECOND_KEY}` },
  });
  expect(put.status).toBe(202);
  // The stream ends after the job's terminal event: the job is finished.
  const { stream } = await SseClient.open(`${apis[1].url}/analyses/${job.id}/stream`, {
    authorization: `Bearer ${OWNER_KEY}`,
  });
  await stream?.ended;
});

afterAll(async () => {
  sockets.forEach((socket) => socket.close());
  await Promise.all([...apis, ...(worker ? [worker] : [])].map((service) => service.stop()));
  await redis?.stop();
});

describe('tenancy: every route × every credential, on both api processes', () => {
  it("gives a token that is unguessable and only in the owner's snapshots", async () => {
    expect(job.token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const owner = await plain(apis[1].url, 'GET', `/analyses/${job.id}`, "owner's second key");
    expect((owner.body as { token?: string }).token).toBe(job.token);
    const reader = await plain(apis[1].url, 'GET', `/analyses/${job.id}`, 'job token (?token=)');
    expect(reader.body).not.toHaveProperty('token');
  });

  describe.each(TABLE)('%s', (_route, call, expected) => {
    it.each(CREDENTIALS.map((credential, index) => [credential, expected[index]] as const))(
      'with %s: %d',
      async (credential, status) => {
        for (const api of apis) {
          const answer = await call(api.url, credential);
          expect({ api: api.url, status: answer.status }).toEqual({ api: api.url, status });
          if (status >= 400) {
            expect(answer.body).toMatchObject({ statusCode: status });
            expect(typeof (answer.body as { message: unknown }).message).toBe('string');
          }
        }
      },
    );
  });

  it("lists a job only in its tenant's list", async () => {
    for (const api of apis) {
      const ids = async (credential: Credential) =>
        (
          (await plain(api.url, 'GET', '/analyses?limit=200', credential)).body as { id: string }[]
        ).map((snapshot) => snapshot.id);
      expect(await ids('owner key')).toEqual(expect.arrayContaining([job.id, 'tenancy-put']));
      expect(await ids("owner's second key")).toEqual(expect.arrayContaining([job.id]));
      const others = await ids('other tenant');
      expect(others).not.toContain(job.id);
      expect(others).not.toContain('tenancy-put');
    }
  });

  it("lets the owner's second key cancel a running job, and never a token", async () => {
    const running = await plain(apis[0].url, 'POST', '/analyses', 'owner key', {
      pipeline: 'demo',
      input: { stepMs: 60_000 },
    });
    const { id, token } = running.body as { id: string; token: string };
    const byToken = await fetch(`${apis[1].url}/analyses/${id}?token=${token}`, {
      method: 'DELETE',
    });
    expect(byToken.status).toBe(401);
    expect((await plain(apis[1].url, 'DELETE', `/analyses/${id}`, 'other tenant')).status).toBe(
      404,
    );
    const cancelled = await plain(apis[1].url, 'DELETE', `/analyses/${id}`, "owner's second key");
    expect(cancelled).toMatchObject({ status: 202, body: { status: 'cancelled' } });
  });

  it("never accepts a job's token for another job", async () => {
    const other = await plain(apis[0].url, 'POST', '/analyses', 'owner key', DEMO);
    const { id } = other.body as { id: string };
    for (const api of apis) {
      expect((await plain(api.url, 'GET', `/analyses/${id}`, 'job token (?token=)')).status).toBe(
        401,
      );
      expect(
        (await plain(api.url, 'GET', `/analyses/${id}/events`, 'job token (Bearer)')).status,
      ).toBe(401);
    }
  });
});

describe('tenancy over Socket.IO', () => {
  async function connect(api: ServiceProcess, key?: string): Promise<LiveClient> {
    const socket = new LiveClient(
      api.url,
      ['websocket'],
      key === undefined ? {} : { auth: { key } },
    );
    sockets.push(socket);
    await socket.connected();
    return socket;
  }

  // prettier-ignore
  const SOCKET_TABLE: [string, string | undefined, 'token' | 'wrong token' | 'none', string][] = [
    ['owner key at the handshake', OWNER_KEY, 'none', 'ok'],
    ["owner's second key at the handshake", OWNER_SECOND_KEY, 'none', 'ok'],
    ['other tenant at the handshake', OTHER_KEY, 'none', 'not_found'],
    ['other tenant at the handshake, with the job token', OTHER_KEY, 'token', 'ok'],
    ['no key, with the job token', undefined, 'token', 'ok'],
    ['no key, with a wrong token', undefined, 'wrong token', 'forbidden'],
    ['no key, no token', undefined, 'none', 'forbidden'],
  ];

  it.each(SOCKET_TABLE.map(([name, key, token, outcome]) => ({ name, key, token, outcome })))(
    'subscribe with $name: $outcome',
    async ({ key, token, outcome }) => {
      for (const api of apis) {
        const socket = await connect(api, key);
        const payload = {
          id: job.id,
          ...(token === 'token' ? { token: job.token } : {}),
          ...(token === 'wrong token' ? { token: 'x'.repeat(32) } : {}),
        };
        const ack = await socket.subscribe(payload);
        expect(ack.ok ? 'ok' : ack.error.code).toBe(outcome);
        if (ack.ok) {
          const events = await socket.finished(job.id);
          expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
        }
      }
    },
  );

  it('looks up an unknown id as not_found without a key', async () => {
    const socket = await connect(apis[0]);
    const ack = await socket.subscribe({ id: 'no-such-job', token: job.token });
    expect(ack).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses a bad key at the handshake with connect_error "unauthorized"', async () => {
    for (const api of apis) {
      const socket = new LiveClient(api.url, ['websocket'], { auth: { key: BAD_KEY } });
      sockets.push(socket);
      await expect(socket.connected()).rejects.toThrow('unauthorized');
    }
  });
});

describe('secrets in the logs', () => {
  it('never writes a key or a token to any process output', () => {
    expectNoSecrets(
      [...apis, ...(worker ? [worker] : [])].map((service) => service.output()),
      [OWNER_KEY, OWNER_SECOND_KEY, OTHER_KEY, BAD_KEY, job.token],
    );
  });
});
