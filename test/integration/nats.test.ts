import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import type { AnalysisEvent, AnalysisSnapshot } from '../../src/core/analysis.types';
import { request } from '../support/http';
import { startApp, type RunningApp } from '../support/in-process-app';
import { LiveClient } from '../support/live-client';
import { type PrivateNats, startPrivateNats } from '../support/private-nats';
import { startPrivateRedis } from '../support/private-redis';

type Reply = AnalysisSnapshot & { error?: { statusCode: number; message: unknown } };

const STREAM = 'ANALYSES';

/** A NATS request with a JSON (or raw) payload, its reply parsed. */
async function ask(
  nc: NatsConnection,
  subject: string,
  payload: unknown,
  raw?: string,
): Promise<Reply> {
  const data = Buffer.from(raw ?? JSON.stringify(payload));
  const message = await nc.request(subject, data, { timeout: 10_000 });
  return JSON.parse(Buffer.from(message.data).toString('utf8')) as Reply;
}

/** A consumer that starts now, late, and reads the job's events from the stream's start up to its end. */
async function readFromStart(
  js: JetStreamClient,
  id: string,
): Promise<{ events: AnalysisEvent[]; messageIds: (string | undefined)[] }> {
  const consumer = await js.consumers.get(STREAM, {
    // One subject as a string: nats-server before 2.10 knows only filter_subject.
    filterSubjects: `analyses.events.${id}`,
  });
  const messages = await consumer.consume();
  const events: AnalysisEvent[] = [];
  const messageIds: (string | undefined)[] = [];
  const timer = setTimeout(() => void messages.close(), 30_000);
  for await (const message of messages) {
    const event = message.json<AnalysisEvent>();
    events.push(event);
    messageIds.push(message.headers?.get('Nats-Msg-Id'));
    if (['completed', 'failed', 'cancelled'].includes(event.status)) break;
  }
  clearTimeout(timer);
  await messages.close();
  return { events, messageIds };
}

