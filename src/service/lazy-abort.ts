/**
 * An AbortController that makes its AbortSignal only when asked for one. Making
 * a signal costs more than the rest of a short job's attempt, and most attempts
 * are never aborted and never wait: whether to stop is read from `aborted` and
 * `reason`, and a signal is made only for what needs one (a wait).
 */
export class LazyAbortController {
  private abortedWith: { reason: unknown } | undefined;
  private controller: AbortController | undefined;

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  /** Why it was aborted; undefined while it was not. */
  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Aborts, once: later calls change nothing. */
  abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
  }

  /** A signal aborted, with the same reason, when this is (already, if it was). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }
}
