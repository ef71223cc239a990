import { type DynamicModule, Module } from '@nestjs/common';
import { ANALYSIS_QUEUE } from './analysis/analysis-job';
import { AnalysisModule } from './analysis/analysis.module';
import { shardNames } from './analysis/queue-shards';
import { AuthModule } from './auth/auth.module';
import { clustered } from './bus/redis-connection';
import { type AppConfig, runsApi } from './config/app-config';
import type { AnyPipeline } from './core/pipeline.types';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { ObservabilityModule } from './observability/observability.module';
import { QueueDashboardModule } from './observability/queue-dashboard.module';

/** This service: AnalysisModule configured from the environment, with health, metrics and the dashboard. */
@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    pipelines: readonly AnyPipeline[],
    /** Further entries (NATS), loaded by the app factory only when configured. */
    entries: DynamicModule[] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(),
        // Global: health, metrics and the dashboard use its connections, queue and metrics.
        AnalysisModule.forRoot({
          role: config.role,
          queueShards: config.queueShards,
          concurrency: config.workerConcurrency,
          jobLockMs: config.jobLockMs,
          isGlobal: true,
          pipelines,
          redis: clustered(config) ? { clusterNodes: config.redisClusterNodes } : config.redisUrl,
          keyPrefix: config.keyPrefix,
          limits: config,
          processMetrics: config.metrics,
        }),
        HealthModule,
        ...(runsApi(config)
          ? [QueueDashboardModule.forRoot(config, shardNames(ANALYSIS_QUEUE, config.queueShards))]
          : []),
        ...(runsApi(config) ? [AuthModule.forConfig(config)] : []),
        ...entries,
      ],
    };
  }
}
