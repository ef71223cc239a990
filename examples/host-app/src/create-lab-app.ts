import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { LabModule, LabSettings } from './lab.module';

/** The host app, ready to listen: shared by its main and its test. */
export async function createLabApp(redisUrl: string): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    LabModule.forRoot(new LabSettings(redisUrl)),
    new FastifyAdapter(),
    { logger: ['error', 'warn'] },
  );
  app.useWebSocketAdapter(new IoAdapter(app));
  app.enableShutdownHooks();
  return app;
}
