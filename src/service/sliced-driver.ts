import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Work } from '../core/pipeline.types';
import { LazyAbortController } from './lazy-abort';

/**
 * The event loop gets a turn whenever work has computed for this long: short enough that a slice
 * plus a major GC pause (10–15 ms with a large dataset in the heap) stays within 20 ms.
 */
export const SLICE_MS = 5;

export interface DriveOptions {
  /** Stops the work; a LazyAbortController makes a signal only if the work waits. */
  signal?: AbortSignal | LazyAbortController;
  /** Called at each checkpoint with the fraction of the work done. */
  onCheckpoint?: (done: number) => Promise<void> | void;
}

/**
 * Advances pure work to its end: sleeps through its waits and yields to the
 * event loop every SLICE_MS of computing, so timers, I/O, lock renewals and
 * cancellation keep running beside it. Aborting the signal stops it at the next
 * checkpoint or during a wait, rejecting with the signal's reason.
 */
export async function drive<T>(
  work: Work<T>,
  { signal, onCheckpoint }: DriveOptions = {},
): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const next = work.next();
    if (next.done) return next.value;
    const instruction = next.value;
    if ('waitMs' in instruction) {
      // A timer never fires sooner than 1 ms: a zero wait is no wait.
      if (instruction.waitMs > 0) {
        const waiting = signal instanceof LazyAbortController ? signal.signal : signal;
        await sleep(instruction.waitMs, undefined, { signal: waiting }).catch((error: unknown) => {
          if (signal?.aborted) throw signal.reason; // the abort's reason, as at a checkpoint
          throw error;
        });
        sliceStart = performance.now();
      }
      continue;
    }
    if (performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
    await onCheckpoint?.(instruction.done);
  }
}
