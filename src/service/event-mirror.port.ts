import type { AnalysisEventDraft } from '../core/analysis.types';
import type { Publisher } from './publisher.port';

/**
 * A second home for every event of a job (JetStream), filled from the event
 * store, which stays the source of truth and the one that numbers events.
 */
export interface EventMirror {
  /** Copies the job's events the mirror lacks, in `seq` order; returns at once and retries until done. */
  catchUp(id: string): void;
}

export const EVENT_MIRROR = Symbol('EVENT_MIRROR');

/**
 * The runner's Publisher when events are mirrored: the store's Publisher
 * first, then the mirror catches up, whether the store took the event or
 * refused it (a job that ended elsewhere, by a cancellation, still has its
 * last events copied). The runner sees only the store's answer.
 */
export class MirroredPublisher implements Publisher {
  constructor(
    private readonly store: Publisher,
    private readonly mirror: EventMirror,
  ) {}

  async publish(event: AnalysisEventDraft): Promise<boolean> {
    try {
      return await this.store.publish(event);
    } finally {
      this.mirror.catchUp(event.id);
    }
  }
}
