/** The last millisecond formatted, and its text. */
let formattedMs = Number.NaN;
let formatted = '';

/**
 * `new Date().toISOString()`, formatted once per millisecond: a busy worker stamps
 * several events and a log line in each one, and formatting costs more than the rest
 * of building an event.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now !== formattedMs) {
    formattedMs = now;
    formatted = new Date(now).toISOString();
  }
  return formatted;
}
