import type { Work } from '../core/pipeline.types';
import { LazyAbortController } from './lazy-abort';
import { drive, SLICE_MS } from './sliced-driver';

function* waits(...ms: number[]): Work<string> {
  for (const wait of ms) yield { waitMs: wait };
  return 'done';
}

function* busy(units: number, unitMs: number, done: number[] = []): Work<number> {
  for (let unit = 1; unit <= units; unit += 1) {
    const until = performance.now() + unitMs;
    while (performance.now() < until);
    done.push(unit);
    yield { done: unit / units };
  }
  return units;
}

describe('drive', () => {
  it('passes over zero waits without giving up its turn', async () => {
    let otherTaskRan = false;
    setImmediate(() => (otherTaskRan = true));
    expect(await drive(waits(0, 0, 0))).toBe('done');
    expect(otherTaskRan).toBe(false);
  });

  it('lets other tasks run between slices of computing', async () => {
    const progress: number[] = [];
    const seenByOtherTask: number[][] = [];
    const units: number[] = [];
    const timer = setInterval(() => seenByOtherTask.push([...units]), 0);
    const result = await drive(busy(20, SLICE_MS / 2, units), {
      onCheckpoint: (done) => void progress.push(done),
    });
    clearInterval(timer);
    expect(result).toBe(20);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, index) => (index + 1) / 20));
    // The other task ran while the work was half done, not only before or after it.
    expect(seenByOtherTask.some((seen) => seen.length > 0 && seen.length < 20)).toBe(true);
  });

  it('stops at the next checkpoint or wait once aborted, with the abort reason', async () => {
    const controller = new AbortController();
    const units: number[] = [];
    const reason = new Error('stop');
    const running = drive(busy(1_000, 1, units), {
      signal: controller.signal,
      onCheckpoint: (done) => {
        if (done >= 0.005) controller.abort(reason);
      },
    });
    await expect(running).rejects.toBe(reason);
    expect(units.length).toBe(5);

    const waiting = new AbortController();
    const sleeping = drive(waits(60_000), { signal: waiting.signal });
    waiting.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
  });

  it('stops the same way with a LazyAbortController, whose signal is made only for a wait', async () => {
    const computing = new LazyAbortController();
    const units: number[] = [];
    const reason = new Error('stop');
    const running = drive(busy(1_000, 1, units), {
      signal: computing,
      onCheckpoint: (done) => {
        if (done >= 0.005) computing.abort(reason);
      },
    });
    await expect(running).rejects.toBe(reason);
    expect(units.length).toBe(5);

    // Aborted once the wait has asked for its signal: the abort reaches a wait under way.
    let signalAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (signalAsked = resolve));
    const waiting = new (class extends LazyAbortController {
      override get signal(): AbortSignal {
        signalAsked();
        return super.signal;
      }
    })();
    const sleeping = drive(waits(0, 60_000), { signal: waiting });
    await asked;
    waiting.abort(reason);
    await expect(sleeping).rejects.toBe(reason);

    const abortedFirst = new LazyAbortController();
    abortedFirst.abort(reason);
    abortedFirst.abort(new Error('later'));
    expect(abortedFirst.signal.reason).toBe(reason);
  });
});
