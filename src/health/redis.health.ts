import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { REDIS } from '../bus/redis.providers';
import type { RedisClient } from '../bus/redis-connection';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** A probe answers well within its caller's timeout, and never later than REDIS_TIMEOUT_MS. */
const PING_TIMEOUT_MS = 1_000;

/** Terminus has no Redis indicator: up when the process's command connection answers PING in time. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly indicators: HealthIndicatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(key = 'redis') {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(this.redis.ping(), Math.min(PING_TIMEOUT_MS, this.config.redisTimeoutMs));
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: `Redis does not answer: ${describe(error)}` });
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
