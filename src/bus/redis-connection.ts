import { Logger } from '@nestjs/common';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { redisOptionsFromUrl } from './redis-url';

/** One Redis or a Redis Cluster: every connection of the service is one or the other. */
export type RedisClient = Redis | Cluster;

const logger = new Logger('Redis');

export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

export function clustered(config: Pick<AppConfig, 'redisClusterNodes'>): boolean {
  return config.redisClusterNodes.length > 0;
}

/**
 * A connection named `name` to the configured Redis: an ioredis Cluster when
 * REDIS_CLUSTER_NODES is set (REDIS_URL is then ignored), else one Redis.
 * Commands wait for the connection rather than fail (`maxRetriesPerRequest: null`).
 */
export function connectRedis(
  config: Pick<AppConfig, 'redisUrl' | 'redisClusterNodes' | 'redisOptions'>,
  name: string,
  options: RedisOptions & { shardedSubscribers?: boolean } = {},
): RedisClient {
  const { shardedSubscribers, ...redisOptions } = options;
  const nodeOptions: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest: null,
    ...redisOptions,
  };
  const redis: RedisClient = clustered(config)
    ? new Cluster(config.redisClusterNodes, {
        redisOptions: nodeOptions,
        // A failed-over or resharded slot is found again rather than failing the command.
        maxRedirections: 32,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
        shardedSubscribers: shardedSubscribers ?? false,
        // A cluster prefixes keys itself: its nodes' options do not apply to its commands.
        ...(redisOptions.keyPrefix ? { keyPrefix: redisOptions.keyPrefix } : {}),
      })
    : config.redisOptions
      ? new Redis({ ...config.redisOptions, ...nodeOptions })
      : new Redis(config.redisUrl, nodeOptions);
  reportOutages(redis, name);
  return redis;
}

/** ioredis retries for ever: report an outage once, and its end. */
function reportOutages(redis: RedisClient, name: string): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ msg: 'redis connection lost; retrying', connection: name, error: error.message });
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log({ msg: 'redis connection back', connection: name });
  });
}

/** Publishes on a channel: sharded on a cluster, where ChannelSubscriber listens with SSUBSCRIBE. */
export async function publishTo(
  redis: RedisClient,
  channel: string,
  message: string,
): Promise<void> {
  await (isCluster(redis) ? redis.spublish(channel, message) : redis.publish(channel, message));
}

/**
 * Connections handed to libraries that do not close what they were given, by the
 * configuration of the application they serve: its bus closes them on shutdown.
 */
const handedOver = new WeakMap<AppConfig, Set<RedisClient>>();

function handOver<T extends RedisClient>(config: AppConfig, redis: T): T {
  const open = handedOver.get(config) ?? new Set<RedisClient>();
  open.add(redis);
  handedOver.set(config, open);
  return redis;
}

/**
 * BullMQ's connection: options for one Redis (BullMQ opens its own), or one
 * shared Cluster (BullMQ duplicates it for each worker's blocking reads).
 */
export function bullConnection(config: AppConfig): RedisOptions | Cluster {
  if (!clustered(config)) return config.redisOptions ?? redisOptionsFromUrl(config.redisUrl);
  return handOver(config, connectRedis(config, `${config.keyPrefix}:queue`) as Cluster);
}

/**
 * The rate limiter's connection (its counters under `P:ratelimit:`): it fails a
 * command after one retry or REDIS_TIMEOUT_MS, so that a write is refused rather than held.
 */
export function rateLimiterConnection(config: AppConfig): RedisClient {
  return connectRedis(config, `${config.keyPrefix}:ratelimit`, {
    keyPrefix: `${config.keyPrefix}:ratelimit:`,
    commandTimeout: config.redisTimeoutMs,
    maxRetriesPerRequest: 1,
  });
}

export async function closeHandedOverConnections(config: AppConfig): Promise<void> {
  const open = [...(handedOver.get(config) ?? [])];
  handedOver.delete(config);
  // QUIT would wait for a connection that may never come back.
  await Promise.all(
    open.map(async (redis) => {
      if (redis.status !== 'ready') return redis.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    }),
  );
}

/**
 * BullMQ's key prefix. BullMQ keeps a queue's keys in one slot only when they
 * share a hash tag: on a cluster the prefix carries one (`P:{<queue name>}`).
 */
export function bullPrefix(config: AppConfig, queueName: string): string {
  return clustered(config) ? `${config.keyPrefix}:{${queueName}}` : config.keyPrefix;
}
