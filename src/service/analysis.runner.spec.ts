import { InputError } from '../core/input-error';
import type { PipelineDefinition, PipelineStep, Work } from '../core/pipeline.types';
import { demoPipeline } from '../core/pipelines/demo.pipeline';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { AnalysisRunner, type RunRequest } from './analysis.runner';
import { RunAbort } from './run-abort';
import { InMemoryPublisher } from './in-memory.publisher';
import type { Publisher } from './publisher.port';

/** A step that burns CPU in small units, checkpointing after each. */
function busyStep(name: string, units: number, unitMs: number): PipelineStep<number> {
  return {
    name,
    *run(state): Work<{ state: number }> {
      for (let unit = 1; unit <= units; unit += 1) {
        const until = performance.now() + unitMs;
        while (performance.now() < until);
        yield { done: unit / units };
      }
      return { state: state + 1 };
    },
  };
}

function throwingStep(error: Error): PipelineStep<number> {
  return {
    name: 'explode',
    // eslint-disable-next-line require-yield
    *run(): Work<{ state: number }> {
      throw error;
    },
  };
}

function pipeline(
  name: string,
  steps: PipelineStep<number>[],
): PipelineDefinition<number, number, number> {
  return {
    name,
    description: name,
    input: {},
    // eslint-disable-next-line require-yield
    *validate(raw) {
      if (typeof raw !== 'number') throw new InputError('input must be a number');
      return raw;
    },
    init: (input) => input,
    steps,
    result: (state) => state,
  };
}

const registry = new PipelineRegistry([
  demoPipeline,
  pipeline('busy', [busyStep('crunch', 100, 2), busyStep('more', 5, 1)]),
  pipeline('broken', [busyStep('fine', 1, 0), throwingStep(new Error('disk on fire'))]),
  pipeline('bad-data', [throwingStep(new InputError('input.x is wrong'))]),
]);

function request(overrides: Partial<RunRequest>): RunRequest {
  return {
    id: 'job-1',
    pipeline: 'demo',
    input: { stepMs: 0 },
    attempt: 1,
    maxAttempts: 3,
    ...overrides,
  };
}

async function run(overrides: Partial<RunRequest>, signal = new AbortController().signal) {
  const publisher = new InMemoryPublisher('job-1', overrides.pipeline ?? 'demo');
  const outcome = await new AnalysisRunner(publisher, registry).run(request(overrides), signal);
  return { outcome, events: publisher.events, snapshot: publisher.snapshot };
}

