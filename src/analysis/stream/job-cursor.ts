import { type AnalysisEvent, isTerminal } from '../../core/analysis.types';
import type { ChannelSubscriber } from '../../bus/channel.subscriber';
import type { EventStore } from '../../bus/event-store';
import { eventsOfMessage } from '../../bus/event-message';
import { Backstop } from '../live/backstop';
import { SerialQueue } from '../live/serial-queue';

export interface JobCursorDeps {
  store: EventStore;
  subscriber: ChannelSubscriber;
  /** The job's pub/sub channel. */
  channel: string;
  /** Quiet time after which the cursor re-reads the log (the backstop for lost messages). */
  backstopMs?: number;
}

export interface CursorSink {
  event(event: AnalysisEvent): void;
  /** Nothing more will come: the terminal event was delivered, or the store failed (`error`). */
  end(error?: unknown): void;
}

/**
 * One reader's position in one job's events: delivers every event after
 * `after` once, in `seq` order, history first and then live, and ends after
 * the terminal event.
 *
 * It subscribes to the job's channel before it reads the history: an event
 * appended before the subscription is in the history, one appended after it
 * arrives as a message, and one appended in between is in both and delivered
 * once, by `seq`. Messages are only hints: a gap is filled from the event log.
 * All work runs through one queue, so a history read never interleaves with
 * live delivery.
 */
export class JobCursor {
  private lastSeq: number;
  /** The last epoch seen (see adoptEpoch). */
  private epoch = 0;
  private closed = false;
  private readonly queue = new SerialQueue((error) => this.finish(error));
  private readonly stopResync: () => void;
  private readonly backstop: Backstop;

  constructor(
    private readonly id: string,
    after: number,
    private readonly deps: JobCursorDeps,
    private readonly sink: CursorSink,
  ) {
    this.lastSeq = after;
    // Pub/sub loses what is published while its connection is down: read the log again after.
    this.stopResync = deps.subscriber.onResync(() => void this.queue.push(() => this.catchUp()));
    // And messages can be lost without the connection noticing: re-read after a quiet while.
    this.backstop = new Backstop(() => void this.queue.push(() => this.catchUp()), deps.backstopMs);
  }

  /** Starts delivering; failures end the cursor through the sink. */
  async open(): Promise<void> {
    try {
      await this.deps.subscriber.subscribe(this.deps.channel, this.onMessage);
    } catch (error) {
      return this.finish(error);
    }
    await this.queue.push(() => this.catchUp());
  }

  /** The reader left: stop listening, without telling the sink. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopResync();
    this.backstop.stop();
    void this.deps.subscriber.unsubscribe(this.deps.channel, this.onMessage).catch(() => undefined);
  }

  private readonly onMessage = (message: string): void => {
    this.backstop.heard();
    for (const event of eventsOfMessage(message)) void this.queue.push(() => this.receive(event));
  };

  private async receive(event: AnalysisEvent): Promise<void> {
    this.adoptEpoch(event);
    if (event.seq <= this.lastSeq) return;
    if (event.seq === this.lastSeq + 1) this.deliver(event);
    else await this.catchUp();
  }

  private async catchUp(): Promise<void> {
    if (this.closed) return;
    for (const event of await this.deps.store.events(this.id, this.lastSeq)) this.deliver(event);
  }

  /**
   * A newer epoch means a Redis failover dropped events the reader may have had:
   * its events reuse their seqs and carry the epoch, and are delivered, not skipped.
   */
  private adoptEpoch(event: AnalysisEvent): void {
    if ((event.epoch ?? 0) <= this.epoch) return;
    this.epoch = event.epoch ?? 0;
    this.lastSeq = Math.min(this.lastSeq, event.seq - 1);
  }

  private deliver(event: AnalysisEvent): void {
    this.adoptEpoch(event);
    if (this.closed || event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.sink.event(event);
    if (isTerminal(event.status)) this.finish();
  }

  private finish(error?: unknown): void {
    if (this.closed) return;
    this.close();
    this.sink.end(error);
  }
}
