import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AnalysisError } from '../core/analysis.types';
import { EventStore } from '../bus/event-store';
import { InputStore } from '../bus/input-store';
import { Metrics } from '../observability/metrics';
import { EVENT_MIRROR, type EventMirror } from '../service/event-mirror.port';

/**
 * Records that a job failed for a reason its pipeline never saw (BullMQ gave
 * up on it, it stalled too often, the queue lost it): one `failed` event,
 * counted and logged, unless the job has ended meanwhile (the store refuses
 * the event then, so the usual case of a runner that recorded the end wins).
 */
@Injectable()
export class JobFailures {
  private readonly logger = new Logger(JobFailures.name);

  constructor(
    private readonly store: EventStore,
    private readonly inputs: InputStore,
    private readonly metrics: Metrics,
    @Optional() @Inject(EVENT_MIRROR) private readonly mirror?: EventMirror,
  ) {}

  /** Whether this call ended the job. */
  async failIfOpen(id: string, error: Required<AnalysisError>): Promise<boolean> {
    const snapshot = await this.store.snapshot(id);
    if (!snapshot) return false;
    const appended = await this.store.append(
      {
        id,
        type: 'failed',
        status: 'failed',
        progress: snapshot.progress,
        step: snapshot.step,
        attempt: snapshot.attempt,
        error,
        at: new Date().toISOString(),
      },
      false,
    );
    if (appended.kind !== 'appended') return false;
    await this.inputs.discard(id).catch(() => undefined);
    this.metrics.eventsPublished.inc();
    this.metrics.jobFinished(snapshot.pipeline, 'failed', snapshot.startedAt);
    this.logger.warn({ msg: 'job failed outside its pipeline', jobId: id, code: error.code });
    this.mirror?.catchUp(id);
    return true;
  }
}
