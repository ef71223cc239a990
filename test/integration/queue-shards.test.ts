import { Queue } from 'bullmq';
import { ANALYSIS_QUEUE, bullJobId } from '../../src/analysis/analysis-job';
import { shardIndexOf, shardNames } from '../../src/analysis/queue-shards';
import { redisOptionsFromUrl } from '../../src/bus/redis-url';
import type { AnyPipeline, PipelineStep } from '../../src/core/pipeline.types';
import { demoPipeline } from '../../src/core/pipelines/demo.pipeline';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { request } from '../support/http';
import { type RunningApp, startApp } from '../support/in-process-app';
import { LiveClient } from '../support/live-client';
import { sample, scrape } from '../support/metrics';
import { startPrivateRedis } from '../support/private-redis';

const SHARDS = 4;
const CONCURRENCY = 2;

/** Runs of the counting pipeline in progress in this process, and the most seen at once. */
const runs = { now: 0, most: 0 };

/** One step that holds a run for stepMs, counting the runs that overlap it. */
const hold: PipelineStep<{ stepMs: number }> = {
  name: 'hold',
  *run(state) {
    runs.now += 1;
    runs.most = Math.max(runs.most, runs.now);
    try {
      yield { waitMs: state.stepMs };
    } finally {
      runs.now -= 1;
    }
    return { state, data: {} };
  },
};

const countingPipeline = {
  ...demoPipeline,
  name: 'counting',
  init: (input: { stepMs: number }) => ({ stepMs: input.stepMs }),
  steps: [hold],
  result: () => ({}),
} as unknown as AnyPipeline;

let redis: RedisServer;
let api: RunningApp;
let worker: RunningApp | undefined;
let live: LiveClient;
const queues: Queue[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  queues.push(
    ...shardNames(ANALYSIS_QUEUE, SHARDS).map(
      (name) => new Queue(name, { connection: redisOptionsFromUrl(redis.url), prefix: 'ras' }),
    ),
  );
  api = await startApp(redis.url, { ROLE: 'api', QUEUE_SHARDS: String(SHARDS) }, [
    countingPipeline,
  ]);
  live = new LiveClient(api.url);
  await live.connected();
});

afterAll(async () => {
  live?.close();
  await worker?.close();
  await api?.close();
  await Promise.all(queues.map((queue) => queue.close()));
  await redis?.stop();
});

async function startWorker(): Promise<void> {
  worker = await startApp(
    redis.url,
    { ROLE: 'worker', QUEUE_SHARDS: String(SHARDS), WORKER_CONCURRENCY: String(CONCURRENCY) },
    [countingPipeline],
  );
}

async function stopWorker(): Promise<void> {
  await worker?.close();
  worker = undefined;
}

function put(id: string, stepMs = 100) {
  return request(api.url, 'PUT', `/analyses/${id}`, { pipeline: 'counting', input: { stepMs } });
}

async function runToEnd(ids: readonly string[]): Promise<void> {
  for (const id of ids) await live.subscribe({ id });
  const finals = await Promise.all(ids.map((id) => live.finished(id, 30_000)));
  for (const events of finals) expect(events.at(-1)?.type).toBe('completed');
}

describe(`QUEUE_SHARDS=${SHARDS} on one Redis`, () => {
  it('puts each job in the queue of its shard, PUT repeats and cancels find it there', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `spread-${i}`);
    for (const id of ids) expect((await put(id)).status).toBe(202);
    // A repeated PUT is the same job, not a second one in any shard.
    const again = await put(ids[0]);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(ids[0]);

    const expected = new Array<number>(SHARDS).fill(0);
    for (const id of ids) expected[shardIndexOf(id, SHARDS)] += 1;
    const waiting = await Promise.all(queues.map((queue) => queue.getWaitingCount()));
    expect(waiting).toEqual(expected);
    expect(waiting.filter((count) => count > 0).length).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      expect(await queues[shardIndexOf(id, SHARDS)].getJob(bullJobId(id))).toBeDefined();
    }

    const cancelled = ids[1];
    const cancel = await request(api.url, 'DELETE', `/analyses/${cancelled}`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('cancelled');
    expect(await queues[shardIndexOf(cancelled, SHARDS)].getJob(bullJobId(cancelled))).toBe(
      undefined,
    );

    runs.most = 0;
    await startWorker();
    await runToEnd(ids.filter((id) => id !== cancelled));
    // Every shard is consumed, within one budget for the process: full, never more.
    expect(runs.most).toBe(CONCURRENCY);
    expect(await Promise.all(queues.map((queue) => queue.count()))).toEqual([0, 0, 0, 0]);
    await stopWorker();
  });

  it('gives the whole budget to the one busy shard while the others are idle', async () => {
    const ids: string[] = [];
    for (let i = 0; ids.length < 6; i += 1) {
      if (shardIndexOf(`busy-${i}`, SHARDS) === 2) ids.push(`busy-${i}`);
    }
    for (const id of ids) expect((await put(id)).status).toBe(202);
    expect(await Promise.all(queues.map((queue) => queue.getWaitingCount()))).toEqual([0, 0, 6, 0]);

    runs.most = 0;
    await startWorker();
    await runToEnd(ids);
    expect(runs.most).toBe(CONCURRENCY);
    await stopWorker();
  });

  it('shows every shard on the queue dashboard and sums them in the queue gauges', async () => {
    const board = await request(api.url, 'GET', '/admin/queues/api/queues');
    expect(board.status).toBe(200);
    expect(board.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(
      shardNames(ANALYSIS_QUEUE, SHARDS),
    );
    for (const id of ['gauge-a', 'gauge-b', 'gauge-c']) expect((await put(id)).status).toBe(202);
    expect(sample(await scrape(api.url), 'ras_queue_jobs', { state: 'waiting' })).toBe(3);
  });
});
