import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request } from '../../../test/support/http';
import { LiveClient } from '../../../test/support/live-client';
import { startPrivateRedis } from '../../../test/support/private-redis';
import { createLabApp } from '../src/create-lab-app';

describe('a host app that imports AnalysisModule from the public entry', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    app = await createLabApp(redis.url);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('runs its own pipeline on a real worker and streams every event over Socket.IO', async () => {
    const live = new LiveClient(url);
    try {
      await live.connected();
      const created = await request(url, 'POST', '/lab/analyses', {
        pipeline: 'word-frequency',
        input: { text: 'the cat and the hat and the bat', top: 2 },
      });
      expect(created.status).toBe(202);
      const { id } = created.body as { id: string };
      expect(created.headers.get('location')).toBe(`/lab/analyses/${id}`);

      expect(await live.subscribe({ id })).toMatchObject({ ok: true, snapshot: { id } });
      const events = await live.finished(id);

      expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.map(({ type, step }) => [type, step])).toEqual([
        ['queued', null],
        ['started', null],
        ['progress', 'tokenize'],
        ['progress', 'count'],
        ['completed', 'count'],
      ]);
      expect(events[2].data).toEqual({ words: 8 });
      expect(events.at(-1)?.data).toEqual({
        words: 8,
        distinct: 5,
        top: [
          { word: 'the', count: 3 },
          { word: 'and', count: 2 },
        ],
      });
      const stored = await request(url, 'GET', `/lab/analyses/${id}/events`);
      expect(stored.body).toEqual(events);
    } finally {
      live.close();
    }
  });

  it("offers only the pipelines it registered: the service's own are absent", async () => {
    const pipelines = await request(url, 'GET', '/lab/pipelines');
    expect(pipelines.status).toBe(200);
    expect((pipelines.body as { name: string }[]).map(({ name }) => name)).toEqual([
      'word-frequency',
    ]);

    const demo = await request(url, 'POST', '/lab/analyses', { pipeline: 'demo', input: {} });
    expect(demo.status).toBe(400);
    expect(demo.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(JSON.stringify(demo.body)).toContain('word-frequency');
  });

  it("answers bad input with the module's error shape under the host's prefix, nothing stored", async () => {
    const bad = await request(url, 'POST', '/lab/analyses', {
      pipeline: 'word-frequency',
      input: { text: 42 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['input.text must be a string'],
    });
    const listed = await request(url, 'GET', '/lab/analyses');
    expect(listed.body).toHaveLength(1);
  });

  it('mounts the routes under its prefix only, beside its own routes', async () => {
    expect((await request(url, 'GET', '/analyses')).status).toBe(404);
    expect((await request(url, 'GET', '/pipelines')).status).toBe(404);
    expect((await request(url, 'GET', '/hello')).body).toEqual({ app: 'lab' });
  });
});
