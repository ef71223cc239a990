import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { ANALYSIS_QUEUE } from '../../src/analysis/analysis-job';
import { redisOptionsFromUrl } from '../../src/bus/redis-url';
import { request } from '../support/http';
import { useService } from '../support/service-fixture';
import { waitUntil } from '../support/wait';

const fixture = useService({ WORKER_CONCURRENCY: '1' });

describe("BullMQ's namespace holds only BullMQ's data", () => {
  it('leaves BullMQ no job and no foreign key once jobs completed, were cancelled running and queued', async () => {
    const live = await fixture.client();
    const start = async (stepMs: number): Promise<string> => {
      const created = await request(fixture.service.url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs },
      });
      await live.subscribe({ id: created.body.id });
      return created.body.id as string;
    };
    const completed = await start(0);
    await live.finished(completed);
    const running = await start(60_000);
    await live.waitFor(running, (event) => event.type === 'started');
    const queued = await start(0); // the one slot is busy
    for (const id of [queued, running]) {
      expect((await request(fixture.service.url, 'DELETE', `/analyses/${id}`)).status).toBe(202);
    }
    await Promise.all([live.finished(running), live.finished(queued)]);

    const queue = new Queue(ANALYSIS_QUEUE, {
      connection: redisOptionsFromUrl(fixture.redis.url),
      prefix: 'ras',
    });
    const admin = new Redis(fixture.redis.url);
    try {
      // The running job's worker acknowledges the cancellation by finishing the BullMQ job.
      await waitUntil(async () => (await queue.getActiveCount()) === 0, 5_000, 'no active job');
      expect(await queue.getJobCounts()).toEqual(
        expect.objectContaining({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 }),
      );
      const bullKeys = await admin.keys(`ras:${ANALYSIS_QUEUE}:*`);
      const jobKeys = bullKeys.filter((key) =>
        [completed, running, queued].some((id) => key.includes(id)),
      );
      expect(jobKeys).toEqual([]);
      // The service's keys are all its own.
      const serviceKeys = (await admin.keys('ras:*')).filter((key) => !bullKeys.includes(key));
      expect(serviceKeys.every((key) => /^ras:(job|tenant):/.test(key))).toBe(true);
      expect(serviceKeys).toEqual(expect.arrayContaining([`ras:job:{${completed}}`]));
    } finally {
      admin.disconnect();
      await queue.close();
    }
  });
});
