import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type RedisClient, isCluster } from './redis-connection';
import { REDIS_SUBSCRIBER } from './redis.providers';

export type MessageHandler = (message: string) => void;

/**
 * Multiplexes every channel the process listens to over its one subscriber
 * connection. A channel is subscribed in Redis only while it has a handler.
 * On a cluster, channels are sharded (SSUBSCRIBE): ioredis keeps one
 * subscriber connection per master and subscribes again after a failover.
 */
@Injectable()
export class ChannelSubscriber implements OnApplicationShutdown {
  private readonly logger = new Logger(ChannelSubscriber.name);
  /** One handler as itself, more in a Set: most channels have one listener, and a Set costs ~180 bytes. */
  private readonly handlers = new Map<string, MessageHandler | Set<MessageHandler>>();
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private readonly resyncListeners = new Set<() => void>();
  private connectedBefore = false;
  private readonly sharded: boolean;

  constructor(@Inject(REDIS_SUBSCRIBER) private readonly redis: RedisClient) {
    this.sharded = isCluster(redis);
    const event = this.sharded ? 'smessage' : 'message';
    redis.on(event, (channel: string, message: string) => this.dispatch(channel, message));
    redis.on('ready', () => {
      if (this.connectedBefore) void this.restore();
      this.connectedBefore = true;
    });
  }

  /**
   * After a reconnect: subscribe again to every channel and, once Redis has
   * confirmed it, tell listeners to catch up from the log. In that order, an
   * event published in between is either in the log read or arrives as a
   * message; the other way round it could be in neither.
   */
  private async restore(): Promise<void> {
    const channels = [...this.handlers.keys()];
    try {
      // ioredis restores sharded subscriptions itself (per master, as slots move).
      if (channels.length > 0 && !this.sharded) await this.redis.subscribe(...channels);
    } catch (error) {
      // The connection dropped again: the next 'ready' restores.
      this.logger.warn({ msg: 'resubscribe failed', error: String(error) });
      return;
    }
    this.resyncListeners.forEach((listener) => listener());
  }

  /** Resolves once Redis confirms the subscription: later messages will reach the handler. */
  async subscribe(channel: string, handler: MessageHandler): Promise<void> {
    const handlers = this.handlers.get(channel);
    if (handlers instanceof Set) handlers.add(handler);
    else if (handlers) this.handlers.set(channel, new Set([handlers, handler]));
    else {
      this.handlers.set(channel, handler);
      this.subscribed.set(
        channel,
        this.whenReady().then(() =>
          this.sharded ? this.redis.ssubscribe(channel) : this.redis.subscribe(channel),
        ),
      );
    }
    await this.subscribed.get(channel);
  }

  async unsubscribe(channel: string, handler: MessageHandler): Promise<void> {
    const handlers = this.handlers.get(channel);
    if (handlers instanceof Set) {
      if (!handlers.delete(handler) || handlers.size > 0) return;
    } else if (handlers !== handler) return;
    const subscribing = this.subscribed.get(channel);
    this.handlers.delete(channel);
    this.subscribed.delete(channel);
    // Let a SUBSCRIBE still waiting for the connection go first, so this one undoes it.
    await subscribing?.catch(() => undefined);
    if (this.handlers.has(channel)) return;
    await (this.sharded ? this.redis.sunsubscribe(channel) : this.redis.unsubscribe(channel));
  }

  /**
   * ioredis checks a new connection with ordinary commands (CLIENT SETNAME, INFO), which
   * Redis refuses once SUBSCRIBE has been sent: the first subscription waits for the check.
   */
  private whenReady(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.redis.once('ready', () => resolve()));
  }

  /** Called after the connection came back and its subscriptions are confirmed again. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  channelCount(): number {
    return this.handlers.size;
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  private dispatch(channel: string, message: string): void {
    const handlers = this.handlers.get(channel);
    if (handlers instanceof Set) handlers.forEach((handler) => this.run(handler, channel, message));
    else if (handlers) this.run(handlers, channel, message);
  }

  private run(handler: MessageHandler, channel: string, message: string): void {
    try {
      handler(message);
    } catch (error) {
      this.logger.error({ msg: 'message handler failed', channel, error: String(error) });
    }
  }
}
