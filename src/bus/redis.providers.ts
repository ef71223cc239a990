import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { clustered, connectRedis } from './redis-connection';
import { RedisKeys } from './redis-keys';

export { connectRedis } from './redis-connection';

/** The connection for commands, shared by everything in the process but BullMQ's blocking reads. */
export const REDIS = Symbol('REDIS');
/**
 * The process's connection in subscriber mode: on a cluster, one per master
 * at most (ioredis's sharded subscribers), whatever the number of channels.
 */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

export const redisProviders: Provider[] = [
  {
    provide: REDIS,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => connectRedis(config, `${config.keyPrefix}:commands`),
  },
  {
    provide: REDIS_SUBSCRIBER,
    inject: [APP_CONFIG],
    // ChannelSubscriber subscribes again itself, so that it knows when that is confirmed.
    useFactory: (config: AppConfig) =>
      connectRedis(config, `${config.keyPrefix}:subscriber`, {
        autoResubscribe: false,
        shardedSubscribers: clustered(config),
      }),
  },
  {
    provide: RedisKeys,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new RedisKeys(config.keyPrefix),
  },
];
