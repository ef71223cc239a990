import { Injectable } from '@nestjs/common';
import { type AnalysisEventDraft, isTerminal } from '../core/analysis.types';
import { Metrics } from '../observability/metrics';
import type { Publisher } from '../service/publisher.port';
import { EventStore } from './event-store';

/** Events of one job written in one round trip at most. */
const MAX_BATCH = 100;

interface Batch {
  events: AnalysisEventDraft[];
  /** One answer for all the batch's events: they are all accepted or all refused. */
  accepted: Promise<boolean>;
  resolve: (accepted: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * The runner's Publisher: every event goes through the event store, which
 * numbers, keeps and announces it. Events of one job published in the same
 * tick are written together, in order, in one round trip (one script call
 * instead of one per event); a terminal event closes its batch. The events of
 * a batch share one promise of its answer rather than one each.
 */
@Injectable()
export class RedisPublisher implements Publisher {
  private readonly open = new Map<string, Batch>();

  constructor(
    private readonly store: EventStore,
    private readonly metrics: Metrics,
  ) {}

  publish(event: AnalysisEventDraft): Promise<boolean> {
    const batch = this.open.get(event.id) ?? this.openBatch(event.id);
    batch.events.push(event);
    if (isTerminal(event.status) || batch.events.length >= MAX_BATCH) this.flush(event.id, batch);
    return batch.accepted;
  }

  private openBatch(id: string): Batch {
    let settle!: Pick<Batch, 'resolve' | 'reject'>;
    const accepted = new Promise<boolean>((resolve, reject) => (settle = { resolve, reject }));
    const batch: Batch = { events: [], accepted, ...settle };
    this.open.set(id, batch);
    process.nextTick(() => this.flush(id, batch));
    return batch;
  }

  private flush(id: string, batch: Batch): void {
    if (this.open.get(id) !== batch) return; // already written
    this.open.delete(id);
    const [only] = batch.events;
    const written =
      batch.events.length === 1 ? this.store.append(only) : this.store.appendMany(batch.events);
    written.then((result) => {
      if (result.kind === 'appended') this.metrics.eventsPublished.inc(batch.events.length);
      batch.resolve(result.kind === 'appended');
    }, batch.reject);
  }
}
