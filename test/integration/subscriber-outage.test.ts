import Redis from 'ioredis';
import { EventStore } from '../../src/bus/event-store';
import { RedisKeys } from '../../src/bus/redis-keys';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { request } from '../support/http';
import { type RunningApp, startApp } from '../support/in-process-app';
import { LiveClient } from '../support/live-client';
import { startPrivateRedis } from '../support/private-redis';

let redis: RedisServer;
let api: RunningApp;
let worker: RunningApp;
let admin: Redis;

beforeAll(async () => {
  redis = await startPrivateRedis();
  api = await startApp(redis.url, { ROLE: 'api' });
  worker = await startApp(redis.url, { ROLE: 'worker' });
  admin = new Redis(redis.url);
});

afterAll(async () => {
  admin?.disconnect();
  await api?.close();
  await worker?.close();
  await redis?.stop();
});

describe("an api process's subscriber connection drops mid-job", () => {
  it('catches up from the event log when it reconnects, without waiting for a later event', async () => {
    const live = new LiveClient(api.url);
    await live.connected();
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 60_000 },
    });
    const id = created.body.id as string;
    await live.subscribe({ id });
    await live.waitFor(id, (event) => event.type === 'started');

    // Cut every pub/sub connection and, before ioredis reconnects, record an event:
    // its PUBLISH reaches nobody, so only the catch-up on reconnect can deliver it.
    const store = new EventStore(admin, new RedisKeys(api.config.keyPrefix), api.config);
    await admin.client('KILL', 'TYPE', 'pubsub');
    const appended = await store.append({
      id,
      type: 'progress',
      status: 'running',
      progress: 10,
      step: 'step_one',
      attempt: 1,
      at: new Date().toISOString(),
    });
    expect(appended).toEqual({ kind: 'appended', seq: 3 });
    await live.waitFor(id, (event) => event.seq === 3, 10_000);

    expect((await request(api.url, 'DELETE', `/analyses/${id}`)).status).toBe(202);
    const events = await live.finished(id);
    expect(events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'queued'],
      [2, 'started'],
      [3, 'progress'],
      [4, 'cancelled'],
    ]);
    live.close();
  });
});
