import { type Job, type Processor, type Queue, type RedisClient, Worker } from 'bullmq';
import type { AnalysisJobData } from './analysis-job';

/** The jobs a process may run at once, shared by the workers of all its queue shards. */
export class SlotPool {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  get inUse(): number {
    return this.size - this.free;
  }

  /** Takes a slot if one is free now. */
  tryAcquire(): boolean {
    if (this.free === 0) return false;
    this.free -= 1;
    return true;
  }

  /** Takes a slot, waiting for one (first come, first served). */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/**
 * A shard's worker that takes a job only with a slot of the process's pool.
 * The slot is taken after BullMQ's blocking wait for a job (so an idle shard
 * holds none) and before the job is moved to active (so a job is never locked
 * by a process that cannot run it); it is given back once the job is finished.
 * BullMQ's chained fetch (the next job taken with the finished one's update)
 * is turned off so that every job passes through the pool.
 *
 * BullMQ starts the jobs it fetched only once its fetching pauses: while this
 * worker holds a fetched job not yet started, a fetch that finds no free slot
 * returns nothing at once (which pauses the fetching) instead of waiting for a
 * slot that job may be holding.
 */
export class BudgetedWorker extends Worker<AnalysisJobData> {
  private fetchedNotStarted = 0;

  constructor(
    name: string,
    processor: Processor<AnalysisJobData>,
    options: ConstructorParameters<typeof Worker>[2],
    private readonly slots: SlotPool,
  ) {
    super(name, processor, options);
  }

  protected override async moveToActive(
    client: RedisClient,
    token: string,
    name?: string,
  ): Promise<Job<AnalysisJobData>> {
    if (!this.slots.tryAcquire()) {
      if (this.fetchedNotStarted > 0) return undefined as unknown as Job<AnalysisJobData>;
      await this.slots.acquire();
    }
    let job: Job<AnalysisJobData> | undefined;
    try {
      // Closing while waiting for a slot: take no more jobs.
      if (!this.closing) job = await super.moveToActive(client, token, name);
    } finally {
      if (job) this.fetchedNotStarted += 1;
      else this.slots.release();
    }
    return job as Job<AnalysisJobData>;
  }

  override async processJob(
    job: Job<AnalysisJobData>,
    token: string,
  ): Promise<void | Job<AnalysisJobData>> {
    this.fetchedNotStarted -= 1;
    try {
      return await super.processJob(job, token, () => false);
    } finally {
      this.slots.release();
    }
  }
}

export interface ShardWorkerOptions {
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
}

/**
 * One worker per queue shard, each with the queue's own connection and prefix.
 * One shard: a plain BullMQ worker, whose concurrency is the budget. Several:
 * every worker may use the whole budget (an idle shard's share goes to the busy
 * ones) but they draw from one SlotPool, so the process never runs more at once.
 */
export function createShardWorkers(
  queues: readonly Queue<AnalysisJobData>[],
  processor: Processor<AnalysisJobData>,
  options: ShardWorkerOptions,
): Worker<AnalysisJobData>[] {
  const settingsOf = (queue: Queue<AnalysisJobData>) => ({
    ...options,
    connection: queue.opts.connection,
    prefix: queue.opts.prefix,
    autorun: false,
  });
  if (queues.length === 1) {
    const [queue] = queues;
    return [new Worker<AnalysisJobData>(queue.name, processor, settingsOf(queue))];
  }
  const slots = new SlotPool(options.concurrency);
  return queues.map((queue) => new BudgetedWorker(queue.name, processor, settingsOf(queue), slots));
}
