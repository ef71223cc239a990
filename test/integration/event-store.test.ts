import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { type AnalysisJobData, bullJobId } from '../../src/analysis/analysis-job';
import { bullAddition } from '../../src/analysis/bull-addition';
import { ANONYMOUS_TENANT, EventStore, type JobAccess } from '../../src/bus/event-store';
import { RedisKeys } from '../../src/bus/redis-keys';
import { redisOptionsFromUrl } from '../../src/bus/redis-url';
import { loadConfig } from '../../src/config/app-config';
import type { AnalysisEventDraft, AnalysisStatus } from '../../src/core/analysis.types';
import { startPrivateRedis } from '../support/private-redis';
import { waitUntil } from '../support/wait';

const TTL_SECONDS = 1;
const acme: JobAccess = { tenant: 'acme', token: 'tok-acme' };
const globex: JobAccess = { tenant: 'globex', token: 'tok-globex' };

let server: Awaited<ReturnType<typeof startPrivateRedis>>;
let redis: Redis;
let store: EventStore;
const keys = new RedisKeys('ras');

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = new Redis(server.url);
  const config = loadConfig({ REDIS_URL: server.url, EVENT_TTL_SECONDS: String(TTL_SECONDS) });
  store = new EventStore(redis, keys, config);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

beforeEach(() => redis.flushall());

function event(id: string, status: AnalysisStatus, attempt = 1): AnalysisEventDraft {
  const type = status === 'running' ? 'started' : status === 'queued' ? 'retrying' : status;
  return { id, type, status, progress: 0, step: null, attempt, at: new Date().toISOString() };
}

async function finish(id: string, status: AnalysisStatus = 'completed'): Promise<void> {
  await store.append(event(id, 'running'));
  await store.append(event(id, status));
}

async function trimAll(): Promise<number> {
  let trimmed = 0;
  for (const tenant of await store.tenants()) trimmed += await store.trimIndexes(tenant);
  return trimmed;
}

async function ids(tenant: string, status?: AnalysisStatus): Promise<string[]> {
  return (await store.list(tenant, 50, status)).map((snapshot) => snapshot.id);
}

