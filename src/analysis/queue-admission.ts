import {
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  ServiceUnavailableException,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { withHeaders } from '../http/response-headers';
import { ANALYSIS_QUEUE_SHARDS, type QueueShards } from './queue-shards';

/** How often the queue's depth is read in the background. */
const REFRESH_MS = 1_000;
/** An estimate older than this is not trusted: the depth is read before admitting. */
const STALE_MS = 5_000;
/** Within this many jobs of the limit (or past half of it), every admission reads the depth. */
const EXACT_WITHIN = 1_000;
/** How long a client refused by MAX_QUEUED_JOBS is asked to wait. */
const RETRY_AFTER_SECONDS = 5;

/**
 * MAX_QUEUED_JOBS: whether a new job may join the queue (a total over its shards). Far below the limit
 * a background estimate of the depth (read every second, plus the jobs this
 * process added since) answers without a Redis round trip; near the limit,
 * or when the estimate is stale, the depth is read from BullMQ for each job.
 * Other processes' enqueues between two reads could pass the limit by at most
 * what they add in a second, and only while it is more than 1,000 jobs away.
 */
@Injectable()
export class QueueAdmission implements OnModuleInit, OnModuleDestroy {
  private estimate: { depth: number; at: number; addedSince: number } | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    @Inject(ANALYSIS_QUEUE_SHARDS) private readonly queues: QueueShards,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Resolves when a new job may be queued; otherwise throws 503 with
   * Retry-After, unless `exists` finds the request's job already stored (a
   * repeated PUT is not a new job).
   */
  async admit(exists: () => Promise<boolean>): Promise<void> {
    const max = this.config.maxQueuedJobs;
    const { estimate } = this;
    if (estimate && Date.now() - estimate.at < STALE_MS) {
      const depth = estimate.depth + estimate.addedSince;
      if (depth < max / 2 && max - depth > EXACT_WITHIN) {
        estimate.addedSince += 1;
        return;
      }
    }
    const depth = await this.queues.count();
    this.estimate = { depth, at: Date.now(), addedSince: 1 };
    if (depth < max || (await exists())) return;
    throw withHeaders(
      new ServiceUnavailableException(
        `Too many analyses are waiting (MAX_QUEUED_JOBS is ${max}); try again later`,
      ),
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }

  private async refresh(): Promise<void> {
    try {
      // While Redis is away a read would wait for it, and hold up the process's shutdown.
      const clients = await Promise.all(this.queues.all.map((queue) => queue.client));
      if (clients.some((client) => client.status !== 'ready')) return;
      const depth = await this.queues.count();
      this.estimate = { depth, at: Date.now(), addedSince: 0 };
    } catch {
      // Redis is away: the estimate goes stale and admissions read the depth themselves.
    }
  }
}
