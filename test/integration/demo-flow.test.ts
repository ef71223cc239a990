import type { AnalysisEvent } from '../../src/core/analysis.types';
import { request } from '../support/http';
import { useService } from '../support/service-fixture';

const fixture = useService();
const client = () => fixture.client();

function shape(events: AnalysisEvent[]) {
  return events.map(({ seq, type, status, progress, step, attempt }) => ({
    seq,
    type,
    status,
    progress,
    step,
    attempt,
  }));
}

const DEMO_SEQUENCE = [
  { seq: 1, type: 'queued', status: 'queued', progress: 0, step: null, attempt: 0 },
  { seq: 2, type: 'started', status: 'running', progress: 0, step: null, attempt: 1 },
  { seq: 3, type: 'progress', status: 'running', progress: 50, step: 'step_one', attempt: 1 },
  { seq: 4, type: 'progress', status: 'running', progress: 100, step: 'step_two', attempt: 1 },
  { seq: 5, type: 'completed', status: 'completed', progress: 100, step: 'step_two', attempt: 1 },
];

describe('demo pipeline, end to end in one process', () => {
  it('streams exactly queued, started, progress 50, progress 100, completed to a subscriber', async () => {
    const live = await client();
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { input: { hello: 'world' }, stepMs: 200 },
    });
    expect(created.status).toBe(202);
    const { id } = created.body;
    expect(created.headers.get('location')).toBe(`/analyses/${id}`);
    expect(created.body).toMatchObject({
      id,
      pipeline: 'demo',
      status: 'queued',
      lastSeq: 1,
      attempt: 0,
    });

    const ack = await live.subscribe({ id });
    expect(ack).toMatchObject({ ok: true, snapshot: { id } });
    const events = await live.finished(id);

    expect(shape(events)).toEqual(DEMO_SEQUENCE);
    const stepOne = events[2].data as { step_one_result: number };
    expect(Number.isInteger(stepOne.step_one_result)).toBe(true);
    expect(stepOne.step_one_result).toBeGreaterThanOrEqual(1);
    expect(stepOne.step_one_result).toBeLessThanOrEqual(100);
    expect(events[4].data).toEqual({
      input: { hello: 'world' },
      step_one_result: stepOne.step_one_result,
      step_two_result: 'processed',
    });
    events.forEach((event) => {
      expect(event.id).toBe(id);
      expect(new Date(event.at).toISOString()).toBe(event.at);
    });

    const snapshot = await request(fixture.service.url, 'GET', `/analyses/${id}`);
    expect(snapshot.body).toMatchObject({
      status: 'completed',
      progress: 100,
      step: 'step_two',
      attempt: 1,
      lastSeq: 5,
      result: events[4].data,
      error: null,
    });
    expect(snapshot.body.startedAt).not.toBeNull();
    expect(snapshot.body.finishedAt).not.toBeNull();
  });

  it('replays the whole history to a subscriber that arrives after the job finished', async () => {
    const first = await client();
    const { body } = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    await first.subscribe({ id: body.id });
    const live = await first.finished(body.id);

    const late = await client();
    const ack = await late.subscribe({ id: body.id });
    expect(ack).toMatchObject({ ok: true, snapshot: { status: 'completed', lastSeq: 5 } });
    const replayed = await late.finished(body.id);
    expect(replayed).toEqual(live);

    const fromRest = await request(fixture.service.url, 'GET', `/analyses/${body.id}/events`);
    expect(fromRest.body).toEqual(live);
    const tail = await request(fixture.service.url, 'GET', `/analyses/${body.id}/events?after=3`);
    expect(tail.body.map((event: AnalysisEvent) => event.seq)).toEqual([4, 5]);
  });

  it('resumes with after: a reconnecting client gets each later event once, in order', async () => {
    const { body } = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 300 },
    });
    const first = await client();
    await first.subscribe({ id: body.id });
    const seen = await first.waitFor(body.id, (event) => event.type === 'started');
    first.close();

    const again = await client();
    const lastSeen = seen[seen.length - 1].seq;
    await again.subscribe({ id: body.id, after: lastSeen });
    const rest = await again.finished(body.id);
    const all = [...seen, ...rest].map((event) => event.seq);
    expect(all).toEqual([1, 2, 3, 4, 5]);
  });

  it('delivers to many subscribers of one job, each exactly once, and to one socket following several jobs', async () => {
    const watchers = await Promise.all([client(), client(), client()]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { body } = await request(fixture.service.url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs: 50 },
      });
      ids.push(body.id);
    }
    await Promise.all(watchers.map((watcher) => watcher.subscribe({ id: ids[0] })));
    await watchers[0].subscribe({ id: ids[1] });
    await watchers[0].subscribe({ id: ids[2] });
    for (const watcher of watchers) {
      expect((await watcher.finished(ids[0])).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    }
    for (const id of ids.slice(1)) {
      expect((await watchers[0].finished(id)).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('works over HTTP long-polling as well as WebSocket', async () => {
    const polling = await fixture.client(['polling']);
    const { body } = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    await polling.subscribe({ id: body.id });
    expect(shape(await polling.finished(body.id))).toEqual(DEMO_SEQUENCE);
  });
});
