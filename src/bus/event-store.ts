import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  type AnalysisEvent,
  type AnalysisEventDraft,
  type AnalysisSnapshot,
  type AnalysisStatus,
  isTerminal,
} from '../core/analysis.types';
import { newSnapshot, snapshotPatch } from '../core/snapshot.reducer';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  APPEND_SCRIPT,
  CREATE_SCRIPT,
  DISCARD_SCRIPT,
  JOB_KEY_COUNT,
  TRIM_SCRIPT,
} from './event-store.scripts';
import { RedisKeys } from './redis-keys';
import { REDIS } from './redis.providers';

export type AppendResult =
  { kind: 'appended'; seq: number } | { kind: 'refused' } | { kind: 'unknown' };

/** Who a job belongs to. `token` is its read-only credential, `''` while auth is off. */
export interface JobAccess {
  tenant: string;
  token: string;
}

/** The tenant of every job while auth is off. */
export const ANONYMOUS_TENANT = '_anonymous';

export interface CreateResult {
  created: boolean;
  snapshot: AnalysisSnapshot;
  /** The fingerprint the job was created with; compare it to tell a repeated request from a conflicting one. */
  fingerprint: string;
  /** The stored job's tenant and token (the existing job's, when the id was taken). */
  access: JobAccess;
}

const SNAPSHOT_FIELDS: readonly (keyof AnalysisSnapshot)[] = [
  'id',
  'pipeline',
  'status',
  'progress',
  'step',
  'attempt',
  'createdAt',
  'startedAt',
  'finishedAt',
  'lastSeq',
  'result',
  'error',
];

/** Job ids whose tenant this process remembers, so appends need no extra read. */
const MAX_REMEMBERED_TENANTS = 10_000;

interface ScriptCommands {
  createAnalysis(...args: (string | number)[]): Promise<number>;
  appendAnalysisEvents(...args: (string | number)[]): Promise<number>;
  trimAnalysisIndexes(...args: (string | number)[]): Promise<number>;
  discardAnalysis(...args: (string | number)[]): Promise<number>;
}

interface StoredJob {
  snapshot: AnalysisSnapshot;
  fingerprint: string;
  access: JobAccess;
}

/**
 * The source of truth for jobs: per job a snapshot hash and an append-only
 * event log, both expiring once the job ends, and per tenant the indexes that
 * list them. Events get their `seq` here, atomically with storing and
 * publishing them. The key layout is RedisKeys'.
 */
