/** A feed that has heard nothing for this long re-reads its job's log tail. */
export const BACKSTOP_QUIET_MS = 10_000;

/**
 * Calls `onQuiet` when nothing was heard for `quietMs`, and again after each
 * further quiet period: pub/sub may drop a message without the connection
 * noticing, and then only a re-read of the log delivers it. A lost message
 * costs at most about 1.5 × `quietMs` of latency, never the event.
 */
export class Backstop {
  private heardAt = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(onQuiet: () => void, quietMs = BACKSTOP_QUIET_MS) {
    this.timer = setInterval(() => {
      if (Date.now() - this.heardAt < quietMs) return;
      this.heardAt = Date.now();
      onQuiet();
    }, quietMs / 2);
    this.timer.unref();
  }

  heard(): void {
    this.heardAt = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
