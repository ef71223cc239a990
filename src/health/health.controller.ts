import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import { REDIS } from '../bus/redis.providers';

const READY_TIMEOUT_MS = 1_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process is up and its event loop turns.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Redis answers: the process can take work.' })
  @ApiServiceUnavailableResponse({ description: 'Redis does not answer.' })
  async ready(): Promise<{ status: 'ok'; redis: 'up' }> {
    try {
      await withTimeout(this.redis.ping(), READY_TIMEOUT_MS);
      return { status: 'ok', redis: 'up' };
    } catch (error) {
      throw new ServiceUnavailableException(`Redis does not answer: ${describe(error)}`);
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
