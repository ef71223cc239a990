import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { RedisHealthIndicator } from './redis.health';
import { WorkerHealthIndicator } from './worker.health';

const INDICATOR_SCHEMA = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
  },
};

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly worker: WorkerHealthIndicator,
  ) {}

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
  @ApiOperation({
    summary: 'Readiness: Redis answers, and on a worker its BullMQ worker runs',
  })
  @ApiOkResponse({
    description: 'The process can take work.',
    schema: {
      type: 'object',
      required: ['status', 'details'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        info: INDICATOR_SCHEMA,
        error: INDICATOR_SCHEMA,
        details: INDICATOR_SCHEMA,
      },
      example: {
        status: 'ok',
        info: { redis: { status: 'up' }, worker: { status: 'up' } },
        error: {},
        details: { redis: { status: 'up' }, worker: { status: 'up' } },
      },
    },
  })
  @ApiServiceUnavailableResponse({
    description:
      'Redis does not answer, or (worker) the BullMQ worker is not running or closing; `message` says which.',
    schema: {
      type: 'object',
      required: ['statusCode', 'error', 'message'],
      properties: {
        statusCode: { type: 'integer', example: 503 },
        error: { type: 'string', example: 'Service Unavailable' },
        message: { type: 'string', example: 'Redis does not answer: no reply within 1000 ms' },
        details: INDICATOR_SCHEMA,
      },
    },
  })
  async ready(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [() => this.redis.check()];
    if (this.worker.hasWorkers()) checks.push(() => this.worker.check());
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Terminus's body in Nest's error shape, its reasons as the message.
      const { details } = error.getResponse() as HealthCheckResult;
      const reasons = Object.entries(details)
        .filter(([, result]) => result.status !== 'up')
        .map(([name, result]) => String(result.message ?? `${name} is ${result.status}`));
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        message: reasons.join('; '),
        details,
      });
    }
  }
}
