import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { httpLoggerOptions } from './logger';
import { MetricsController } from './metrics.controller';

/**
 * Logs and `GET /metrics`, for every role. The Metrics it serves are
 * AnalysisModule's, which the app imports globally.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: { logger: Logger }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot({ pinoHttp: httpLoggerOptions(options.logger) })],
      controllers: [MetricsController],
    };
  }
}
