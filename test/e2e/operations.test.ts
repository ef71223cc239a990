import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { request } from '../support/http';
import { LiveClient } from '../support/live-client';
import { families, sample, scrape } from '../support/metrics';
import { startPrivateRedis } from '../support/private-redis';
import { type ServiceProcess, startService } from '../support/service-process';
import { waitUntil } from '../support/wait';

const SECRET_KEY = 'k_do-not-log-this-key';
const SECRET_TOKEN = 'do-not-log-this-token';
const SECRET_INPUT = 'do-not-log-this-input';

let redis: RedisServer;
let dir: string;
let api: ServiceProcess;
let worker: ServiceProcess;
let live: LiveClient | undefined;

/** The JSON lines a process wrote. */
function lines(service: ServiceProcess): Record<string, unknown>[] {
  return service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  // The .env of the working directory: its KEY_PREFIX and LOG_LEVEL apply; PORT and REDIS_URL, set in the environment, win.
  dir = mkdtempSync(join(tmpdir(), 'ras-dotenv-'));
  writeFileSync(
    join(dir, '.env'),
    ['KEY_PREFIX=dotenv', 'LOG_LEVEL=debug', 'PORT=1', 'REDIS_URL=redis://127.0.0.1:1', ''].join(
      '\n',
    ),
  );
  [api, worker] = await Promise.all([
    startService({ ROLE: 'api', REDIS_URL: redis.url }, { cwd: dir }),
    startService({ ROLE: 'worker', REDIS_URL: redis.url }, { cwd: dir }),
  ]);
});

afterAll(async () => {
  live?.close();
  await Promise.all([api?.stop(), worker?.stop()]);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('operations across an api and a worker process', () => {
  it('reads .env from the working directory, the environment winning', () => {
    for (const service of [api, worker]) {
      const listening = lines(service).find((line) => line.msg === 'listening');
      expect(listening).toMatchObject({ level: 'info', keyPrefix: 'dotenv', url: service.url });
    }
  });

  it('runs a job and counts it on the process that did each part', async () => {
    live = new LiveClient(api.url);
    await live.connected();
    const created = await request(
      api.url,
      'POST',
      '/analyses',
      { pipeline: 'demo', input: { stepMs: 0, input: { note: SECRET_INPUT } } },
      { headers: { 'x-request-id': 'ops-e2e-1', authorization: `Bearer ${SECRET_KEY}` } },
    );
    expect(created.status).toBe(202);
    expect(created.headers.get('x-request-id')).toBe('ops-e2e-1');
    const id = created.body.id as string;
    await live.subscribe({ id });
    await live.finished(id);
    // The worker logs and counts the outcome once its terminal event is written: wait for that line.
    await worker.waitForOutput(new RegExp(`^(?=.*"msg":"attempt completed")(?=.*${id}).*$`, 'm'));
    await request(api.url, 'GET', `/analyses/${id}/events?after=0&token=${SECRET_TOKEN}`);

    const onApi = await scrape(api.url);
    expect(sample(onApi, 'ras_jobs_created_total', { pipeline: 'demo' })).toBe(1);
    expect(sample(onApi, 'ras_socket_connections')).toBe(1);
    // The job has ended: its subscription ended with the terminal event.
    expect(sample(onApi, 'ras_live_subscriptions')).toBe(0);

    const onWorker = await scrape(worker.url);
    expect(
      sample(onWorker, 'ras_jobs_finished_total', { pipeline: 'demo', outcome: 'completed' }),
    ).toBe(1);
    expect(sample(onWorker, 'ras_job_duration_seconds_count', { pipeline: 'demo' })).toBe(1);
    expect(sample(onWorker, 'ras_events_published_total')).toBe(4);
    expect(sample(onWorker, 'ras_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(sample(onWorker, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // A worker serves no clients: it exposes only the series that apply to it.
    const workerFamilies = families(onWorker);
    expect(workerFamilies.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(workerFamilies.has('ras_socket_connections')).toBe(false);
    expect(workerFamilies.has('ras_sse_streams')).toBe(false);
    for (const text of [onApi, onWorker]) expect(text).not.toContain(id);

    // Log lines are written in batches (up to 100 ms apart): wait for the request's.
    await api.waitForOutput(
      /"msg":"request completed".*"id":"ops-e2e-1"|"id":"ops-e2e-1".*"msg":"request completed"/,
    );
    const requestLine = lines(api).find(
      (line) => (line.req as { id?: string } | undefined)?.id === 'ops-e2e-1',
    );
    expect(requestLine).toMatchObject({
      level: 'info',
      msg: 'request completed',
      req: { id: 'ops-e2e-1', method: 'POST', url: '/analyses' },
      route: '/analyses',
      res: { statusCode: 202 },
      durationMs: expect.any(Number),
    });
    const jobLines = lines(worker).filter((line) => line.jobId === id);
    expect(jobLines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'debug',
          msg: 'attempt started',
          pipeline: 'demo',
          attempt: 1,
        }),
        expect.objectContaining({
          level: 'info',
          msg: 'attempt completed',
          pipeline: 'demo',
          attempt: 1,
        }),
      ]),
    );
    // LOG_LEVEL=debug came from .env: socket connections are logged at debug.
    expect(lines(api)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'debug', msg: 'socket connected' }),
      ]),
    );
    for (const service of [api, worker]) {
      expect(service.output()).not.toContain(SECRET_KEY);
      expect(service.output()).not.toContain(SECRET_TOKEN);
      expect(service.output()).not.toContain(SECRET_INPUT);
    }
  });

  it('answers ready 503 on a worker that is closing, while it lets its running job finish', async () => {
    const all = await startService(
      { ROLE: 'all', REDIS_URL: redis.url, KEY_PREFIX: 'closing', SHUTDOWN_GRACE_MS: '20000' },
      { cwd: dir },
    );
    try {
      const created = await request(all.url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs: 1_500 },
      });
      await all.waitForOutput(`"msg":"attempt started","jobId":"${created.body.id}"`);
      expect((await request(all.url, 'GET', '/health/ready')).status).toBe(200);
      all.child.kill('SIGTERM');
      let ready = await request(all.url, 'GET', '/health/ready');
      await waitUntil(
        async () => (ready = await request(all.url, 'GET', '/health/ready')).status === 503,
        5_000,
        'readiness to fail while the worker closes',
      );
      expect(ready.body).toMatchObject({
        statusCode: 503,
        message: 'The BullMQ worker is closing',
        details: { redis: { status: 'up' }, worker: { status: 'down' } },
      });
      expect(await all.exited).toEqual({ code: 0, signal: null });
    } finally {
      await all.stop();
    }
  });

  it('answers ready 503 with the reason while Redis is down, on both roles', async () => {
    for (const service of [api, worker]) {
      const ready = await request(service.url, 'GET', '/health/ready');
      expect(ready).toMatchObject({ status: 200, body: { status: 'ok' } });
    }
    expect((await request(worker.url, 'GET', '/health/ready')).body.details).toEqual({
      redis: { status: 'up' },
      worker: { status: 'up' },
    });
    await redis.stop();
    for (const service of [api, worker]) {
      const ready = await request(service.url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        statusCode: 503,
        message: expect.stringMatching(/^Redis does not answer/),
        details: { redis: { status: 'down' } },
      });
      expect((await request(service.url, 'GET', '/health/live')).status).toBe(200);
    }
  });
});
