import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { encodeInput, InputDecoder, type InputHeader } from './input-codec';
import type { RedisClient } from './redis-connection';
import { RedisKeys } from './redis-keys';
import { REDIS } from './redis.providers';

/** Chunks fetched per round trip: a few MiB, each reply still quick to hand over. */
const CHUNKS_PER_READ = 4;

/**
 * A large job input, stored beside the job under its hash tag (`P:job:{id}:input`: a list whose
 * first element is a JSON header, then the chunks) rather than in the BullMQ payload, which every
 * BullMQ step would parse as a whole. It is deleted when the job ends; its TTL, set when it is
 * written, bounds it should nothing end the job.
 */
@Injectable()
export class InputStore {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Stores the input when it is large: true then, false when it should stay inline. With
   * `keepExisting` (the same request again, for a job that may already be running), an input
   * already stored is left as it is: a worker may be reading it.
   */
  async save(
    id: string,
    input: unknown,
    { keepExisting = false, validated }: { keepExisting?: boolean; validated?: unknown } = {},
  ): Promise<boolean> {
    const encoded = await encodeInput(input, validated);
    if (!encoded) return false;
    const key = this.keys.input(id);
    if (keepExisting && (await this.redis.exists(key)) === 1) return true;
    // Written to a draft of this request's own, each chunk its own command (one command carrying
    // them all makes ioredis copy the whole input twice in one task), sent back to back a turn
    // apart and awaited together: one round trip's wait rather than one per chunk. Redis applies
    // them in the order sent; the rename waits for every reply, so the input goes in place whole,
    // never half, even when the same request is written twice at once.
    const draft = this.keys.inputDraft(id, randomUUID());
    const writes: Promise<unknown>[] = [];
    let failed = false;
    // A write that fails while later chunks are still being sent is handled at once (no
    // unhandled rejection; Promise.all below still sees it), and no chunk follows it.
    const send = (write: Promise<unknown>): void => {
      write.catch(() => (failed = true));
      writes.push(write);
    };
    send(
      this.redis
        .multi()
        .rpush(draft, JSON.stringify(encoded.header))
        .expire(draft, this.config.eventTtlSeconds)
        .exec(),
    );
    for (const chunk of encoded.chunks) {
      await nextTurn();
      if (failed) break;
      send(this.redis.rpush(draft, chunk));
    }
    try {
      await Promise.all(writes);
    } catch (error) {
      // The draft may lack its TTL (when its first write failed): removed now rather than left.
      await this.redis.del(draft).catch(() => undefined);
      throw error;
    }
    await this.redis.rename(draft, key);
    return true;
  }

  /** The stored input, or undefined when it is gone (expired before any worker took the job). */
  async load(id: string): Promise<unknown> {
    const key = this.keys.input(id);
    let decoder: InputDecoder | undefined;
    for (let from = 0; ; from += CHUNKS_PER_READ) {
      const read = await this.redis.lrangeBuffer(key, from, from + CHUNKS_PER_READ - 1);
      if (read.length === 0 && !decoder) return undefined;
      for (const chunk of read) {
        if (!decoder) {
          decoder = new InputDecoder(JSON.parse(chunk.toString('utf8')) as InputHeader);
          continue;
        }
        // A turn between chunks: the first writes to a new 8 MB array fault its pages in, which
        // on a busy machine takes several milliseconds per chunk.
        decoder.add(chunk);
        await nextTurn();
      }
      if (read.length < CHUNKS_PER_READ) break;
    }
    return decoder?.input();
  }

  async discard(id: string): Promise<void> {
    await this.redis.del(this.keys.input(id));
  }
}
