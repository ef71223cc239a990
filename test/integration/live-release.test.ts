import Redis from 'ioredis';
import { ChannelSubscriber } from '../../src/bus/channel.subscriber';
import { connectRedis } from '../../src/bus/redis.providers';
import { request } from '../support/http';
import { LiveClient } from '../support/live-client';
import { useService } from '../support/service-fixture';
import { waitUntil } from '../support/wait';

const fixture = useService();

describe('pub/sub after a reconnect, and sockets gone mid-subscribe', () => {
  it('tells listeners to catch up only once the subscription is confirmed again', async () => {
    const admin = new Redis(fixture.redis.url);
    const connection = connectRedis(
      { redisUrl: fixture.redis.url, redisClusterNodes: [] },
      'test:subscriber',
      {
        autoResubscribe: false,
      },
    );
    const subscriber = new ChannelSubscriber(connection);
    const received: string[] = [];
    await subscriber.subscribe('test:channel', (message) => received.push(message));
    // Whatever is published once the listener runs must arrive: the catch-up read comes before it.
    const resynced = new Promise<void>((resolve) =>
      subscriber.onResync(() => {
        void admin.publish('test:channel', 'published at resync').then(() => resolve());
      }),
    );
    await admin.client('KILL', 'TYPE', 'pubsub');
    await resynced;
    await waitUntil(() => received.includes('published at resync'), 5_000, 'the message');
    connection.disconnect();
    admin.disconnect();
  });

  it('releases the feed and channel of a socket that leaves while its subscribe waits', async () => {
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 60_000 },
    });
    const id = created.body.id as string;
    const subscriber = fixture.service.app.get(ChannelSubscriber);
    const before = subscriber.channelCount();
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const client = new LiveClient(fixture.service.url);
        await client.connected();
        return client;
      }),
    );
    for (const client of clients) {
      client.socket.emit('subscribe', { id });
      client.close();
    }
    await waitUntil(() => subscriber.channelCount() === before, 5_000, 'the channel released');
    // And a socket that stays still gets everything.
    const staying = await fixture.client();
    expect(await staying.subscribe({ id })).toMatchObject({ ok: true });
    await request(fixture.service.url, 'DELETE', `/analyses/${id}`);
    expect((await staying.finished(id)).map((event) => event.type)).toEqual([
      'queued',
      'started',
      'cancelled',
    ]);
    await waitUntil(() => subscriber.channelCount() === before, 5_000, 'the channel released');
  });
});
