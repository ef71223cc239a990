import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import type { AnyPipeline } from '../../src/core/pipeline.types';
import { type AppConfig, loadConfig } from '../../src/config/app-config';

export interface RunningApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** The whole service in this process, on a free port, against the given Redis. */
export async function startApp(
  redisUrl: string,
  env: Record<string, string> = {},
  pipelines?: readonly AnyPipeline[],
): Promise<RunningApp> {
  // RATE_LIMIT off unless a test sets it: suites from one address would otherwise share one counter.
  const config = loadConfig({
    REDIS_URL: redisUrl,
    PORT: '0',
    JOB_LOCK_MS: '5000',
    LOG_LEVEL: 'warn',
    RATE_LIMIT: '0',
    ...env,
  });
  const app = await createApp(config, { pipelines });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, config, close: () => app.close() };
}
