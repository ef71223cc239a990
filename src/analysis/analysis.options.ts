import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import type { AppConfig, RedisNode, Role } from '../config/app-config';
import type { AnyPipeline } from '../core/pipeline.types';
import { ANALYSIS_QUEUE } from './analysis-job';

/** Limits and TTLs a host may set; each one left out takes the service's default (see the README). */
export type AnalysisLimits = Partial<
  Pick<
    AppConfig,
    | 'eventTtlSeconds'
    | 'maxBodyBytes'
    | 'shutdownGraceMs'
    | 'redisTimeoutMs'
    | 'maxQueuedJobs'
    | 'rateLimit'
    | 'maxSubscriptionsPerSocket'
    | 'maxStreams'
    | 'reconcileIntervalMs'
    | 'apiKeys'
    | 'corsOrigins'
    | 'redisWaitReplicas'
    | 'redisWaitMs'
  >
>;

/** What `AnalysisModule.forRootAsync`'s factory returns. */
export interface AnalysisModuleOptions {
  /** The pipelines this process offers and runs. */
  pipelines: readonly AnyPipeline[];
  /** A Redis URL (`redis://host:port/db`), ioredis connection options, or a Redis Cluster's seed nodes. */
  redis: string | RedisOptions | { clusterNodes: RedisNode[] };
  /** Prefix of every Redis key of the module, BullMQ's included (default `ras`). */
  keyPrefix?: string;
  limits?: AnalysisLimits;
  /** Whether Node.js process metrics join the module's Prometheus registry (default false). */
  processMetrics?: boolean;
}

/**
 * What shapes the module itself, so it is known when the module is defined:
 * which controllers, gateway and processor exist and which queue they use.
 */
export interface AnalysisModuleExtras {
  /** `api` serves clients, `worker` runs jobs, `all` both (default `all`). */
  role: Role;
  /** The BullMQ queue (default `analyses`); services sharing one Redis and prefix share it. */
  queueName: string;
  /** BullMQ queues the work is split over, each its own hash slot on a cluster (default 1). */
  queueShards: number;
  /** Jobs one worker process runs at once, over all the queue shards (default 4). */
  concurrency: number;
  /** How long a job's lock lives without renewal before the job is considered stalled (default 30 s). */
  jobLockMs: number;
  /** Exports the module's Redis connections, queue and metrics to the whole application. */
  isGlobal: boolean;
}

export const DEFAULT_EXTRAS: AnalysisModuleExtras = {
  role: 'all',
  queueName: ANALYSIS_QUEUE,
  queueShards: 1,
  concurrency: 4,
  jobLockMs: 30_000,
  isGlobal: false,
};

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: ANALYSIS_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AnalysisModuleOptions>({ moduleName: 'Analysis' })
  .setClassMethodName('forRoot')
  .setExtras<Partial<AnalysisModuleExtras>>({}, (definition) => definition)
  .build();
