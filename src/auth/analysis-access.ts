import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { AnalysisSnapshot, AnalysisStatus } from '../core/analysis.types';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Caller } from './caller';
import { type AfterCreate, ANONYMOUS_TENANT, EventStore, type JobAccess } from '../bus/event-store';
import { newJobToken, tokenMatches } from './job-token';
import { unauthorized } from './unauthorized';

/** A job with its owner and token, as the store keeps them. */
export interface AccessRecord {
  snapshot: AnalysisSnapshot;
  access: JobAccess;
}

/** What a caller wants to do with one job: a token grants `read` only. */
export type JobAction = 'read' | 'cancel';

/** A snapshot as its owner sees it: with the job's token while auth is on. */
export type OwnerSnapshot = AnalysisSnapshot & { token?: string };

export type SocketAccess =
  { ok: true; snapshot: OwnerSnapshot } | { ok: false; code: 'not_found' | 'forbidden' };

/**
 * Who may see and do what, for every interface (REST, SSE, Socket.IO) in one
 * place. A job belongs to the tenant that created it; other tenants cannot
 * tell it from an unknown id; its token reads it and nothing else.
 */
@Injectable()
export class AnalysisAccess {
  readonly authOn: boolean;

  constructor(
    private readonly jobs: EventStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.authOn = config.apiKeys.length > 0;
  }

  /**
   * Creates a job owned by the caller's tenant, with a fresh token. An id that
   * exists already answers its snapshot only for the same tenant and the same
   * request (`fingerprint`); otherwise `snapshot` is undefined: a conflict,
   * which tells another tenant nothing about the job.
   */
  async create(
    id: string,
    pipeline: string,
    fingerprint: string,
    caller: Caller,
  ): Promise<{ created: boolean; snapshot: OwnerSnapshot | undefined }> {
    const access = this.newAccess(caller);
    const result = await this.jobs.create(id, pipeline, fingerprint, access);
    const same = result.fingerprint === fingerprint && result.access.tenant === access.tenant;
    if (!result.created && !same) return { created: false, snapshot: undefined };
    return { created: result.created, snapshot: this.view(result, caller) };
  }

  /**
   * Creates a job under a fresh id, owned by the caller's tenant, with a fresh token, and runs
   * `after` (BullMQ's add) with it: see EventStore.createFresh.
   */
  async createFresh(
    id: string,
    pipeline: string,
    caller: Caller,
    after: AfterCreate,
  ): Promise<OwnerSnapshot> {
    const access = this.newAccess(caller);
    const snapshot = await this.jobs.createFresh(id, pipeline, access, after);
    return this.view({ snapshot, access }, caller);
  }

  /** The job if the caller may do `action` on it; otherwise 404 (a tenant) or 401 (a token only). */
  async authorize(id: string, caller: Caller, action: JobAction): Promise<AccessRecord> {
    const record = await this.jobs.access(id);
    const verdict = record ? this.judge(record.access, caller, action) : 'unknown';
    if (record && verdict === 'allowed') return record;
    if (caller.tenant !== undefined) throw new NotFoundException(`No analysis has id "${id}"`);
    throw unauthorized(`A valid API key, or this analysis's token, is required`);
  }

  /** A socket's `subscribe`: another tenant's job looks unknown, a missing or wrong token is forbidden. */
  async forSocket(id: string, caller: Caller): Promise<SocketAccess> {
    const record = await this.jobs.access(id);
    if (!record) return { ok: false, code: 'not_found' };
    const verdict = this.judge(record.access, caller, 'read');
    if (verdict === 'allowed') return { ok: true, snapshot: this.view(record, caller) };
    return { ok: false, code: verdict === 'unknown' ? 'not_found' : 'forbidden' };
  }

  /** The snapshot as the caller may see it: the token only for its owner. */
  view({ snapshot, access }: AccessRecord, caller: Caller): OwnerSnapshot {
    const owner = this.authOn && access.token !== '' && caller.tenant === access.tenant;
    return owner ? { ...snapshot, token: access.token } : snapshot;
  }

  list(caller: Caller, limit: number, status?: AnalysisStatus): Promise<AnalysisSnapshot[]> {
    return this.jobs.list(caller.tenant ?? ANONYMOUS_TENANT, limit, status);
  }

  private newAccess(caller: Caller): JobAccess {
    return { tenant: caller.tenant ?? ANONYMOUS_TENANT, token: this.authOn ? newJobToken() : '' };
  }

  private judge(
    access: JobAccess,
    caller: Caller,
    action: JobAction,
  ): 'allowed' | 'unknown' | 'forbidden' {
    if (caller.tenant !== undefined && caller.tenant === access.tenant) return 'allowed';
    if (action === 'read' && tokenMatches(access.token, caller.token)) return 'allowed';
    return caller.tenant !== undefined ? 'unknown' : 'forbidden';
  }
}
