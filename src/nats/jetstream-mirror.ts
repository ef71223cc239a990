import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  type JetStreamClient,
  type JetStreamManager,
  nanos,
  type NatsConnection,
  StorageType,
  StringCodec,
} from 'nats';
import { EventStore } from '../bus/event-store';
import { APP_CONFIG, type AppConfig, type NatsConfig } from '../config/app-config';
import { isTerminal } from '../core/analysis.types';
import type { EventMirror } from '../service/event-mirror.port';
import { NATS_CONFIG, NATS_CONNECTION } from './nats-connection';
import { natsMessageId, natsSubjects } from './nats-subjects';

/** JetStream's default: a republished event is recognised within this window. */
const DUPLICATE_WINDOW_MS = 120_000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;
/** Jobs whose last copied seq is remembered; beyond it the oldest is forgotten (and read from the stream if needed). */
const REMEMBERED_JOBS = 10_000;

/** A job being copied: one copy at a time, and one more if events came meanwhile. */
interface Copying {
  again: boolean;
}

const codec = StringCodec();

/**
 * Copies every event of every job from the event store to JetStream, on
 * `<NATS_SUBJECT>.events.<id>` with `Nats-Msg-Id` = `<id>:<seq>`. The store
 * numbers events; this only carries them, in `seq` order, one job at a time,
 * from where the stream's last message of the job left off, so a NATS
 * outage leaves no gap: it retries until the store's last event is in. At
 * least once: an event sent twice (two processes, a lost ack) is dropped by
 * JetStream as a duplicate.
 */
@Injectable()
export class JetStreamMirror implements EventMirror, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamMirror.name);
  private readonly subjects: ReturnType<typeof natsSubjects>;
  private readonly copying = new Map<string, Copying>();
  /** The last seq of each job known to be in the stream, while its copying is running. */
  private readonly copied = new Map<string, number>();
  private readonly js: JetStreamClient;
  private stopped = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(NATS_CONFIG) private readonly config: NatsConfig,
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    private readonly store: EventStore,
  ) {
    this.subjects = natsSubjects(config);
    this.js = nats.jetstream();
  }

  /** Creates the stream if it is missing. */
  async onModuleInit(): Promise<void> {
    const jsm = await this.nats.jetstreamManager();
    const maxAgeMs = this.appConfig.eventTtlSeconds * 1000;
    const wanted = {
      name: this.config.stream,
      subjects: [this.subjects.allEvents],
      storage: StorageType.File,
      max_age: nanos(maxAgeMs),
      duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, maxAgeMs)),
    };
    if (await streamExists(jsm, this.config.stream)) return;
    try {
      await jsm.streams.add(wanted);
    } catch (error) {
      // Another process created it in between.
      if (!(await streamExists(jsm, this.config.stream))) throw error;
    }
  }

  catchUp(id: string): void {
    const running = this.copying.get(id);
    if (running) {
      running.again = true;
      return;
    }
    const state: Copying = { again: false };
    this.copying.set(id, state);
    void this.copyUntilCurrent(id, state);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.nats.drain().catch(() => this.nats.close());
  }

  private async copyUntilCurrent(id: string, state: Copying): Promise<void> {
    let delay = RETRY_FIRST_MS;
    let ended = false;
    do {
      state.again = false;
      try {
        ended = await this.copy(id);
        delay = RETRY_FIRST_MS;
      } catch (error) {
        if (this.stopped) break;
        this.logger.warn({
          msg: 'copying events to JetStream failed; retrying',
          jobId: id,
          error: kind(error),
        });
        state.again = true;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(2 * delay, RETRY_MAX_MS);
      }
    } while (state.again && !this.stopped);
    this.copying.delete(id);
    if (ended) this.copied.delete(id);
  }

  /** Sends the job's events the stream lacks; true once its terminal event is in. */
  private async copy(id: string): Promise<boolean> {
    const after = this.copied.get(id) ?? (await this.lastInStream(id));
    const events = await this.store.events(id, after);
    for (const event of events) {
      await this.js.publish(this.subjects.events(id), codec.encode(JSON.stringify(event)), {
        msgID: natsMessageId(id, event.seq),
      });
      this.remember(id, event.seq);
      if (isTerminal(event.status)) return true;
    }
    return false;
  }

  private remember(id: string, seq: number): void {
    this.copied.delete(id); // re-inserted last: the map's order is the least recently copied first
    this.copied.set(id, seq);
    if (this.copied.size > REMEMBERED_JOBS) this.copied.delete(this.copied.keys().next().value!);
  }

  private async lastInStream(id: string): Promise<number> {
    const jsm = await this.js.jetstreamManager();
    try {
      const message = await jsm.streams.getMessage(this.config.stream, {
        last_by_subj: this.subjects.events(id),
      });
      return (JSON.parse(codec.decode(message.data)) as { seq: number }).seq;
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
  }
}

async function streamExists(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    await jsm.streams.info(name);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  const { code, api_error: apiError } = error as { code?: string; api_error?: { code?: number } };
  return code === '404' || apiError?.code === 404;
}

/** An error's kind only: messages may carry subjects with job ids, never input, but keep logs lean. */
function kind(error: unknown): string {
  return error instanceof Error
    ? `${error.name} ${(error as { code?: string }).code ?? ''}`.trim()
    : typeof error;
}
