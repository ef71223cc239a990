import type { AnalysisEvent } from '../../core/analysis.types';
import type { ChannelSubscriber } from '../../bus/channel.subscriber';
import type { EventStore } from '../../bus/event-store';
import { JobCursor } from './job-cursor';

function event(seq: number, type: AnalysisEvent['type'] = 'progress'): AnalysisEvent {
  const status = type === 'completed' ? 'completed' : 'running';
  return { id: 'job', seq, type, status, progress: seq, step: null, attempt: 1, at: '' };
}

const BACKSTOP_MS = 1_000;

/** Cursors left open would keep the process's shared backstop timer running into the next test. */
const opened: JobCursor[] = [];
afterEach(() => opened.splice(0).forEach((cursor) => cursor.close()));

/** A fake of the event log and the channel that keeps what the cursor relies on: order and hints. */
function setup(logLength: number, after = 0) {
  const log = Array.from({ length: logLength }, (_, index) => event(index + 1));
  const handlers = new Set<(message: string) => void>();
  const resyncs = new Set<() => void>();
  let afterRead: () => void = () => undefined;
  let failReads = false;
  const store = {
    events: async (_id: string, from: number) => {
      if (failReads) throw new Error('Redis is down');
      const events = log.slice(from);
      afterRead();
      return events;
    },
  } as unknown as EventStore;
  const subscriber = {
    subscribe: async (_channel: string, handler: (message: string) => void) => {
      handlers.add(handler);
    },
    unsubscribe: async (_channel: string, handler: (message: string) => void) => {
      handlers.delete(handler);
    },
    onResync: (listener: () => void) => {
      resyncs.add(listener);
      return () => resyncs.delete(listener);
    },
  } as unknown as ChannelSubscriber;
  const delivered: number[] = [];
  const ends: unknown[] = [];
  const cursor = new JobCursor(
    'job',
    after,
    { store, subscriber, channel: 'job:live', backstopMs: BACKSTOP_MS },
    { event: (next) => delivered.push(next.seq), end: (error) => ends.push(error ?? 'done') },
  );
  opened.push(cursor);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    cursor,
    delivered,
    ends,
    handlers,
    resyncs,
    settle,
    /** Appends to the log and, unless `lost`, announces it on the channel as the Lua script does. */
    publish(next: AnalysisEvent, lost = false) {
      log.push(next);
      if (!lost) handlers.forEach((handler) => handler(JSON.stringify(next)));
    },
    afterNextRead(hook: () => void) {
      afterRead = () => {
        afterRead = () => undefined;
        hook();
      };
    },
    failReads() {
      failReads = true;
    },
    /** What a Redis failover behind the master leaves: the log's last events gone. */
    dropLast(count: number) {
      log.splice(log.length - count, count);
    },
  };
}

describe('JobCursor', () => {
  it('delivers the history after `after`, then live events, each once and in order', async () => {
    const feed = setup(3, 1);
    await feed.cursor.open();
    expect(feed.delivered).toEqual([2, 3]);
    feed.publish(event(4));
    await feed.settle();
    expect(feed.delivered).toEqual([2, 3, 4]);
  });

  it('misses no event published while it reads the history: it subscribed first', async () => {
    const feed = setup(2);
    // Not in what the read returns: only the channel can bring it.
    feed.afterNextRead(() => feed.publish(event(3)));
    await feed.cursor.open();
    await feed.settle();
    expect(feed.delivered).toEqual([1, 2, 3]);
  });

  it('delivers the events a failover renumbered under a new epoch, rather than skip them as repeats', async () => {
    const feed = setup(3);
    await feed.cursor.open();
    feed.dropLast(1);
    feed.publish({ ...event(3), epoch: 1, progress: 30 });
    feed.publish({ ...event(4), epoch: 1 });
    feed.publish({ ...event(4), epoch: 1 });
    await feed.settle();
    expect(feed.delivered).toEqual([1, 2, 3, 3, 4]);
  });

  it('fills a gap in the messages from the log, and drops repeated messages', async () => {
    const feed = setup(1);
    await feed.cursor.open();
    feed.publish(event(2), true);
    feed.publish(event(3));
    feed.publish(event(3));
    await feed.settle();
    expect(feed.delivered).toEqual([1, 2, 3]);
  });

  it('catches up when the subscriber connection comes back', async () => {
    const feed = setup(1);
    await feed.cursor.open();
    feed.publish(event(2), true);
    feed.resyncs.forEach((resync) => resync());
    await feed.settle();
    expect(feed.delivered).toEqual([1, 2]);
  });

  it('re-reads the log when it has heard nothing for a while: a message lost unnoticed costs only latency', async () => {
    jest.useFakeTimers();
    try {
      const feed = setup(1);
      await feed.cursor.open();
      feed.publish(event(2), true); // the connection never noticed it lost this one
      await jest.advanceTimersByTimeAsync(BACKSTOP_MS / 2);
      expect(feed.delivered).toEqual([1]);
      await jest.advanceTimersByTimeAsync(BACKSTOP_MS);
      expect(feed.delivered).toEqual([1, 2]);
      feed.publish(event(3, 'completed'), true);
      await jest.advanceTimersByTimeAsync(2 * BACKSTOP_MS);
      expect(feed.delivered).toEqual([1, 2, 3]);
      expect(feed.ends).toEqual(['done']);
      expect(jest.getTimerCount()).toBe(0); // the ended cursor keeps no timer
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends after the terminal event and stops listening', async () => {
    const feed = setup(1);
    await feed.cursor.open();
    feed.publish(event(2, 'completed'));
    await feed.settle();
    expect(feed.delivered).toEqual([1, 2]);
    expect(feed.ends).toEqual(['done']);
    expect(feed.handlers.size).toBe(0);
    expect(feed.resyncs.size).toBe(0);
  });

  it('stops listening, without ending through the sink, when the reader leaves', async () => {
    const feed = setup(1);
    await feed.cursor.open();
    feed.cursor.close();
    feed.publish(event(2));
    await feed.settle();
    expect(feed.delivered).toEqual([1]);
    expect(feed.ends).toEqual([]);
    expect(feed.handlers.size).toBe(0);
  });

  it('ends with the error when the log cannot be read', async () => {
    const feed = setup(1);
    feed.failReads();
    await feed.cursor.open();
    expect(feed.ends).toEqual([new Error('Redis is down')]);
    expect(feed.handlers.size).toBe(0);
  });
});
