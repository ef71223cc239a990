import type { PipelineDefinition } from '../../src/core/pipeline.types';
import { PIPELINES } from '../../src/core/pipelines';
import { request } from '../support/http';
import { useService } from '../support/service-fixture';

/** Runs whose first `failures` attempts throw, counted per job id across attempts. */
const attemptsSeen = new Map<string, number>();

function flaky(name: string, failures: number): PipelineDefinition<string, string, string> {
  return {
    name,
    description: `throws on its first ${failures} attempts`,
    input: {},
    // eslint-disable-next-line require-yield
    *validate(raw) {
      return String((raw as { key?: unknown }).key);
    },
    init: (key) => key,
    steps: [
      {
        name: 'shaky',
        // eslint-disable-next-line require-yield
        *run(key) {
          const attempt = (attemptsSeen.get(key) ?? 0) + 1;
          attemptsSeen.set(key, attempt);
          if (attempt <= failures) throw new Error(`flake ${attempt}`);
          return { state: key, data: { attempt } };
        },
      },
    ],
    result: (key) => key,
  };
}

const fixture = useService({}, [...PIPELINES, flaky('flaky', 2), flaky('broken', 99)]);

async function follow(pipeline: string, key: string) {
  const live = await fixture.client();
  const created = await request(fixture.service.url, 'POST', '/analyses', {
    pipeline,
    input: { key },
  });
  expect(created.status).toBe(202);
  await live.subscribe({ id: created.body.id });
  return { id: created.body.id as string, events: await live.finished(created.body.id, 30_000) };
}

describe('a step that throws, on a real BullMQ worker', () => {
  it('is retried with back-off and completes on a later attempt', async () => {
    const { events } = await follow('flaky', 'a');
    expect(events.map((event) => [event.type, event.status, event.attempt])).toEqual([
      ['queued', 'queued', 0],
      ['started', 'running', 1],
      ['retrying', 'queued', 1],
      ['started', 'running', 2],
      ['retrying', 'queued', 2],
      ['started', 'running', 3],
      ['progress', 'running', 3],
      ['completed', 'completed', 3],
    ]);
    expect(events[2].error).toEqual({ message: 'Step shaky failed: flake 1', code: 'step_failed' });
    expect(events[4].error).toEqual({ message: 'Step shaky failed: flake 2', code: 'step_failed' });
  });

  it('fails once out of attempts, with the error in the last event and the snapshot', async () => {
    const { id, events } = await follow('broken', 'b');
    expect(events.map((event) => event.type)).toEqual([
      'queued',
      'started',
      'retrying',
      'started',
      'retrying',
      'started',
      'failed',
    ]);
    const failed = events[events.length - 1];
    expect(failed).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: { message: 'Step shaky failed: flake 3' },
    });
    const snapshot = await request(fixture.service.url, 'GET', `/analyses/${id}`);
    expect(snapshot.body).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: failed.error,
      result: null,
    });
    expect(snapshot.body.finishedAt).not.toBeNull();
  });
});
