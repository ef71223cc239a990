import { HttpException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { RedisClient } from './redis-connection';
import { REDIS } from './redis.providers';

/**
 * Bounds how long a request waits for Redis (REDIS_TIMEOUT_MS): while the
 * connection is down it fails at once, and a call Redis does not answer in
 * time fails when the time is up, both with `503`, rather than hanging. A
 * timed-out command may still run once Redis answers again; what it leaves is
 * the reconciliation's to repair.
 */
@Injectable()
export class RedisDeadline {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') {
      throw new ServiceUnavailableException('Redis is unreachable; try again shortly');
    }
    const ms = this.config.redisTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ServiceUnavailableException(`Redis did not answer within ${ms} ms`)),
        ms,
      );
    });
    const working = work();
    working.catch(() => undefined); // its failure after the deadline has nobody to tell
    try {
      return await Promise.race([working, expired]);
    } catch (error) {
      throw asUnavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Redis's refusals (OOM, READONLY, LOADING…) and a connection lost mid-call are `503`s
 * too; only the reply's first word is kept, as script errors may quote their arguments.
 */
function asUnavailable(error: unknown): unknown {
  if (error instanceof HttpException || !(error instanceof Error)) return error;
  if (error.name === 'ReplyError') {
    const code = /^[A-Z]+/.exec(error.message)?.[0] ?? 'ERR';
    return new ServiceUnavailableException(
      `Redis refused the request (${code}); try again shortly`,
    );
  }
  if (
    /Connection is closed|Stream isn't writeable|ECONNRESET|ECONNREFUSED|EPIPE/.test(error.message)
  ) {
    return new ServiceUnavailableException('Redis is unreachable; try again shortly');
  }
  return error;
}
