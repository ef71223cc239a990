import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { ANALYSIS_QUEUE, bullJobId } from '../../src/analysis/analysis-job';
import { JobReconciler } from '../../src/analysis/job-reconciler';
import { redisOptionsFromUrl } from '../../src/bus/redis-url';
import { RedisKeys } from '../../src/bus/redis-keys';
import type { AnyPipeline } from '../../src/core/pipeline.types';
import { PIPELINES } from '../../src/core/pipelines';
import { demoPipeline } from '../../src/core/pipelines/demo.pipeline';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { request } from '../support/http';
import { type RunningApp, startApp } from '../support/in-process-app';
import { LiveClient } from '../support/live-client';
import { startPrivateRedis } from '../support/private-redis';
import { waitUntil } from '../support/wait';

/** A pipeline only newer workers know, as during a rolling deploy. */
const echoPipeline = {
  ...demoPipeline,
  name: 'echo',
  description: 'The demo under another name.',
} as AnyPipeline;

let redis: RedisServer;
let admin: Redis;
let queue: Queue;
let api: RunningApp;
const running: RunningApp[] = [];
const keys = new RedisKeys('ras');

beforeAll(async () => {
  redis = await startPrivateRedis();
  admin = new Redis(redis.url);
  queue = new Queue(ANALYSIS_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'ras' });
  api = await startApp(redis.url, { ROLE: 'api' }, [...PIPELINES, echoPipeline]);
});

afterAll(async () => {
  for (const app of running) await app.close();
  await api?.close();
  await queue?.close();
  admin?.disconnect();
  await redis?.stop();
});

async function worker(pipelines?: readonly AnyPipeline[]): Promise<RunningApp> {
  const app = await startApp(redis.url, { ROLE: 'worker' }, pipelines);
  running.push(app);
  return app;
}

async function follow(id: string): Promise<LiveClient> {
  const live = new LiveClient(api.url);
  await live.connected();
  await live.subscribe({ id });
  return live;
}

describe('no job stuck', () => {
  it('answers 503 and stores nothing when the job cannot be queued', async () => {
    // BullMQ's add script first counts jobs: a counter that is no number makes Redis refuse it.
    const counter = queue.toKey('id');
    const count = await admin.get(counter);
    await admin.set(counter, 'not a number');
    const answer = await request(api.url, 'PUT', '/analyses/not-queued', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    await (count === null ? admin.del(counter) : admin.set(counter, count));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(answer.body.message).toMatch(/^Redis refused the request \(ERR\)/);
    expect(await admin.exists(keys.snapshot('not-queued'))).toBe(0);
    expect(await admin.zscore(keys.index('_anonymous'), 'not-queued')).toBeNull();
    expect(await admin.keys('*not-queued*')).toEqual([]);
    expect(await queue.getJob(bullJobId('not-queued'))).toBeUndefined();
    expect((await request(api.url, 'GET', '/analyses/not-queued')).status).toBe(404);
  });

  it('refuses with 400, storing nothing, an input too deep to serialise', async () => {
    const deep = `${'['.repeat(100_000)}"leaf"${']'.repeat(100_000)}`;
    const before = await admin.dbsize();
    for (const [method, path] of [
      ['POST', '/analyses'],
      ['PUT', '/analyses/too-deep'],
    ]) {
      const answer = await request(api.url, method, path, undefined, {
        raw: `{"pipeline":"demo","input":{"input":${deep},"stepMs":0}}`,
      });
      expect(answer).toMatchObject({
        status: 400,
        body: { statusCode: 400, message: 'input is nested more than 256 levels deep' },
      });
    }
    expect(await admin.dbsize()).toBe(before);
  });

  it('fails, as lost, an unfinished job whose BullMQ job is gone', async () => {
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    const id = created.body.id as string;
    const live = await follow(id);
    expect(await queue.remove(bullJobId(id))).toBe(1); // removed by hand; no worker runs yet
    const reconciler = api.app.get(JobReconciler);
    // A job this young may still be on its way into the queue: left alone.
    expect(await reconciler.reconcile()).toEqual({ trimmed: 0, failed: 0 });
    expect(await reconciler.reconcile(Date.now() + 60_000)).toEqual({ trimmed: 0, failed: 1 });
    const events = await live.finished(id);
    expect(events.map((event) => event.type)).toEqual(['queued', 'failed']);
    expect(events[1].error).toEqual({ message: expect.any(String), code: 'lost' });
    expect(await reconciler.reconcile(Date.now() + 60_000)).toEqual({ trimmed: 0, failed: 0 });
    live.close();
  });

  it('lets one process reconcile per interval, under a Redis lock', async () => {
    const other = await startApp(redis.url, { ROLE: 'api' });
    running.push(other);
    await admin.del(keys.reconcileLock());
    const passes = await Promise.all(
      [api, other, api].map((app) => app.app.get(JobReconciler).runIfDue()),
    );
    expect(passes.filter((pass) => pass !== undefined)).toHaveLength(1);
    expect(await admin.pttl(keys.reconcileLock())).toBeGreaterThan(0);
  });

  it('puts back a job of a pipeline its worker does not know, for a worker that does', async () => {
    const old = await worker(PIPELINES); // no `echo`
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'echo',
      input: { stepMs: 0 },
    });
    const id = created.body.id as string;
    const live = await follow(id);
    await waitForDeferral(id);
    expect((await request(api.url, 'GET', `/analyses/${id}`)).body.status).toBe('queued');
    await old.close();
    running.splice(running.indexOf(old), 1);
    await worker([...PIPELINES, echoPipeline]);
    const events = await live.finished(id, 20_000);
    expect(events.map((event) => [event.type, event.attempt])).toEqual([
      ['queued', 0],
      ['started', 1],
      ['progress', 1],
      ['progress', 1],
      ['completed', 1],
    ]);
    live.close();
  });

  it('fails a job that BullMQ gave up on outside the runner (its writes refused)', async () => {
    // No worker of an earlier test may take the job before its snapshot is corrupted.
    for (const app of running.splice(0)) await app.close();
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    const id = created.body.id as string;
    // A field the store's script cannot read: every event of the run is refused with an error.
    await admin.hset(keys.snapshot(id), 'attempt', '"corrupt"');
    const live = await follow(id);
    await worker();
    const events = await live.finished(id, 30_000);
    expect(events.map((event) => event.type)).toEqual(['queued', 'failed']);
    expect(events[1].error).toEqual({
      message: expect.stringMatching(/failed outside its pipeline/),
      code: 'worker_error',
    });
    live.close();
  });
});

function waitForDeferral(id: string): Promise<void> {
  return waitUntil(
    async () =>
      Boolean(((await queue.getJob(bullJobId(id)))?.data as { deferrals?: number }).deferrals),
    10_000,
    'the job to be put back',
  );
}
