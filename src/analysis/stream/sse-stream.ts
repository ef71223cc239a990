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
}

/** A `text/event-stream` response: frames, heartbeats, and the end. */
export class SseStream {
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly response: ServerResponse,
    { heartbeatMs, retryMs }: SseOptions,
  ) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${retryMs}\n\n`);
    this.heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
    response.once('close', () => clearInterval(this.heartbeat));
  }

  send(event: AnalysisEvent): void {
    this.response.write(sseFrame(event));
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
