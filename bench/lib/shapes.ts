import { newSnapshot } from '../../src/core/snapshot.reducer';
/**
 * What the service sends, rebuilt for the bare baselines so that they carry
 * the same payloads: the same job data and options on the queue, the same
 * event JSON on the same kind of channel, the same snapshot in replies.
 */
import type { AnalysisEventDraft, AnalysisSnapshot } from '../../src/core/analysis.types';

export const QUEUE_NAME = 'analyses';
export const DEMO_BODY = { pipeline: 'demo', input: { stepMs: 0 } };

/** The options AnalysisService.enqueue gives every job. */
export const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
} as const;

export const bullJobId = (id: string): string => `a-${id}`;
// As RedisKeys.channel names it.
export const channelOf = (prefix: string, id: string): string => `${prefix}:job:{${id}}:live`;

/** The event as the event store stores and publishes it: `seq` first. */
export function eventJson(seq: number, draft: AnalysisEventDraft): string {
  return `{"seq":${seq},${JSON.stringify(draft).slice(1)}`;
}

export function queuedSnapshot(id: string, pipeline: string, createdAt: string): AnalysisSnapshot {
  return { ...newSnapshot(id, pipeline, createdAt), lastSeq: 1 };
}

export function queuedEvent(id: string, at: string): AnalysisEventDraft {
  return { id, type: 'queued', status: 'queued', progress: 0, step: null, attempt: 0, at };
}

/**
 * The four events the service's worker writes for a `demo` job with `stepMs: 0`,
 * in order, with the same fields and data as AnalysisRunner's.
 */
export function demoRunEvents(id: string, attempt: number, input: unknown): AnalysisEventDraft[] {
  const stepOneResult = 1 + Math.floor(Math.random() * 100);
  const at = (): string => new Date().toISOString();
  return [
    { id, type: 'started', status: 'running', progress: 0, step: null, attempt, at: at() },
    {
      id,
      type: 'progress',
      status: 'running',
      progress: 50,
      step: 'step_one',
      attempt,
      data: { step_one_result: stepOneResult },
      at: at(),
    },
    {
      id,
      type: 'progress',
      status: 'running',
      progress: 100,
      step: 'step_two',
      attempt,
      data: { step_two_result: 'processed' },
      at: at(),
    },
    {
      id,
      type: 'completed',
      status: 'completed',
      progress: 100,
      step: 'step_two',
      attempt,
      data: { input: input ?? null, step_one_result: stepOneResult, step_two_result: 'processed' },
      at: at(),
    },
  ];
}
