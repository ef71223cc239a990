import type { Logger } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import { type AnalysisEvent, isTerminal } from '../../core/analysis.types';
import type { ChannelSubscriber } from '../../bus/channel.subscriber';
import type { EventStore } from '../../bus/event-store';
import { eventsOfMessage } from '../../bus/event-message';
import { Backstop } from './backstop';
import { SerialQueue } from './serial-queue';

export const ANALYSIS_EVENT = 'analysis.event';

export interface JobFeedDeps {
  store: EventStore;
  subscriber: ChannelSubscriber;
  namespace: Namespace;
  /** A job's pub/sub channel. */
  channelOf: (id: string) => string;
  logger: Logger;
  onClosed: (feed: JobFeed) => void;
  /** Quiet time after which the feed re-reads the log (the backstop for lost messages). */
  backstopMs?: number;
}

/**
 * Delivers one job's events to the sockets of this process that follow it.
 *
 * Sockets that are caught up sit in the job's room and get each event by one
 * local broadcast (no cross-process adapter: every process reads Redis itself).
 * `lastSeq` is the last event the room has received; pub/sub messages are only
 * hints: a duplicate is dropped and a gap is filled from the event log, so the
 * room sees every event once, in order. All work runs through one queue, so a
 * joining socket's replay never interleaves with live delivery.
 */
export class JobFeed {
  private lastSeq: number | undefined;
  /** The last epoch seen (see adoptEpoch). */
  private epoch = 0;
  private pendingJoins = 0;
  private closed = false;
  private readonly queue: SerialQueue;
  private readonly room: string;
  private readonly channel: string;
  private readonly backstop: Backstop;
  /** Resolves once Redis has confirmed the subscription to the job's channel. */
  readonly ready: Promise<void>;

  constructor(
    readonly id: string,
    private readonly deps: JobFeedDeps,
  ) {
    this.room = `analysis:${id}`;
    this.channel = deps.channelOf(id);
    this.queue = new SerialQueue((error) =>
      deps.logger.error({ msg: 'live delivery failed', jobId: id, error: String(error) }),
    );
    this.backstop = new Backstop(() => this.resync(), deps.backstopMs);
    this.ready = deps.subscriber.subscribe(this.channel, this.onMessage);
    // A feed whose subscription failed serves nobody: the next subscribe makes a new one.
    this.ready.catch(() => this.close());
  }

  /**
   * Starts reading the events after `after` now, before the subscription is
   * confirmed, so that a join given the read waits one round trip less. Such a
   * read may miss what was published just before the subscription took hold:
   * the join reads again once it has (see admit).
   */
  readAhead(after: number): Promise<AnalysisEvent[]> {
    const read = this.deps.store.events(this.id, after);
    read.catch(() => undefined); // a socket turned away never awaits it
    return read;
  }

  /**
   * Sends the socket every event after `after`, then keeps it in the live room.
   * `ahead`: the same read begun earlier (readAhead), used where it covers what the join needs.
   */
  join(socket: Socket, after: number, ahead?: Promise<AnalysisEvent[]>): Promise<void> {
    this.pendingJoins += 1;
    return this.queue.push(async () => {
      this.pendingJoins -= 1;
      try {
        await this.admit(socket, after, ahead);
      } catch (error) {
        // The client resubscribes with its last seq when it reconnects, and misses nothing.
        this.deps.logger.warn({
          msg: 'replay failed; disconnecting the socket',
          jobId: this.id,
          error: String(error),
        });
        socket.disconnect(true);
      }
      // The socket may have gone meanwhile, leaving nobody to follow the job.
      this.closeIfIdle();
    });
  }

