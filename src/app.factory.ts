import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { HttpErrorFilter } from './http/http-error.filter';
import { RequestValidationPipe } from './http/request-validation.pipe';
import { type AppConfig, runsApi } from './config/app-config';

/** Builds the application for a configuration, ready to listen: shared by main and the tests. */
export async function createApp(
  config: AppConfig,
  logger: LoggerService | LogLevel[] | false = new Logger(),
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    // Ids are up to 128 characters; Fastify's default would answer 414 above 100.
    new FastifyAdapter({ bodyLimit: config.maxBodyBytes, routerOptions: { maxParamLength: 256 } }),
    { logger },
  );
  if (runsApi(config)) {
    app.useWebSocketAdapter(new IoAdapter(app));
    app.useGlobalFilters(new HttpErrorFilter(config.maxBodyBytes));
    app.useGlobalPipes(new RequestValidationPipe());
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Real-time Analysis Service')
        .setDescription(
          'Start long-running analyses, follow them live over Socket.IO (namespace /analyses), read their results.',
        )
        .setVersion('1')
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
  return app;
}
