import type { Socket } from 'socket.io-client';
import type { AnalysisEvent, AnalysisSnapshot, AnalysisStatus } from '../core/analysis.types';
import { SubscribeError, type SubscribeErrorCode } from './api-error';

export interface WatchOptions {
  /** Only events with a greater `seq`: the last one the caller has already seen. Default 0. */
  after?: number;
  /** Stops watching; the iteration then ends quietly. */
  signal?: AbortSignal;
  /** Called with the snapshot the service answers each (re)subscription with. */
  onSnapshot?: (snapshot: AnalysisSnapshot) => void;
  /** The job's token, for a client without a key (or with another tenant's). */
  token?: string;
}

type SubscribeAck =
  | { ok: true; snapshot: AnalysisSnapshot }
  | { ok: false; error: { code: SubscribeErrorCode; message: string } };

/** What a watch needs of the client that owns the connection. */
export interface WatchHost {
  /** The shared Socket.IO connection to the `/analyses` namespace, opened on first use. */
  socket(): Socket;
  /** The watch is over: stop routing events to it. */
  release(watch: JobWatch): void;
}

/** Kept here rather than imported: the client takes only types from the core. */
const TERMINAL: readonly AnalysisStatus[] = ['completed', 'failed', 'cancelled'];
const ACK_TIMEOUT_MS = 10_000;

/**
 * One job's events as an async iterator: each `seq` once, in order, from
 * `after` to the terminal event, across reconnections. The client calls
 * `subscribe` whenever its socket (re)connects; the watch always asks for
 * the events after the last one it has, so a reconnect misses nothing and
 * anything sent twice is dropped here.
 */
export class JobWatch implements AsyncIterableIterator<AnalysisEvent> {
  private lastSeq: number;
  private readonly buffer: AnalysisEvent[] = [];
  /** The pending `next()` while the buffer is empty. */
  private waiter:
    | { resolve: (result: IteratorResult<AnalysisEvent>) => void; reject: (error: Error) => void }
    | undefined;
  private failure: Error | undefined;
  /** Nothing more will be buffered: the terminal event arrived, the caller stopped, or it failed. */
  private over = false;
  /** Only the newest subscription's acknowledgement counts. */
  private generation = 0;

  constructor(
    readonly id: string,
    private readonly host: WatchHost,
    private readonly options: WatchOptions,
  ) {
    this.lastSeq = options.after ?? 0;
  }

  /** Starts following; called once by the client after it has registered the watch. */
  begin(): void {
    const { signal } = this.options;
    if (signal?.aborted) return this.stop();
    signal?.addEventListener('abort', this.stop, { once: true });
    void this.subscribe();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<AnalysisEvent>> {
    const event = this.buffer.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.over) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** A `break` out of `for await`: stop at once, dropping what is buffered. */
  return(): Promise<IteratorResult<AnalysisEvent>> {
    this.buffer.length = 0;
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Asks the service for every event after the last one seen; a no-op while disconnected. */
  async subscribe(): Promise<void> {
    const socket = this.host.socket();
    if (this.over || !socket.connected) return;
    const generation = ++this.generation;
    let ack: SubscribeAck;
    try {
      ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', {
        id: this.id,
        after: this.lastSeq,
        ...(this.options.token === undefined ? {} : { token: this.options.token }),
      })) as SubscribeAck;
    } catch {
      // No answer. Disconnected: the reconnect subscribes again. Still connected: ask again.
      if (generation === this.generation && socket.connected) void this.subscribe();
      return;
    }
    if (this.over || generation !== this.generation) return;
    if (!ack.ok) return this.fail(new SubscribeError(ack.error.code, ack.error.message));
    this.options.onSnapshot?.(ack.snapshot);
    const { status, lastSeq } = ack.snapshot;
    // Already past the job's last event (the caller's `after` was its end): nothing will come.
    if (TERMINAL.includes(status) && lastSeq <= this.lastSeq) this.stop();
  }

  /** An `analysis.event` of this job arrived on the socket. */
  receive(event: AnalysisEvent): void {
    if (this.over || event.seq <= this.lastSeq) return;
    if (event.seq > this.lastSeq + 1) {
      // Never expected from the service; asking again from the last seq seen closes the gap.
      void this.subscribe();
      return;
    }
    this.lastSeq = event.seq;
    this.push(event);
    if (TERMINAL.includes(event.status)) this.stop();
  }

  /** Ends the iteration after what is buffered (the client closed, or the caller aborted). */
  readonly stop = (): void => {
    if (this.over) return;
    this.over = true;
    this.options.signal?.removeEventListener('abort', this.stop);
    this.host.release(this);
    this.settleWaiter();
  };

  private fail(error: Error): void {
    this.failure = error;
    this.stop();
  }

  private push(event: AnalysisEvent): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value: event, done: false });
    } else {
      this.buffer.push(event);
    }
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    if (this.failure) waiter.reject(this.failure);
    else waiter.resolve({ value: undefined, done: true });
  }
}
