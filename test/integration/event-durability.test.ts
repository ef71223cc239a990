import Redis from 'ioredis';
import { EventStore, NotReplicatedError } from '../../src/bus/event-store';
import { RedisKeys } from '../../src/bus/redis-keys';
import { loadConfig } from '../../src/config/app-config';
import type { AnalysisEventDraft } from '../../src/core/analysis.types';
import { startPrivateRedis } from '../support/private-redis';

const access = { tenant: 'acme', token: '' };
const keys = new RedisKeys('ras');
let server: Awaited<ReturnType<typeof startPrivateRedis>>;
let redis: Redis;

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = new Redis(server.url);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

beforeEach(() => redis.flushall());

function progress(id: string, value: number): AnalysisEventDraft {
  return {
    id,
    type: 'progress',
    status: 'running',
    progress: value,
    step: null,
    attempt: 1,
    at: new Date().toISOString(),
  };
}

/** What a failover that promoted a replica behind the master leaves: the job's last events gone. */
async function dropLastEvents(id: string, count: number): Promise<void> {
  const lastSeq = Number(await redis.hget(keys.snapshot(id), 'lastSeq'));
  const dropped = Array.from({ length: count }, (_, i) => `#${lastSeq - i}`);
  await redis.hdel(keys.snapshot(id), ...dropped);
  await redis.hset(keys.snapshot(id), 'lastSeq', lastSeq - count);
}

describe('events across a failover', () => {
  it('bumps the epoch when a writer finds events it wrote gone: later events and the snapshot carry it', async () => {
    const store = new EventStore(redis, keys, loadConfig({ REDIS_URL: server.url }));
    await store.create('job-1', 'demo', '', access);
    await store.append(progress('job-1', 10));
    await store.append(progress('job-1', 20)); // seq 3
    await dropLastEvents('job-1', 1);

    expect(await store.append(progress('job-1', 30))).toEqual({ kind: 'appended', seq: 3 });
    const events = await store.events('job-1');
    expect(events.map(({ seq, epoch, progress: value }) => ({ seq, epoch, value }))).toEqual([
      { seq: 1, epoch: undefined, value: 0 },
      { seq: 2, epoch: undefined, value: 10 },
      { seq: 3, epoch: 1, value: 30 },
    ]);
    expect(await store.snapshot('job-1')).toMatchObject({ lastSeq: 3, epoch: 1, progress: 30 });
    // The epoch stays: the next event carries it too, without another bump.
    await store.append(progress('job-1', 40));
    expect((await store.events('job-1', 3))[0]).toMatchObject({ seq: 4, epoch: 1 });
  });

  it('leaves the epoch out while nothing was lost, whoever writes', async () => {
    const config = loadConfig({ REDIS_URL: server.url });
    const [api, worker] = [
      new EventStore(redis, keys, config),
      new EventStore(redis, keys, config),
    ];
    await api.create('job-2', 'demo', '', access);
    await worker.append(progress('job-2', 50));
    await api.append(progress('job-2', 60));
    const events = await api.events('job-2');
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(events.every((event) => event.epoch === undefined)).toBe(true);
    expect(await api.snapshot('job-2')).not.toHaveProperty('epoch');
  });

  it('with REDIS_WAIT_REPLICAS=1 and no replica, refuses the write once REDIS_WAIT_MS is up', async () => {
    const store = new EventStore(
      redis,
      keys,
      loadConfig({ REDIS_URL: server.url, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_MS: '50' }),
    );
    await expect(store.create('job-3', 'demo', '', access)).rejects.toBeInstanceOf(
      NotReplicatedError,
    );
  });
});
