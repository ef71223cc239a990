import Redis from 'ioredis';
import { InputStore } from '../../src/bus/input-store';
import { RedisKeys } from '../../src/bus/redis-keys';
import { loadConfig } from '../../src/config/app-config';
import { startPrivateRedis } from '../support/private-redis';

const keys = new RedisKeys('ras');
let server: Awaited<ReturnType<typeof startPrivateRedis>>;
let redis: Redis;
let store: InputStore;

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = new Redis(server.url);
  store = new InputStore(
    redis,
    keys,
    loadConfig({ REDIS_URL: server.url, EVENT_TTL_SECONDS: '600' }),
  );
});

afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

beforeEach(() => redis.flushall());

/** Columns of 0.8 MB each by default, so that the input spans two stored chunks. */
function columns(seed: number, rows = 100_000): { a: number[]; b: (number | null)[] } {
  const a = Array.from({ length: rows }, (_, i) => (i * seed) % 1000);
  const b = Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : i / seed));
  return { a, b };
}

describe('InputStore', () => {
  it('reads a large input back as it was written, with the TTL, and leaves no draft behind', async () => {
    const written = columns(3);
    expect(await store.save('job-1', { columns: written, bins: 5 })).toBe(true);
    expect(await redis.keys('*')).toEqual([keys.input('job-1')]);
    expect(await redis.ttl(keys.input('job-1'))).toBeGreaterThan(0);
    const read = (await store.load('job-1')) as { columns: Record<string, Float64Array> };
    expect(read.columns.a).toEqual(Float64Array.from(written.a));
    expect(read.columns.b).toEqual(Float64Array.from(written.b, (value) => value ?? NaN));
  });

  it('keeps one whole input when the same job is written twice at once', async () => {
    const first = columns(3);
    const second = columns(5);
    await Promise.all([
      store.save('job-2', { columns: first, bins: 5 }),
      store.save('job-2', { columns: second, bins: 5 }),
    ]);
    expect(await redis.keys('*')).toEqual([keys.input('job-2')]);
    const read = (await store.load('job-2')) as { columns: Record<string, Float64Array> };
    const a = Array.from(read.columns.a);
    expect([first.a, second.a]).toContainEqual(a);
    const b = Array.from(read.columns.b);
    expect(b).toEqual((a[1] === first.a[1] ? first : second).b.map((value) => value ?? NaN));
  });

  it('puts nothing in place and leaves no draft when a chunk cannot be written', async () => {
    // Room for far less than the 8 MB input: Redis refuses its writes (OOM), the first ones
    // included when the chunks queued behind them already fill that room.
    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'maxmemory', String(used + 1_500_000));
    try {
      await expect(store.save('job-4', { columns: columns(3, 500_000), bins: 5 })).rejects.toThrow(
        /OOM/,
      );
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    expect(await redis.keys('*')).toEqual([]); // neither the input nor its draft
    expect(await store.load('job-4')).toBeUndefined();
  });

  it('answers undefined for an input that is gone', async () => {
    expect(await store.load('job-3')).toBeUndefined();
  });
});
