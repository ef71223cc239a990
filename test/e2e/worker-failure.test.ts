import { DEMO_EVENT_TYPES } from '../support/demo';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { request } from '../support/http';
import { startPrivateRedis } from '../support/private-redis';
import { ProcessGroup } from '../support/process-group';
import { runServiceToExit, type ServiceProcess } from '../support/service-process';

let redis: RedisServer;
const group = new ProcessGroup(() => ({
  REDIS_URL: redis.url,
  JOB_LOCK_MS: '2000',
  KEY_PREFIX: prefix,
  // Attempts' starts are logged at debug: the tests read them to tell which worker runs a job.
  LOG_LEVEL: 'debug',
}));

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterAll(async () => {
  await group.stop();
  await redis?.stop();
});

let prefix = 'unset';
beforeEach(() => {
  // Each test's processes share a key prefix of their own, so no test's worker takes another's jobs.
  prefix = `t${expect.getState().currentTestName?.length ?? 0}-${Date.now()}`;
});

/** Which worker process logged that it began an attempt at the job. */
function runnerOf(
  workers: ServiceProcess[],
  id: string,
  attempt: number,
): ServiceProcess | undefined {
  return workers.find((worker) =>
    worker
      .output()
      .includes(`"msg":"attempt started","jobId":"${id}","pipeline":"demo","attempt":${attempt}}`),
  );
}

describe('workers that die or stop', () => {
  it('completes a job exactly once on another worker when its worker is killed mid-job', async () => {
    const api = await group.start({ ROLE: 'api' });
    const workers = [await group.start({ ROLE: 'worker' }), await group.start({ ROLE: 'worker' })];
    const live = await group.clientOf(api);
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 1500 },
    });
    const id = created.body.id as string;
    await live.subscribe({ id });
    await live.waitFor(id, (event) => event.type === 'progress' && event.progress === 50);

    const victim = runnerOf(workers, id, 1);
    expect(victim).toBeDefined();
    victim!.child.kill('SIGKILL');
    expect(await victim!.exited).toMatchObject({ signal: 'SIGKILL' });

    const events = await live.finished(id, 30_000);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'completed')).toHaveLength(1);
    expect(events[events.length - 1].type).toBe('completed');
    const secondStart = events.findIndex(
      (event) => event.type === 'started' && event.attempt === 2,
    );
    expect(secondStart).toBeGreaterThan(0);
    // Progress starts again with the new attempt and never decreases within it.
    const retry = events.slice(secondStart);
    expect(retry.map((event) => [event.type, event.progress])).toEqual([
      ['started', 0],
      ['progress', 50],
      ['progress', 100],
      ['completed', 100],
    ]);
    expect(runnerOf(workers, id, 2)).toBe(workers.find((worker) => worker !== victim));
    const snapshot = await request(api.url, 'GET', `/analyses/${id}`);
    expect(snapshot.body).toMatchObject({
      status: 'completed',
      attempt: 2,
      lastSeq: events.length,
    });
  });

  it('on SIGTERM, a worker finishes its short job and exits 0', async () => {
    const api = await group.start({ ROLE: 'api' });
    const worker = await group.start({ ROLE: 'worker', SHUTDOWN_GRACE_MS: '20000' });
    const live = await group.clientOf(api);
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 700 },
    });
    const id = created.body.id as string;
    await live.subscribe({ id });
    await worker.waitForOutput(`"msg":"attempt started","jobId":"${id}"`);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    // It drained: the job completed in that worker's first and only attempt.
    const events = await live.finished(id);
    expect(events.map((event) => event.type)).toEqual(DEMO_EVENT_TYPES);
  });

  it('on SIGTERM, a worker hands a long job back after its grace period and exits 0; another worker runs it', async () => {
    const api = await group.start({ ROLE: 'api' });
    const leaving = await group.start({ ROLE: 'worker', SHUTDOWN_GRACE_MS: '200' });
    const live = await group.clientOf(api);
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 2000 },
    });
    const id = created.body.id as string;
    await live.subscribe({ id });
    await live.waitFor(id, (event) => event.type === 'started');
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    await live.waitFor(id, (event) => event.type === 'retrying');

    await group.start({ ROLE: 'worker' });
    const events = await live.finished(id, 30_000);
    expect(events.map((event) => [event.type, event.attempt])).toEqual([
      ['queued', 0],
      ['started', 1],
      ['retrying', 1],
      ['started', 2],
      ['progress', 2],
      ['progress', 2],
      ['completed', 2],
    ]);
    expect(events[2].error).toMatchObject({ code: 'worker_shutdown' });
  });

  it('on SIGTERM, an api process exits 0', async () => {
    const api = await group.start({ ROLE: 'api' });
    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
  });
});

describe('configuration', () => {
  it.each([
    ['ROLE', { ROLE: 'boss' }, /ROLE must be one of all, api, worker/],
    ['PORT', { PORT: 'eighty' }, /PORT must be an integer/],
    [
      'WORKER_CONCURRENCY',
      { WORKER_CONCURRENCY: '0' },
      /WORKER_CONCURRENCY must be an integer from 1/,
    ],
    ['KEY_PREFIX', { KEY_PREFIX: 'has space' }, /KEY_PREFIX must be 1 to 64 characters/],
    ['REDIS_URL', { REDIS_URL: 'http://example' }, /REDIS_URL must start with redis:\/\//],
    ['EVENT_TTL_SECONDS', { EVENT_TTL_SECONDS: '-5' }, /EVENT_TTL_SECONDS must be an integer/],
  ])('refuses an invalid %s at start-up with a message naming it', async (_name, env, message) => {
    const { code, output } = await runServiceToExit({ REDIS_URL: redis.url, ...env });
    expect(code).not.toBe(0);
    expect(output).toMatch(message);
  });
});
