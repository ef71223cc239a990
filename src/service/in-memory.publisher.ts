import type { AnalysisEvent, AnalysisEventDraft, AnalysisSnapshot } from '../core/analysis.types';
import { isTerminal } from '../core/analysis.types';
import { applyEvent, newSnapshot } from '../core/snapshot.reducer';
import type { Publisher } from './publisher.port';

/**
 * A Publisher that keeps one job's events in memory, refusing events after a
 * terminal one like the Redis store does: the CLI's in-process runs, and unit tests.
 */
export class InMemoryPublisher implements Publisher {
  readonly events: AnalysisEvent[] = [];
  snapshot: AnalysisSnapshot;

  constructor(
    id: string,
    pipeline: string,
    private readonly onEvent?: (event: AnalysisEvent) => void,
  ) {
    this.snapshot = newSnapshot(id, pipeline, new Date().toISOString());
  }

  async publish(draft: AnalysisEventDraft): Promise<boolean> {
    if (isTerminal(this.snapshot.status) || draft.attempt < this.snapshot.attempt) return false;
    const event: AnalysisEvent = { ...draft, seq: this.snapshot.lastSeq + 1 };
    this.events.push(event);
    this.snapshot = applyEvent(this.snapshot, event);
    this.onEvent?.(event);
    return true;
  }
}
