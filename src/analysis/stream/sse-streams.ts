import type { ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ChannelSubscriber } from '../../bus/channel.subscriber';
import { EventStore } from '../../bus/event-store';
import { RedisKeys } from '../../bus/redis-keys';
import { Metrics } from '../../observability/metrics';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { withHeaders } from '../../http/response-headers';
import { JobCursor } from './job-cursor';
import { SseStream } from './sse-stream';

const HEARTBEAT_MS = 15_000;
const RETRY_MS = 1_000;
/** Unsent bytes a stream may hold: past this its client is not reading, and it is closed. */
const MAX_BUFFERED_BYTES = 1_048_576;
/** How long a client refused by MAX_STREAMS is asked to wait. */
const FULL_RETRY_SECONDS = 5;

/** The open `GET /analyses/{id}/stream` responses of this process, each fed by its own cursor. */
@Injectable()
export class SseStreams implements OnModuleDestroy {
  private readonly logger = new Logger(SseStreams.name);
  private readonly open = new Set<() => void>();

  constructor(
    private readonly store: EventStore,
    private readonly subscriber: ChannelSubscriber,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: Metrics,
  ) {
    metrics.observe('sseStreams', () => this.open.size);
  }

  /** MAX_STREAMS: throws 503 while this process serves that many streams. */
  admit(): void {
    if (this.open.size < this.config.maxStreams) return;
    throw withHeaders(
      new ServiceUnavailableException(
        `This process already serves ${this.config.maxStreams} event streams (MAX_STREAMS); try again later`,
      ),
      { 'Retry-After': String(FULL_RETRY_SECONDS) },
    );
  }

  /** Streams the job's events after `after` until its terminal event or until the client leaves. */
  serve(id: string, after: number, response: ServerResponse): void {
    const stream = new SseStream(response, {
      heartbeatMs: HEARTBEAT_MS,
      retryMs: RETRY_MS,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
    });
    const cursor = new JobCursor(
      id,
      after,
      { store: this.store, subscriber: this.subscriber, channel: this.keys.channel(id) },
      {
        event: (event) => stream.send(event),
        end: (error) => {
          // The client reconnects with Last-Event-ID and resumes where it was.
          if (error) this.logger.warn({ msg: 'stream failed', jobId: id, error: String(error) });
          stream.end();
        },
      },
    );
    const stop = (): void => {
      cursor.close();
      stream.end();
    };
    this.open.add(stop);
    stream.onClose(() => {
      this.open.delete(stop);
      cursor.close();
    });
    void cursor.open();
  }

  /** Before the HTTP server closes: it would otherwise wait for these endless responses. */
  onModuleDestroy(): void {
    this.open.forEach((stop) => stop());
  }
}
