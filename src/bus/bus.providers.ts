import {
  Inject,
  Injectable,
  type InjectionToken,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_MIRROR, type EventMirror, MirroredPublisher } from '../service/event-mirror.port';
import { PUBLISHER, type Publisher } from '../service/publisher.port';
import { ChannelSubscriber } from './channel.subscriber';
import { EventStore } from './event-store';
import { InputStore } from './input-store';
import { RedisDeadline } from './redis-deadline';
import { type RedisClient, closeHandedOverConnections } from './redis-connection';
import { REDIS, redisProviders } from './redis.providers';
import { RedisPublisher } from './redis.publisher';

/** Closes the command connection, and those handed to BullMQ and the rate limiter, when the application stops. */
@Injectable()
export class RedisShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await closeHandedOverConnections(this.config);
    // QUIT would wait for a connection that may never come back.
    if (this.redis.status !== 'ready') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Redis as the service's bus: the event store, the Publisher the runner
 * reports to, pub/sub. Provided by AnalysisModule, which supplies
 * APP_CONFIG (whose Redis settings say where to connect: one Redis or a Cluster).
 */
export const busProviders: Provider[] = [
  ...redisProviders,
  EventStore,
  InputStore,
  RedisDeadline,
  ChannelSubscriber,
  RedisShutdown,
  RedisPublisher,
  {
    // With a mirror (JetStream), the runner's events reach it through a composed Publisher.
    provide: PUBLISHER,
    inject: [RedisPublisher, { token: EVENT_MIRROR, optional: true }],
    useFactory: (redis: RedisPublisher, mirror?: EventMirror): Publisher =>
      mirror ? new MirroredPublisher(redis, mirror) : redis,
  },
];

/** What the module's neighbours (health, dashboard) may use of the bus. */
export const busExports = [
  ...redisProviders.map(tokenOf),
  EventStore,
  InputStore,
  RedisDeadline,
  ChannelSubscriber,
  PUBLISHER,
];

function tokenOf(provider: Provider): InjectionToken {
  return typeof provider === 'function' ? provider : provider.provide;
}
