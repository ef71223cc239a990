import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
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
  DISCARD_SCRIPT,
  EVENTS_SCRIPT,
  INDEX_KEY_COUNT,
  INDEX_SCRIPT,
  JOB_KEY_COUNT,
  TRIM_SCRIPT,
  UNINDEX_SCRIPT,
  appendScript,
  createScript,
} from './event-store.scripts';
import { type RedisClient, isCluster } from './redis-connection';
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

/** The hash fields a job's snapshot is read from (its events, `#1` …, are left out). */
const STORED_FIELDS: readonly string[] = [
  ...SNAPSHOT_FIELDS,
  'epoch',
  'fingerprint',
  'tenant',
  'token',
];

/**
 * One write in this many that end a job also trims its tenant's indexes (TRIM_BATCH, 100, a
 * time, so the entries stay bounded): a trim costs two calls when nothing has expired, nine
 * when something has.
 */
const TRIM_EVERY = 50;

/** Jobs whose tenant, and jobs whose last seq, this process remembers (each map at most). */
const MAX_REMEMBERED = 10_000;

interface ScriptCommands {
  createAnalysis(...args: (string | number)[]): Promise<number>;
  appendAnalysisEvents(...args: (string | number)[]): Promise<AppendReply>;
  appendAndFileAnalysisEvents(...args: (string | number)[]): Promise<AppendReply>;
  trimAnalysisIndexes(...args: (string | number)[]): Promise<number>;
  discardAnalysis(...args: (string | number)[]): Promise<number>;
  analysisEvents(...args: (string | number)[]): Promise<string[]>;
  indexAnalysis(...args: (string | number)[]): Promise<number>;
  unindexAnalysis(...args: (string | number)[]): Promise<number>;
}

/**
 * What follows a new job's write on a connection of its own: BullMQ's add, on the queue's
 * connection (see EventStore.createFresh).
 */
export interface AfterCreate {
  connection: RedisClient;
  /** Sends its command on `connection` before it returns; settles with the command's reply. */
  send(): Promise<unknown>;
}

/** How a job is filed in its tenant's indexes. */
interface IndexFiling {
  /** When the job's keys expire (ms since the epoch), once it has ended. */
  expiresAt?: number;
  /** The status the job is filed under now, when known: only that entry moves. */
  from?: AnalysisStatus;
  /** Also forget the entries of jobs that have expired. */
  trim?: boolean;
}

/** An unfinished job as a status index lists it. */
export interface UnfinishedEntry {
  id: string;
  filed: 'queued' | 'running';
}

/** The append script's reply: seq, then for an appended write created-at, tenant and the status filed under. */
type AppendReply = [number, string?, string?, string?];

interface StoredJob {
  snapshot: AnalysisSnapshot;
  fingerprint: string;
  access: JobAccess;
}

/**
 * The source of truth for jobs: per job one hash holding its snapshot and its
 * append-only event log, expiring once the job ends, and per tenant the indexes that
 * list them. Events get their `seq` here, atomically with storing and
 * publishing them. The key layout is RedisKeys'.
 */
@Injectable()
export class EventStore {
  private readonly logger = new Logger(EventStore.name);
  private readonly redis: RedisClient & ScriptCommands;
  /**
   * Job id → tenant, for the index keys a discard needs, and for an append that files the job
   * in the same script (otherwise the append's script tells the tenant, and the job is filed
   * in a second call).
   */
  private readonly tenantById = new Map<string, string>();
  /** Tenant → its index keys (see indexKeys). */
  private readonly indexKeysByTenant = new Map<string, readonly string[]>();
  /** Job id → the last seq this process wrote, to notice events a failover dropped. */
  private readonly lastSeqById = new Map<string, number>();
  /** On one Redis an append files the job too; a cluster keeps the tenant's keys in other slots. */
  private readonly appendFiles: boolean;
  /** This store's name and the number of its last write, so that a resent write applies once. */
  private readonly writer = randomUUID();
  private writes = 0;
  /** Writes of this store that ended a job. */
  private endings = 0;
  /** The store's scripts: name, number of keys, Lua. */
  private readonly scripts: readonly [string, number, string][];
  /** Other connections the scripts are defined on too (see withScripts). */
  private readonly scriptedConnections = new WeakSet<RedisClient>();

