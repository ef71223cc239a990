/** Runs tasks one after another, in the order they were pushed; a failed task does not stop the next. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** No task is waiting or running: work done now cannot overtake any. */
  get idle(): boolean {
    return this.pending === 0;
  }

  push(task: () => Promise<void> | void): Promise<void> {
    this.pending += 1;
    // Closures per task rather than per queue: a process holds many idle queues, one per followed job.
    const run = this.tail.then(task).then(
      () => {
        this.pending -= 1;
      },
      (error: unknown) => {
        this.pending -= 1;
        this.onError(error);
      },
    );
    this.tail = run;
    return run;
  }
}
