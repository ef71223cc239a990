import { STATUS_CODES } from 'node:http';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { headersOf } from './response-headers';

/**
 * Gives every HTTP error Nest's full shape, `{ statusCode, error, message }`,
 * including those Fastify raises before a route runs (malformed JSON, body too large).
 */
/** The body size limit the filter names in a 413; provided by AnalysisModule. */
export const MAX_BODY_BYTES = Symbol('MAX_BODY_BYTES');

@Injectable()
@Catch(HttpException)
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(MAX_BODY_BYTES) private readonly maxBodyBytes: number) {}

  catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const details =
      status === 413
        ? {
            message: `Request body is larger than the limit of ${this.maxBodyBytes} bytes (MAX_BODY_BYTES)`,
          }
        : typeof response === 'string'
          ? { message: response }
          : response;
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .headers(headersOf(exception))
      .status(status)
      .send({
        statusCode: status,
        error: STATUS_CODES[status] ?? 'Error',
        message: exception.message,
        ...details,
      });
  }
}
