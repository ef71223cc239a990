import { Logger, type Provider } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RedisKeys } from './redis-keys';

/** The connection for commands, shared by everything in the process but BullMQ's blocking reads. */
export const REDIS = Symbol('REDIS');
/** The process's one connection in subscriber mode. */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');
/** Where to connect: a Redis URL or ioredis options. */
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');
export type RedisConnection = string | RedisOptions;

const logger = new Logger('Redis');

export function connectRedis(
  target: RedisConnection,
  name: string,
  options: RedisOptions = {},
): Redis {
  const own: RedisOptions = { connectionName: name, maxRetriesPerRequest: null, ...options };
  const redis =
    typeof target === 'string' ? new Redis(target, own) : new Redis({ ...target, ...own });
  // ioredis retries for ever: report an outage once, and its end.
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
  return redis;
}

export const redisProviders: Provider[] = [
  {
    provide: REDIS,
    inject: [APP_CONFIG, REDIS_CONNECTION],
    useFactory: (config: AppConfig, target: RedisConnection) =>
      connectRedis(target, `${config.keyPrefix}:commands`),
  },
  {
    provide: REDIS_SUBSCRIBER,
    inject: [APP_CONFIG, REDIS_CONNECTION],
    // ChannelSubscriber subscribes again itself, so that it knows when that is confirmed.
    useFactory: (config: AppConfig, target: RedisConnection) =>
      connectRedis(target, `${config.keyPrefix}:subscriber`, { autoResubscribe: false }),
  },
  {
    provide: RedisKeys,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new RedisKeys(config.keyPrefix),
  },
];
