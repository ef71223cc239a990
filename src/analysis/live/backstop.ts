/** A feed that has heard nothing for this long re-reads its job's log tail. */
export const BACKSTOP_QUIET_MS = 10_000;

/**
 * One timer per quiet period serves every backstop of the process: a timer per
 * feed would wake an idle process with 1,000 followed jobs 200 times a second.
 * It runs only while some backstop is armed.
 */
class Ticker {
  private readonly members = new Set<Backstop>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly periodMs: number,
    private readonly onEmpty: () => void,
  ) {}

  add(backstop: Backstop): void {
    this.members.add(backstop);
    if (this.timer) return;
    this.timer = setInterval(() => this.members.forEach((member) => member.tick()), this.periodMs);
    this.timer.unref();
  }

  delete(backstop: Backstop): void {
    if (!this.members.delete(backstop) || this.members.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.onEmpty();
  }
}

const tickers = new Map<number, Ticker>();

function tickerFor(periodMs: number): Ticker {
  let ticker = tickers.get(periodMs);
  if (!ticker) {
    ticker = new Ticker(periodMs, () => tickers.delete(periodMs));
    tickers.set(periodMs, ticker);
  }
  return ticker;
}

/**
 * Quiet ticks in a row after which the backstop fires. With ticks of a tenth of
 * the quiet time, feeds that went quiet at different moments re-read in
 * different ticks, instead of all in the same one every half period.
 */
const QUIET_TICKS = 10;

/**
 * Calls `onQuiet` when nothing was heard for `quietMs`, and again after each
 * further quiet period: pub/sub may drop a message without the connection
 * noticing, and then only a re-read of the log delivers it. A lost message
 * costs at most about 1.1 × `quietMs` of latency, never the event.
 * Hearing a message only sets a flag: no clock read on the delivery path. A
 * new backstop's first period may end up to a tenth of `quietMs` early.
 */
export class Backstop {
  private heardSinceTick = false;
  private quietTicks = 0;
  private readonly ticker: Ticker;

  constructor(
    private readonly onQuiet: () => void,
    quietMs = BACKSTOP_QUIET_MS,
  ) {
    this.ticker = tickerFor(quietMs / QUIET_TICKS);
    this.ticker.add(this);
  }

  heard(): void {
    this.heardSinceTick = true;
  }

  /** Called by the shared ticker every tenth of the quiet period. */
  tick(): void {
    if (this.heardSinceTick) {
      this.heardSinceTick = false;
      this.quietTicks = 0;
      return;
    }
    this.quietTicks += 1;
    if (this.quietTicks < QUIET_TICKS) return;
    this.quietTicks = 0;
    this.onQuiet();
  }

  stop(): void {
    this.ticker.delete(this);
  }
}
