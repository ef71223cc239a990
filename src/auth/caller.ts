import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * Who is asking, as the guard or the socket handshake established it:
 * `tenant` from a valid key (the anonymous tenant when auth is off), `token`
 * a job token the request presented. The access policy decides what they grant.
 */
export interface Caller {
  tenant?: string;
  token?: string;
}

/** Where the guard leaves the caller on the request. */
export const CALLER = Symbol('caller');

export function callerOf(request: object): Caller {
  return (request as { [CALLER]?: Caller })[CALLER] ?? {};
}

export function setCaller(request: object, caller: Caller): void {
  (request as { [CALLER]?: Caller })[CALLER] = caller;
}

/** The request's caller as a handler parameter. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext) =>
  callerOf(context.switchToHttp().getRequest<object>()),
);
