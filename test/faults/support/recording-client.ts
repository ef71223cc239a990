import { io, type Socket } from 'socket.io-client';
import { type AnalysisEvent, isTerminal } from '../../../src/core/analysis.types';
import type { Received } from './invariants';

const RECONNECT_DELAY_MS = 200;

/**
 * A Socket.IO client that follows jobs as the contract tells a client to:
 * after every (re)connect it subscribes again with `after` = the last `seq`
 * it has. It records every event it receives, duplicates included, for the
 * invariant checker. When its connection drops it reconnects to the next
 * `api` URL (the one it was on may be gone for good).
 */
export class RecordingClient {
  private socket: Socket | undefined;
  private urlIndex: number;
  private readonly received = new Map<string, AnalysisEvent[]>();
  private readonly lastSeq = new Map<string, number>();
  private readonly done = new Set<string>();
  private closed = false;
  private waiters: (() => void)[] = [];
  reconnects = 0;
  /** Subscriptions the service refused, with its reasons. */
  readonly refusals: string[] = [];

  constructor(
    readonly name: string,
    private readonly urls: string[],
    start = 0,
  ) {
    this.urlIndex = start % urls.length;
    this.connect();
  }

  follow(id: string): void {
    if (this.received.has(id)) return;
    this.received.set(id, []);
    this.lastSeq.set(id, 0);
    if (this.socket?.connected) this.subscribe(id);
  }

  /** Whether every followed job's terminal event has arrived. */
  finished(): boolean {
    return this.done.size === this.received.size;
  }

  async waitFinished(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.finished() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(1_000, deadline - Date.now())));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.finished();
  }

  records(): Received[] {
    return [...this.received].map(([id, events]) => ({ client: this.name, id, events }));
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  private connect(): void {
    if (this.closed) return;
    const socket = io(`${this.urls[this.urlIndex]}/analyses`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 2_000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      for (const id of this.received.keys()) if (!this.done.has(id)) this.subscribe(id);
    });
    socket.on('analysis.event', (event: AnalysisEvent) => this.record(event));
    const retry = (): void => {
      socket.removeAllListeners();
      socket.close();
      if (this.closed || this.socket !== socket) return;
      this.reconnects += 1;
      this.urlIndex = (this.urlIndex + 1) % this.urls.length;
      setTimeout(() => this.connect(), RECONNECT_DELAY_MS);
    };
    socket.on('disconnect', retry);
    socket.on('connect_error', retry);
  }

  private subscribe(id: string): void {
    const socket = this.socket;
    socket
      ?.timeout(5_000)
      .emitWithAck('subscribe', { id, after: this.lastSeq.get(id) ?? 0 })
      .then((ack: { ok: boolean; error?: { code: string; message: string } }) => {
        if (!ack.ok) this.refusals.push(`${id}: ${ack.error?.code} ${ack.error?.message}`);
      })
      // No answer in time: start over on a new connection (subscribing twice on this one
      // would replay the history twice).
      .catch(() => socket.disconnect());
  }

  private record(event: AnalysisEvent): void {
    const events = this.received.get(event.id);
    if (!events) return;
    events.push(event);
    this.lastSeq.set(event.id, Math.max(this.lastSeq.get(event.id) ?? 0, event.seq));
    if (isTerminal(event.status)) {
      this.done.add(event.id);
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((wake) => wake());
    }
  }
}
