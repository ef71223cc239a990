import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PUBLISHER } from '../service/publisher.port';
import { ChannelSubscriber } from './channel.subscriber';
import { EventStore } from './event-store';
import { RedisDeadline } from './redis-deadline';
import { type RedisClient, closeHandedOverConnections } from './redis-connection';
import { REDIS, redisProviders } from './redis.providers';
import { RedisPublisher } from './redis.publisher';

/** Redis as the service's bus: the event store, the Publisher the runner reports to, pub/sub. */
@Global()
@Module({
  providers: [
    ...redisProviders,
    EventStore,
    RedisDeadline,
    ChannelSubscriber,
    { provide: PUBLISHER, useClass: RedisPublisher },
  ],
  exports: [...redisProviders, EventStore, RedisDeadline, ChannelSubscriber, PUBLISHER],
})
export class BusModule implements OnApplicationShutdown {
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
