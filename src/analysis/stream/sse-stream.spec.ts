import { connect } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AnalysisEvent } from '../../core/analysis.types';
import { sseFrame, SseStream } from './sse-stream';

const event: AnalysisEvent = {
  id: 'job',
  seq: 7,
  type: 'progress',
  status: 'running',
  progress: 50,
  step: 'step_one',
  attempt: 1,
  data: { text: 'two\nlines' },
  at: '2026-01-01T00:00:00.000Z',
};

describe('sseFrame', () => {
  it('carries the seq as id, the event name, and the event as one line of JSON', () => {
    expect(sseFrame(event)).toBe(
      `id: 7\nevent: analysis.event\ndata: ${JSON.stringify(event)}\n\n`,
    );
    expect(sseFrame(event).split('\n')).toHaveLength(5);
  });
});

describe('SseStream', () => {
  let server: Server;
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('answers text/event-stream with a retry hint, sends heartbeats while idle, and ends', async () => {
    server = createServer((_request, response) => {
      const stream = new SseStream(response, {
        heartbeatMs: 20,
        retryMs: 1_000,
        maxBufferedBytes: 1_048_576,
      });
      setTimeout(() => {
        stream.send(event);
        stream.end();
      }, 70);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const text = await response.text();
    expect(text.startsWith('retry: 1000\n\n: heartbeat\n\n')).toBe(true);
    expect(text.endsWith(sseFrame(event))).toBe(true);
  });
});

describe('SseStream backpressure', () => {
  let server: Server;
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('closes a stream whose client does not read once its unsent bytes pass the bound', async () => {
    const big: AnalysisEvent = { ...event, data: { text: 'x'.repeat(256 * 1024) } };
    let frames = 0;
    let largestBacklog = 0;
    const closed = new Promise<void>((resolve) => {
      server = createServer((_request, response) => {
        const stream = new SseStream(response, {
          heartbeatMs: 60_000,
          retryMs: 1_000,
          maxBufferedBytes: 1_048_576,
        });
        stream.onClose(resolve);
        // Write as a busy job would, never waiting for the client.
        const pump = (): void => {
          if (response.destroyed) return;
          stream.send(big);
          frames += 1;
          largestBacklog = Math.max(largestBacklog, response.writableLength);
          setImmediate(pump);
        };
        pump();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // A client that sends its request and then never reads a byte.
    const client = connect(port, '127.0.0.1', () => {
      client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      client.pause();
    });
    await closed;
    client.destroy();
    // Kernel buffers take some frames; the stream's own backlog never grows past one frame over the bound.
    expect(frames).toBeGreaterThan(4);
    expect(largestBacklog).toBeGreaterThan(1_048_576);
    expect(largestBacklog).toBeLessThanOrEqual(1_048_576 + sseFrame(big).length);
  });
});
