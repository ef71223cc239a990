import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ensureRedis, redisAnswers } from '../../src/local-redis/ensure-redis';
import { freePort } from '../support/free-port';
import { startPrivateRedis } from '../support/private-redis';

describe('npm start without a Redis', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ras-data-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts a private redis-server with persistence under the data folder when nothing answers', async () => {
    const port = await freePort();
    const address = `redis://127.0.0.1:${port}`;
    expect(await redisAnswers('127.0.0.1', port)).toBe(false);
    const server = await ensureRedis({ redisUrlSet: false }, address, dataDir);
    expect(server?.url).toBe(address);
    const client = new Redis(address);
    try {
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'dir')).toEqual(['dir', dataDir]);
    } finally {
      client.disconnect();
      await server?.stop();
    }
    expect(await redisAnswers('127.0.0.1', port)).toBe(false);
  });

  it('uses the Redis that answers, and never starts one when REDIS_URL is set', async () => {
    const running = await startPrivateRedis();
    try {
      expect(await ensureRedis({ redisUrlSet: false }, running.url, dataDir)).toBeUndefined();
      const unused = `redis://127.0.0.1:${await freePort()}`;
      expect(await ensureRedis({ redisUrlSet: true }, unused, dataDir)).toBeUndefined();
    } finally {
      await running.stop();
    }
  });

  it('says in one line how to get Redis when redis-server is not installed', async () => {
    const path = process.env.PATH;
    process.env.PATH = dataDir;
    try {
      const address = `redis://127.0.0.1:${await freePort()}`;
      await expect(ensureRedis({ redisUrlSet: false }, address, dataDir)).rejects.toThrow(
        /^No Redis answers at redis:\/\/127\.0\.0\.1:\d+ and redis-server is not installed: install Redis .* or set REDIS_URL/,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
