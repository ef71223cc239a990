import { Logger } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import type { AnalysisEvent } from '../../core/analysis.types';
import type { ChannelSubscriber } from '../../bus/channel.subscriber';
import type { EventStore } from '../../bus/event-store';
import { ANALYSIS_EVENT, JobFeed } from './job-feed';

/** Fakes of Redis and Socket.IO that keep just what the feed relies on: an ordered log, rooms, a channel. */
class FakeSocket {
  readonly received: number[] = [];
  disconnected = false;
  constructor(readonly rooms: Map<string, Set<FakeSocket>>) {}
  emit(event: string, payload: AnalysisEvent): void {
    if (event === ANALYSIS_EVENT) this.received.push(payload.seq);
  }
  join(room: string): void {
    if (!this.rooms.has(room)) this.rooms.set(room, new Set());
    this.rooms.get(room)!.add(this);
  }
  leave(room: string): void {
    this.rooms.get(room)?.delete(this);
  }
  /** As Socket.IO does, a disconnected socket leaves all its rooms. */
  disconnect(): void {
    this.disconnected = true;
    this.rooms.forEach((members) => members.delete(this));
  }
}

function event(seq: number, type: AnalysisEvent['type'] = 'progress'): AnalysisEvent {
  const status = type === 'completed' ? 'completed' : 'running';
  return { id: 'job', seq, type, status, progress: seq, step: null, attempt: 1, at: '' };
}

function setup(logLength: number) {
  const log = Array.from({ length: logLength }, (_, index) => event(index + 1));
  const rooms = new Map<string, Set<FakeSocket>>();
  let handler: ((message: string) => void) | undefined;
  let reads = 0;
  let readGate: Promise<void> = Promise.resolve();
  const store = {
    events: async (_id: string, after: number) => {
      reads += 1;
      const snapshot = log.slice(after);
      await readGate;
      return snapshot;
    },
  } as unknown as EventStore;
  const subscriber = {
    subscribe: async (_channel: string, onMessage: (message: string) => void) => {
      handler = onMessage;
    },
    unsubscribe: async () => {
      handler = undefined;
    },
  } as unknown as ChannelSubscriber;
  const namespace = {
    adapter: { rooms },
    to: (room: string) => ({
      emit: (name: string, payload: AnalysisEvent) =>
        rooms.get(room)?.forEach((s) => s.emit(name, payload)),
    }),
    in: (room: string) => ({
      socketsLeave: (left: string) => rooms.get(room)?.forEach((s) => s.leave(left)),
    }),
  } as unknown as Namespace;
  const closed: JobFeed[] = [];
  const feed = new JobFeed('job', {
    store,
    subscriber,
    namespace,
    channelOf: () => 'job:live',
    logger: new Logger('test'),
    onClosed: (done) => closed.push(done),
  });
  return {
    feed,
    log,
    closed,
    socket: () => new FakeSocket(rooms),
    /** Appends to the log and, unless `lost`, announces it on the channel like the Lua script does. */
    publish(next: AnalysisEvent, lost = false) {
      log.push(next);
      if (!lost) handler?.(JSON.stringify(next));
    },
    redeliver: (seq: number) => handler?.(JSON.stringify(log[seq - 1])),
    subscribed: () => handler !== undefined,
    reads: () => reads,
    holdReads: () => {
      let release!: () => void;
      readGate = new Promise((resolve) => (release = resolve));
      return () => {
        readGate = Promise.resolve();
        release();
      };
    },
  };
}

