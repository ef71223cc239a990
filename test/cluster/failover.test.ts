import type { AnalysisEvent } from '../../src/core/analysis.types';
import { request } from '../support/http';
import { type RedisCluster, startRedisCluster } from '../support/redis-cluster';
import { ProcessGroup } from '../support/process-group';

let cluster: RedisCluster;
const group = new ProcessGroup(() => ({
  REDIS_CLUSTER_NODES: cluster.seeds,
  REDIS_WAIT_REPLICAS: '1',
  REDIS_WAIT_MS: '1000',
  JOB_LOCK_MS: '3000',
  WORKER_CONCURRENCY: '8',
}));

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await group.stop();
  await cluster?.stop();
});

/** Polls, as the cluster announces a promotion to no client: until a replica took the dead master's slots. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a master killed mid-run, with REDIS_WAIT_REPLICAS=1', () => {
  it('promotes its replica; every job completes once and every client’s stream is gap-free', async () => {
    const api = await group.start({ ROLE: 'api' });
    await group.start({ ROLE: 'worker' });
    await group.start({ ROLE: 'worker' });
    const live = await group.clientOf(api);
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const created = await request(api.url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs: 1500 },
      });
      expect(created.status).toBe(202);
      ids.push(created.body.id as string);
      await live.subscribe({ id: created.body.id });
    }
    await live.waitFor(ids[0], (event) => event.type === 'started');

    const before = await cluster.masters();
    const victim = cluster.nodes.find((node) => node.port === before[0])!;
    await victim.kill();
    await until(async () => (await cluster.masters()).length === 3, 30_000);
    // Back as the promoted master's replica, so that WAIT 1 can be met again.
    await victim.restart();

    for (const id of ids) {
      const events: AnalysisEvent[] = await live.finished(id, 90_000);
      expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
      expect(events.filter((event) => event.type === 'completed')).toHaveLength(1);
      expect(events[events.length - 1].type).toBe('completed');
      // Nothing was dropped, so no epoch was ever needed.
      expect(events.every((event) => event.epoch === undefined)).toBe(true);
      const snapshot = await request(api.url, 'GET', `/analyses/${id}`);
      expect(snapshot.body).toMatchObject({ status: 'completed', lastSeq: events.length });
    }
  }, 180_000);
});