  constructor(
    @Inject(REDIS) redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // On a cluster an event's wake-up crosses only its job's shard.
    const publish = isCluster(redis) ? 'SPUBLISH' : 'PUBLISH';
    this.appendFiles = !isCluster(redis);
    this.scripts = [
      ['appendAndFileAnalysisEvents', JOB_KEY_COUNT + INDEX_KEY_COUNT, appendScript(publish, true)],
      ['createAnalysis', JOB_KEY_COUNT, createScript(publish)],
      ['appendAnalysisEvents', JOB_KEY_COUNT, appendScript(publish)],
      ['discardAnalysis', JOB_KEY_COUNT, DISCARD_SCRIPT],
      ['analysisEvents', 1, EVENTS_SCRIPT],
      ['indexAnalysis', INDEX_KEY_COUNT, INDEX_SCRIPT],
      ['unindexAnalysis', INDEX_KEY_COUNT, UNINDEX_SCRIPT],
      ['trimAnalysisIndexes', INDEX_KEY_COUNT, TRIM_SCRIPT],
    ];
    for (const [name, numberOfKeys, lua] of this.scripts)
      redis.defineCommand(name, { numberOfKeys, lua });
    this.redis = redis as RedisClient & ScriptCommands;
  }

  /** Creates a queued job and its `queued` event for a tenant, unless the id is taken. */
  async create(
    id: string,
    pipeline: string,
    fingerprint: string,
    access: JobAccess,
  ): Promise<CreateResult> {
    const { snapshot, createdMs, args } = this.creation(id, pipeline, fingerprint, access);
    const created = await this.fileAndCreate(access.tenant, id, createdMs, args);
    if (created === 1) {
      this.remember(id, access.tenant);
      this.rememberSeq(id, 1);
      return { created: true, snapshot, fingerprint, access };
    }
    const existing = await this.read(id);
    if (!existing) return this.create(id, pipeline, fingerprint, access); // it expired in between
    await this.refile(access.tenant, id, existing);
    return { created: false, ...existing };
  }

  /**
   * Creates a job under a fresh id, one nothing can be stored under yet (a new UUID), then
   * sends `after` (BullMQ's add). On one Redis with no replicas to wait for, the filing, the
   * job and `after` go out together on `after`'s connection, one round trip, run by Redis in
   * that order: the job exists before a worker can take it. Throws when any of them fails;
   * what went through is the caller's to undo.
   */
  async createFresh(
    id: string,
    pipeline: string,
    access: JobAccess,
    after: AfterCreate,
  ): Promise<AnalysisSnapshot> {
    const { snapshot, createdMs, args } = this.creation(id, pipeline, '', access);
    if (this.writesStepByStep()) {
      const created = await this.fileAndCreate(access.tenant, id, createdMs, args);
      if (created !== 1) throw new Error('the new analysis id is taken');
      await after.send();
    } else {
      // Sent one after another without waiting (no ioredis pipeline: each copies every script
      // defined on its connection, and BullMQ's connection has dozens). Every reply is in
      // before anything throws: an undo follows all three.
      const connection = this.withScripts(after.connection);
      const sending = [
        connection.indexAnalysis(...this.newEntry(access.tenant, id, createdMs)),
        connection.createAnalysis(...args),
        after.send(),
      ];
      const replies = await Promise.allSettled(sending);
      for (const reply of replies) if (reply.status === 'rejected') throw reply.reason;
      if ((replies[1] as PromiseFulfilledResult<number>).value !== 1) {
        throw new Error('the new analysis id is taken');
      }
    }
    this.remember(id, access.tenant);
    this.rememberSeq(id, 1);
    return snapshot;
  }

  /** A new job's snapshot and the arguments of its `createAnalysis` script. */
  private creation(
    id: string,
    pipeline: string,
    fingerprint: string,
    access: JobAccess,
  ): { snapshot: AnalysisSnapshot; createdMs: number; args: (string | number)[] } {
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
    const args: (string | number)[] = [
      ...this.jobKeys(id),
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
    ];
    for (const field of SNAPSHOT_FIELDS) {
      if (field !== 'lastSeq') args.push(field, JSON.stringify(snapshot[field]));
    }
    return { snapshot, createdMs: createdAt.getTime(), args };
  }

  /** Another connection (BullMQ's), with the store's scripts defined on it too. */
  private withScripts(connection: RedisClient): RedisClient & ScriptCommands {
    if (connection !== this.redis && !this.scriptedConnections.has(connection)) {
      for (const [name, numberOfKeys, lua] of this.scripts)
        connection.defineCommand(name, { numberOfKeys, lua });
      this.scriptedConnections.add(connection);
    }
    return connection as RedisClient & ScriptCommands;
  }

