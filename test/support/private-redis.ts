import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedisServer } from '../../src/local-redis/redis-server';
import { freePort } from './free-port';

/**
 * A redis-server of the test's own on a free port, keeping nothing on disk.
 * Tests never touch a Redis they did not start.
 */
export async function startPrivateRedis(): Promise<RedisServer & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ras-redis-'));
  const server = await startRedisServer({ port: await freePort(), dir, persistent: false });
  return {
    ...server,
    dir,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
