import { DEMO_EVENT_TYPES } from '../support/demo';
import { ChannelSubscriber } from '../../src/bus/channel.subscriber';
import type { AnalysisEvent } from '../../src/core/analysis.types';
import { request } from '../support/http';
import { startApp } from '../support/in-process-app';
import { useService } from '../support/service-fixture';
import { SseClient } from '../support/sse-client';
import { waitUntil } from '../support/wait';

const fixture = useService();
const opened: SseClient[] = [];

afterAll(() => opened.forEach((stream) => stream.close()));

async function start(stepMs: number): Promise<string> {
  const created = await request(fixture.service.url, 'POST', '/analyses', {
    pipeline: 'demo',
    input: { stepMs },
  });
  return created.body.id as string;
}

async function open(path: string, headers: Record<string, string> = {}, base?: string) {
  const answer = await SseClient.open(`${base ?? fixture.service.url}${path}`, headers);
  if (answer.stream) opened.push(answer.stream);
  return answer;
}

async function stream(path: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const answer = await open(path, headers);
  if (!answer.stream) throw new Error(`expected a stream, got ${answer.status}`);
  return answer.stream;
}

async function restEvents(id: string): Promise<AnalysisEvent[]> {
  return (await request(fixture.service.url, 'GET', `/analyses/${id}/events`)).body;
}

const seqs = (events: AnalysisEvent[]) => events.map((event) => event.seq);

describe('GET /analyses/{id}/stream (Server-Sent Events)', () => {
  it('streams a job from its first event to its terminal one, then closes', async () => {
    const id = await start(50);
    const answer = await open(`/analyses/${id}/stream`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const sse = answer.stream!;
    await sse.ended;

    expect(sse.retry).toBe(1000);
    expect(sse.messages.map((message) => [message.id, message.event])).toEqual(
      [1, 2, 3, 4, 5].map((seq) => [String(seq), 'analysis.event']),
    );
    expect(sse.events()).toEqual(await restEvents(id));
    expect(sse.events().map((event) => event.type)).toEqual(DEMO_EVENT_TYPES);
  });

  it('resumes with Last-Event-ID after a dropped connection: no gap, no repeat', async () => {
    const id = await start(300);
    const first = await stream(`/analyses/${id}/stream`);
    await first.waitFor((event) => event.type === 'started');
    first.close();
    const lastEventId = first.messages[first.messages.length - 1].id!;

    const resumed = await stream(`/analyses/${id}/stream`, { 'Last-Event-ID': lastEventId });
    await resumed.ended;
    const all = [...first.events(), ...resumed.events()];
    expect(seqs(all)).toEqual([1, 2, 3, 4, 5]);
    expect(all).toEqual(await restEvents(id));
  });

  it('starts after ?after=, and Last-Event-ID wins over it as when an EventSource reconnects', async () => {
    const id = await start(0);
    const whole = await stream(`/analyses/${id}/stream`);
    await whole.ended;

    const tail = await stream(`/analyses/${id}/stream?after=3`);
    await tail.ended;
    expect(seqs(tail.events())).toEqual([4, 5]);

    const reconnected = await stream(`/analyses/${id}/stream?after=1`, { 'Last-Event-ID': '4' });
    await reconnected.ended;
    expect(seqs(reconnected.events())).toEqual([5]);
  });

  it('answers 204 when the job is over and the client has its last event, so EventSource stops', async () => {
    const id = await start(0);
    await (
      await stream(`/analyses/${id}/stream`)
    ).ended;
    expect((await open(`/analyses/${id}/stream?after=5`)).status).toBe(204);
    expect((await open(`/analyses/${id}/stream`, { 'Last-Event-ID': '5' })).status).toBe(204);
  });

  it('answers errors in the service shape before streaming: 404 unknown id, 400 bad id or position', async () => {
    const id = await start(0);
    const cases: [string, Record<string, string>, number, RegExp][] = [
      ['/analyses/nope/stream', {}, 404, /No analysis has id "nope"/],
      ['/analyses/bad!id/stream', {}, 400, /Invalid id/],
      [`/analyses/${id}/stream?after=-1`, {}, 400, /after must be an integer/],
      [`/analyses/${id}/stream?after=abc`, {}, 400, /after must be an integer/],
      [`/analyses/${id}/stream`, { 'Last-Event-ID': 'x1' }, 400, /Last-Event-ID must be/],
      [`/analyses/${id}/stream?after=99`, {}, 400, /beyond the analysis's last seq/],
    ];
    for (const [path, headers, status, message] of cases) {
      const answer = await open(path, headers);
      expect({ path, status: answer.status }).toEqual({ path, status });
      const body = answer.body as { statusCode: number; message: string | string[] };
      expect(body.statusCode).toBe(status);
      expect([body.message].flat().join(' ')).toMatch(message);
    }
  });

  it('stops following the job in Redis when the client goes away', async () => {
    const subscriber = fixture.service.app.get(ChannelSubscriber);
    const before = subscriber.channelCount();
    const id = await start(30_000);
    const sse = await stream(`/analyses/${id}/stream`);
    await sse.waitFor((event) => event.type === 'started');
    expect(subscriber.channelCount()).toBe(before + 1);

    sse.close();
    await waitUntil(() => subscriber.channelCount() === before, 5_000, 'the unsubscription');
    await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
  });

  it('ends open streams when the service shuts down, instead of holding the shutdown', async () => {
    const other = await startApp(fixture.redis.url, { ROLE: 'api' });
    const id = await start(30_000);
    const sse = await open(`/analyses/${id}/stream`, {}, other.url);
    await sse.stream!.waitFor((event) => event.type === 'started');
    await other.close();
    await sse.stream!.ended;
    await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
  });
});