  /**
   * Files a new job in its tenant's indexes, then writes it (`createAnalysis`'s
   * reply). Filed first: a crash before the job is written leaves an entry the
   * reconciliation removes, never a job that no index (and so no reconciliation)
   * can find. On one Redis with no replicas to wait for, both scripts go in one
   * round trip, still in that order.
   */
  private async fileAndCreate(
    tenant: string,
    id: string,
    createdMs: number,
    createArgs: (string | number)[],
  ): Promise<number> {
    if (this.writesStepByStep()) {
      await this.redis.indexAnalysis(...this.newEntry(tenant, id, createdMs));
      return this.replicated<number>('createAnalysis', ...createArgs);
    }
    const pipeline = this.redis.pipeline() as ChainableCommander & ScriptCommands;
    void pipeline.indexAnalysis(...this.newEntry(tenant, id, createdMs));
    void pipeline.createAnalysis(...createArgs);
    const [[indexError], [createError, created]] = (await pipeline.exec()) ?? [];
    if (indexError) {
      // Not filed: a job written all the same must not stay where no index leads to it.
      if (created === 1) await this.redis.discardAnalysis(...this.jobKeys(id), id, tenant);
      throw indexError;
    }
    if (createError) throw createError;
    return created as number;
  }

  /**
   * Whether a job's filing and writes wait for each other: on a cluster (their keys are in
   * different slots) and when each write waits for replicas. Otherwise they share a round trip.
   */
  private writesStepByStep(): boolean {
    return isCluster(this.redis) || this.config.redisWaitReplicas > 0;
  }

  /** The index script's arguments that file a new job as queued, trimming the tenant's indexes. */
  private newEntry(tenant: string, id: string, createdMs: number): (string | number)[] {
    return this.indexArgs(tenant, id, createdMs, 'queued', { trim: true });
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
    const ends = isTerminal(last.status);
    const knownTenant = this.appendFiles ? this.tenantById.get(first.id) : undefined;
    // Built in one array, without spreads or intermediate arrays: a busy worker writes one
    // of these per job or more.
    const args: (string | number)[] = this.jobKeys(first.id);
    if (knownTenant !== undefined) args.push(...this.indexKeys(knownTenant));
    args.push(
      first.id,
      guardAttempt ? first.attempt : -1,
      this.config.eventTtlSeconds,
      last.status,
      ends ? 1 : 0,
      this.writer,
      // Numbered as it is sent: writes reach Redis in the order of their numbers.
      (this.writes += 1),
      this.lastSeqById.get(first.id) ?? -1,
    );
    if (knownTenant !== undefined) {
      args.push(knownTenant, ends ? this.expiryFromNow() : '', ends && this.trimsNow() ? 1 : '');
    }
    args.push(events.length);
    const patch: Record<string, unknown> = {};
    for (const event of events) {
      args.push(withoutOpeningBrace(event));
      Object.assign(patch, snapshotPatch(event));
    }
    for (const field in patch) args.push(field, JSON.stringify(patch[field]));
    const [seq, createdMs, tenant, from] = await this.replicated<AppendReply>(
      knownTenant !== undefined ? 'appendAndFileAnalysisEvents' : 'appendAnalysisEvents',
      ...args,
    );
    if (seq > 0) this.rememberSeq(first.id, seq);
    // The job's next appends can file it themselves.
    if (seq > 0 && this.appendFiles && tenant !== undefined && !ends)
      this.remember(first.id, tenant);
    // Not filed by the script: the index follows the job's write without holding the writer
    // up. It is sent now, so the connection's next command sees it, and one that is lost (like
    // a crash before it) leaves the job under its previous status, which the reconciliation
    // corrects.
    if (seq > 0 && from !== '' && tenant !== undefined) {
      this.index(tenant, first.id, Number(createdMs), last.status, {
        expiresAt: ends ? this.expiryFromNow() : undefined,
        from: from === '*' ? undefined : (from as AnalysisStatus),
        trim: ends && this.trimsNow(),
      }).catch((error: unknown) =>
        this.logger.warn({
          msg: 'index write failed; the reconciliation will file the job',
          jobId: first.id,
          error: error instanceof Error ? error.name : typeof error,
        }),
      );
    }
    if (seq > 0 && !isTerminal(last.status)) return { kind: 'appended', seq };
    this.tenantById.delete(first.id);
    this.lastSeqById.delete(first.id);
    if (seq > 0) return { kind: 'appended', seq };
    return seq === 0 ? { kind: 'refused' } : { kind: 'unknown' };
  }

