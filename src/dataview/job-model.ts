import type {
  AnalysisError,
  AnalysisEvent,
  AnalysisSnapshot,
  AnalysisStatus,
} from '../core/analysis.types';

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface StepView {
  name: string;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  /** The step's intermediate result, from its closing `progress` event. */
  data?: unknown;
}

export interface RetryView {
  attempt: number;
  error: AnalysisError;
  at: string;
}

/** Everything the detail view shows of a job, built from its snapshot and then its events alone. */
export interface JobView {
  id: string;
  pipeline: string;
  createdAt: string;
  status: AnalysisStatus;
  progress: number;
  step: string | null;
  attempt: number;
  /** The current attempt's steps. */
  steps: StepView[];
  retries: RetryView[];
  result?: unknown;
  error?: AnalysisError;
  events: AnalysisEvent[];
}

const TERMINAL: readonly AnalysisStatus[] = ['completed', 'failed', 'cancelled'];

export function isOver(status: AnalysisStatus): boolean {
  return TERMINAL.includes(status);
}

/** The job as known before any of its events: replaying them from seq 1 fills in the rest. */
export function emptyJob(snapshot: AnalysisSnapshot, stepNames: readonly string[]): JobView {
  return {
    id: snapshot.id,
    pipeline: snapshot.pipeline,
    createdAt: snapshot.createdAt,
    status: 'queued',
    progress: 0,
    step: null,
    attempt: 0,
    steps: stepNames.map((name) => ({ name, state: 'pending' })),
    retries: [],
    events: [],
  };
}

/**
 * The runner closes step `index` of `count` with progress at its boundary,
 * `(index + 1) / count` of 100 rounded to hundredths, and reports progress
 * inside a step strictly below it: that tells a step's end from its middle.
 */
function closesStep(event: AnalysisEvent, index: number, count: number): boolean {
  const boundary = Math.round(((index + 1) / count) * 10_000) / 100;
  return event.progress >= boundary - 1e-9;
}

function endRunning(steps: StepView[], state: StepState, at: string): StepView[] {
  return steps.map((step) => (step.state === 'running' ? { ...step, state, endedAt: at } : step));
}

export function applyJobEvent(job: JobView, event: AnalysisEvent): JobView {
  const next: JobView = {
    ...job,
    status: event.status,
    progress: event.progress,
    step: event.step,
    attempt: event.attempt,
    events: [...job.events, event],
  };
  const { steps } = job;
  switch (event.type) {
    case 'started':
      next.steps = steps.map(({ name }, index) =>
        index === 0 ? { name, state: 'running', startedAt: event.at } : { name, state: 'pending' },
      );
      break;
    case 'progress': {
      const index = steps.findIndex((step) => step.name === event.step);
      if (index < 0 || !closesStep(event, index, steps.length)) break;
      next.steps = steps.map((step, position) => {
        if (position === index)
          return { ...step, state: 'done', endedAt: event.at, data: event.data };
        if (position === index + 1)
          return { name: step.name, state: 'running', startedAt: event.at };
        return step;
      });
      break;
    }
    case 'retrying':
      next.steps = endRunning(steps, 'failed', event.at);
      if (event.error)
        next.retries = [
          ...job.retries,
          { attempt: event.attempt, error: event.error, at: event.at },
        ];
      break;
    case 'completed':
      next.result = event.data;
      break;
    case 'failed':
      next.steps = endRunning(steps, 'failed', event.at);
      next.error = event.error ?? { message: 'failed' };
      break;
    case 'cancelled':
      next.steps = endRunning(steps, 'cancelled', event.at);
      break;
    default:
      break;
  }
  return next;
}

/** How long a step took, or has been running until `now`. */
export function stepDuration(step: StepView, now: number): number | undefined {
  if (!step.startedAt) return undefined;
  const end = step.endedAt ? new Date(step.endedAt).getTime() : now;
  return end - new Date(step.startedAt).getTime();
}
