import type { Work } from './pipeline.types';

/**
 * Runs work to completion at once, ignoring its checkpoints and waits. For
 * callers that need the answer synchronously, such as request validation.
 */
export function runToCompletion<T>(work: Work<T>): T {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
  }
}
