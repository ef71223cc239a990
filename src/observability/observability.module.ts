import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';

/**
 * `GET /metrics`, for every role (request lines are the app's Fastify hooks). The Metrics it serves are
 * AnalysisModule's, which the app imports globally.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
    };
  }
}
