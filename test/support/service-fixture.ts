import type { AnyPipeline } from '../../src/core/pipeline.types';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { type RunningApp, startApp } from './in-process-app';
import { LiveClient } from './live-client';
import { startPrivateRedis } from './private-redis';

export interface ServiceFixture {
  readonly redis: RedisServer;
  readonly service: RunningApp;
  /** A connected socket client, closed after the file's tests. */
  client(transports?: ('websocket' | 'polling')[]): Promise<LiveClient>;
}

/**
 * For a test file: a private Redis and the whole service in this process,
 * started before its tests and stopped after them.
 */
export function useService(
  env: Record<string, string> = {},
  pipelines?: readonly AnyPipeline[],
): ServiceFixture {
  let redis: RedisServer | undefined;
  let service: RunningApp | undefined;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    service = await startApp(redis.url, env, pipelines);
  });

  afterAll(async () => {
    clients.forEach((client) => client.close());
    await service?.close();
    await redis?.stop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the service fixture is used before beforeAll ran');
    return value;
  };

  return {
    get redis() {
      return started(redis);
    },
    get service() {
      return started(service);
    },
    async client(transports) {
      const live = new LiveClient(started(service).url, transports);
      clients.push(live);
      await live.connected();
      return live;
    },
  };
}