describe('event store: key layout and tenancy', () => {
  it('keeps a job in keys of its own, under the hash tag of its id, outside BullMQ’s namespace', async () => {
    await store.create('job-1', 'demo', '', acme);
    await finish('job-1');
    const all = (await redis.keys('*')).sort();
    expect(all).toEqual(
      [
        'ras:job:{job-1}',
        'ras:tenant:{acme}:expiries',
        'ras:tenant:{acme}:jobs',
        'ras:tenant:{acme}:jobs:completed',
      ].sort(),
    );
    expect(all.some((key) => key.startsWith('ras:analyses:'))).toBe(false);
  });

  it('stores tenant and token beside the snapshot, not in it', async () => {
    const created = await store.create('job-1', 'demo', 'fp', acme);
    expect(created.access).toEqual(acme);
    expect(created.snapshot).not.toHaveProperty('tenant');
    expect(created.snapshot).not.toHaveProperty('token');
    expect(await store.access('job-1')).toEqual({ snapshot: created.snapshot, access: acme });
    expect(await store.access('nope')).toBeUndefined();
  });

  it('answers a taken id with the stored job’s access, whoever asks', async () => {
    await store.create('shared', 'demo', 'fp', acme);
    const again = await store.create('shared', 'demo', 'fp', globex);
    expect(again).toMatchObject({ created: false, fingerprint: 'fp', access: acme });
    expect(await ids('globex')).toEqual([]);
  });

  it('lists a tenant’s jobs only, newest first, narrowed by status', async () => {
    await store.create('a1', 'demo', '', acme);
    await store.create('b1', 'demo', '', globex);
    await store.create('a2', 'demo', '', acme);
    await store.create('a3', 'demo', '', acme);
    await finish('a2');
    await store.append(event('a3', 'running'));
    expect(await ids('acme')).toEqual(['a3', 'a2', 'a1']);
    expect(await ids('globex')).toEqual(['b1']);
    expect(await ids('acme', 'queued')).toEqual(['a1']);
    expect(await ids('acme', 'running')).toEqual(['a3']);
    expect(await ids('acme', 'completed')).toEqual(['a2']);
    expect(await ids('acme', 'failed')).toEqual([]);
    expect(await store.list('acme', 2)).toHaveLength(2);
  });

  it('moves a job between status indexes on retry and keeps every index consistent', async () => {
    await store.create('j', 'demo', '', acme);
    await store.append(event('j', 'running'));
    await store.append(event('j', 'queued'));
    expect(await ids('acme', 'queued')).toEqual(['j']);
    expect(await ids('acme', 'running')).toEqual([]);
    await store.append(event('j', 'running', 2));
    await store.append(event('j', 'failed', 2));
    for (const status of ['queued', 'running', 'completed', 'cancelled'] as const) {
      expect(await redis.zcard(keys.index('acme', status))).toBe(0);
    }
    expect(await ids('acme', 'failed')).toEqual(['j']);
  });

  it('writes events of a job whose tenant this store has not seen (another process created it)', async () => {
    await store.create('j', 'demo', '', globex);
    const other = new EventStore(
      redis,
      keys,
      loadConfig({ EVENT_TTL_SECONDS: String(TTL_SECONDS) }),
    );
    expect(await other.append(event('j', 'running'))).toEqual({ kind: 'appended', seq: 2 });
    expect(await ids('globex', 'running')).toEqual(['j']);
    expect(await other.append(event('unknown', 'running'))).toEqual({ kind: 'unknown' });
  });

  it('files a job in the same script call as its events when it knows the tenant', async () => {
    await store.create('j', 'demo', '', acme);
    const worker = new EventStore(redis, keys, loadConfig({ EVENT_TTL_SECONDS: '60' }));
    worker.knowTenant('j', 'acme');
    await redis.config('RESETSTAT');
    await worker.appendMany([event('j', 'running'), event('j', 'completed')]);
    // ioredis sends EVAL the first time a connection runs a script, EVALSHA after.
    const stats = await redis.info('commandstats');
    const calls = (command: string): number =>
      Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect(calls('eval') + calls('evalsha')).toBe(1);
    expect(await ids('acme', 'completed')).toEqual(['j']);
    for (const status of ['queued', 'running', 'failed', 'cancelled'] as const) {
      expect(await redis.zcard(keys.index('acme', status))).toBe(0);
    }
    expect(await redis.zrange(keys.expiries('acme'), 0, -1)).toEqual(['j']);
  });

  it('files a job under the tenant it is stored with, whatever tenant the writer was told', async () => {
    await store.create('j', 'demo', '', acme);
    const worker = new EventStore(redis, keys, loadConfig({ EVENT_TTL_SECONDS: '60' }));
    worker.knowTenant('j', 'globex');
    expect(await worker.append(event('j', 'running'))).toEqual({ kind: 'appended', seq: 2 });
    await waitUntil(async () => (await ids('acme', 'running')).length === 1, 5_000, 'filing');
    expect(await ids('acme', 'queued')).toEqual([]);
    expect(await redis.keys('ras:tenant:{globex}*')).toEqual([]);
  });
});

describe('event store: the event log', () => {
  it('reads a job’s events in seq order from any point, past the script’s read batch of 1 000', async () => {
    await store.create('long', 'demo', '', acme);
    const progress = (value: number): AnalysisEventDraft => ({
      ...event('long', 'running'),
      type: 'progress',
      progress: value % 100,
    });
    for (let batch = 0; batch < 5; batch++) {
      const drafts = Array.from({ length: 500 }, (_, i) => progress(batch * 500 + i));
      expect(await store.appendMany(drafts)).toEqual({
        kind: 'appended',
        seq: 1 + (batch + 1) * 500,
      });
    }
    const all = await store.events('long');
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 2501 }, (_, i) => i + 1));
    expect(all[0].type).toBe('queued');
    const tail = await store.events('long', 1_200);
    expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: 1301 }, (_, i) => i + 1201));
    expect(await store.events('long', 2_501)).toEqual([]);
    expect(await store.events('nope')).toEqual([]);
  });

  it('reads a snapshot without its events', async () => {
    await store.create('job-1', 'demo', '', acme);
    await finish('job-1');
    const snapshot = await store.snapshot('job-1');
    expect(snapshot).toMatchObject({ id: 'job-1', status: 'completed', lastSeq: 3 });
    expect(Object.keys(snapshot ?? {}).some((field) => field.startsWith('#'))).toBe(false);
    expect((await store.list('acme', 10)).map((s) => Object.keys(s).length)).toEqual([
      Object.keys(snapshot ?? {}).length,
    ]);
  });
});

