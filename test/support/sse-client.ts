import type { AnalysisEvent } from '../../src/core/analysis.types';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * A Server-Sent Events reader over fetch, parsing the stream as a browser's
 * EventSource does and recording what arrived, so a test can wait for a
 * message that may already be there.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  /** Resolves when the server ends the stream (or the client closes it). */
  readonly ended: Promise<void>;
  private waiters: (() => void)[] = [];

  private constructor(
    body: ReadableStream<Uint8Array>,
    private readonly abort: AbortController,
  ) {
    this.ended = this.read(body);
  }

  /** Opens the stream; a non-2xx answer is returned as is, with its JSON body. */
  static async open(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; stream?: SseClient; body?: unknown; headers: Headers }> {
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    if (response.status !== 200 || !response.body) {
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text ? JSON.parse(text) : undefined,
      };
    }
    const stream = new SseClient(response.body, abort);
    return { status: response.status, headers: response.headers, stream };
  }

  events(): AnalysisEvent[] {
    return this.messages.map((message) => JSON.parse(message.data) as AnalysisEvent);
  }

  /** Resolves once a received event satisfies `until`. */
  async waitFor(until: (event: AnalysisEvent) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.events().some(until)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`timed out waiting for an SSE event; got ${JSON.stringify(this.messages)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Drops the connection, as a client going away does. */
  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (error) {
      if (!this.abort.signal.aborted) throw error;
    }
  }

  private dispatch(block: string): void {
    const message: SseMessage = { data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'id') message.id = value;
      else if (field === 'event') message.event = value;
      else if (field === 'retry') this.retry = Number(value);
    }
    if (data.length === 0) return;
    message.data = data.join('\n');
    this.messages.push(message);
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}
