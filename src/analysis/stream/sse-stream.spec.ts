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
