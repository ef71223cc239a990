import type { HttpException } from '@nestjs/common';

/** Headers an error response must carry (`WWW-Authenticate`, `Retry-After`), set by HttpErrorFilter. */
const HEADERS = Symbol('response headers');

export function withHeaders<E extends HttpException>(error: E, headers: Record<string, string>): E {
  (error as E & { [HEADERS]?: Record<string, string> })[HEADERS] = headers;
  return error;
}

export function headersOf(error: HttpException): Record<string, string> {
  return (error as HttpException & { [HEADERS]?: Record<string, string> })[HEADERS] ?? {};
}
