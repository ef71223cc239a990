import { type DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AnalysisModule } from './analysis/analysis.module';
import { AuthModule } from './auth/auth.module';
import { BusModule } from './bus/bus.module';
import { redisOptionsFromUrl } from './bus/redis-url';
import { type AppConfig, runsApi } from './config/app-config';
import type { AnyPipeline } from './core/pipeline.types';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, pipelines: readonly AnyPipeline[]): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        BusModule,
        BullModule.forRoot({
          connection: redisOptionsFromUrl(config.redisUrl),
          prefix: config.keyPrefix,
        }),
        HealthModule,
        AnalysisModule.forRole(config, pipelines),
        ...(runsApi(config) ? [AuthModule.forConfig(config)] : []),
      ],
    };
  }
}
