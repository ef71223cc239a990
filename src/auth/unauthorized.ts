import { UnauthorizedException } from '@nestjs/common';
import { withHeaders } from '../http/response-headers';

/** 401 with the challenge a client expects; never echoes what was presented. */
export function unauthorized(message: string): UnauthorizedException {
  return withHeaders(new UnauthorizedException(message), { 'WWW-Authenticate': 'Bearer' });
}
