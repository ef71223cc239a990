import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';
export const ACCEPTS_JOB_TOKEN = 'auth:accepts-job-token';

/** An open route of the contract (pipelines, health, metrics): no key needed. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * A read-only route of one job that accepts the job's token instead of a key,
 * as `?token=` or as the Bearer credential.
 */
export const AcceptsJobToken = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCEPTS_JOB_TOKEN, true);
