import type { AnyPipeline } from '../../src/core/pipeline.types';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { type RunningApp, startApp } from './in-process-app';
import { LiveClient } from './live-client';
import { startPrivateRedis } from './private-redis';
import { startRedisCluster } from './redis-cluster';

/** Where useService puts its Redis: the cluster suites switch it before importing a suite. */
const target = { cluster: false };

/** Makes the useService of the suites imported afterwards run on a 3-master Redis Cluster. */
export function runSuitesOnCluster(): void {
  target.cluster = true;
}

/** A private Redis, or a private cluster whose seeds go to the service through REDIS_CLUSTER_NODES. */
async function startRedis(): Promise<{ server: RedisServer; env: Record<string, string> }> {
  if (!target.cluster) return { server: await startPrivateRedis(), env: {} };
  const cluster = await startRedisCluster();
  const [seed] = cluster.nodes;
  return {
    server: { url: `redis://127.0.0.1:${seed.port}`, port: seed.port, stop: cluster.stop },
    env: { REDIS_CLUSTER_NODES: cluster.seeds },
  };
}

export interface ServiceFixture {
  readonly redis: RedisServer;
  readonly service: RunningApp;
  /** A connected socket client, closed after the file's tests. */
  client(transports?: ('websocket' | 'polling')[]): Promise<LiveClient>;
}

/**
 * For a test file: a private Redis (or cluster) and the whole service in this process,
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
    const started = await startRedis();
    redis = started.server;
    service = await startApp(redis.url, { ...started.env, ...env }, pipelines);
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
