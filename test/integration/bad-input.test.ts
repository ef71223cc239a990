import { DEMO_EVENT_TYPES } from '../support/demo';
import { type HttpAnswer, request } from '../support/http';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}
import { useService } from '../support/service-fixture';

const fixture = useService({ MAX_BODY_BYTES: '65536' });
const client = () => fixture.client();

/** Nest's error shape: statusCode equal to the HTTP status, an error name, a message. */
function expectError(answer: HttpAnswer<ErrorBody>, status: number, message: RegExp) {
  expect(answer.status).toBe(status);
  expect(answer.body.statusCode).toBe(status);
  expect(typeof answer.body.error).toBe('string');
  const messages: string[] = [answer.body.message].flat();
  expect(messages.some((text) => message.test(text))).toBe(true);
}

async function analysisCount(): Promise<number> {
  return (await request(fixture.service.url, 'GET', '/analyses?limit=200')).body.length;
}

describe('bad input gets a 4xx that names the problem and changes nothing', () => {
  const cases: [string, () => Promise<HttpAnswer<ErrorBody>>, number, RegExp][] = [
    [
      'unknown pipeline, listing the valid ones',
      () => request(fixture.service.url, 'POST', '/analyses', { pipeline: 'nope', input: {} }),
      400,
      /Unknown pipeline "nope".*demo, stats/,
    ],
    [
      'missing pipeline',
      () => request(fixture.service.url, 'POST', '/analyses', { input: {} }),
      400,
      /pipeline/,
    ],
    [
      'input that is not an object',
      () => request(fixture.service.url, 'POST', '/analyses', { pipeline: 'demo', input: 3 }),
      400,
      /input must be an object/,
    ],
    [
      'demo stepMs out of range',
      () =>
        request(fixture.service.url, 'POST', '/analyses', {
          pipeline: 'demo',
          input: { stepMs: 60_001 },
        }),
      400,
      /input\.stepMs must be an integer from 0 to 60000/,
    ],
    [
      'demo unknown field',
      () =>
        request(fixture.service.url, 'POST', '/analyses', {
          pipeline: 'demo',
          input: { stepMS: 1 },
        }),
      400,
      /input\.stepMS is not a known field/,
    ],
    [
      'stats with neither columns nor csv',
      () => request(fixture.service.url, 'POST', '/analyses', { pipeline: 'stats', input: {} }),
      400,
      /columns or csv/,
    ],
    [
      'stats csv row of the wrong length, naming the line',
      () =>
        request(fixture.service.url, 'POST', '/analyses', {
          pipeline: 'stats',
          input: { csv: 'a,b\n1,2\n3\n' },
        }),
      400,
      /line 3/,
    ],
    [
      'stats bins out of range',
      () =>
        request(fixture.service.url, 'POST', '/analyses', {
          pipeline: 'stats',
          input: { columns: { a: [1] }, bins: 0 },
        }),
      400,
      /input\.bins/,
    ],
    [
      'unexpected top-level property',
      () =>
        request(fixture.service.url, 'POST', '/analyses', {
          pipeline: 'demo',
          input: {},
          extra: 1,
        }),
      400,
      /extra should not exist/,
    ],
    [
      'malformed JSON',
      () =>
        request(fixture.service.url, 'POST', '/analyses', undefined, {
          raw: '{"pipeline": "demo",',
        }),
      400,
      /JSON/i,
    ],
    [
      'a body over MAX_BODY_BYTES',
      () =>
        request(fixture.service.url, 'POST', '/analyses', {
          pipeline: 'demo',
          input: { input: 'x'.repeat(70_000) },
        }),
      413,
      /large/i,
    ],
    [
      'invalid id in PUT',
      () =>
        request(fixture.service.url, 'PUT', '/analyses/not%20valid', {
          pipeline: 'demo',
          input: {},
        }),
      400,
      /Invalid id/,
    ],
    [
      'invalid id in GET',
      () => request(fixture.service.url, 'GET', `/analyses/${'x'.repeat(129)}`),
      400,
      /Invalid id/,
    ],
    [
      'unknown id',
      () => request(fixture.service.url, 'GET', '/analyses/does-not-exist'),
      404,
      /does-not-exist/,
    ],
    [
      'events of an unknown id',
      () => request(fixture.service.url, 'GET', '/analyses/does-not-exist/events'),
      404,
      /does-not-exist/,
    ],
    [
      'events after a negative seq',
      () => request(fixture.service.url, 'GET', '/analyses/x/events?after=-1'),
      400,
      /after must be an integer/,
    ],
    [
      'cancel of an unknown id',
      () => request(fixture.service.url, 'DELETE', '/analyses/does-not-exist'),
      404,
      /does-not-exist/,
    ],
    [
      'list with an unknown status',
      () => request(fixture.service.url, 'GET', '/analyses?status=done'),
      400,
      /status must be one of/,
    ],
    [
      'list with limit 0',
      () => request(fixture.service.url, 'GET', '/analyses?limit=0'),
      400,
      /limit must be an integer from 1 to 200/,
    ],
    [
      'list with limit 201',
      () => request(fixture.service.url, 'GET', '/analyses?limit=201'),
      400,
      /limit must be an integer from 1 to 200/,
    ],
    [
      'list with limit abc',
      () => request(fixture.service.url, 'GET', '/analyses?limit=abc'),
      400,
      /limit must be an integer from 1 to 200/,
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, message) => {
    const before = await analysisCount();
    expectError(await send(), status, message);
    expect(await analysisCount()).toBe(before);
  });

  it('answers 409 to a PUT of a different request under a taken id, and 409 to cancelling a finished job', async () => {
    const live = await client();
    const first = await request(fixture.service.url, 'PUT', '/analyses/my-job-1', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    expect(first.status).toBe(202);
    expect(first.headers.get('location')).toBe('/analyses/my-job-1');
    await live.subscribe({ id: 'my-job-1' });
    await live.finished('my-job-1');

    const same = await request(fixture.service.url, 'PUT', '/analyses/my-job-1', {
      input: { stepMs: 0 },
      pipeline: 'demo',
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ id: 'my-job-1', status: 'completed', lastSeq: 5 });

    expectError(
      await request(fixture.service.url, 'PUT', '/analyses/my-job-1', {
        pipeline: 'demo',
        input: { stepMs: 1 },
      }),
      409,
      /already exists with a different pipeline or input/,
    );
    expectError(
      await request(fixture.service.url, 'DELETE', '/analyses/my-job-1'),
      409,
      /already ended \(completed\)/,
    );
    expect(
      (await request(fixture.service.url, 'GET', '/analyses/my-job-1/events')).body,
    ).toHaveLength(5);
  });

  it('still runs a job to completion after all that bad input', async () => {
    const live = await client();
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    await live.subscribe({ id: created.body.id });
    const events = await live.finished(created.body.id);
    expect(events.map((event) => event.type)).toEqual(DEMO_EVENT_TYPES);
  });
});

describe('malformed socket messages', () => {
  it.each([
    ['no payload', undefined, 'invalid'],
    ['a string', 'abc', 'invalid'],
    ['an array', [1, 2], 'invalid'],
    ['a bad id', { id: 'a b' }, 'invalid'],
    ['a negative after', { id: 'abc', after: -1 }, 'invalid'],
    ['a fractional after', { id: 'abc', after: 1.5 }, 'invalid'],
    ['an unknown id', { id: 'nothing-here' }, 'not_found'],
  ])('answers %s with an error ack and keeps the connection', async (_name, payload, code) => {
    const live = await client();
    const ack = await live.subscribe(payload);
    expect(ack).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
    expect(live.socket.connected).toBe(true);
  });

  it('answers an after beyond the last seq with invalid', async () => {
    const live = await client();
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 0 },
    });
    const ack = await live.subscribe({ id: created.body.id, after: 99 });
    expect(ack).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringMatching(/beyond/) },
    });
  });

  it('does not disturb another client following a job while one sends garbage', async () => {
    const watcher = await client();
    const vandal = await client();
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 100 },
    });
    await watcher.subscribe({ id: created.body.id });
    vandal.socket.emit('subscribe', null);
    vandal.socket.emit('subscribe', { id: {} }, () => undefined);
    vandal.socket.emit('unsubscribe', 42, () => undefined);
    vandal.socket.emit('no-such-event', { id: created.body.id });
    expect(await vandal.unsubscribe('garbage')).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    const events = await watcher.finished(created.body.id);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(vandal.socket.connected).toBe(true);
  });

  it('stops sending a job to a socket that unsubscribed', async () => {
    const live = await client();
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 300 },
    });
    await live.subscribe({ id: created.body.id });
    await live.waitFor(created.body.id, (event) => event.type === 'started');
    expect(await live.unsubscribe({ id: created.body.id })).toEqual({ ok: true });
    const seenAtUnsubscribe = live.of(created.body.id).length;
    const other = await client();
    await other.subscribe({ id: created.body.id });
    await other.finished(created.body.id);
    expect(live.of(created.body.id)).toHaveLength(seenAtUnsubscribe);
  });
});
