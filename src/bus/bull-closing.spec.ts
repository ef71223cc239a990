import { untilConnected } from './bull-closing';

const never = { waitUntilReady: () => new Promise<never>(() => undefined) };

describe('untilConnected', () => {
  it('waits for every connection still connecting', async () => {
    let connect!: () => void;
    const connecting = {
      waitUntilReady: () => new Promise<void>((resolve) => (connect = resolve)),
    };
    let settled = false;
    const waiting = untilConnected(
      [{ waitUntilReady: () => Promise.resolve() }, connecting],
      60_000,
    );
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve)); // every pending promise has run
    expect(settled).toBe(false);
    connect();
    await waiting;
  });

  it('gives up after the grace, when Redis is unreachable', async () => {
    jest.useFakeTimers();
    try {
      const waiting = untilConnected([never], 2_000);
      jest.advanceTimersByTime(2_000);
      await expect(waiting).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not fail when a connection fails', async () => {
    const failing = { waitUntilReady: () => Promise.reject(new Error('Connection is closed.')) };
    await expect(untilConnected([failing], 60_000)).resolves.toBeUndefined();
  });
});
