import { io, type Socket } from 'socket.io-client';
import type { AnalysisEvent, AnalysisSnapshot } from '../../src/core/analysis.types';

export type SubscribeAck =
  | { ok: true; snapshot: AnalysisSnapshot }
  | { ok: false; error: { code: string; message: string } };

/**
 * A socket.io-client on `/analyses` that records every event it receives, so
 * a test can wait for an event that may already have arrived.
 */
export class LiveClient {
  readonly socket: Socket;
  readonly events: AnalysisEvent[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    baseUrl: string,
    transports: ('websocket' | 'polling')[] = ['websocket'],
    /** The handshake's `auth` (e.g. `{ key }`) and headers (e.g. an `origin`). */
    options: { auth?: Record<string, unknown>; extraHeaders?: Record<string, string> } = {},
  ) {
    this.socket = io(`${baseUrl}/analyses`, {
      transports,
      reconnection: false,
      forceNew: true,
      ...options,
    });
    this.socket.on('analysis.event', (event: AnalysisEvent) => {
      this.events.push(event);
      this.notify();
    });
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  subscribe(payload: unknown): Promise<SubscribeAck> {
    return this.socket.timeout(10_000).emitWithAck('subscribe', payload) as Promise<SubscribeAck>;
  }

  unsubscribe(payload: unknown): Promise<unknown> {
    return this.socket.timeout(10_000).emitWithAck('unsubscribe', payload);
  }

  of(id: string): AnalysisEvent[] {
    return this.events.filter((event) => event.id === id);
  }

  /** Resolves with the events of job `id` once one of them satisfies `until`. */
  async waitFor(
    id: string,
    until: (event: AnalysisEvent) => boolean,
    timeoutMs = 30_000,
  ): Promise<AnalysisEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.of(id).some(until)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `timed out waiting for an event of ${id}; got ${JSON.stringify(this.of(id))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.of(id);
  }

  /** Resolves with the job's events once its terminal event has arrived. */
  finished(id: string, timeoutMs?: number): Promise<AnalysisEvent[]> {
    return this.waitFor(
      id,
      (event) => ['completed', 'failed', 'cancelled'].includes(event.type),
      timeoutMs,
    );
  }

  close(): void {
    this.socket.close();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}
