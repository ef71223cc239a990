import { ANALYSIS_STATUSES, type AnalysisStatus } from '../core/analysis.types';

/**
 * Every Redis key and channel the service owns, in one place. `P` is KEY_PREFIX.
 *
 * | key or channel                  | type    | holds                                            | expires                       |
 * | ------------------------------- | ------- | ------------------------------------------------ | ----------------------------- |
 * | `P:job:{id}`                    | hash    | the snapshot (JSON per field), tenant, token;    | `EVENT_TTL_SECONDS` after end |
 * |                                 |         | event `seq` N in field `#N`                      |                               |
 * | `P:job:{id}:input`              | list    | a large input: JSON header, then ≤ 1 MiB chunks  | deleted at end; TTL backstop  |
 * | `P:job:{id}:input:<writer>`     | list    | that input while it is written, then renamed     | TTL backstop                  |
 * | `P:job:{id}:live`               | channel | each new event of the job                        | —                             |
 * | `P:tenant:{T}:jobs`             | zset    | the tenant's job ids by creation time (ms)       | entries trimmed at job expiry |
 * | `P:tenant:{T}:jobs:<status>`    | zset    | the same, narrowed to one status                 | entries trimmed at job expiry |
 * | `P:tenant:{T}:expiries`         | zset    | ended job ids by the time their keys expire (ms) | trimmed as it goes            |
 * | `P:lock:reconcile`              | string  | the reconciliation lock's holder                 | RECONCILE_INTERVAL_MS         |
 * | `P:{cancellations}`             | channel | ids of jobs to stop, for the workers             | —                             |
 *
 * BullMQ owns `P:<queue name>:*` (the queue is `analyses`): no key here starts with
 * a queue's name, so BullMQ's counts, cleaning and dashboard never see the service's
 * data (on a Redis Cluster BullMQ's prefix is `P:{analyses}`, its own slot). A job's keys
 * and channel share the hash tag `{id}` and a tenant's indexes the tag `{T}`, so that on a
 * cluster jobs spread over every master and each script touches one slot; the per-job
 * script and the index write are therefore two calls (the reconciliation repairs an index
 * left behind by a crash between them).
 * The index entries of a tenant are removed by the writes of that tenant (and by the
 * reconciliation) once their job's keys have expired, so that the number of keys and
 * entries is bounded by the live jobs plus the jobs ended within the TTL.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /**
   * Hash: the job's snapshot, one JSON-encoded value per field, plus its tenant and token,
   * and its events: event `seq` N in field `#N` (one write stores both, one EXPIRE ends both).
   */
  snapshot(id: string): string {
    return `${this.prefix}:job:{${id}}`;
  }

  /** List: a large input stored beside the job (header, then chunks); see InputStore. */
  input(id: string): string {
    return `${this.prefix}:job:{${id}}:input`;
  }

  /** List: an input being written, renamed to `input(id)` once whole; its TTL bounds an abandoned one. */
  inputDraft(id: string, writer: string): string {
    return `${this.input(id)}:${writer}`;
  }

  /** Pub/sub channel carrying each new event of the job. */
  channel(id: string): string {
    return `${this.prefix}:job:{${id}}:live`;
  }

  /** Sorted set of a tenant's job ids by creation time; `status` narrows it to one status. */
  index(tenant: string, status?: AnalysisStatus): string {
    const all = `${this.prefix}:tenant:{${tenant}}:jobs`;
    return status ? `${all}:${status}` : all;
  }

  /** The tenant's index keys in the order the store's scripts expect: all, then one per status. */
  indexes(tenant: string): string[] {
    return [this.index(tenant), ...ANALYSIS_STATUSES.map((status) => this.index(tenant, status))];
  }

  /** Sorted set of a tenant's ended job ids, scored by when their keys expire (ms since epoch). */
  expiries(tenant: string): string {
    return `${this.prefix}:tenant:{${tenant}}:expiries`;
  }

  /** Pattern matching every tenant's keys, for the reconciliation's sweep. */
  allTenantKeys(): string {
    return `${this.prefix}:tenant:*`;
  }

  /** The tenant a tenant key belongs to (tenant names hold no `:`). */
  tenantOf(key: string): string | undefined {
    const head = `${this.prefix}:tenant:`;
    if (!key.startsWith(head)) return undefined;
    const tenant = /^\{([^}]+)\}/.exec(key.slice(head.length))?.[1];
    return tenant || undefined;
  }

  /** String: held by the one process reconciling jobs with BullMQ at a time. */
  reconcileLock(): string {
    return `${this.prefix}:lock:reconcile`;
  }

  /** Pub/sub channel telling workers to abort a job. */
  cancellations(): string {
    return `${this.prefix}:{cancellations}`;
  }
}