  /**
   * Keeps the feed open for a socket that is still being let in, so that the
   * channel subscription can be made while its access is read. Call the
   * returned release (any number of times) once the socket has joined or been turned away.
   */
  hold(): () => void {
    this.pendingJoins += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.pendingJoins -= 1;
      void this.queue.push(() => this.closeIfIdle());
    };
  }

  leave(socket: Socket): Promise<void> {
    return this.queue.push(() => {
      void socket.leave(this.room);
      this.closeIfIdle();
    });
  }

  /** A disconnected socket has already left its rooms. */
  dropped(): void {
    void this.queue.push(() => this.closeIfIdle());
  }

  /** After the subscriber reconnected: fetch whatever was published meanwhile. */
  resync(): void {
    void this.queue.push(() => this.catchUp());
  }

  private readonly onMessage = (message: string): void => {
    this.backstop.heard();
    for (const event of eventsOfMessage(message)) {
      // The common case, the next event with nothing queued ahead of it, goes out at once:
      // no queue hop, no task allocated per event.
      if (this.queue.idle && this.isNext(event)) this.broadcast(event);
      else void this.queue.push(() => this.deliver(event));
    }
  };

  private isNext(event: AnalysisEvent): boolean {
    return (
      this.lastSeq !== undefined &&
      event.seq === this.lastSeq + 1 &&
      (event.epoch ?? 0) <= this.epoch
    );
  }

  private async admit(
    socket: Socket,
    after: number,
    ahead?: Promise<AnalysisEvent[]>,
  ): Promise<void> {
    await this.ready;
    if (socket.disconnected) return;
    // No lastSeq yet: messages heard so far were dropped, the log being the one source until now.
    const first = this.lastSeq === undefined;
    const known = this.lastSeq ?? after;
    const early = await this.earlyRead(ahead, after, known);
    const events = early ?? (await this.deps.store.events(this.id, Math.min(after, known)));
    let joined = false;
    for (const event of events) {
      if (event.seq <= known) {
        if (event.seq > after) socket.emit(ANALYSIS_EVENT, event);
      } else if (event.seq <= after) {
        this.broadcast(event);
      } else {
        if (!joined) joined = this.enter(socket);
        this.broadcast(event);
      }
    }
    this.lastSeq ??= after;
    if (!joined) this.enter(socket);
    // An early read may predate an event whose message came before anyone listened for
    // it: read what followed, now that every later message will be heard.
    if (early && first) await this.catchUp();
  }

  /**
   * The read begun by readAhead, if it covers what this join must send: it starts at
   * `after`, so the room must not be behind the joiner, and it must reach what the room has seen.
   */
  private async earlyRead(
    ahead: Promise<AnalysisEvent[]> | undefined,
    after: number,
    known: number,
  ): Promise<AnalysisEvent[] | undefined> {
    if (ahead === undefined || known < after) return undefined;
    const events = await ahead;
    return (events.at(-1)?.seq ?? after) >= known ? events : undefined;
  }

  private enter(socket: Socket): boolean {
    if (this.closed || socket.disconnected) return false;
    void socket.join(this.room);
    return true;
  }

  private async deliver(event: AnalysisEvent): Promise<void> {
    this.adoptEpoch(event);
    if (this.lastSeq === undefined || event.seq <= this.lastSeq) return;
    if (event.seq === this.lastSeq + 1) this.broadcast(event);
    else await this.catchUp();
  }

  private async catchUp(): Promise<void> {
    if (this.lastSeq === undefined || this.closed) return;
    for (const event of await this.deps.store.events(this.id, this.lastSeq)) this.broadcast(event);
  }

  /**
   * A newer epoch means a Redis failover dropped events clients may have seen: its
   * events reuse their seqs, and carry the epoch so that clients can tell.
   */
  private adoptEpoch(event: AnalysisEvent): void {
    if ((event.epoch ?? 0) <= this.epoch) return;
    this.epoch = event.epoch ?? 0;
    if (this.lastSeq !== undefined) this.lastSeq = Math.min(this.lastSeq, event.seq - 1);
  }

  private broadcast(event: AnalysisEvent): void {
    this.adoptEpoch(event);
    if (this.closed || (this.lastSeq !== undefined && event.seq <= this.lastSeq)) return;
    this.deps.namespace.to(this.room).emit(ANALYSIS_EVENT, event);
    this.lastSeq = event.seq;
    if (isTerminal(event.status)) this.close();
  }

  private closeIfIdle(): void {
    if (this.memberCount() === 0 && this.pendingJoins === 0) this.close();
  }

  /** The room's sockets are the feed's members: no Set of its own (a process holds thousands of feeds). */
  private memberCount(): number {
    return this.deps.namespace.adapter.rooms.get(this.room)?.size ?? 0;
  }

  /** Nothing follows a terminal event, and nobody listens to an idle feed: stop listening. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.backstop.stop();
    this.deps.namespace.in(this.room).socketsLeave(this.room);
    this.deps.onClosed(this);
    void this.deps.subscriber.unsubscribe(this.channel, this.onMessage);
  }
}
