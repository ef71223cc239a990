import type { Queue } from 'bullmq';
import { Metrics } from './metrics';

type Counts = Record<'wait' | 'paused' | 'prioritized' | 'active' | 'delayed', number>;

/** A stand-in for BullMQ's Queue that counts its calls. */
function fakeQueue(counts: () => Promise<Counts>): { queue: Queue; calls: () => number } {
  let calls = 0;
  const queue = {
    getJobCounts: () => {
      calls += 1;
      return counts();
    },
  } as unknown as Queue;
  return { queue, calls: () => calls };
}

const COUNTS: Counts = { wait: 2, paused: 1, prioritized: 1, active: 3, delayed: 5 };

describe('Metrics', () => {
  afterEach(() => jest.useRealTimers());

  it('reads the queue once per second however often it is scraped', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const metrics = new Metrics();
    const { queue, calls } = fakeQueue(async () => COUNTS);
    metrics.observeQueue(queue);
    const first = await metrics.registry.getSingleMetricAsString('ras_queue_jobs');
    await metrics.registry.getSingleMetricAsString('ras_queue_jobs');
    expect(calls()).toBe(1);
    expect(first).toContain('ras_queue_jobs{state="waiting"} 4');
    expect(first).toContain('ras_queue_jobs{state="active"} 3');
    expect(first).toContain('ras_queue_jobs{state="delayed"} 5');
    jest.advanceTimersByTime(1_001);
    await metrics.registry.getSingleMetricAsString('ras_queue_jobs');
    expect(calls()).toBe(2);
  });

  it('keeps the last counts when Redis does not answer, without failing the scrape', async () => {
    let fail = false;
    const metrics = new Metrics();
    const { queue } = fakeQueue(() =>
      fail ? Promise.reject(new Error('Connection is closed')) : Promise.resolve(COUNTS),
    );
    metrics.observeQueue(queue);
    await metrics.registry.metrics();
    fail = true;
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    jest.advanceTimersByTime(1_001);
    expect(await metrics.registry.getSingleMetricAsString('ras_queue_jobs')).toContain(
      'ras_queue_jobs{state="active"} 3',
    );
  });

  it('observes job durations from the start of the last attempt', async () => {
    const metrics = new Metrics();
    metrics.jobFinished('demo', 'completed', Date.now() - 2_000);
    metrics.jobFinished('demo', 'cancelled', null);
    const histogram = (await metrics.jobDuration.get()).values;
    const count = histogram.find((v) => v.metricName === 'ras_job_duration_seconds_count');
    const sum = histogram.find((v) => v.metricName === 'ras_job_duration_seconds_sum');
    expect(count?.value).toBe(1);
    expect(sum?.value).toBeGreaterThanOrEqual(2);
  });
});
