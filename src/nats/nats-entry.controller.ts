import {
  Controller,
  HttpException,
  Inject,
  Logger,
  Optional,
  PayloadTooLargeException,
  ServiceUnavailableException,
  type Type,
} from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AnalysisService } from '../analysis/analysis.service';
import { findKey } from '../auth/api-keys';
import type { Caller } from '../auth/caller';
import { unauthorized } from '../auth/unauthorized';
import { ANONYMOUS_TENANT } from '../bus/event-store';
import { APP_CONFIG, type AppConfig, type NatsConfig } from '../config/app-config';
import { type NatsRequest, parseCancelRequest, parseStartRequest } from './nats-requests';
import { natsSubjects } from './nats-subjects';

/** A reply: the snapshot, or the error REST would answer, as `{ error: { statusCode, message } }`. */
export type NatsReply = object | { error: { statusCode: number; message: unknown } };

/**
 * The NATS entry: `<NATS_SUBJECT>.start` and `.cancel`, answered like
 * `PUT`/`POST` and `DELETE` by the same AnalysisService, with the same keys,
 * tenants, validation and limits. Declared for the configured subjects.
 */
export function natsEntryFor(config: NatsConfig): Type {
  const subjects = natsSubjects(config);

  @Controller()
  class NatsEntryController {
    private readonly logger = new Logger('NatsEntry');

    constructor(
      private readonly analyses: AnalysisService,
      @Inject(APP_CONFIG) private readonly config: AppConfig,
      /** RATE_LIMIT's counters, shared with REST; absent when it is off. */
      @Optional() @Inject(ThrottlerStorage) private readonly throttler?: ThrottlerStorage,
    ) {}

    @MessagePattern(subjects.start)
    start(@Payload() payload: NatsRequest): Promise<NatsReply> {
      return this.answer(async () => {
        const request = parseStartRequest(this.checked(payload));
        const caller = this.callerOf(request.key);
        await this.countWrite(caller);
        const { snapshot } = await this.analyses.create(
          request.pipeline,
          request.input,
          caller,
          request.id,
        );
        return snapshot;
      });
    }

    @MessagePattern(subjects.cancel)
    cancel(@Payload() payload: NatsRequest): Promise<NatsReply> {
      return this.answer(async () => {
        const request = parseCancelRequest(this.checked(payload));
        const caller = this.callerOf(request.key);
        await this.countWrite(caller);
        return this.analyses.cancel(request.id, caller);
      });
    }

    private checked(payload: NatsRequest): unknown {
      if (payload.bytes > this.config.maxBodyBytes) {
        throw new PayloadTooLargeException(
          `Request body is larger than the limit of ${this.config.maxBodyBytes} bytes (MAX_BODY_BYTES)`,
        );
      }
      return payload.body;
    }

    /** The tenant of a valid key; with auth off, everyone is the anonymous tenant. */
    private callerOf(key: string | undefined): Caller {
      if (this.config.apiKeys.length === 0) return { tenant: ANONYMOUS_TENANT };
      const found = findKey(this.config.apiKeys, key);
      if (found) return { tenant: found.tenant };
      throw unauthorized(
        key === undefined ? 'An API key is required: send "key"' : 'The API key is not valid',
      );
    }

    /**
     * RATE_LIMIT per tenant, on the tenant's counter that REST writes count on
     * too. With auth off NATS gives no client address to count by: its own
     * access control is the limit there.
     */
    private async countWrite(caller: Caller): Promise<void> {
      const limit = this.config.rateLimit;
      if (!limit || !this.throttler || caller.tenant === ANONYMOUS_TENANT) return;
      const windowMs = limit.windowSeconds * 1000;
      let record: Awaited<ReturnType<ThrottlerStorage['increment']>>;
      try {
        // The key RateLimitGuard gives a tenant: `<throttler name>:tenant:<tenant>`.
        record = await this.throttler.increment(
          `default:tenant:${caller.tenant}`,
          windowMs,
          limit.limit,
          windowMs,
          'default',
        );
      } catch {
        throw new ServiceUnavailableException(
          'The rate limiter cannot reach Redis; try again shortly',
        );
      }
      if (record.isBlocked) {
        throw new HttpException(
          `Too many requests: at most ${limit.limit} writes per ${limit.windowSeconds} s (RATE_LIMIT); retry after ${record.timeToBlockExpire} s`,
          429,
        );
      }
    }

    private async answer(work: () => Promise<object>): Promise<NatsReply> {
      try {
        return await work();
      } catch (error) {
        if (error instanceof HttpException) {
          const response = error.getResponse();
          const message =
            typeof response === 'object' && response !== null && 'message' in response
              ? response.message
              : error.message;
          return { error: { statusCode: error.getStatus(), message } };
        }
        this.logger.error({
          msg: 'request failed',
          error: error instanceof Error ? error.name : typeof error,
        });
        return { error: { statusCode: 500, message: 'Internal server error' } };
      }
    }
  }
  return NatsEntryController;
}