const as = (socket: FakeSocket) => socket as unknown as Socket;
const seqs = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('JobFeed', () => {
  it('gives a joiner the history after its cursor, then live events, dropping duplicates', async () => {
    const { feed, socket, publish, redeliver } = setup(3);
    const client = socket();
    await feed.join(as(client), 1);
    publish(event(4));
    redeliver(4);
    redeliver(2);
    publish(event(5));
    await feed.leave(as(socket())); // flushes the queue
    expect(client.received).toEqual([2, 3, 4, 5]);
  });

  it('delivers the events a failover renumbered under a new epoch, rather than drop them as duplicates', async () => {
    const { feed, socket, publish, log } = setup(3);
    const client = socket();
    await feed.join(as(client), 0);
    log.pop(); // what a failover behind the master leaves
    publish({ ...event(3), epoch: 1 });
    publish({ ...event(4), epoch: 1 });
    publish({ ...event(4), epoch: 1 });
    await feed.leave(as(socket()));
    expect(client.received).toEqual([1, 2, 3, 3, 4]);
  });

  it('fills a gap left by a lost message from the log', async () => {
    const { feed, socket, publish, reads } = setup(2);
    const client = socket();
    await feed.join(as(client), 0);
    publish(event(3), true);
    publish(event(4), true);
    publish(event(5));
    await feed.leave(as(socket()));
    expect(client.received).toEqual([1, 2, 3, 4, 5]);
    expect(reads()).toBe(2);
  });

  it('catches up after the subscriber reconnected, even with no later message', async () => {
    const { feed, socket, publish } = setup(2);
    const client = socket();
    await feed.join(as(client), 0);
    publish(event(3), true);
    feed.resync();
    await feed.leave(as(socket()));
    expect(client.received).toEqual([1, 2, 3]);
  });

  it('replays privately to a later joiner while the room keeps its live order', async () => {
    const { feed, socket, publish } = setup(2);
    const early = socket();
    await feed.join(as(early), 0);
    publish(event(3));
    const late = socket();
    await feed.join(as(late), 1);
    publish(event(4));
    await feed.leave(as(socket()));
    expect(early.received).toEqual([1, 2, 3, 4]);
    expect(late.received).toEqual([2, 3, 4]);
  });

  it('loses nothing and repeats nothing for messages that arrive while a joiner reads the log', async () => {
    const { feed, socket, publish, holdReads } = setup(2);
    const first = socket();
    await feed.join(as(first), 0);
    const release = holdReads();
    const second = socket();
    const joining = feed.join(as(second), 0);
    publish(event(3));
    publish(event(4));
    release();
    await joining;
    publish(event(5));
    await feed.leave(as(socket()));
    expect(first.received).toEqual(seqs(1, 5));
    expect(second.received).toEqual(seqs(1, 5));
  });

  it('uses a read begun before the subscription held, and reads what it missed once it holds', async () => {
    const { feed, socket, publish, reads, closed } = setup(2);
    const ahead = feed.readAhead(0);
    // Published after the early read, before anyone listened, and the last: no later message shows the gap.
    publish(event(3, 'completed'), true);
    const client = socket();
    await feed.join(as(client), 0, ahead);
    expect(client.received).toEqual(seqs(1, 3));
    expect(closed).toEqual([feed]);
    expect(reads()).toBe(2); // the early read and the catch-up: the join read nothing more
  });

  it('reads again when an early read falls short of what the room has seen', async () => {
    const { feed, socket, publish, reads } = setup(2);
    const member = socket();
    await feed.join(as(member), 0);
    const ahead = feed.readAhead(0);
    publish(event(3));
    publish(event(4));
    const late = socket();
    await feed.join(as(late), 0, ahead);
    publish(event(5));
    await feed.leave(as(socket()));
    expect(member.received).toEqual(seqs(1, 5));
    expect(late.received).toEqual(seqs(1, 5));
    expect(reads()).toBe(3);
  });

  it('needs no second read when an early read covers a live room', async () => {
    const { feed, socket, publish, reads } = setup(2);
    const member = socket();
    await feed.join(as(member), 0);
    publish(event(3));
    const late = socket();
    await feed.join(as(late), 1, feed.readAhead(1));
    publish(event(4));
    await feed.leave(as(socket()));
    expect(late.received).toEqual([2, 3, 4]);
    expect(reads()).toBe(2);
  });

  it('brings the room up to a joiner that has seen more than the room', async () => {
    const { feed, socket, publish } = setup(2);
    const member = socket();
    await feed.join(as(member), 0);
    publish(event(3), true);
    publish(event(4), true);
    const ahead = socket();
    await feed.join(as(ahead), 4);
    publish(event(5));
    await feed.leave(as(socket()));
    expect(member.received).toEqual(seqs(1, 5));
    expect(ahead.received).toEqual([5]);
  });

  it('closes after the terminal event and still replays to a socket that joins later', async () => {
    const { feed, socket, publish, closed, subscribed } = setup(2);
    const client = socket();
    await feed.join(as(client), 0);
    publish(event(3, 'completed'));
    await feed.leave(as(socket()));
    expect(client.received).toEqual([1, 2, 3]);
    expect(closed).toEqual([feed]);
    expect(subscribed()).toBe(false);
    const late = socket();
    await feed.join(as(late), 1);
    expect(late.received).toEqual([2, 3]);
  });

  it('stops listening once its last socket leaves or disconnects', async () => {
    const { feed, socket, closed, subscribed } = setup(1);
    const one = socket();
    const two = socket();
    await feed.join(as(one), 0);
    await feed.join(as(two), 0);
    await feed.leave(as(one));
    expect(subscribed()).toBe(true);
    two.disconnect();
    feed.dropped();
    await feed.leave(as(socket()));
    expect(closed).toEqual([feed]);
    expect(subscribed()).toBe(false);
  });

  it('stays open for a socket still being let in, and closes once it is turned away', async () => {
    const { feed, socket, closed, subscribed } = setup(1);
    const member = socket();
    await feed.join(as(member), 0);
    const release = feed.hold();
    await feed.leave(as(member));
    expect(subscribed()).toBe(true);
    release();
    release();
    await feed.leave(as(socket()));
    expect(closed).toEqual([feed]);
    expect(subscribed()).toBe(false);
  });

  it('lets a held socket join and receive what follows', async () => {
    const { feed, socket, publish, closed } = setup(2);
    const release = feed.hold();
    const joiner = socket();
    const joined = feed.join(as(joiner), 0);
    release();
    await joined;
    publish(event(3, 'completed'));
    await feed.leave(as(socket()));
    expect(joiner.received).toEqual([1, 2, 3]);
    expect(closed).toEqual([feed]);
  });
});