describe('event store: a new job and its queue entry', () => {
  it('files, writes and queues a new job in that order, all on one connection: the queue’s', async () => {
    const queue = new Queue<AnalysisJobData>('analyses', {
      connection: redisOptionsFromUrl(server.url),
      prefix: 'ras',
    });
    const sent = jest.spyOn(Redis.prototype, 'sendCommand');
    try {
      await queue.waitUntilReady();
      sent.mockClear();
      const data = { id: 'fresh', pipeline: 'demo', input: { stepMs: 0 }, tenant: 'acme' };
      const after = await bullAddition(queue, data);
      const snapshot = await store.createFresh('fresh', 'demo', acme, after);
      const scripts = sent.mock.calls
        .map(([command], call) => ({ command, connection: sent.mock.contexts[call] }))
        .filter(({ command }) => /^eval/i.test(command.name));
      // Each script's first key, after its sha (or Lua) and its number of keys.
      expect(scripts.map(({ command }) => command.args[2])).toEqual([
        'ras:tenant:{acme}:jobs',
        'ras:job:{fresh}',
        'ras:analyses:wait',
      ]);
      // One connection, and not the store's own: BullMQ's, which the add needs.
      expect(new Set(scripts.map(({ connection }) => connection)).size).toBe(1);
      expect(scripts[0].connection).not.toBe(redis);
      expect(snapshot).toMatchObject({ id: 'fresh', status: 'queued', lastSeq: 1 });
      const job = await queue.getJob(bullJobId('fresh'));
      expect(job?.data).toEqual(data);
      expect(job?.opts).toMatchObject({ attempts: 3, removeOnComplete: true });
      expect(await store.access('fresh')).toEqual({ snapshot, access: acme });
      expect(await ids('acme', 'queued')).toEqual(['fresh']);
    } finally {
      sent.mockRestore();
      await queue.close();
    }
  });
});

describe('event store: writes sent again', () => {
  it('reports a creation sent again after a lost reply as created, once', async () => {
    expect(await store.create('j', 'demo', '', acme)).toMatchObject({ created: true });
    (store as unknown as { writes: number }).writes -= 1;
    expect(await store.create('j', 'demo', '', acme)).toMatchObject({ created: true });
    expect(await store.events('j')).toHaveLength(1);
    expect(await store.create('j', 'demo', '', acme)).toMatchObject({ created: false });
  });

  it('applies a write once when the client sends it again (a resend after a lost reply)', async () => {
    await store.create('j', 'demo', '', acme);
    const progress = { ...event('j', 'running'), type: 'progress' as const, progress: 50 };
    expect(await store.append(event('j', 'running'))).toEqual({ kind: 'appended', seq: 2 });
    expect(await store.append(progress)).toEqual({ kind: 'appended', seq: 3 });
    // What ioredis does on reconnect: the same command, with the same write number, again.
    (store as unknown as { writes: number }).writes -= 1;
    expect(await store.append(progress)).toEqual({ kind: 'appended', seq: 3 });
    expect((await store.events('j')).map((stored) => stored.seq)).toEqual([1, 2, 3]);
    expect(await store.append({ ...progress, progress: 60 })).toEqual({ kind: 'appended', seq: 4 });
  });
});