describe('AnalysisRunner', () => {
  it('publishes started, a progress per step with its data, then completed with the result', async () => {
    const { outcome, events } = await run({ input: { input: 'x', stepMs: 0 } });
    expect(events.map((event) => [event.type, event.progress, event.step])).toEqual([
      ['started', 0, null],
      ['progress', 50, 'step_one'],
      ['progress', 100, 'step_two'],
      ['completed', 100, 'step_two'],
    ]);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    expect(events[1].data).toEqual({ step_one_result: expect.any(Number) });
    expect(events[2].data).toEqual({ step_two_result: 'processed' });
    expect(outcome).toEqual({ kind: 'completed', result: events[3].data });
    expect(events[3].data).toMatchObject({ input: 'x', step_two_result: 'processed' });
  });

  it('reports progress inside long computing steps, never decreasing, and yields the event loop', async () => {
    // Other work queued on the loop while the steps compute: it gets turns only if they yield.
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const { events } = await run({ pipeline: 'busy', input: 0 });
    ticking = false;
    const progress = events.map((event) => event.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const inCrunch = events.filter((event) => event.type === 'progress' && event.step === 'crunch');
    // 100 units of work, reported every tenth: 9 in-step events and one at the end of the step.
    expect(inCrunch).toHaveLength(10);
    expect(events[events.length - 1]).toMatchObject({ type: 'completed', data: 2 });
    // 205 ms of computing, driven in slices of a few ms, gave the loop dozens of turns
    // (held in one piece, it would have given none until the end).
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('turns a throwing step into retrying while attempts remain, naming the step and error', async () => {
    const { outcome, events, snapshot } = await run({ pipeline: 'broken', input: 0, attempt: 1 });
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'retrying', status: 'queued', attempt: 1 });
    expect(last.error).toEqual({
      message: 'Step explode failed: disk on fire',
      code: 'step_failed',
    });
    expect(outcome).toEqual({ kind: 'retrying', error: last.error });
    expect(snapshot.status).toBe('queued');
  });

  it('fails on the last attempt with the error in the event and the snapshot', async () => {
    const { outcome, events, snapshot } = await run({ pipeline: 'broken', input: 0, attempt: 3 });
    expect(events.map((event) => event.type)).toEqual(['started', 'progress', 'failed']);
    expect(events[2].error).toEqual({
      message: 'Step explode failed: disk on fire',
      code: 'step_failed',
    });
    expect(outcome.kind).toBe('failed');
    expect(snapshot).toMatchObject({ status: 'failed', error: events[2].error });
  });

  it('fails at once, without retrying, on input the pipeline rejects', async () => {
    const invalid = await run({ pipeline: 'bad-data', input: 'not a number', attempt: 1 });
    expect(invalid.events.map((event) => event.type)).toEqual(['started', 'failed']);
    expect(invalid.events[1].error).toEqual({
      message: 'input must be a number',
      code: 'invalid_input',
    });
    const badData = await run({ pipeline: 'bad-data', input: 1, attempt: 1 });
    expect(badData.events[1]).toMatchObject({ type: 'failed', error: { code: 'invalid_input' } });
    const unknown = await run({ pipeline: 'nope', attempt: 1 });
    expect(unknown.events[1].error?.message).toBe('unknown pipeline "nope"');
  });

  it('stops a waiting step when cancelled and publishes cancelled as the last event', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = run({ input: { stepMs: 60_000 } }, controller.signal);
    setImmediate(() => controller.abort(new RunAbort('cancelled')));
    const { outcome, events } = await pending;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome).toEqual({ kind: 'cancelled' });
    expect(events.map((event) => event.type)).toEqual(['started', 'cancelled']);
  });

  it('stops through the abort start() hands back, as through a signal', async () => {
    const publisher = new InMemoryPublisher('job-1', 'demo');
    const running = new AnalysisRunner(publisher, registry).start(
      request({ input: { stepMs: 60_000 } }),
    );
    setImmediate(() => running.abort(new RunAbort('shutdown')));
    expect(await running.outcome).toEqual({ kind: 'interrupted' });
    expect(publisher.events.map((event) => event.type)).toEqual(['started', 'retrying']);
    running.abort(new RunAbort('cancelled')); // once it has ended: nothing happens
  });

  it('stops a computing step between slices when cancelled', async () => {
    const controller = new AbortController();
    const publisher = new InMemoryPublisher('job-1', 'busy', (event) => {
      if (event.type === 'progress') controller.abort(new RunAbort('cancelled'));
    });
    const outcome = await new AnalysisRunner(publisher, registry).run(
      request({ pipeline: 'busy', input: 0 }),
      controller.signal,
    );
    expect(outcome.kind).toBe('cancelled');
    const types = publisher.events.map((event) => event.type);
    expect(types).toEqual(['started', 'progress', 'cancelled']);
  });

  it('hands the job back with a retrying event when the worker shuts down', async () => {
    const controller = new AbortController();
    const pending = run({ input: { stepMs: 60_000 } }, controller.signal);
    setImmediate(() => controller.abort(new RunAbort('shutdown')));
    const { outcome, events } = await pending;
    expect(outcome).toEqual({ kind: 'interrupted' });
    expect(events[events.length - 1]).toMatchObject({
      type: 'retrying',
      status: 'queued',
      error: { code: 'worker_shutdown' },
    });
  });

  it('stops as superseded when the job refuses its events (finished elsewhere)', async () => {
    const publisher = new InMemoryPublisher('job-1', 'demo');
    await publisher.publish({
      id: 'job-1',
      type: 'cancelled',
      status: 'cancelled',
      progress: 0,
      step: null,
      attempt: 0,
      at: new Date().toISOString(),
    });
    const outcome = await new AnalysisRunner(publisher, registry).run(
      request({}),
      new AbortController().signal,
    );
    expect(outcome).toEqual({ kind: 'superseded' });
    expect(publisher.events).toHaveLength(1);
  });

  it('does not wait for started: a refusal stops even a long wait at once', async () => {
    const publisher = new InMemoryPublisher('job-1', 'demo');
    await publisher.publish({
      id: 'job-1',
      type: 'cancelled',
      status: 'cancelled',
      progress: 0,
      step: null,
      attempt: 0,
      at: new Date().toISOString(),
    });
    const outcome = await new AnalysisRunner(publisher, registry).run(
      request({ input: { stepMs: 60_000 } }),
      new AbortController().signal,
    );
    expect(outcome).toEqual({ kind: 'superseded' });
    expect(publisher.events.map((event) => event.type)).toEqual(['cancelled']);
  });

  it('stops a long wait when started could not be written, and asks for another attempt', async () => {
    const store = new InMemoryPublisher('job-1', 'demo');
    const publisher: Publisher = {
      publish: (event) =>
        event.type === 'started'
          ? Promise.reject(new Error('connection lost'))
          : store.publish(event),
    };
    const outcome = await new AnalysisRunner(publisher, registry).run(
      request({ input: { stepMs: 60_000 } }),
      new AbortController().signal,
    );
    expect(outcome).toMatchObject({ kind: 'retrying', error: { message: 'connection lost' } });
    expect(store.events.map((event) => event.type)).toEqual(['retrying']);
  });
});
