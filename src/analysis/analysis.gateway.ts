import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AnalysisAccess } from '../auth/analysis-access';
import { socketCaller, socketKeyMiddleware } from '../auth/socket-auth';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { AnalysisSnapshot } from '../core/analysis.types';
import { ChannelSubscriber } from '../bus/channel.subscriber';
import { EventStore } from '../bus/event-store';
import { RedisKeys } from '../bus/redis-keys';
import { Metrics } from '../observability/metrics';
import { JobFeed, type JobFeedDeps } from './live/job-feed';
import { parseSubscribeRequest, parseUnsubscribeRequest } from './live/subscribe-request';

export type SubscribeAck =
  | { ok: true; snapshot: AnalysisSnapshot }
  | {
      ok: false;
      error: { code: 'invalid' | 'not_found' | 'forbidden' | 'limit'; message: string };
    };

/** The jobs a socket follows, kept on the socket so that a disconnect touches only those feeds. */
function followedJobs(socket: Socket): Set<string> {
  const data = socket.data as { jobs?: Set<string> };
  return (data.jobs ??= new Set());
}

/** Subscribes of the socket still being answered: they count against the limit already. */
function pendingSubscribes(socket: Socket, change = 0): number {
  const data = socket.data as { pending?: number };
  data.pending = (data.pending ?? 0) + change;
  return data.pending;
}

type AckFn<T> = ((response: T) => void) | undefined;

/**
 * Socket.IO namespace `/analyses`: a socket subscribes to jobs and receives
 * each job's events, history first, then live, in `seq` order.
 */
@WebSocketGateway({ namespace: '/analyses' })
export class AnalysisGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy
{
  @WebSocketServer() private readonly namespace!: Namespace;
  private readonly logger = new Logger(AnalysisGateway.name);
  private readonly feeds = new Map<string, JobFeed>();
  private feedDeps: JobFeedDeps | undefined;
  private readonly stopResync: () => void;

  constructor(
    private readonly store: EventStore,
    private readonly subscriber: ChannelSubscriber,
    private readonly keys: RedisKeys,
    private readonly access: AnalysisAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: Metrics,
  ) {
    this.stopResync = subscriber.onResync(() => this.feeds.forEach((feed) => feed.resync()));
    metrics.observe('socketConnections', () => this.namespace?.sockets.size ?? 0);
    metrics.observe('liveSubscriptions', () => this.subscriptionCount());
  }

  /** Nest guards do not run at the handshake: the key is checked by the namespace's middleware. */
  afterInit(namespace: Namespace): void {
    namespace.use(socketKeyMiddleware(this.config.apiKeys));
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
    @Ack() ack: AckFn<SubscribeAck>,
  ): Promise<void> {
    const request = parseSubscribeRequest(payload);
    if (!request.ok)
      return ack?.({ ok: false, error: { code: 'invalid', message: request.message } });
    const { id, after, token } = request.value;
    const followed = followedJobs(socket);
    const taken = this.liveSubscriptions(followed) + pendingSubscribes(socket);
    if (!followed.has(id) && taken >= this.config.maxSubscriptionsPerSocket) {
      const message = `A socket may follow at most ${this.config.maxSubscriptionsPerSocket} analyses at once (MAX_SUBSCRIPTIONS_PER_SOCKET); unsubscribe from one first`;
      return ack?.({ ok: false, error: { code: 'limit', message } });
    }
    // Counted from now: a burst of subscribes on one socket cannot all pass the check at once.
    pendingSubscribes(socket, 1);
    let counted = true;
    const settle = (): void => {
      if (counted) pendingSubscribes(socket, -1);
      counted = false;
    };
    // The job's channel is subscribed to, and its history read, while the access is read: one
    // round trip fewer before the history reaches the socket. A caller turned away sees none of it.
    const feed = this.feedFor(id);
    const release = feed.hold();
    const history = feed.readAhead(after);
    try {
      const access = await this.access.forSocket(id, { ...socketCaller(socket), token });
      if (socket.disconnected) return; // gone while we read: nothing joins (release closes an idle feed)
      if (!access.ok) {
        const message =
          access.code === 'not_found'
            ? `No analysis has id "${id}"`
            : `Subscribing to analysis "${id}" needs its token, or a key given at the handshake`;
        return ack?.({ ok: false, error: { code: access.code, message } });
      }
      const { snapshot } = access;
      if (after > snapshot.lastSeq) {
        const message = `after (${after}) is beyond the analysis's last seq (${snapshot.lastSeq})`;
        return ack?.({ ok: false, error: { code: 'invalid', message } });
      }
      await feed.ready;
      if (socket.disconnected) return;
      ack?.({ ok: true, snapshot });
      followed.add(id);
      settle();
      const joined = feed.join(socket, after, history);
      release(); // the join holds the feed from here
      await joined;
    } catch (error) {
      this.logger.error({ msg: 'subscribe failed', jobId: id, error: String(error) });
      socket.disconnect(true);
    } finally {
      settle();
      release();
    }
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
    @Ack() ack: AckFn<{ ok: true } | SubscribeAck>,
  ): Promise<void> {
    const request = parseUnsubscribeRequest(payload);
    if (!request.ok)
      return ack?.({ ok: false, error: { code: 'invalid', message: request.message } });
    followedJobs(socket).delete(request.value.id);
    await this.feeds.get(request.value.id)?.leave(socket);
    ack?.({ ok: true });
  }

  handleConnection(socket: Socket): void {
    this.logger.debug({ msg: 'socket connected', socketId: socket.id });
  }

  handleDisconnect(socket: Socket): void {
    this.logger.debug({ msg: 'socket disconnected', socketId: socket.id });
    for (const id of followedJobs(socket)) this.feeds.get(id)?.dropped();
  }

  onModuleDestroy(): void {
    this.stopResync();
  }

  private subscriptionCount(): number {
    let count = 0;
    this.namespace?.sockets.forEach(
      (socket) => (count += this.liveSubscriptions(followedJobs(socket))),
    );
    return count;
  }

  /** Followed jobs whose feed is still open: a finished job no longer counts against the limit. */
  private liveSubscriptions(followed: Set<string>): number {
    for (const id of followed) if (!this.feeds.has(id)) followed.delete(id);
    return followed.size;
  }

  private feedFor(id: string): JobFeed {
    let feed = this.feeds.get(id);
    if (!feed) {
      // One deps object for all feeds (the namespace is set after construction): a process may hold thousands.
      this.feedDeps ??= {
        store: this.store,
        subscriber: this.subscriber,
        namespace: this.namespace,
        channelOf: (job) => this.keys.channel(job),
        logger: this.logger,
        onClosed: (closed) => {
          if (this.feeds.get(closed.id) === closed) this.feeds.delete(closed.id);
        },
      };
      feed = new JobFeed(id, this.feedDeps);
      this.feeds.set(id, feed);
    }
    return feed;
  }
}