@Injectable()
export class EventStore {
  private readonly redis: Redis & ScriptCommands;
  /** Job id → tenant, for the index keys an append needs; a job's tenant never changes. */
  private readonly tenantById = new Map<string, string>();
  /** This store's name and the number of its last write, so that a resent write applies once. */
  private readonly writer = randomUUID();
  private writes = 0;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('createAnalysis', { numberOfKeys: JOB_KEY_COUNT, lua: CREATE_SCRIPT });
    redis.defineCommand('appendAnalysisEvents', {
      numberOfKeys: JOB_KEY_COUNT,
      lua: APPEND_SCRIPT,
    });
    redis.defineCommand('trimAnalysisIndexes', { numberOfKeys: 7, lua: TRIM_SCRIPT });
    redis.defineCommand('discardAnalysis', { numberOfKeys: JOB_KEY_COUNT, lua: DISCARD_SCRIPT });
    this.redis = redis as Redis & ScriptCommands;
  }

  /** Creates a queued job and its `queued` event for a tenant, unless the id is taken. */
  async create(
    id: string,
    pipeline: string,
    fingerprint: string,
    access: JobAccess,
  ): Promise<CreateResult> {
    const createdAt = new Date();
    const snapshot = { ...newSnapshot(id, pipeline, createdAt.toISOString()), lastSeq: 1 };
    const queued: AnalysisEventDraft = {
      id,
      type: 'queued',
      status: 'queued',
      progress: 0,
      step: null,
      attempt: 0,
      at: snapshot.createdAt,
    };
    const fields = SNAPSHOT_FIELDS.filter((field) => field !== 'lastSeq').flatMap((field) => [
      field,
      JSON.stringify(snapshot[field]),
    ]);
    const created = await this.redis.createAnalysis(
      ...this.jobKeys(id, access.tenant),
      id,
      createdAt.getTime(),
      withoutOpeningBrace(queued),
      this.writer,
      (this.writes += 1),
      'fingerprint',
      JSON.stringify(fingerprint),
      'tenant',
      access.tenant,
      'token',
      access.token,
      ...fields,
    );
    if (created === 1) {
      this.remember(id, access.tenant);
      return { created: true, snapshot, fingerprint, access };
    }
    const existing = await this.read(id);
    if (!existing) return this.create(id, pipeline, fingerprint, access); // it expired in between
    return { created: false, ...existing };
  }

  /**
   * Appends an event, updating the snapshot. Refused once the job has ended, and,
   * when `guardAttempt` is set, when a newer attempt than the event's has started.
   */
  append(event: AnalysisEventDraft, guardAttempt = true): Promise<AppendResult> {
    return this.appendMany([event], guardAttempt);
  }

  /**
   * Appends events of one job and one attempt, in order, in one round trip: all
   * accepted or all refused. The caller keeps a terminal event last.
   */
  async appendMany(events: AnalysisEventDraft[], guardAttempt = true): Promise<AppendResult> {
    const first = events[0];
    const last = events[events.length - 1];
    const patch = Object.assign({}, ...events.map((event) => snapshotPatch(event))) as object;
    const fields = Object.entries(patch).flatMap(([field, value]) => [
      field,
      JSON.stringify(value),
    ]);
    // Numbered as it is sent: writes reach Redis in the order of their numbers.
    const write = (tenant: string, writeNumber = (this.writes += 1)) =>
      this.redis.appendAnalysisEvents(
        ...this.jobKeys(first.id, tenant),
        first.id,
        tenant,
        guardAttempt ? first.attempt : -1,
        this.config.eventTtlSeconds,
        last.status,
        isTerminal(last.status) ? 1 : 0,
        this.writer,
        writeNumber,
        events.length,
        ...events.map(withoutOpeningBrace),
        ...fields,
      );
    let tenant = await this.tenantOf(first.id);
    if (tenant === undefined) return { kind: 'unknown' };
    let seq = await write(tenant);
    if (seq === -2) {
      // The id now names another tenant's job (the one remembered expired): read it again.
      this.tenantById.delete(first.id);
      tenant = await this.tenantOf(first.id);
      if (tenant === undefined) return { kind: 'unknown' };
      seq = await write(tenant);
    }
    if (seq > 0 && !isTerminal(last.status)) return { kind: 'appended', seq };
    this.tenantById.delete(first.id);
    if (seq > 0) return { kind: 'appended', seq };
    return seq === 0 ? { kind: 'refused' } : { kind: 'unknown' };
  }

  /** Removes a job that could not be queued, as if it had never been created. */
  async discard(id: string): Promise<boolean> {
    const tenant = await this.tenantOf(id);
    this.tenantById.delete(id);
    if (tenant === undefined) return false;
    return (await this.redis.discardAnalysis(...this.jobKeys(id, tenant), id, tenant)) === 1;
  }

  async snapshot(id: string): Promise<AnalysisSnapshot | undefined> {
    return (await this.read(id))?.snapshot;
  }

  /** The job's snapshot and who it belongs to, in one round trip. */
  async access(id: string): Promise<{ snapshot: AnalysisSnapshot; access: JobAccess } | undefined> {
    const stored = await this.read(id);
    return stored && { snapshot: stored.snapshot, access: stored.access };
  }

  /** Events with `seq` greater than `after`, in order. */
  async events(id: string, after = 0): Promise<AnalysisEvent[]> {
    const raw = await this.redis.lrange(this.keys.events(id), after, -1);
    return raw.map((line) => JSON.parse(line) as AnalysisEvent);
  }

  /** A tenant's newest jobs first, optionally of one status. */
  async list(tenant: string, limit: number, status?: AnalysisStatus): Promise<AnalysisSnapshot[]> {
    const index = this.keys.index(tenant, status);
    const found: AnalysisSnapshot[] = [];
    let start = 0;
    while (found.length < limit) {
      const ids = await this.redis.zrevrange(index, start, start + limit - found.length - 1);
      if (ids.length === 0) break;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hgetall(this.keys.snapshot(id));
      const replies = (await pipeline.exec()) ?? [];
      for (const [, hash] of replies) {
        // An entry outlives its job until the tenant's next write trims it: skip it.
        const stored = decodeJob(hash as Record<string, string>);
        if (
          stored &&
          stored.access.tenant === tenant &&
          (!status || stored.snapshot.status === status)
        ) {
          found.push(stored.snapshot);
        }
      }
      start += ids.length;
    }
    return found;
  }

  /** Every tenant with an index in Redis (one SCAN over the service's tenant keys). */
  async tenants(): Promise<string[]> {
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        this.keys.allTenantKeys(),
        'COUNT',
        1000,
      );
      cursor = next;
      for (const key of keys) {
        const tenant = this.keys.tenantOf(key);
        if (tenant !== undefined) found.add(tenant);
      }
    } while (cursor !== '0');
    return [...found];
  }

  /**
   * Forgets the index entries of a tenant's expired jobs (writes trim their own
   * tenant's as they go; this reaches tenants that stopped writing). Returns how many went.
   */
  async trimIndexes(tenant: string): Promise<number> {
    let trimmed = 0;
    let batch: number;
    do {
      batch = await this.redis.trimAnalysisIndexes(
        ...this.keys.indexes(tenant),
        this.keys.expiries(tenant),
      );
      trimmed += batch;
    } while (batch > 0);
    return trimmed;
  }

  /** Ids of a tenant's queued or running jobs created before `createdBefore` (ms since epoch). */
  async unfinished(tenant: string, createdBefore: number): Promise<string[]> {
    const [queued, running] = await Promise.all(
      (['queued', 'running'] as const).map((status) =>
        this.redis.zrangebyscore(this.keys.index(tenant, status), '-inf', `(${createdBefore}`),
      ),
    );
    return [...queued, ...running];
  }

  private jobKeys(id: string, tenant: string): string[] {
    return [
      this.keys.snapshot(id),
      this.keys.events(id),
      this.keys.channel(id),
      ...this.keys.indexes(tenant),
      this.keys.expiries(tenant),
    ];
  }

  private async tenantOf(id: string): Promise<string | undefined> {
    const known = this.tenantById.get(id);
    if (known !== undefined) return known;
    const tenant = await this.redis.hget(this.keys.snapshot(id), 'tenant');
    if (tenant === null) return undefined;
    this.remember(id, tenant);
    return tenant;
  }

  private remember(id: string, tenant: string): void {
    if (this.tenantById.size >= MAX_REMEMBERED_TENANTS) this.tenantById.clear();
    this.tenantById.set(id, tenant);
  }

  private async read(id: string): Promise<StoredJob | undefined> {
    return decodeJob(await this.redis.hgetall(this.keys.snapshot(id)));
  }
}

function withoutOpeningBrace(event: AnalysisEventDraft): string {
  return JSON.stringify(event).slice(1);
}

function decodeJob(hash: Record<string, string>): StoredJob | undefined {
  if (!hash.status) return undefined;
  const snapshot = Object.fromEntries(
    SNAPSHOT_FIELDS.map((field) => [
      field,
      hash[field] === undefined ? null : JSON.parse(hash[field]),
    ]),
  ) as unknown as AnalysisSnapshot;
  return {
    snapshot,
    fingerprint: hash.fingerprint ? (JSON.parse(hash.fingerprint) as string) : '',
    access: { tenant: hash.tenant ?? ANONYMOUS_TENANT, token: hash.token ?? '' },
  };
}
