import { Queue } from 'bullmq';
import { ANALYSIS_QUEUE, bullJobId } from '../../src/analysis/analysis-job';
import { ANONYMOUS_TENANT, EventStore } from '../../src/bus/event-store';
import { redisOptionsFromUrl } from '../../src/bus/redis-url';
import { request } from '../support/http';
import { startApp } from '../support/in-process-app';
import { families, sample, scrape } from '../support/metrics';
import { useService } from '../support/service-fixture';
import { SseClient } from '../support/sse-client';
import { waitUntil } from '../support/wait';

const fixture = useService();

describe('GET /metrics on an all process', () => {
  let queue: Queue;

  beforeAll(() => {
    queue = new Queue(ANALYSIS_QUEUE, {
      connection: redisOptionsFromUrl(fixture.redis.url),
      prefix: 'ras',
    });
  });

  afterAll(() => queue.close());

  it("serves Prometheus text with every series of the contract and Node's process metrics", async () => {
    const response = await fetch(`${fixture.service.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const declared = families(await response.text());
    expect(Object.fromEntries(declared)).toMatchObject({
      ras_jobs_created_total: 'counter',
      ras_jobs_finished_total: 'counter',
      ras_job_duration_seconds: 'histogram',
      ras_queue_jobs: 'gauge',
      ras_events_published_total: 'counter',
      ras_socket_connections: 'gauge',
      ras_live_subscriptions: 'gauge',
      ras_sse_streams: 'gauge',
      ras_http_requests_total: 'counter',
      ras_http_request_duration_seconds: 'histogram',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
    });
  });

  it('counts jobs created and finished by pipeline and outcome, their durations and their events', async () => {
    const before = await scrape(fixture.service.url);
    const count = (text: string, name: string, labels: Record<string, string> = {}) =>
      sample(text, name, labels) ?? 0;
    const live = await fixture.client();

    const done = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    await live.subscribe({ id: done.body.id });
    await live.finished(done.body.id);

    const long = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 30_000 },
    });
    await live.subscribe({ id: long.body.id });
    await live.waitFor(long.body.id, (event) => event.type === 'started');
    await request(fixture.service.url, 'DELETE', `/analyses/${long.body.id}`);
    await live.finished(long.body.id);

    // A payload that skipped the API's validation fails in the worker at once.
    const forged = 'metrics-forged';
    await fixture.service.app
      .get(EventStore)
      .create(forged, 'stats', '', { tenant: ANONYMOUS_TENANT, token: '' });
    await queue.add(
      'stats',
      { id: forged, pipeline: 'stats', input: { csv: 'a,b\n1\n' } },
      { jobId: bullJobId(forged), attempts: 3 },
    );
    await live.subscribe({ id: forged });
    await live.finished(forged);

    // The worker counts an outcome just after writing its terminal event, which clients may see first.
    let after = '';
    const moved = (name: string, labels: Record<string, string> = {}) =>
      count(after, name, labels) - count(before, name, labels);
    await waitUntil(
      async () => {
        after = await scrape(fixture.service.url);
        return moved('ras_jobs_finished_total', { pipeline: 'stats', outcome: 'failed' }) > 0;
      },
      5_000,
      'the failed job to be counted',
    );
    expect(moved('ras_jobs_created_total', { pipeline: 'demo' })).toBe(2);
    expect(moved('ras_jobs_finished_total', { pipeline: 'demo', outcome: 'completed' })).toBe(1);
    expect(moved('ras_jobs_finished_total', { pipeline: 'demo', outcome: 'cancelled' })).toBe(1);
    expect(moved('ras_jobs_finished_total', { pipeline: 'stats', outcome: 'failed' })).toBe(1);
    expect(moved('ras_job_duration_seconds_count', { pipeline: 'demo' })).toBe(2);
    expect(moved('ras_job_duration_seconds_count', { pipeline: 'stats' })).toBe(1);
    // demo: 5 events; cancelled: queued, started, cancelled; forged: started, failed (its queued came from the test).
    expect(moved('ras_events_published_total')).toBe(5 + 3 + 2);
    expect(after).not.toContain(done.body.id);
    expect(after).not.toContain(forged);
  });

  it('labels HTTP series with the route pattern, never the raw URL', async () => {
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    const id = created.body.id as string;
    await request(fixture.service.url, 'GET', `/analyses/${id}?token=not-a-label`);
    await request(fixture.service.url, 'GET', '/analyses/no-such-job');
    await request(fixture.service.url, 'GET', '/no/such/path');
    const text = await scrape(fixture.service.url);
    expect(
      sample(text, 'ras_http_requests_total', {
        method: 'GET',
        route: '/analyses/:id',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'ras_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'ras_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/analyses',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('no-such-job');
    expect(text).not.toContain('not-a-label');
  });

  it('reports the queue by state', async () => {
    await queue.add(
      'demo',
      { id: 'metrics-delayed', pipeline: 'demo', input: {} },
      { jobId: 'metrics-delayed', delay: 60_000 },
    );
    try {
      await waitUntil(
        async () =>
          sample(await scrape(fixture.service.url), 'ras_queue_jobs', { state: 'delayed' }) === 1,
        5_000,
        'the delayed job in ras_queue_jobs',
      );
      const text = await scrape(fixture.service.url);
      expect(sample(text, 'ras_queue_jobs', { state: 'waiting' })).toBe(0);
      expect(sample(text, 'ras_queue_jobs', { state: 'active' })).toBe(0);
    } finally {
      await queue.remove('metrics-delayed');
    }
  });

  it('reports live sockets, their subscriptions and SSE streams as they come and go', async () => {
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 30_000 },
    });
    const id = created.body.id as string;
    const before = await scrape(fixture.service.url);
    const live = await fixture.client();
    await live.subscribe({ id });
    const opened = await SseClient.open(`${fixture.service.url}/analyses/${id}/stream`, {
      'x-request-id': 'sse-1',
    });
    expect(opened.headers.get('x-request-id')).toBe('sse-1');
    const during = await scrape(fixture.service.url);
    expect(sample(during, 'ras_socket_connections')).toBe(
      (sample(before, 'ras_socket_connections') ?? 0) + 1,
    );
    expect(sample(during, 'ras_live_subscriptions')).toBe(
      (sample(before, 'ras_live_subscriptions') ?? 0) + 1,
    );
    expect(sample(during, 'ras_sse_streams')).toBe(1);

    await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
    await opened.stream?.ended;
    live.close();
    await waitUntil(
      async () => {
        const text = await scrape(fixture.service.url);
        return (
          sample(text, 'ras_sse_streams') === 0 &&
          sample(text, 'ras_socket_connections') === sample(before, 'ras_socket_connections')
        );
      },
      5_000,
      'the stream and the socket to be gone from the gauges',
    );
  });
});

describe('METRICS=off', () => {
  it('drops the HTTP series and the process metrics, and keeps the job, queue and client series', async () => {
    const app = await startApp(fixture.redis.url, { METRICS: 'off', KEY_PREFIX: 'metricsoff' });
    try {
      await request(app.url, 'GET', '/pipelines');
      const text = await scrape(app.url);
      expect(sample(text, 'ras_http_requests_total')).toBeUndefined();
      expect(families(text).has('process_resident_memory_bytes')).toBe(false);
      expect(families(text).has('ras_jobs_created_total')).toBe(true);
      expect(sample(text, 'ras_queue_jobs', { state: 'waiting' })).toBe(0);
      expect(sample(text, 'ras_socket_connections')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
