/**
 * The service's own event store, loaded from the build (dist/) the service
 * processes run, so that the bench writes events exactly as the worker does.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import type { EventStore } from '../../src/bus/event-store';
import type { RedisKeys } from '../../src/bus/redis-keys';
import type { RedisPublisher } from '../../src/bus/redis.publisher';
import type { AppConfig } from '../../src/config/app-config';
import type { Metrics as MetricsClass } from '../../src/observability/metrics';
import { DIST } from './paths';
import { bullJobId, DEMO_BODY, JOB_OPTIONS, QUEUE_NAME } from './shapes';

function load<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(DIST, path)) as T;
}

export interface ServiceStore {
  store: EventStore;
  /** The worker's Publisher, as the runner uses it. */
  publisher: RedisPublisher;
  redis: Redis;
  keys: RedisKeys;
  close(): Promise<void>;
}

export function openServiceStore(redisUrl: string, keyPrefix = 'ras'): ServiceStore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('reflect-metadata');
  const { EventStore: Store } = load<{ EventStore: typeof EventStore }>('bus/event-store.js');
  const { RedisKeys: Keys } = load<{ RedisKeys: typeof RedisKeys }>('bus/redis-keys.js');
  const { loadConfig } = load<{ loadConfig: (env: Record<string, string>) => AppConfig }>(
    'config/app-config.js',
  );
  const config = loadConfig({ REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix });
  const redis = new Redis(redisUrl, { connectionName: 'bench:store', maxRetriesPerRequest: null });
  const { RedisPublisher: Publisher } = load<{ RedisPublisher: typeof RedisPublisher }>(
    'bus/redis.publisher.js',
  );
  const { Metrics } = load<{ Metrics: typeof MetricsClass }>('observability/metrics.js');
  const keys = new Keys(keyPrefix);
  const store = new Store(redis, keys, config);
  return {
    store,
    publisher: new Publisher(store, new Metrics()),
    redis,
    keys,
    close: async () => {
      await redis.quit();
    },
  };
}

export interface JobSeed {
  /** Create the snapshot and `queued` event through the service's event store. */
  withSnapshot: boolean;
  /** Add the job to BullMQ with the service's data and options. */
  enqueue: boolean;
}

/**
 * Seeds `count` demo jobs the way AnalysisService.create does (snapshot, then
 * Queue.add), in bulk; this is set-up, outside any measured window.
 */
export async function seedJobs(
  redisUrl: string,
  prefix: string,
  count: number,
  seed: JobSeed,
  store?: ServiceStore,
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const batch = 2_000;
  const anonymous = { tenant: '_anonymous', token: '' }; // the tenant of every job while auth is off
  const queue = seed.enqueue
    ? new Queue(QUEUE_NAME, { connection: redisOptions(redisUrl, 'bench:seed'), prefix })
    : undefined;
  for (let start = 0; start < ids.length; start += batch) {
    const slice = ids.slice(start, start + batch);
    if (seed.withSnapshot && store) {
      await Promise.all(
        slice.map((id) => store.store.create(id, DEMO_BODY.pipeline, '', anonymous)),
      );
    }
    await queue?.addBulk(
      slice.map((id) => ({
        name: DEMO_BODY.pipeline,
        data: {
          id,
          pipeline: DEMO_BODY.pipeline,
          input: DEMO_BODY.input,
          // The service's jobs carry their tenant, for the worker's filing writes.
          ...(seed.withSnapshot ? { tenant: anonymous.tenant } : {}),
        },
        opts: { jobId: bullJobId(id), ...JOB_OPTIONS },
      })),
    );
  }
  await queue?.close();
  return ids;
}

export function redisOptions(redisUrl: string, connectionName: string) {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port), connectionName };
}
