import {
  Controller,
  HttpException,
  Inject,
  Logger,
  PayloadTooLargeException,
  type Type,
} from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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
    ) {}

    @MessagePattern(subjects.start)
    start(@Payload() payload: NatsRequest): Promise<NatsReply> {
      return this.answer(async () => {
        const request = parseStartRequest(this.checked(payload));
        const caller = this.callerOf(request.key);
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
        return this.analyses.cancel(request.id, this.callerOf(request.key));
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
