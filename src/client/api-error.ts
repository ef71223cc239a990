/** The body of every error the service answers with (Nest's shape). */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/** A REST call the service answered with an error status; the message is the service's own. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(Array.isArray(body.message) ? body.message.join('; ') : body.message);
    this.name = 'ApiError';
  }
}

export type SubscribeErrorCode = 'invalid' | 'not_found' | 'forbidden' | 'limit';

/** The service refused to stream a job's events: unknown id, bad `after`, or a missing token. */
export class SubscribeError extends Error {
  constructor(
    readonly code: SubscribeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SubscribeError';
  }
}

/** Reads an error answer, keeping a body that is not the service's JSON (a proxy's page) readable. */
export function errorBody(status: number, statusText: string, text: string): ApiErrorBody {
  try {
    const parsed = JSON.parse(text) as Partial<ApiErrorBody>;
    if (parsed.message !== undefined) {
      return {
        statusCode: parsed.statusCode ?? status,
        error: parsed.error ?? statusText,
        message: parsed.message,
      };
    }
  } catch {
    // not JSON: fall through
  }
  return { statusCode: status, error: statusText, message: text.trim() || statusText };
}
