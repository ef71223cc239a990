import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { BullModule } from '@nestjs/bullmq';
import { ANALYSIS_QUEUE } from './analysis/analysis-job';
import { AnalysisModule } from './analysis/analysis.module';
import { AuthModule } from './auth/auth.module';
import { BusModule } from './bus/bus.module';
import { bullConnection, bullPrefix } from './bus/redis-connection';
import { type AppConfig, runsApi } from './config/app-config';
import type { AnyPipeline } from './core/pipeline.types';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { ObservabilityModule } from './observability/observability.module';
import { QueueDashboardModule } from './observability/queue-dashboard.module';

@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    pipelines: readonly AnyPipeline[],
    logger: Logger,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({
          queueName: ANALYSIS_QUEUE,
          logger,
          processMetrics: config.metrics,
        }),
        BusModule,
        BullModule.forRoot({
          connection: bullConnection(config),
          prefix: bullPrefix(config),
        }),
        HealthModule,
        AnalysisModule.forRole(config, pipelines),
        ...(runsApi(config) ? [QueueDashboardModule.forRoot(config, ANALYSIS_QUEUE)] : []),
        ...(runsApi(config) ? [AuthModule.forConfig(config)] : []),
      ],
    };
  }
}
