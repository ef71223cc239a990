import type { AnalysisEvent, AnalysisSnapshot } from '../core/analysis.types';
import { applyJobEvent, emptyJob, type JobView, stepDuration } from './job-model';

const snapshot: AnalysisSnapshot = {
  id: 'job',
  pipeline: 'stats',
  status: 'queued',
  progress: 0,
  step: null,
  attempt: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  lastSeq: 1,
  result: null,
  error: null,
};

const STEPS = ['parse', 'summary', 'histogram', 'outliers', 'correlation'];
let seq = 0;
function event(
  fields: Partial<AnalysisEvent> & Pick<AnalysisEvent, 'type'>,
  atMs: number,
): AnalysisEvent {
  seq += 1;
  const status = fields.type === 'progress' || fields.type === 'started' ? 'running' : 'queued';
  return {
    id: 'job',
    seq,
    status,
    progress: 0,
    step: null,
    attempt: 1,
    at: new Date(Date.parse(snapshot.createdAt) + atMs).toISOString(),
    ...fields,
  };
}

function replay(events: AnalysisEvent[]): JobView {
  return events.reduce(applyJobEvent, emptyJob(snapshot, STEPS));
}

const states = (job: JobView) => job.steps.map((step) => step.state);

beforeEach(() => (seq = 0));

describe('the job model', () => {
  it('times each step from the end of the one before, and keeps its data', () => {
    const job = replay([
      event({ type: 'queued', status: 'queued', attempt: 0 }, 0),
      event({ type: 'started' }, 100),
      event({ type: 'progress', progress: 20, step: 'parse', data: { rows: 3 } }, 300),
      // Inside summary: below its boundary (40), so it does not close the step.
      event({ type: 'progress', progress: 30, step: 'summary' }, 350),
    ]);
    expect(states(job)).toEqual(['done', 'running', 'pending', 'pending', 'pending']);
    expect(stepDuration(job.steps[0], 0)).toBe(200);
    expect(job.steps[0].data).toEqual({ rows: 3 });
    expect(stepDuration(job.steps[1], Date.parse(snapshot.createdAt) + 1_000)).toBe(700);
    expect(job).toMatchObject({ status: 'running', progress: 30, step: 'summary', attempt: 1 });
    expect(job.events.map((known) => known.seq)).toEqual([1, 2, 3, 4]);
  });

  it('takes the result from completed', () => {
    const job = replay([
      event({ type: 'started' }, 0),
      ...STEPS.map((step, index) =>
        event({ type: 'progress', progress: (index + 1) * 20, step }, index + 1),
      ),
      event({ type: 'completed', status: 'completed', progress: 100, data: { rows: 1 } }, 9),
    ]);
    expect(states(job)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(job.result).toEqual({ rows: 1 });
  });

  it('marks the running step failed on retrying, and starts the timeline over on the next attempt', () => {
    const error = { message: 'Step summary failed: boom', code: 'step_failed' };
    const retried = replay([
      event({ type: 'started' }, 0),
      event({ type: 'progress', progress: 20, step: 'parse' }, 10),
      event({ type: 'retrying', status: 'queued', progress: 20, step: 'parse', error }, 20),
    ]);
    expect(states(retried)).toEqual(['done', 'failed', 'pending', 'pending', 'pending']);
    expect(retried.retries).toEqual([{ attempt: 1, error, at: retried.events[2].at }]);

    const again = applyJobEvent(retried, event({ type: 'started', attempt: 2 }, 1_000));
    expect(states(again)).toEqual(['running', 'pending', 'pending', 'pending', 'pending']);
    expect(again.retries).toHaveLength(1);
  });

  it('ends the running step as failed or cancelled, with the error shown for a failure', () => {
    const error = { message: 'input.csv: line 3 has 1 cell', code: 'invalid_input' };
    const failed = replay([
      event({ type: 'started' }, 0),
      event({ type: 'failed', status: 'failed', error }, 5),
    ]);
    expect(states(failed)[0]).toBe('failed');
    expect(failed.error).toEqual(error);

    const cancelled = replay([
      event({ type: 'started' }, 0),
      event({ type: 'cancelled', status: 'cancelled' }, 5),
    ]);
    expect(states(cancelled)[0]).toBe('cancelled');
    expect(cancelled.steps[0].endedAt).toBe(cancelled.events[1].at);
  });
});
