import type { AnalysisEvent } from '../../src/core/analysis.types';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { request } from '../support/http';
import { startPrivateRedis } from '../support/private-redis';
import { ProcessGroup } from '../support/process-group';
import type { ServiceProcess } from '../support/service-process';

/** Two api and two worker processes against one Redis, as `docker compose --scale` runs them. */
let redis: RedisServer;
const group = new ProcessGroup(() => ({
  REDIS_URL: redis.url,
  JOB_LOCK_MS: '2000',
  WORKER_CONCURRENCY: '2',
}));
let apis: ServiceProcess[];
let workers: ServiceProcess[];

beforeAll(async () => {
  redis = await startPrivateRedis();
  [apis, workers] = await Promise.all([
    Promise.all([group.start({ ROLE: 'api' }), group.start({ ROLE: 'api' })]),
    Promise.all([group.start({ ROLE: 'worker' }), group.start({ ROLE: 'worker' })]),
  ]);
});

afterAll(async () => {
  await group.stop();
  await redis?.stop();
});

const strip = (events: AnalysisEvent[]) =>
  events.map(({ seq, type, progress, attempt }) => ({ seq, type, progress, attempt }));

describe('several api and worker processes on one Redis', () => {
  it('streams jobs created on one api process to clients on the other, each event once and in order', async () => {
    const onB = await group.clientOf(apis[1]);
    const onA = await group.clientOf(apis[0]);
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const created = await request(apis[0].url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs: 100 },
      });
      expect(created.status).toBe(202);
      ids.push(created.body.id);
    }
    await Promise.all(ids.map((id) => Promise.all([onB.subscribe({ id }), onA.subscribe({ id })])));
    for (const id of ids) {
      const seenOnB = await onB.finished(id);
      expect(strip(seenOnB)).toEqual([
        { seq: 1, type: 'queued', progress: 0, attempt: 0 },
        { seq: 2, type: 'started', progress: 0, attempt: 1 },
        { seq: 3, type: 'progress', progress: 50, attempt: 1 },
        { seq: 4, type: 'progress', progress: 100, attempt: 1 },
        { seq: 5, type: 'completed', progress: 100, attempt: 1 },
      ]);
      expect(await onA.finished(id)).toEqual(seenOnB);
    }
    // Both workers took part: each logged attempts of its own.
    for (const worker of workers) expect(worker.output()).toMatch(/"msg":"attempt completed"/);
  });

  it('serves only /health on a worker process', async () => {
    expect((await request(workers[0].url, 'GET', '/health/ready')).status).toBe(200);
    expect((await request(workers[0].url, 'GET', '/analyses')).status).toBe(404);
    expect((await request(workers[0].url, 'GET', '/pipelines')).status).toBe(404);
  });

  it('cancels from one api process a job running in a worker process', async () => {
    const live = await group.clientOf(apis[0]);
    const created = await request(apis[1].url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 60_000 },
    });
    const id = created.body.id as string;
    await live.subscribe({ id });
    await live.waitFor(id, (event) => event.type === 'started');
    const cancelled = await request(apis[0].url, 'DELETE', `/analyses/${id}`);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await live.finished(id)).map((event) => event.type)).toEqual([
      'queued',
      'started',
      'cancelled',
    ]);
    // The worker stopped the run when told, rather than at the end of its 60 s step.
    await Promise.any(
      workers.map((worker) =>
        worker.waitForOutput(`"msg":"attempt cancelled","jobId":"${id}"`, 10_000),
      ),
    );
  });
});
