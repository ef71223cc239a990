import type { ServerResponse } from 'node:http';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ChannelSubscriber } from '../../bus/channel.subscriber';
import { EventStore } from '../../bus/event-store';
import { RedisKeys } from '../../bus/redis-keys';
import { Metrics } from '../../observability/metrics';
import { JobCursor } from './job-cursor';
import { SseStream } from './sse-stream';

const HEARTBEAT_MS = 15_000;
const RETRY_MS = 1_000;

/** The open `GET /analyses/{id}/stream` responses of this process, each fed by its own cursor. */
@Injectable()
export class SseStreams implements OnModuleDestroy {
  private readonly logger = new Logger(SseStreams.name);
  private readonly open = new Set<() => void>();

  constructor(
    private readonly store: EventStore,
    private readonly subscriber: ChannelSubscriber,
    private readonly keys: RedisKeys,
    metrics: Metrics,
  ) {
    metrics.observe('sseStreams', () => this.open.size);
  }

  /** Streams the job's events after `after` until its terminal event or until the client leaves. */
  serve(id: string, after: number, response: ServerResponse): void {
    const stream = new SseStream(response, { heartbeatMs: HEARTBEAT_MS, retryMs: RETRY_MS });
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