describe('NATS entry and JetStream event stream', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let nats: PrivateNats;
  let service: RunningApp;
  let nc: NatsConnection;

  beforeAll(async () => {
    [redis, nats] = await Promise.all([startPrivateRedis(), startPrivateNats()]);
    service = await startApp(redis.url, { NATS_URL: nats.url });
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });

  afterAll(async () => {
    await nc?.close();
    await service?.close();
    await nats?.destroy();
    await redis?.stop();
  });

  it('starts a job by request; a late consumer reads from seq 1 what Socket.IO streamed, once each', async () => {
    const live = new LiveClient(service.url);
    try {
      const snapshot = await ask(nc, 'analyses.start', {
        pipeline: 'demo',
        input: { input: 'via nats', stepMs: 20 },
      });
      expect(snapshot).toMatchObject({ pipeline: 'demo', status: 'queued', lastSeq: 1 });
      expect(await live.subscribe({ id: snapshot.id })).toMatchObject({ ok: true });
      const streamed = await live.finished(snapshot.id);

      const { events, messageIds } = await readFromStart(nc.jetstream(), snapshot.id);
      expect(events).toEqual(streamed);
      expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(messageIds).toEqual(events.map((event) => `${snapshot.id}:${event.seq}`));
    } finally {
      live.close();
    }
  });

  it('treats a repeated id like PUT: the same request answers the job, another one 409', async () => {
    const request = { pipeline: 'demo', input: { stepMs: 0 }, id: 'nats-put-1' };
    const first = await ask(nc, 'analyses.start', request);
    expect(first).toMatchObject({ id: 'nats-put-1', pipeline: 'demo' });
    expect(await ask(nc, 'analyses.start', request)).toMatchObject({ id: 'nats-put-1' });
    const other = await ask(nc, 'analyses.start', { ...request, input: { stepMs: 1 } });
    expect(other.error).toMatchObject({ statusCode: 409 });
  });

  it('answers bad requests with the status REST gives, storing nothing', async () => {
    const cases: [unknown, string | undefined, number, string][] = [
      [{ pipeline: 'nope', input: {} }, undefined, 400, 'Valid pipelines: demo, stats'],
      [{ pipeline: 'demo', input: { stepMs: -5 } }, undefined, 400, 'stepMs'],
      [{ pipeline: 'demo' }, undefined, 400, 'input must be an object'],
      [{ pipeline: 'demo', input: {}, id: 'bad id!' }, undefined, 400, 'an id is 1 to 128'],
      [
        { pipeline: 'demo', input: {}, extra: 1 },
        undefined,
        400,
        'property extra should not exist',
      ],
      [undefined, '{not json', 400, 'not valid JSON'],
    ];
    const listed = async () => (await request(service.url, 'GET', '/analyses?limit=100')).body;
    const before = await listed();
    for (const [payload, raw, statusCode, text] of cases) {
      const reply = await ask(nc, 'analyses.start', payload, raw);
      expect(reply.error?.statusCode).toBe(statusCode);
      expect(JSON.stringify(reply.error?.message)).toContain(text);
    }
    expect(await listed()).toEqual(before);
    const unknown = await ask(nc, 'analyses.cancel', { id: 'never-started' });
    expect(unknown.error).toMatchObject({ statusCode: 404 });
  });

  it('cancels like DELETE, and the stream ends with the cancellation', async () => {
    const started = await ask(nc, 'analyses.start', {
      pipeline: 'demo',
      input: { stepMs: 60_000 },
    });
    const cancelled = await ask(nc, 'analyses.cancel', { id: started.id });
    expect(cancelled).toMatchObject({ id: started.id, status: 'cancelled' });
    expect((await ask(nc, 'analyses.cancel', { id: started.id })).error).toMatchObject({
      statusCode: 409,
    });
    const { events } = await readFromStart(nc.jetstream(), started.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'cancelled', seq: cancelled.lastSeq });
  });

  it('keeps the stream gap-free across a restart of nats-server in the middle of a job', async () => {
    const live = new LiveClient(service.url);
    try {
      const started = await ask(nc, 'analyses.start', {
        pipeline: 'demo',
        input: { stepMs: 1_500 },
      });
      await live.subscribe({ id: started.id });
      await live.waitFor(started.id, (event) => event.type === 'started');
      await nats.stop();
      // The first step ends while NATS is down: its event must still reach the stream.
      await live.waitFor(started.id, (event) => event.type === 'progress');
      await nats.start();
      const streamed = await live.finished(started.id);

      const fresh = await connect({ servers: nats.url });
      try {
        const { events } = await readFromStart(fresh.jetstream(), started.id);
        expect(events).toEqual(streamed);
        expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
      } finally {
        await fresh.close();
      }
    } finally {
      live.close();
    }
  });

  describe('with keys', () => {
    const KEY = 'nats_key_0123456789abcdef';
    let keyed: RunningApp;

    beforeAll(async () => {
      keyed = await startApp(redis.url, {
        NATS_URL: nats.url,
        NATS_SUBJECT: 'keyed',
        NATS_STREAM: 'KEYED',
        KEY_PREFIX: 'keyed',
        API_KEYS: `acme:${KEY}`,
        RATE_LIMIT: '3/60',
      });
    });
    afterAll(() => keyed?.close());

    it('requires a valid key on start and cancel, and never echoes it', async () => {
      const request = { pipeline: 'demo', input: { stepMs: 0 } };
      const missing = await ask(nc, 'keyed.start', request);
      expect(missing.error).toMatchObject({ statusCode: 401 });
      const wrong = await ask(nc, 'keyed.start', { ...request, key: 'nats_wrong_key_000000' });
      expect(wrong.error).toMatchObject({ statusCode: 401 });
      expect(JSON.stringify(wrong)).not.toContain('nats_wrong_key');

      const started = await ask(nc, 'keyed.start', { ...request, key: KEY });
      expect(started).toMatchObject({ pipeline: 'demo' });
      expect(JSON.stringify(started)).not.toContain(KEY);
      expect((await ask(nc, 'keyed.cancel', { id: started.id })).error).toMatchObject({
        statusCode: 401,
      });
    });

    it("counts writes against the tenant's RATE_LIMIT, shared with REST", async () => {
      // The previous test wrote once for acme; REST writes count on the same counter.
      const rest = await request(
        keyed.url,
        'POST',
        '/analyses',
        {
          pipeline: 'demo',
          input: { stepMs: 0 },
        },
        { headers: { authorization: `Bearer ${KEY}` } },
      );
      expect(rest.status).toBe(202);
      const third = await ask(nc, 'keyed.start', { pipeline: 'demo', input: {}, key: KEY });
      expect(third).toMatchObject({ pipeline: 'demo' });
      const refused = await ask(nc, 'keyed.start', { pipeline: 'demo', input: {}, key: KEY });
      expect(refused.error).toMatchObject({ statusCode: 429 });
      expect(JSON.stringify(refused.error?.message)).toContain('RATE_LIMIT');
    });
  });
});
