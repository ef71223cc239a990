import Redis from 'ioredis';
import { JobReconciler } from '../../src/analysis/job-reconciler';
import { request } from '../support/http';
import { useService } from '../support/service-fixture';
import { waitUntil } from '../support/wait';

const TIMEOUT_MS = 500;
const fixture = useService({ REDIS_TIMEOUT_MS: String(TIMEOUT_MS), ROLE: 'api' });

describe('REST while Redis does not answer: 503 within REDIS_TIMEOUT_MS, nothing left stuck', () => {
  it('answers 503 when Redis takes longer than the timeout, and the late write is repaired', async () => {
    const admin = new Redis(fixture.redis.url);
    try {
      // A first job primes the queue-depth estimate that admits the next ones without a read:
      // the creation below is then the first command Redis holds, not a depth read before it.
      const primer = await request(fixture.service.url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs: 0 },
      });
      expect(primer.status).toBe(202);
      await admin.client('PAUSE', 3_000, 'ALL'); // Redis holds every command for 3 s
      const created = await request(fixture.service.url, 'PUT', '/analyses/too-late', {
        pipeline: 'demo',
        input: { stepMs: 0 },
      });
      expect(created).toMatchObject({
        status: 503,
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: `Redis did not answer within ${TIMEOUT_MS} ms`,
        },
      });
      for (const path of ['/analyses/too-late', '/analyses/too-late/events', '/analyses']) {
        expect((await request(fixture.service.url, 'GET', path)).status).toBe(503);
      }
      expect((await request(fixture.service.url, 'DELETE', '/analyses/too-late')).status).toBe(503);
      // Redis runs the held creation once it answers again, after the client was told 503:
      // the job never reached the queue, and the reconciliation fails it rather than leave it.
      await waitUntil(
        async () =>
          (await request(fixture.service.url, 'GET', '/analyses/too-late')).status === 200,
        10_000,
        'Redis to answer again',
      );
      const reconciler = fixture.service.app.get(JobReconciler);
      expect(await reconciler.reconcile(Date.now() + 60_000)).toMatchObject({ failed: 1 });
      const snapshot = await request(fixture.service.url, 'GET', '/analyses/too-late');
      expect(snapshot.body).toMatchObject({ status: 'failed', error: { code: 'lost' } });
    } finally {
      admin.disconnect();
    }
  });

  it('answers 503 at once while the connection to Redis is down; liveness stays up and it shuts down', async () => {
    await fixture.redis.stop();
    const deadline = Date.now() + 10_000;
    // The connection notices the loss on its own; until then calls fail when the time is up.
    let answer = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: {},
    });
    while (
      answer.body.message !== 'Redis is unreachable; try again shortly' &&
      Date.now() < deadline
    ) {
      expect(answer.status).toBe(503);
      answer = await request(fixture.service.url, 'GET', '/analyses/any');
    }
    expect(answer).toMatchObject({
      status: 503,
      body: { statusCode: 503, message: 'Redis is unreachable; try again shortly' },
    });
    expect((await request(fixture.service.url, 'GET', '/health/ready')).status).toBe(503);
    expect((await request(fixture.service.url, 'GET', '/health/live')).status).toBe(200);
  });
});
