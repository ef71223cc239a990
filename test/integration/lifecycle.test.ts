import { Queue } from 'bullmq';
import { ANALYSIS_QUEUE, bullJobId } from '../../src/analysis/analysis-job';
import { redisOptionsFromUrl } from '../../src/bus/redis-url';
import { type RedisServer, startRedisServer } from '../../src/local-redis/redis-server';
import { ANONYMOUS_TENANT, EventStore } from '../../src/bus/event-store';
import { waitUntil } from '../support/wait';
import { request } from '../support/http';
import { startApp } from '../support/in-process-app';
import type { LiveClient } from '../support/live-client';
import { startPrivateRedis } from '../support/private-redis';
import { useService } from '../support/service-fixture';

const fixture = useService({ WORKER_CONCURRENCY: '2' });
let live: LiveClient;

beforeAll(async () => {
  live = await fixture.client();
});

async function start(input: object, pipeline = 'demo'): Promise<string> {
  const created = await request(fixture.service.url, 'POST', '/analyses', { pipeline, input });
  expect(created.status).toBe(202);
  await live.subscribe({ id: created.body.id });
  return created.body.id as string;
}

describe('job lifecycle on a real Redis and BullMQ worker', () => {
  it('cancels a running job: 202 with the cancelled snapshot, and cancelled is the last event', async () => {
    const id = await start({ stepMs: 30_000 });
    await live.waitFor(id, (event) => event.type === 'started');
    const cancelled = await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled', lastSeq: 3 });
    expect(cancelled.body.finishedAt).not.toBeNull();
    const events = await live.finished(id);
    expect(events.map((event) => event.type)).toEqual(['queued', 'started', 'cancelled']);
    // The worker stopped the job rather than finishing it: a later job gets a free slot at once.
    const next = await start({ stepMs: 0 });
    expect((await live.finished(next, 10_000)).pop()?.type).toBe('completed');
    expect((await request(fixture.service.url, 'GET', `/analyses/${id}/events`)).body).toHaveLength(
      3,
    );
  });

  it('cancels a queued job before any worker takes it', async () => {
    // Two slots, both busy: the third job waits in the queue.
    const busy = [await start({ stepMs: 30_000 }), await start({ stepMs: 30_000 })];
    await Promise.all(busy.map((id) => live.waitFor(id, (event) => event.type === 'started')));
    const waiting = await start({ stepMs: 0 });
    const cancelled = await request(fixture.service.url, 'DELETE', `/analyses/${waiting}`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', attempt: 0 });
    for (const id of busy) await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
    await Promise.all(busy.map((id) => live.finished(id)));
    expect((await live.finished(waiting)).map((event) => event.type)).toEqual([
      'queued',
      'cancelled',
    ]);
    const queue = new Queue(ANALYSIS_QUEUE, {
      connection: redisOptionsFromUrl(fixture.redis.url),
      prefix: 'ras',
    });
    expect(await queue.getJob(bullJobId(waiting))).toBeUndefined();
    await queue.close();
  });

  it('lists analyses newest first, filtered by status, limited', async () => {
    const ids = [
      await start({ stepMs: 0 }),
      await start({ stepMs: 0 }),
      await start({ stepMs: 0 }),
    ];
    await Promise.all(ids.map((id) => live.finished(id)));
    const latest = await request(fixture.service.url, 'GET', '/analyses?limit=2');
    expect(latest.body.map((snapshot: { id: string }) => snapshot.id)).toEqual([ids[2], ids[1]]);
    const completed = await request(
      fixture.service.url,
      'GET',
      '/analyses?status=completed&limit=200',
    );
    expect(
      completed.body.every((snapshot: { status: string }) => snapshot.status === 'completed'),
    ).toBe(true);
    expect(completed.body.map((snapshot: { id: string }) => snapshot.id)).toEqual(
      expect.arrayContaining(ids),
    );
    const cancelled = await request(fixture.service.url, 'GET', '/analyses?status=cancelled');
    expect(cancelled.body.some((snapshot: { id: string }) => ids.includes(snapshot.id))).toBe(
      false,
    );
  });

  it('describes every pipeline with its steps and input schema', async () => {
    const pipelines = await request(fixture.service.url, 'GET', '/pipelines');
    expect(pipelines.status).toBe(200);
    expect(pipelines.body.map((pipeline: { name: string }) => pipeline.name)).toEqual([
      'demo',
      'stats',
    ]);
    expect(pipelines.body[0]).toMatchObject({
      steps: ['step_one', 'step_two'],
      input: { type: 'object' },
    });
    expect(pipelines.body[1].steps).toEqual([
      'parse',
      'summary',
      'histogram',
      'outliers',
      'correlation',
    ]);
  });

  it('fails a job whose queued payload does not pass validation, without retrying it', async () => {
    // A payload that skipped the API (another producer, an older version): the worker checks it too.
    const id = 'forged-payload';
    await fixture.service.app.get(EventStore).create(id, 'stats', '', {
      tenant: ANONYMOUS_TENANT,
      token: '',
    });
    const queue = new Queue(ANALYSIS_QUEUE, {
      connection: redisOptionsFromUrl(fixture.redis.url),
      prefix: 'ras',
    });
    await queue.add(
      'stats',
      { id, pipeline: 'stats', input: { csv: 'a,b\n1\n' } },
      { jobId: bullJobId(id), attempts: 3 },
    );
    await queue.close();
    await live.subscribe({ id });
    const events = await live.finished(id);
    expect(events.map((event) => event.type)).toEqual(['queued', 'started', 'failed']);
    expect(events[2].error).toEqual({
      message: expect.stringMatching(/line 2/),
      code: 'invalid_input',
    });
    const snapshot = await request(fixture.service.url, 'GET', `/analyses/${id}`);
    expect(snapshot.body).toMatchObject({ status: 'failed', error: events[2].error, attempt: 1 });
  });

  it('serves liveness, and readiness while Redis answers', async () => {
    expect((await request(fixture.service.url, 'GET', '/health/live')).status).toBe(200);
    const ready = await request(fixture.service.url, 'GET', '/health/ready');
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ok', details: { redis: { status: 'up' }, worker: { status: 'up' } } },
    });
  });

  it('serves the OpenAPI document', async () => {
    const docs = await request(fixture.service.url, 'GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/analyses',
        '/analyses/{id}',
        '/analyses/{id}/events',
        '/pipelines',
        '/health/ready',
      ]),
    );
  });
});

describe('readiness without Redis', () => {
  it('answers 503 when Redis is down and 200 again once it is back', async () => {
    const own = await startPrivateRedis();
    let back: RedisServer | undefined;
    const app = await startApp(own.url, { ROLE: 'api' });
    try {
      expect((await request(app.url, 'GET', '/health/ready')).status).toBe(200);
      await own.stop();
      const down = await request(app.url, 'GET', '/health/ready');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/^Redis does not answer/),
        details: { redis: { status: 'down' } },
      });
      expect((await request(app.url, 'GET', '/health/live')).status).toBe(200);
      back = await startRedisServer({ port: own.port, dir: own.dir, persistent: false });
      await waitUntil(async () => (await request(app.url, 'GET', '/health/ready')).status === 200);
    } finally {
      await app.close();
      await back?.stop();
    }
  });
});

describe('stopping as it starts', () => {
  // BullMQ's connections are still connecting then; an unhandled 'error' from one fails this test.
  it('closes cleanly when stopped right after it started, every time', async () => {
    for (let round = 0; round < 20; round += 1) {
      const app = await startApp(fixture.redis.url, { KEY_PREFIX: `stopping${round}` });
      await expect(app.close()).resolves.toBeUndefined();
    }
  });
});
