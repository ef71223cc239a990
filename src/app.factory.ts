import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { acceptCsvBodies } from './http/csv-body.parser';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger as RootLogger } from 'pino';
import type Redis from 'ioredis';
import { AppModule } from './app.module';
import { REDIS } from './bus/redis.providers';
import { restCors } from './auth/cors';
import { LeanIoAdapter } from './lean-io.adapter';
import type { AnyPipeline } from './core/pipeline.types';
import { PIPELINES } from './core/pipelines';
import { HttpErrorFilter } from './http/http-error.filter';
import { type AppConfig, runsApi } from './config/app-config';
import { countRequests, traceRequests } from './observability/http-observer';
import { createRootLogger, nestLogger, requestId } from './observability/logger';
import { Metrics } from './observability/metrics';

/** The dataview's built assets; `..` leads to the project from dist/ and, in tests, from src/ alike. */
const DATAVIEW_DIR = join(__dirname, '..', 'dist', 'dataview');

export interface AppOptions {
  /** The process's root logger; by default one on stdout at LOG_LEVEL. */
  logger?: RootLogger;
  /** The pipelines to offer and run; every registered pipeline by default. */
  pipelines?: readonly AnyPipeline[];
}

/** Builds the application for a configuration, ready to listen: shared by main and the tests. */
export async function createApp(
  config: AppConfig,
  { logger = createRootLogger(config.logLevel), pipelines = PIPELINES }: AppOptions = {},
): Promise<NestFastifyApplication> {
  // Nothing of NATS, not even its client library, is loaded without NATS_URL.
  const nats = config.nats && {
    config: config.nats,
    ...(await import('./nats/nats.module')),
    ...(await import('./nats/nats-entry')),
  };
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(
      config,
      pipelines,
      nats ? [nats.NatsModule.forRoot(nats.config, { entry: runsApi(config) })] : [],
    ),
    // Ids are up to 128 characters; Fastify's default would answer 414 above 100.
    new FastifyAdapter({
      bodyLimit: config.maxBodyBytes,
      routerOptions: { maxParamLength: 256 },
      requestIdHeader: false,
      genReqId: requestId,
    }),
    { logger: nestLogger(logger) },
  );
  const fastify = app.getHttpAdapter().getInstance();
  traceRequests(fastify, logger);
  if (config.metrics) countRequests(fastify, app.get(Metrics));
  if (runsApi(config)) {
    acceptCsvBodies(fastify, config.maxBodyBytes);
    app.useWebSocketAdapter(new LeanIoAdapter(app, config.corsOrigins));
    const cors = restCors(config.corsOrigins);
    if (cors) app.enableCors(cors);
    // Errors Fastify raises before any route (malformed JSON, body too large) get Nest's shape too.
    app.useGlobalFilters(new HttpErrorFilter(config.maxBodyBytes));
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Real-time Analysis Service')
        .setDescription(
          'Start long-running analyses, follow them live over Socket.IO (namespace /analyses), read their results.',
        )
        .setVersion('1')
        .addBearerAuth({
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key from API_KEYS (when it is empty, auth is off and no key is needed).',
        })
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
    await serveDataview(app);
    if (nats) await nats.connectNatsEntry(app, nats.config);
  }
  await redisReady(app.get<Redis>(REDIS), config.redisTimeoutMs);
  return app;
}

/**
 * Waits, within REDIS_TIMEOUT_MS, for the command connection to be ready: a
 * process that listened before it would answer its first requests 503. With
 * Redis away it listens anyway, and answers 503 until Redis is back.
 */
async function redisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}

/** The dataview at `/`: one route per built file (not a wildcard), so no API route is shadowed. */
async function serveDataview(app: NestFastifyApplication): Promise<void> {
  if (!existsSync(join(DATAVIEW_DIR, 'index.html'))) {
    new Logger('Dataview').warn({
      msg: 'not built (npm run build): / serves nothing',
      dir: DATAVIEW_DIR,
    });
    return;
  }
  await app.register(fastifyStatic, { root: DATAVIEW_DIR, wildcard: false, index: ['index.html'] });
}
