import type { Queue } from 'bullmq';
import { untilConnected } from '../bus/bull-closing';
import type { AnalysisJobData } from './analysis-job';

/** Injection token of the module's queue shards (`QueueShards`). */
export const ANALYSIS_QUEUE_SHARDS = Symbol('ANALYSIS_QUEUE_SHARDS');

/**
 * The names of the queues the work is split over: one shard keeps the queue's
 * own name (the key layout of a single queue stays as it was); N shards are
 * `<name>-0 … <name>-{N-1}`, each its own hash tag on a cluster (see bullPrefix).
 */
export function shardNames(queueName: string, shards: number): string[] {
  if (shards <= 1) return [queueName];
  return Array.from({ length: shards }, (_, index) => `${queueName}-${index}`);
}

/** FNV-1a (32 bits) of the id: stable across processes and versions, so every process picks one shard. */
export function shardIndexOf(id: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** The module's BullMQ queues, one per shard: a job lives in the shard of its id. */
export class QueueShards {
  constructor(readonly all: readonly Queue<AnalysisJobData>[]) {
    if (all.length === 0) throw new Error('QueueShards needs at least one queue');
  }

  /** Nest closes the queues after this (their onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await untilConnected(this.all);
  }

  forId(id: string): Queue<AnalysisJobData> {
    return this.all[shardIndexOf(id, this.all.length)];
  }

  /** Jobs waiting or delayed over every shard (MAX_QUEUED_JOBS is a total). */
  async count(): Promise<number> {
    const counts = await Promise.all(this.all.map((queue) => queue.count()));
    return counts.reduce((sum, count) => sum + count, 0);
  }
}
