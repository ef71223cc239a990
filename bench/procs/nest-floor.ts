/**
 * The floor of the service's stack for scenario 2: NestJS on Fastify, as the service runs it,
 * with one controller whose POST /analyses does what the bare api's does (the same hand-written
 * checks, then Queue.add with the service's job data and options) and nothing of the service:
 * no guard, pipe, filter, request log, metrics, event store or admission. The service ÷ this
 * is what the service's own request path costs; this ÷ bare is what the framework costs.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, HttpException, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import type { AnalysisSnapshot } from '../../src/core/analysis.types';
import { HttpError, validateDemoRequest } from '../lib/demo-request';
import { announceReady, serve } from '../lib/rpc';
import { bullJobId, JOB_OPTIONS, QUEUE_NAME, queuedSnapshot } from '../lib/shapes';

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port) };
const queue = new Queue(QUEUE_NAME, { connection, prefix: process.env.KEY_PREFIX ?? 'floor' });

@Controller('analyses')
class FloorController {
  @Post()
  @HttpCode(202)
  async create(
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnalysisSnapshot> {
    let request: ReturnType<typeof validateDemoRequest>;
    try {
      request = validateDemoRequest(body);
    } catch (error) {
      if (error instanceof HttpError) throw new HttpException(error.message, error.status);
      throw error;
    }
    const id = randomUUID();
    const { pipeline, input } = request;
    await queue.add(pipeline, { id, pipeline, input }, { jobId: bullJobId(id), ...JOB_OPTIONS });
    void reply.header('Location', `/analyses/${id}`);
    return queuedSnapshot(id, pipeline, new Date().toISOString());
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

serve({});

async function main(): Promise<void> {
  await queue.waitUntilReady();
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), {
    logger: ['error', 'warn'],
  });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address();
  process.once('SIGTERM', () => {
    void Promise.allSettled([app.close(), queue.close()]).finally(() => process.exit(0));
  });
  announceReady({ port: typeof address === 'object' && address ? address.port : 0 });
}

void main();
