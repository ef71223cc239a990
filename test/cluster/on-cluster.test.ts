import Redis from 'ioredis';
import { request } from '../support/http';
import { DEMO_EVENT_TYPES } from '../support/demo';
import '../support/on-cluster';
import { useService } from '../support/service-fixture';

const fixture = useService({ WORKER_CONCURRENCY: '2', RATE_LIMIT: '1000/60' });

/** The job snapshot keys (`ras:job:{id}`) held by each master, by port. */
async function jobKeysPerMaster(): Promise<Map<number, number>> {
  const cluster = new Redis.Cluster([{ host: '127.0.0.1', port: fixture.redis.port }]);
  try {
    await cluster.ping();
    const counts = new Map<number, number>();
    for (const master of cluster.nodes('master')) {
      const keys = await master.keys('ras:job:{*}');
      counts.set(master.options.port ?? 0, keys.filter((key) => key.endsWith('}')).length);
    }
    return counts;
  } finally {
    cluster.disconnect();
  }
}

async function start(id: string, stepMs: number) {
  return request(fixture.service.url, 'PUT', `/analyses/${id}`, {
    pipeline: 'demo',
    input: { stepMs },
  });
}

describe('the service on a 3-master Redis Cluster', () => {
  it('spreads 300 jobs over every master, each holding at least 20 % of the job keys', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `spread-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      const answers = await Promise.all(ids.slice(i, i + 50).map((id) => start(id, 0)));
      answers.forEach((answer) => expect(answer.status).toBe(202));
    }
    const counts = await jobKeysPerMaster();
    expect(counts.size).toBe(3);
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    expect(total).toBe(300);
    for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(0.2 * total);
  });

  it('answers PUT 202 for a new id, 200 for the same request again, 409 for another', async () => {
    const first = await start('put-once', 0);
    expect(first.status).toBe(202);
    const live = await fixture.client();
    await live.subscribe({ id: 'put-once' });
    expect((await live.finished('put-once')).map((event) => event.type)).toEqual(DEMO_EVENT_TYPES);
    const again = await start('put-once', 0);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: 'put-once', status: 'completed', lastSeq: 5 });
    const other = await start('put-once', 1);
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it('cancels a running job through the sharded cancellation channel, freeing its worker slot', async () => {
    const live = await fixture.client();
    const ids = ['cancel-a', 'cancel-b'];
    for (const id of ids) {
      expect((await start(id, 30_000)).status).toBe(202);
      await live.subscribe({ id });
    }
    // Both slots of WORKER_CONCURRENCY=2 busy, then both cancelled.
    for (const id of ids) await live.waitFor(id, (event) => event.type === 'started');
    for (const id of ids) {
      const cancelled = await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
      expect(cancelled.status).toBe(202);
      expect(cancelled.body).toMatchObject({ id, status: 'cancelled', lastSeq: 3 });
    }
    for (const id of ids) {
      expect((await live.finished(id)).map((event) => event.type)).toEqual([
        'queued',
        'started',
        'cancelled',
      ]);
    }
    // The workers stopped the jobs rather than finishing them: the next one runs at once.
    expect((await start('after-cancel', 0)).status).toBe(202);
    await live.subscribe({ id: 'after-cancel' });
    expect((await live.finished('after-cancel', 10_000)).pop()?.type).toBe('completed');
  });

  it('counts writes for RATE_LIMIT in the cluster', async () => {
    const cluster = new Redis.Cluster([{ host: '127.0.0.1', port: fixture.redis.port }]);
    try {
      await cluster.ping();
      const counters = await Promise.all(
        cluster.nodes('master').map((master) => master.keys('ras:ratelimit:*')),
      );
      expect(counters.flat().length).toBeGreaterThan(0);
    } finally {
      cluster.disconnect();
    }
  });

  it('lists a tenant’s jobs newest first from its one-slot indexes', async () => {
    const listed = await request(fixture.service.url, 'GET', '/analyses?status=cancelled&limit=10');
    expect(listed.status).toBe(200);
    expect(listed.body.map((job: { id: string }) => job.id).sort()).toEqual([
      'cancel-a',
      'cancel-b',
    ]);
  });
});
