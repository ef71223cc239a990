import type { AnalysisEvent, AnalysisEventDraft, AnalysisSnapshot } from './analysis.types';

/** The snapshot fields an event changes; `lastSeq` is the event store's to set. */
export type SnapshotPatch = Partial<Omit<AnalysisSnapshot, 'id' | 'pipeline' | 'createdAt'>>;

/**
 * What an event changes in its job's snapshot. The single definition of that
 * mapping, used by the Redis event store and by in-memory publishers alike.
 */
export function snapshotPatch(event: AnalysisEventDraft): SnapshotPatch {
  const patch: SnapshotPatch = {
    status: event.status,
    progress: event.progress,
    step: event.step,
    attempt: event.attempt,
  };
  switch (event.type) {
    case 'started':
      patch.startedAt = event.at;
      break;
    case 'completed':
      patch.result = event.data ?? null;
      patch.finishedAt = event.at;
      break;
    case 'failed':
      patch.error = event.error ?? { message: 'failed' };
      patch.finishedAt = event.at;
      break;
    case 'cancelled':
      patch.finishedAt = event.at;
      break;
    default:
      break;
  }
  return patch;
}

export function applyEvent(snapshot: AnalysisSnapshot, event: AnalysisEvent): AnalysisSnapshot {
  return { ...snapshot, ...snapshotPatch(event), lastSeq: event.seq };
}

export function newSnapshot(id: string, pipeline: string, createdAt: string): AnalysisSnapshot {
  return {
    id,
    pipeline,
    status: 'queued',
    progress: 0,
    step: null,
    attempt: 0,
    createdAt,
    startedAt: null,
    finishedAt: null,
    lastSeq: 0,
    result: null,
    error: null,
  };
}
