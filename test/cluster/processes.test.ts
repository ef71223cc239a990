import Redis from 'ioredis';
import { ANALYSIS_QUEUE } from '../../src/analysis/analysis-job';
import { shardIndexOf, shardNames } from '../../src/analysis/queue-shards';
import type { AnalysisEvent } from '../../src/core/analysis.types';
import { DEMO_EVENT_TYPES } from '../support/demo';
import { request } from '../support/http';
import { type RedisCluster, startRedisCluster } from '../support/redis-cluster';
import { ProcessGroup } from '../support/process-group';

const SHARDS = 3;
let cluster: RedisCluster;
const group = new ProcessGroup(() => ({
  REDIS_CLUSTER_NODES: cluster.seeds,
  JOB_LOCK_MS: '2000',
  WORKER_CONCURRENCY: '4',
  // BullMQ's load over the masters: each shard's queue is its own hash tag.
  QUEUE_SHARDS: String(SHARDS),
  // Attempts' starts are logged at debug: the test reads them to tell which worker runs a job.
  LOG_LEVEL: 'debug',
}));

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await group.stop();
  await cluster?.stop();
});

/** The master (by port) holding each queue shard's BullMQ keys (`ras:{<shard>}:…`). */
async function shardMasters(): Promise<Map<string, number>> {
  const client = new Redis.Cluster([{ host: '127.0.0.1', port: cluster.nodes[0].port }]);
  try {
    await client.ping();
    const holders = new Map<string, number>();
    for (const master of client.nodes('master')) {
      for (const key of await master.keys(`ras:{${ANALYSIS_QUEUE}-*}:*`)) {
        holders.set(/\{([^}]+)\}/.exec(key)![1], master.options.port ?? 0);
      }
    }
    return holders;
  } finally {
    client.disconnect();
  }
}

function expectGapFree(events: AnalysisEvent[]): void {
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  expect(events.filter((event) => event.type === 'completed')).toHaveLength(1);
  expect(events[events.length - 1].type).toBe('completed');
}

describe(`2 api and 2 worker processes on a 3-master Redis Cluster, QUEUE_SHARDS=${SHARDS}`, () => {
  it('completes every job exactly once, streamed gap-free to clients of both api processes, when a worker is SIGKILLed mid-job', async () => {
    const apis = [await group.start({ ROLE: 'api' }), await group.start({ ROLE: 'api' })];
    const workers = [await group.start({ ROLE: 'worker' }), await group.start({ ROLE: 'worker' })];
    const watchers = await Promise.all(apis.map((api) => group.clientOf(api)));
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const created = await request(apis[i % 2].url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs: 1500 },
      });
      expect(created.status).toBe(202);
      ids.push(created.body.id as string);
    }
    for (const live of watchers) for (const id of ids) await live.subscribe({ id });
    const [first] = ids;
    await watchers[0].waitFor(first, (event) => event.type === 'progress' && event.progress === 50);
    const victim = workers.find((worker) =>
      worker.output().includes(`"msg":"attempt started","jobId":"${first}"`),
    );
    expect(victim).toBeDefined();
    victim!.child.kill('SIGKILL');
    expect(await victim!.exited).toMatchObject({ signal: 'SIGKILL' });

    for (const live of watchers) {
      for (const id of ids) expectGapFree(await live.finished(id, 40_000));
    }
    const retried = watchers[1].of(first);
    expect(retried.some((event) => event.type === 'started' && event.attempt === 2)).toBe(true);
    for (const id of ids.slice(1)) {
      const events = watchers[1].of(id);
      // A job the victim did not hold ran once; one it held ran again from its start.
      if (!events.some((event) => event.attempt === 2)) {
        expect(events.map((event) => event.type)).toEqual(DEMO_EVENT_TYPES);
      }
    }
    for (const id of ids) {
      const snapshot = await request(apis[0].url, 'GET', `/analyses/${id}`);
      expect(snapshot.body).toMatchObject({ status: 'completed' });
    }

    // Each shard's queue keys sit together on one master, and the shards on several masters.
    const holders = await shardMasters();
    const names = shardNames(ANALYSIS_QUEUE, SHARDS);
    for (const id of ids) expect(holders.has(names[shardIndexOf(id, SHARDS)])).toBe(true);
    expect([...holders.keys()].every((name) => names.includes(name))).toBe(true);
    expect(new Set(holders.values()).size).toBeGreaterThanOrEqual(2);
  });
});
