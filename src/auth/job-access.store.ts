import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AnalysisSnapshot, AnalysisStatus } from '../core/analysis.types';
import { type CreateResult, EventStore } from '../bus/event-store';
import { RedisKeys } from '../bus/redis-keys';
import { REDIS } from '../bus/redis.providers';

/** Who owns a job and the token that reads it; `token` is '' when auth is off. */
export interface JobAccess {
  tenant: string;
  token: string;
}

/** The tenant of every job while auth is off. */
export const ANONYMOUS_TENANT = '_anonymous';

export interface AccessRecord {
  snapshot: AnalysisSnapshot;
  access: JobAccess;
}

/**
 * The event store's ownership calls, in the one place the rest of the code
 * reaches them: creating a job with its owner and token, reading both, and a
 * tenant's own list. Until the store keeps ownership itself, the owner and
 * token live in the job's snapshot hash (expiring with it) and each tenant
 * has its own index of job ids.
 */
@Injectable()
export class JobAccessStore {
  constructor(
    private readonly store: EventStore,
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async create(
    id: string,
    pipeline: string,
    fingerprint: string,
    access: JobAccess,
  ): Promise<CreateResult & { access: JobAccess }> {
    const result = await this.store.create(id, pipeline, fingerprint);
    if (!result.created) return { ...result, access: await this.readAccess(id) };
    await this.redis
      .multi()
      .hset(this.keys.snapshot(id), 'tenant', access.tenant, 'token', access.token)
      .zadd(this.tenantIndex(access.tenant), Date.parse(result.snapshot.createdAt), id)
      .exec();
    return { ...result, access };
  }

  async access(id: string): Promise<AccessRecord | undefined> {
    const [snapshot, access] = await Promise.all([this.store.snapshot(id), this.readAccess(id)]);
    return snapshot && { snapshot, access };
  }

  /** The tenant's newest jobs first, optionally of one status; forgets ids whose job has expired. */
  async list(tenant: string, limit: number, status?: AnalysisStatus): Promise<AnalysisSnapshot[]> {
    const index = this.tenantIndex(tenant);
    const found: AnalysisSnapshot[] = [];
    for (let start = 0; found.length < limit;) {
      const ids = await this.redis.zrevrange(index, start, start + 2 * limit - 1);
      if (ids.length === 0) break;
      const snapshots = await Promise.all(ids.map((id) => this.store.snapshot(id)));
      const expired = ids.filter((_, position) => snapshots[position] === undefined);
      for (const snapshot of snapshots) {
        if (snapshot && (!status || snapshot.status === status) && found.length < limit) {
          found.push(snapshot);
        }
      }
      if (expired.length > 0) await this.redis.zrem(index, ...expired);
      start += ids.length - expired.length;
    }
    return found;
  }

  private async readAccess(id: string): Promise<JobAccess> {
    const [tenant, token] = await this.redis.hmget(this.keys.snapshot(id), 'tenant', 'token');
    return { tenant: tenant ?? ANONYMOUS_TENANT, token: token ?? '' };
  }

  private tenantIndex(tenant: string): string {
    return `${this.keys.prefix}:tenant:${tenant}:analyses`;
  }
}
