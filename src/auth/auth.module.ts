import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import { AnalysisAccess } from './analysis-access';
import { ApiKeyGuard } from './api-key.guard';
import { RateLimitGuard, RateLimitModule } from './rate-limit';

/**
 * Keys, tenants and tokens for the API processes: the key guard on every
 * route, then the rate limit (guards run in this order), and the access
 * policy that REST, SSE and the gateway share.
 */
@Module({})
export class AuthModule {
  static forConfig(config: AppConfig): DynamicModule {
    const guards: Provider[] = [{ provide: APP_GUARD, useClass: ApiKeyGuard }];
    if (config.rateLimit) guards.push({ provide: APP_GUARD, useClass: RateLimitGuard });
    return {
      module: AuthModule,
      global: true,
      imports: config.rateLimit ? [RateLimitModule.forConfig(config, config.rateLimit)] : [],
      providers: [AnalysisAccess, ...guards],
      // The throttler's storage too, so that other entries (NATS) count against the same limit.
      exports: [AnalysisAccess, ...(config.rateLimit ? [RateLimitModule] : [])],
    };
  }
}
