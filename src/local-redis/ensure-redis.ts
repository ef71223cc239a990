import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { type AppConfig, DEFAULT_REDIS_URL } from '../config/app-config';
import { RedisNotInstalledError, type RedisServer, startRedisServer } from './redis-server';

const PROBE_TIMEOUT_MS = 1_000;

/** Whether a Redis answers PING at host:port. */
export function redisAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * For `npm start` on a bare machine: when REDIS_URL is unset and nothing
 * answers at the default address, starts a private redis-server there with
 * its data under `.data/redis`. Returns it, or undefined when another Redis is used.
 */
export async function ensureRedis(
  config: Pick<AppConfig, 'redisUrlSet'>,
  address = DEFAULT_REDIS_URL,
  dataDir = join(process.cwd(), '.data', 'redis'),
): Promise<RedisServer | undefined> {
  if (config.redisUrlSet) return undefined;
  const { hostname, port } = new URL(address);
  if (await redisAnswers(hostname, Number(port))) return undefined;
  try {
    const server = await startRedisServer({ port: Number(port), dir: dataDir, persistent: true });
    new Logger('LocalRedis').log({
      msg: 'started a private redis-server',
      url: server.url,
      dir: dataDir,
    });
    return server;
  } catch (error) {
    if (error instanceof RedisNotInstalledError) {
      throw new Error(
        `No Redis answers at ${address} and redis-server is not installed: install Redis ≥ 6.2 (e.g. apt-get install redis-server) or set REDIS_URL to a running one.`,
      );
    }
    throw error;
  }
}
