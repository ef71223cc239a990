/** Every Redis key and channel the service owns, under its KEY_PREFIX. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Hash: the job's snapshot, one JSON-encoded value per field. */
  snapshot(id: string): string {
    return `${this.prefix}:analysis:${id}`;
  }

  /** List: the job's events in `seq` order; event `seq` N sits at index N − 1. */
  events(id: string): string {
    return `${this.prefix}:analysis:${id}:events`;
  }

  /** Pub/sub channel carrying each new event of the job. */
  channel(id: string): string {
    return `${this.prefix}:analysis:${id}:live`;
  }

  /** Sorted set of every job's id by creation time; `status` narrows it to one status. */
  index(status?: string): string {
    return status ? `${this.prefix}:analyses:${status}` : `${this.prefix}:analyses`;
  }

  /** Pub/sub channel telling workers to abort a job. */
  cancellations(): string {
    return `${this.prefix}:cancellations`;
  }
}
