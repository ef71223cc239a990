import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { isTerminal } from '../core/analysis.types';
import { EventStore, type UnfinishedEntry } from '../bus/event-store';
import { RedisKeys } from '../bus/redis-keys';
import { REDIS } from '../bus/redis.providers';
import type { RedisClient } from '../bus/redis-connection';
import { bullJobId } from './analysis-job';
import { ANALYSIS_QUEUE_SHARDS, type QueueShards } from './queue-shards';
import { JobFailures } from './job-failures';

const ALIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/** Unfinished jobs checked together. */
const RECONCILE_BATCH = 100;

/** A job younger than this may be between its creation and its enqueue: left alone. */
const MIN_ENQUEUE_GRACE_MS = 10_000;

export interface ReconcileReport {
  /** Index entries of expired jobs removed. */
  trimmed: number;
  /** Unfinished jobs whose BullMQ job was gone, now `failed`. */
  failed: number;
}

/**
 * Repairs what a crash or a refused write between two writes left behind: a
 * queued or running job whose BullMQ job is gone (failed outside a worker,
 * removed by hand, never added) is marked `failed` (`error.code` `lost`), and
 * the indexes of tenants that stopped writing are trimmed. Every process runs
 * the timer; a Redis lock lets one of them do the work each interval. The cost
 * is one SCAN of the tenant keys and, per unfinished job, a snapshot read and one
 * BullMQ state check (and an index write when its entry is out of date).
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobReconciler.name);
  private readonly holder = randomUUID();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly failures: JobFailures,
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ANALYSIS_QUEUE_SHARDS) private readonly queues: QueueShards,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.runIfDue().catch((error: unknown) =>
        this.logger.warn({ msg: 'reconciliation failed; retrying next time', error: kind(error) }),
      );
    }, this.config.reconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reconciles unless another process did within the interval; undefined when it did. */
  async runIfDue(): Promise<ReconcileReport | undefined> {
    if (this.redis.status !== 'ready') return undefined;
    // Held for the whole interval, never released: one pass per interval across all processes.
    const locked = await this.redis.set(
      this.keys.reconcileLock(),
      this.holder,
      'PX',
      this.config.reconcileIntervalMs,
      'NX',
    );
    if (locked !== 'OK') return undefined;
    return this.reconcile();
  }

  /** One pass; `now` is when it runs (a test may look ahead). */
  async reconcile(now = Date.now()): Promise<ReconcileReport> {
    const report: ReconcileReport = { trimmed: 0, failed: 0 };
    const grace = Math.max(MIN_ENQUEUE_GRACE_MS, 2 * this.config.redisTimeoutMs);
    const createdBefore = now - grace;
    for (const tenant of await this.store.tenants()) {
      report.trimmed += await this.store.trimIndexes(tenant);
      const entries = await this.store.unfinished(tenant, createdBefore);
      // Checked a batch at a time, together (their commands share round trips): a deep
      // queue does not cost a few round trips per job, one after the other.
      for (let start = 0; start < entries.length; start += RECONCILE_BATCH) {
        const batch = entries.slice(start, start + RECONCILE_BATCH);
        const lost = await Promise.all(batch.map((entry) => this.failIfLost(tenant, entry)));
        report.failed += lost.filter(Boolean).length;
      }
    }
    if (report.failed > 0) this.logger.warn({ msg: 'failed jobs lost by the queue', ...report });
    return report;
  }

  /** Marks the job failed when its BullMQ job is gone; true when it did. */
  private async failIfLost(tenant: string, { id, filed }: UnfinishedEntry): Promise<boolean> {
    // An entry the index write after a crash left behind is set right first.
    const snapshot = await this.store.reconcileEntry(tenant, id, filed);
    if (!snapshot || isTerminal(snapshot.status)) return false;
    // Waiting, delayed, active: alive. Unknown (removed, or a half-written add), or
    // completed/failed while the job never recorded its end: lost.
    const state = await this.queues.forId(id).getJobState(bullJobId(id));
    return !ALIVE.has(state) && this.failLost(id);
  }

  private failLost(id: string): Promise<boolean> {
    return this.failures.failIfOpen(id, {
      message: 'The job left the queue without finishing (failed outside a worker, or removed)',
      code: 'lost',
    });
  }
}

function kind(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
