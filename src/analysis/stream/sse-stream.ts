import type { ServerResponse } from 'node:http';
import type { AnalysisEvent } from '../../core/analysis.types';

/** The SSE event name, the same as the Socket.IO event's. */
export const SSE_EVENT = 'analysis.event';

/** One event as a Server-Sent Events frame; JSON never holds a raw line break, so `data` is one line. */
export function sseFrame(event: AnalysisEvent): string {
  return `id: ${event.seq}\nevent: ${SSE_EVENT}\ndata: ${JSON.stringify(event)}\n\n`;
}

export interface SseOptions {
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  heartbeatMs: number;
  /** How long an EventSource waits before reconnecting (it sends `Last-Event-ID` then). */
  retryMs: number;
  /**
   * Bytes written but not yet taken by the client past which the stream is
   * closed: a client that does not read costs this much at most, and resumes
   * with Last-Event-ID when it reconnects.
   */
  maxBufferedBytes: number;
}

/** A `text/event-stream` response: frames, heartbeats, and the end. */
export class SseStream {
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly maxBufferedBytes: number;

  constructor(
    private readonly response: ServerResponse,
    { heartbeatMs, retryMs, maxBufferedBytes }: SseOptions,
  ) {
    this.maxBufferedBytes = maxBufferedBytes;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${retryMs}\n\n`);
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), heartbeatMs);
    response.once('close', () => clearInterval(this.heartbeat));
  }

  send(event: AnalysisEvent): void {
    this.write(sseFrame(event));
  }

  /** Checked before writing, so one frame larger than the bound still goes to a client that reads. */
  private write(text: string): void {
    if (this.response.destroyed) return;
    if (this.response.writableLength > this.maxBufferedBytes) {
      clearInterval(this.heartbeat);
      this.response.destroy();
      return;
    }
    this.response.write(text);
  }

  end(): void {
    clearInterval(this.heartbeat);
    if (!this.response.writableEnded) this.response.end();
  }

  /** The connection closed, whoever closed it. */
  onClose(listener: () => void): void {
    this.response.once('close', listener);
  }
}
