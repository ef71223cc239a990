import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';
import { ensureRedis } from './local-redis/ensure-redis';
import { loadEnvFile } from './observability/env-file';
import { createRootLogger, nestLogger } from './observability/logger';

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  const logger = createRootLogger(config.logLevel);
  Logger.overrideLogger(nestLogger(logger));
  const localRedis = await ensureRedis(config);
  const app = await createApp(
    { ...config, redisUrl: localRedis?.url ?? config.redisUrl },
    { logger },
  );
  // Nest's own shutdown hooks re-raise the signal; stopping here lets a drained process exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      Logger.log({ msg: 'shutting down', signal }, 'Main');
      app
        .close()
        .then(() => localRedis?.stop())
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          Logger.error({ msg: 'shutdown failed', error: String(error) }, 'Main');
          process.exit(1);
        });
    });
  }
  if (config.apiKeys.length === 0) {
    Logger.warn({ msg: 'API_KEYS is empty: authentication is off' }, 'Main');
  }
  await app.listen(config.port, config.host);
  Logger.log(
    { msg: 'listening', role: config.role, url: await app.getUrl(), keyPrefix: config.keyPrefix },
    'Main',
  );
}

main().catch((error: unknown) => {
  // One line a person can act on: configuration errors name their variable.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
