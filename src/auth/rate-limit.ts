import {
  type DynamicModule,
  type ExecutionContext,
  HttpException,
  Injectable,
  Module,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerRequest } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { FastifyRequest } from 'fastify';
import type { AppConfig, RateLimit } from '../config/app-config';
import { withHeaders } from '../http/response-headers';
import { callerOf } from './caller';
import { ANONYMOUS_TENANT } from '../bus/event-store';
import { isCluster, rateLimiterConnection } from '../bus/redis-connection';

/** The requests RATE_LIMIT counts: those that create or cancel work. */
const LIMITED_METHODS = new Set(['POST', 'PUT', 'DELETE']);

/**
 * RATE_LIMIT with @nestjs/throttler: one counter per tenant (per client
 * address while auth is off) for all writes together, kept in Redis so that
 * every `api` process shares it. Runs after ApiKeyGuard, which names the tenant.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return Promise.resolve(true);
    const { method } = context.switchToHttp().getRequest<FastifyRequest>();
    return Promise.resolve(!LIMITED_METHODS.has(method));
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const { tenant } = callerOf(request);
    const tracker =
      tenant !== undefined && tenant !== ANONYMOUS_TENANT
        ? `tenant:${tenant}`
        : `address:${String(request.ip)}`;
    return Promise.resolve(tracker);
  }

  /** One counter for every limited route, so that the limit is the tenant's, not the route's. */
  protected override generateKey(_: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      // Redis is unreachable: refuse rather than let writes through unlimited.
      throw withHeaders(
        new ServiceUnavailableException('The rate limiter cannot reach Redis; try again shortly'),
        { 'Retry-After': '5' },
      );
    }
  }
}

function rateLimitStorage(config: AppConfig): ThrottlerStorageRedisService {
  const redis = rateLimiterConnection(config);
  // Two calls for the library's two overloads.
  const storage = isCluster(redis)
    ? new ThrottlerStorageRedisService(redis)
    : new ThrottlerStorageRedisService(redis);
  // The storage closes the connection it was given when its module stops.
  storage.disconnectRequired = true;
  return storage;
}

@Module({})
export class RateLimitModule {
  static forConfig(config: AppConfig, rateLimit: RateLimit): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ limit: rateLimit.limit, ttl: rateLimit.windowSeconds * 1000 }],
          errorMessage: `Too many requests: at most ${rateLimit.limit} POST, PUT and DELETE requests per ${rateLimit.windowSeconds} s (RATE_LIMIT); retry after Retry-After seconds`,
          // One Redis or a cluster, like every connection of the service (src/bus).
          storage: rateLimitStorage(config),
        }),
      ],
      exports: [ThrottlerModule],
    };
  }
}