  /**
   * Tells the store a job's tenant (the worker has it from the job's data), so that its
   * appends can file it in the same call. A wrong tenant costs a call, never a wrong entry:
   * the script files a job only under the tenant it is stored with.
   */
  knowTenant(id: string, tenant: string): void {
    this.remember(id, tenant);
  }

  /** When the keys of a job that ends now expire (ms since the epoch, by this writer's clock). */
  private expiryFromNow(): number {
    return Date.now() + this.config.eventTtlSeconds * 1000;
  }

  /** Every write that ends a job adds an expiry; one in TRIM_EVERY trimming keeps them bounded. */
  private trimsNow(): boolean {
    return (this.endings += 1) % TRIM_EVERY === 0;
  }

  /** Removes a job that could not be queued, as if it had never been created. */
  async discard(id: string): Promise<boolean> {
    const tenant = await this.tenantOf(id);
    this.tenantById.delete(id);
    if (tenant === undefined) return false;
    const removed = (await this.redis.discardAnalysis(...this.jobKeys(id), id, tenant)) === 1;
    if (removed) await this.unindex(tenant, id);
    return removed;
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
    const raw = await this.redis.analysisEvents(this.keys.snapshot(id), after);
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
      for (const hash of await this.readMany(ids)) {
        // An entry outlives its job until the tenant's next write trims it: skip it.
        const stored = decodeJob(hash);
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

  /** Every tenant with an index in Redis (one SCAN over the service's tenant keys, per master). */
  async tenants(): Promise<string[]> {
    const found = new Set<string>();
    const nodes = isCluster(this.redis) ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(
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
    }
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
      batch = await this.redis.trimAnalysisIndexes(...this.indexKeys(tenant));
      trimmed += batch;
    } while (batch > 0);
    return trimmed;
  }

  /**
   * A tenant's queued or running jobs created before `createdBefore` (ms since epoch), each
   * with the status index it was found in.
   */
  async unfinished(tenant: string, createdBefore: number): Promise<UnfinishedEntry[]> {
    const found = await Promise.all(
      (['queued', 'running'] as const).map(async (filed) => {
        const index = this.keys.index(tenant, filed);
        const ids = await this.redis.zrangebyscore(index, '-inf', `(${createdBefore}`);
        return ids.map((id) => ({ id, filed }));
      }),
    );
    return found.flat();
  }

  /**
   * Makes a tenant's indexes agree with the job an entry names: removed when the
   * job is gone or another tenant's, filed under its status otherwise (no write when
   * the entry's index, `filed`, is already its status). For the reconciliation, after
   * a crash between a job's write and its index write. Returns the job's snapshot when
   * it is the tenant's.
   */
  async reconcileEntry(
    tenant: string,
    id: string,
    filed?: AnalysisStatus,
  ): Promise<AnalysisSnapshot | undefined> {
    const stored = await this.read(id);
    const mine = stored?.access.tenant === tenant;
    if (!mine || stored.snapshot.status !== filed) await this.refile(tenant, id, stored);
    return mine ? stored.snapshot : undefined;
  }

  private async refile(tenant: string, id: string, stored: StoredJob | undefined): Promise<void> {
    if (!stored || stored.access.tenant !== tenant) return this.unindex(tenant, id);
    const { snapshot } = stored;
    const expiresAt = snapshot.finishedAt
      ? Date.parse(snapshot.finishedAt) + this.config.eventTtlSeconds * 1000
      : undefined;
    // No trim: the reconciliation trims each tenant once per pass, not once per entry.
    await this.index(tenant, id, Date.parse(snapshot.createdAt), snapshot.status, { expiresAt });
  }

  private async index(
    tenant: string,
    id: string,
    createdMs: number,
    status: AnalysisStatus,
    filing: IndexFiling,
  ): Promise<void> {
    await this.redis.indexAnalysis(...this.indexArgs(tenant, id, createdMs, status, filing));
  }

  private indexArgs(
    tenant: string,
    id: string,
    createdMs: number,
    status: AnalysisStatus,
    filing: IndexFiling,
  ): (string | number)[] {
    return [
      ...this.indexKeys(tenant),
      id,
      createdMs,
      status,
      filing.expiresAt ?? '',
      filing.from ?? '',
      filing.trim ? 1 : '',
    ];
  }

  private async unindex(tenant: string, id: string): Promise<void> {
    await this.redis.unindexAnalysis(...this.indexKeys(tenant), id);
  }

  /**
   * Runs an event script; with REDIS_WAIT_REPLICAS=N, followed by `WAIT N REDIS_WAIT_MS`
   * in the same round trip, on the connection to the job's master, and refused (the
   * writer retries the attempt) when fewer replicas than N confirm it in time.
   */
  private async replicated<T>(
    script: 'createAnalysis' | 'appendAnalysisEvents' | 'appendAndFileAnalysisEvents',
    ...args: (string | number)[]
  ): Promise<T> {
    const replicas = this.config.redisWaitReplicas;
    if (replicas === 0) return (await this.redis[script](...args)) as T;
    const pipeline = this.redis.pipeline() as ChainableCommander & ScriptCommands;
    void pipeline[script](...args);
    pipeline.wait(replicas, this.config.redisWaitMs);
    const [[scriptError, reply], [waitError, acknowledged]] = (await pipeline.exec()) ?? [];
    if (scriptError) throw scriptError;
    if (waitError) throw waitError;
    if ((acknowledged as number) < replicas) throw new NotReplicatedError(replicas);
    return reply as T;
  }

  private jobKeys(id: string): string[] {
    return [this.keys.snapshot(id), this.keys.channel(id)];
  }

  /** A tenant's index keys, made once per tenant (bounded like the other maps). */
  private indexKeys(tenant: string): readonly string[] {
    let keys = this.indexKeysByTenant.get(tenant);
    if (!keys) {
      if (this.indexKeysByTenant.size >= MAX_REMEMBERED) this.indexKeysByTenant.clear();
      keys = [...this.keys.indexes(tenant), this.keys.expiries(tenant)];
      this.indexKeysByTenant.set(tenant, keys);
    }
    return keys;
  }

  /** Snapshot hashes of many jobs: one pipeline on one Redis, one call per job on a cluster (each its own slot). */
  private async readMany(ids: string[]): Promise<Record<string, string>[]> {
    if (isCluster(this.redis)) {
      return Promise.all(ids.map((id) => this.readFields(id)));
    }
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.snapshot(id), ...STORED_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([, values]) => fieldsOf(values as (string | null)[]));
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
    if (this.tenantById.size >= MAX_REMEMBERED) this.tenantById.clear();
    this.tenantById.set(id, tenant);
  }