describe('event store: data lifecycle', () => {
  it('expires an ended job’s keys and trims its index entries with the next write of its tenant', async () => {
    await store.create('old', 'demo', '', acme);
    await finish('old', 'cancelled');
    await waitUntil(async () => (await redis.exists(keys.snapshot('old'))) === 0, 5_000, 'expiry');
    await store.create('new', 'demo', '', acme);
    expect(await redis.zrange(keys.index('acme'), 0, -1)).toEqual(['new']);
    expect(await redis.zcard(keys.index('acme', 'cancelled'))).toBe(0);
    expect(await redis.zcard(keys.expiries('acme'))).toBe(0);
  });

  it('sweeps the indexes of tenants that stopped writing', async () => {
    await store.create('a', 'demo', '', acme);
    await store.create('g', 'demo', '', globex);
    await finish('a');
    await finish('g', 'failed');
    await waitUntil(async () => (await redis.dbsize()) === 6, 5_000, 'expiry'); // 2 × (index, status index, expiries)
    expect(await trimAll()).toBe(2);
    expect(await redis.dbsize()).toBe(0);
  });

  it('never trims a job created again under an id whose earlier job expired', async () => {
    await store.create('reused', 'demo', '', acme);
    await finish('reused');
    await waitUntil(async () => (await redis.exists(keys.snapshot('reused'))) === 0, 5_000);
    await store.create('reused', 'demo', '', acme);
    expect(await trimAll()).toBe(0);
    expect(await ids('acme')).toEqual(['reused']);
    expect(await ids('acme', 'queued')).toEqual(['reused']);
    expect(await ids('acme', 'completed')).toEqual([]);
  });

  it('does not list the new job of another tenant under a reused id in the old tenant’s list', async () => {
    await store.create('reused', 'demo', '', acme);
    await store.append(event('reused', 'cancelled'));
    await waitUntil(async () => (await redis.exists(keys.snapshot('reused'))) === 0, 5_000);
    await store.create('reused', 'demo', '', globex);
    expect(await ids('acme')).toEqual([]);
    expect(await ids('globex')).toEqual(['reused']);
    expect(await store.append(event('reused', 'running'))).toEqual({ kind: 'appended', seq: 2 });
  });

  it('names the unfinished jobs created before a time, for the reconciliation', async () => {
    await store.create('queued', 'demo', '', acme);
    await store.create('running', 'demo', '', acme);
    await store.create('done', 'demo', '', acme);
    await store.append(event('running', 'running'));
    await finish('done');
    expect(await store.tenants()).toEqual(['acme']);
    expect(await store.unfinished('acme', Date.now() + 1)).toEqual([
      { id: 'queued', filed: 'queued' },
      { id: 'running', filed: 'running' },
    ]);
    expect(await store.unfinished('acme', 0)).toEqual([]);
  });

  it('files an entry left under an old status under the job’s own, and rewrites no entry that is right', async () => {
    await store.create('moved', 'demo', '', acme);
    await store.create('right', 'demo', '', acme);
    await store.append(event('moved', 'running'));
    // What a crash between the job's write and its index write leaves on a cluster.
    const createdMs = Number(await redis.zscore(keys.index('acme', 'running'), 'moved'));
    await redis.zrem(keys.index('acme', 'running'), 'moved');
    await redis.zadd(keys.index('acme', 'queued'), createdMs, 'moved');
    await redis.config('RESETSTAT');
    const entries = await store.unfinished('acme', Date.now() + 1);
    expect(entries).toEqual([
      { id: 'moved', filed: 'queued' },
      { id: 'right', filed: 'queued' },
    ]);
    for (const { id, filed } of entries) await store.reconcileEntry('acme', id, filed);
    expect(await ids('acme', 'queued')).toEqual(['right']);
    expect(await ids('acme', 'running')).toEqual(['moved']);
    // One index write: the entry that was wrong.
    const stats = await redis.info('commandstats');
    expect(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
  });

  it('removes a job that never reached the queue, and its index entries', async () => {
    await store.create('a', 'demo', '', acme);
    expect(await store.discard('a')).toBe(true);
    expect(await redis.dbsize()).toBe(0);
    expect(await store.discard('a')).toBe(false);
  });

  it('keeps the anonymous tenant’s jobs apart too', async () => {
    await store.create('anon', 'demo', '', { tenant: ANONYMOUS_TENANT, token: '' });
    expect(await ids(ANONYMOUS_TENANT)).toEqual(['anon']);
    expect(await ids('acme')).toEqual([]);
  });
});
