import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type Redis from 'ioredis';
import { REDIS } from '../bus/redis.providers';

const READY_TIMEOUT_MS = 1_000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs' })
  @ApiOkResponse({
    description: 'The process is up and its event loop turns.',
    schema: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['ok'] } },
      example: { status: 'ok' },
    },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Redis answers' })
  @ApiOkResponse({
    description: 'Redis answers: the process can take work.',
    schema: {
      type: 'object',
      required: ['status', 'redis'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        redis: { type: 'string', enum: ['up'] },
      },
      example: { status: 'ok', redis: 'up' },
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'Redis does not answer.',
    schema: {
      type: 'object',
      properties: {
        statusCode: { type: 'integer', example: 503 },
        error: { type: 'string', example: 'Service Unavailable' },
        message: { type: 'string', example: 'Redis does not answer: no reply within 1000 ms' },
      },
    },
  })
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
