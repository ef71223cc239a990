import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { findKey } from './api-keys';
import { type Caller, setCaller } from './caller';
import { ANONYMOUS_TENANT } from '../bus/event-store';
import { ACCEPTS_JOB_TOKEN, IS_PUBLIC } from './public.decorator';
import { unauthorized } from './unauthorized';

/** The caller of every request while auth is off (never changed: callers are only read). */
const ANONYMOUS: Caller = Object.freeze({ tenant: ANONYMOUS_TENANT });

/** The credential of `Authorization: Bearer <credential>`, if the header has that form. */
export function bearerCredential(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Every REST route needs a valid key unless it is public; a route of one job
 * may instead take the job's token (checked against the job by AnalysisAccess).
 * Leaves the caller on the request for the access policy.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // Auth off: everyone is the anonymous tenant, on public routes too; no metadata to read.
    if (this.config.apiKeys.length === 0) {
      setCaller(request, ANONYMOUS);
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const presented = bearerCredential(request.headers.authorization);
    const key = findKey(this.config.apiKeys, presented);
    const caller: Caller = key ? { tenant: key.tenant } : {};
    if (this.reflector.getAllAndOverride<boolean>(ACCEPTS_JOB_TOKEN, targets)) {
      const query = request.query as Record<string, unknown> | undefined;
      const token = typeof query?.token === 'string' ? query.token : key ? undefined : presented;
      if (token) caller.token = token;
    }
    if (caller.tenant === undefined && caller.token === undefined) {
      throw unauthorized(
        presented === undefined
          ? 'An API key is required: send Authorization: Bearer <key>'
          : 'The API key is not valid',
      );
    }
    setCaller(request, caller);
    return true;
  }
}
