import { Logger, type Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RedisKeys } from './redis-keys';

/** The connection for commands, shared by everything in the process but BullMQ's blocking reads. */
export const REDIS = Symbol('REDIS');
/** The process's one connection in subscriber mode. */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

const logger = new Logger('Redis');

export function connectRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    lazyConnect: false,
  });
  redis.on('error', (error: Error) =>
    logger.warn({ msg: 'redis connection error', connection: name, error: error.message }),
  );
  return redis;
}

export const redisProviders: Provider[] = [
  {
    provide: REDIS,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) =>
      connectRedis(config.redisUrl, `${config.keyPrefix}:commands`),
  },
  {
    provide: REDIS_SUBSCRIBER,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) =>
      connectRedis(config.redisUrl, `${config.keyPrefix}:subscriber`),
  },
  {
    provide: RedisKeys,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new RedisKeys(config.keyPrefix),
  },
];