  /** Jobs that went on elsewhere (retried, handed back) leave an entry: the map is bounded. */
  private rememberSeq(id: string, seq: number): void {
    if (this.lastSeqById.size >= MAX_REMEMBERED && !this.lastSeqById.has(id)) {
      this.lastSeqById.clear();
    }
    this.lastSeqById.set(id, seq);
  }

  private async read(id: string): Promise<StoredJob | undefined> {
    return decodeJob(await this.readFields(id));
  }

  /** The job's stored fields but its events. */
  private async readFields(id: string): Promise<Record<string, string>> {
    return fieldsOf(await this.redis.hmget(this.keys.snapshot(id), ...STORED_FIELDS));
  }
}

export class NotReplicatedError extends Error {
  constructor(replicas: number) {
    super(`An event reached fewer than ${replicas} replicas in REDIS_WAIT_MS`);
    this.name = 'NotReplicatedError';
  }
}

function withoutOpeningBrace(event: AnalysisEventDraft): string {
  return JSON.stringify(event).slice(1);
}

/** HMGET's reply for STORED_FIELDS as a record of the fields that are set. */
function fieldsOf(values: (string | null)[]): Record<string, string> {
  const hash: Record<string, string> = {};
  values.forEach((value, i) => {
    if (value !== null) hash[STORED_FIELDS[i]] = value;
  });
  return hash;
}

function decodeJob(hash: Record<string, string>): StoredJob | undefined {
  if (!hash.status) return undefined;
  const snapshot = Object.fromEntries(
    SNAPSHOT_FIELDS.map((field) => [
      field,
      hash[field] === undefined ? null : JSON.parse(hash[field]),
    ]),
  ) as unknown as AnalysisSnapshot;
  if (hash.epoch) snapshot.epoch = Number(hash.epoch);
  return {
    snapshot,
    fingerprint: hash.fingerprint ? (JSON.parse(hash.fingerprint) as string) : '',
    access: { tenant: hash.tenant ?? ANONYMOUS_TENANT, token: hash.token ?? '' },
  };
}
