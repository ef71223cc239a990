/** How often one recurring error is logged again while it keeps recurring. */
export const REPEAT_INTERVAL_MS = 60_000;
/** Distinct messages remembered at most (a flood of distinct ones starts afresh). */
const MAX_MESSAGES = 100;

/**
 * Passes each error message on at most once per interval, with how many times it recurred
 * in between: BullMQ reports every failed reconnection of a queue or worker as an error, so
 * a Redis outage would otherwise log a line per retry per connection.
 */
export function onceInAWhile(
  log: (message: string, repeats: number) => void,
  intervalMs = REPEAT_INTERVAL_MS,
  now: () => number = Date.now,
): (error: Error) => void {
  const seen = new Map<string, { at: number; repeats: number }>();
  return (error) => {
    const at = now();
    const last = seen.get(error.message);
    if (last && at - last.at < intervalMs) {
      last.repeats += 1;
      return;
    }
    if (!last && seen.size >= MAX_MESSAGES) seen.clear();
    seen.set(error.message, { at, repeats: 0 });
    log(error.message, last?.repeats ?? 0);
  };
}
