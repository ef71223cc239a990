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
import { APPEND_MANY_SCRIPT, APPEND_SCRIPT, CREATE_SCRIPT } from './event-store.scripts';
import { RedisKeys } from './redis-keys';
import { REDIS } from './redis.providers';

export type AppendResult =
  { kind: 'appended'; seq: number } | { kind: 'refused' } | { kind: 'unknown' };

export interface CreateResult {
  created: boolean;
  snapshot: AnalysisSnapshot;
  /** The fingerprint the job was created with; compare it to tell a repeated request from a conflicting one. */
  fingerprint: string;
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

interface ScriptCommands {
  createAnalysis(...args: (string | number)[]): Promise<number>;
  appendAnalysisEvent(...args: (string | number)[]): Promise<number>;
  appendAnalysisEvents(...args: (string | number)[]): Promise<number>;
}

/**
 * The source of truth for jobs: per job a snapshot hash and an append-only
 * event log, both expiring once the job ends. Events get their `seq` here,
 * atomically with storing and publishing them.
 */
@Injectable()
export class EventStore {
  private readonly redis: Redis & ScriptCommands;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('createAnalysis', { numberOfKeys: 5, lua: CREATE_SCRIPT });
    redis.defineCommand('appendAnalysisEvent', { numberOfKeys: 3, lua: APPEND_SCRIPT });
    redis.defineCommand('appendAnalysisEvents', { numberOfKeys: 3, lua: APPEND_MANY_SCRIPT });
    this.redis = redis as Redis & ScriptCommands;
  }

  /** Creates a queued job and its `queued` event, unless the id is taken. */
  async create(id: string, pipeline: string, fingerprint: string): Promise<CreateResult> {
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
      this.keys.snapshot(id),
      this.keys.events(id),
      this.keys.index(),
      this.keys.index('queued'),
      this.keys.channel(id),
      id,
      createdAt.getTime(),
      withoutOpeningBrace(queued),
      'fingerprint',
      JSON.stringify(fingerprint),
      ...fields,
    );
    if (created === 1) return { created: true, snapshot, fingerprint };
    const existing = await this.read(id);
    if (!existing) return this.create(id, pipeline, fingerprint); // it expired in between
    return { created: false, snapshot: existing.snapshot, fingerprint: existing.fingerprint };
  }

  /**
   * Appends an event, updating the snapshot. Refused once the job has ended, and,
   * when `guardAttempt` is set, when a newer attempt than the event's has started.
   */
  async append(event: AnalysisEventDraft, guardAttempt = true): Promise<AppendResult> {
    const fields = Object.entries(snapshotPatch(event)).flatMap(([field, value]) => [
      field,
      JSON.stringify(value),
    ]);
    const seq = await this.redis.appendAnalysisEvent(
      this.keys.snapshot(event.id),
      this.keys.events(event.id),
      this.keys.channel(event.id),
      event.id,
      this.keys.index(),
      event.status,
      guardAttempt ? event.attempt : -1,
      isTerminal(event.status) ? 1 : 0,
      this.config.eventTtlSeconds,
      withoutOpeningBrace(event),
      ...fields,
    );
    if (seq > 0) return { kind: 'appended', seq };
    return seq === 0 ? { kind: 'refused' } : { kind: 'unknown' };
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
    const seq = await this.redis.appendAnalysisEvents(
      this.keys.snapshot(first.id),
      this.keys.events(first.id),
      this.keys.channel(first.id),
      first.id,
      this.keys.index(),
      guardAttempt ? first.attempt : -1,
      this.config.eventTtlSeconds,
      last.status,
      isTerminal(last.status) ? 1 : 0,
      events.length,
      ...events.map(withoutOpeningBrace),
      ...fields,
    );
    if (seq > 0) return { kind: 'appended', seq };
    return seq === 0 ? { kind: 'refused' } : { kind: 'unknown' };
  }

  async snapshot(id: string): Promise<AnalysisSnapshot | undefined> {
    return (await this.read(id))?.snapshot;
  }

  /** Events with `seq` greater than `after`, in order. */
  async events(id: string, after = 0): Promise<AnalysisEvent[]> {
    const raw = await this.redis.lrange(this.keys.events(id), after, -1);
    return raw.map((line) => JSON.parse(line) as AnalysisEvent);
  }

  /** The newest jobs first, optionally of one status; forgets ids whose job has expired. */
  async list(limit: number, status?: AnalysisStatus): Promise<AnalysisSnapshot[]> {
    const index = this.keys.index(status);
    const found: AnalysisSnapshot[] = [];
    let start = 0;
    while (found.length < limit) {
      const ids = await this.redis.zrevrange(index, start, start + limit - found.length - 1);
      if (ids.length === 0) break;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hgetall(this.keys.snapshot(id));
      const replies = (await pipeline.exec()) ?? [];
      const expired: string[] = [];
      replies.forEach(([, hash], position) => {
        const snapshot = decodeSnapshot(hash as Record<string, string>)?.snapshot;
        if (!snapshot) expired.push(ids[position]);
        else if (!status || snapshot.status === status) found.push(snapshot);
      });
      if (expired.length > 0) {
        await this.redis.zrem(this.keys.index(), ...expired);
        if (status) await this.redis.zrem(index, ...expired);
      }
      start += ids.length - expired.length;
    }
    return found;
  }

  private async read(
    id: string,
  ): Promise<{ snapshot: AnalysisSnapshot; fingerprint: string } | undefined> {
    return decodeSnapshot(await this.redis.hgetall(this.keys.snapshot(id)));
  }
}

function withoutOpeningBrace(event: AnalysisEventDraft): string {
  return JSON.stringify(event).slice(1);
}

function decodeSnapshot(
  hash: Record<string, string>,
): { snapshot: AnalysisSnapshot; fingerprint: string } | undefined {
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
  };
}
