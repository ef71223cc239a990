import { DEMO_EVENT_TYPES } from '../support/demo';
import { collect } from '../support/collect';
import type { Namespace } from 'socket.io';
import { AnalysisGateway } from '../../src/analysis/analysis.gateway';
import {
  AnalysisClient,
  ApiError,
  type ConnectionState,
  SubscribeError,
} from '../../src/client/analysis-client';
import type { AnalysisEvent, AnalysisSnapshot } from '../../src/core/analysis.types';
import { useService } from '../support/service-fixture';
import { TcpProxy } from '../support/tcp-proxy';

const fixture = useService();
const clients: AnalysisClient[] = [];
const proxies: TcpProxy[] = [];

afterAll(async () => {
  clients.forEach((client) => client.close());
  await Promise.all(proxies.map((proxy) => proxy.close()));
});

function newClient(url = fixture.service.url): AnalysisClient {
  const client = new AnalysisClient(url);
  clients.push(client);
  return client;
}

/** Resolves once the client's connection is in `state`, now or later. */
function reaches(client: AnalysisClient, state: ConnectionState): Promise<void> {
  if (client.connectionState === state) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = client.onConnectionState((next) => {
      if (next !== state) return;
      stop();
      resolve();
    });
  });
}

const seqs = (events: AnalysisEvent[]) => events.map((event) => event.seq);

describe('AnalysisClient: REST', () => {
  it('starts, reads, lists and cancels analyses, with the service types', async () => {
    const client = newClient();
    const pipelines = await client.pipelines();
    expect(pipelines.map((pipeline) => pipeline.name)).toEqual(['demo', 'stats']);
    expect(pipelines[1].steps).toEqual([
      'parse',
      'summary',
      'histogram',
      'outliers',
      'correlation',
    ]);

    const started = await client.start({ pipeline: 'demo', input: { stepMs: 30_000 } });
    expect(started).toMatchObject({ pipeline: 'demo', status: 'queued', lastSeq: 1 });
    expect((await client.get(started.id)).id).toBe(started.id);
    expect((await client.list({ limit: 5 })).map((snapshot) => snapshot.id)).toContain(started.id);
    expect((await client.events(started.id))[0]).toMatchObject({ seq: 1, type: 'queued' });

    const cancelled = await client.cancel(started.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await client.list({ status: 'cancelled' })).map((snapshot) => snapshot.id)).toContain(
      started.id,
    );
  });

  it('starts under a client-chosen id, idempotently', async () => {
    const client = newClient();
    const request = { id: `client-${Date.now()}`, pipeline: 'demo', input: { stepMs: 0 } };
    const first = await client.start(request);
    const again = await client.start(request);
    expect(again.id).toBe(first.id);
    expect(first.id).toBe(request.id);
  });

  it('sends CSV text as a text/csv body, the same job as the JSON form', async () => {
    const client = newClient();
    const csv = 'a,b\r\n1,2\r\n3,5\r\n';
    const viaCsv = await client.startCsv(csv, { bins: 2, id: `csv-${Date.now()}` });
    const viaJson = await client.start({ pipeline: 'stats', input: { csv, bins: 2 } });
    const [fromCsv, fromJson] = await Promise.all(
      [viaCsv, viaJson].map(async ({ id }) => (await collect(client.watch(id))).at(-1)),
    );
    expect(fromCsv?.type).toBe('completed');
    expect(fromCsv?.data).toEqual(fromJson?.data);
    const ragged = await client.startCsv('a,b\n1\n').catch((error) => error);
    expect(ragged).toMatchObject({ status: 400 });
    expect(ragged.message).toMatch(/line 2/);
  });

  it("throws ApiError carrying the service's status and message", async () => {
    const client = newClient();
    const unknown = await client.start({ pipeline: 'nope', input: {} }).catch((error) => error);
    expect(unknown).toBeInstanceOf(ApiError);
    expect(unknown).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
    expect(unknown.message).toMatch(/Valid pipelines: demo, stats/);

    const invalid = await client
      .start({ pipeline: 'stats', input: { csv: 'a,b\n1' } })
      .catch((error) => error);
    expect(invalid).toMatchObject({ status: 400 });
    expect(invalid.message).toMatch(/line 2/);

    const missing = await client.get('no-such-job').catch((error) => error);
    expect(missing).toMatchObject({ status: 404, message: 'No analysis has id "no-such-job"' });

    const finished = await client.start({ pipeline: 'demo', input: { stepMs: 0 } });
    await collect(client.watch(finished.id));
    const conflict = await client.cancel(finished.id).catch((error) => error);
    expect(conflict).toMatchObject({ status: 409 });
    expect(conflict.message).toMatch(/already ended \(completed\)/);
  });
});

describe('AnalysisClient.watch', () => {
  it('yields every event once, in order, and ends after the terminal one', async () => {
    const client = newClient();
    const { id } = await client.start({ pipeline: 'demo', input: { input: 7, stepMs: 50 } });
    const snapshots: AnalysisSnapshot[] = [];
    const events = await collect(
      client.watch(id, { onSnapshot: (snapshot) => snapshots.push(snapshot) }),
    );
    expect(events.map((event) => event.type)).toEqual(DEMO_EVENT_TYPES);
    expect(events).toEqual(await client.events(id));
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0].id).toBe(id);
  });

  it('starts after `after`, and ends at once for a finished job already seen to its end', async () => {
    const client = newClient();
    const { id } = await client.start({ pipeline: 'demo', input: { stepMs: 0 } });
    expect(seqs(await collect(client.watch(id, { after: 3 })))).toEqual([4, 5]);
    expect(await collect(client.watch(id, { after: 5 }))).toEqual([]);
  });

  it('rejects with SubscribeError for an unknown job or an `after` past its end', async () => {
    const client = newClient();
    await expect(collect(client.watch('no-such-job'))).rejects.toEqual(
      new SubscribeError('not_found', 'No analysis has id "no-such-job"'),
    );
    const { id } = await client.start({ pipeline: 'demo', input: { stepMs: 0 } });
    await expect(collect(client.watch(id, { after: 99 }))).rejects.toMatchObject({
      code: 'invalid',
    });
  });

  it('stops quietly when its signal aborts', async () => {
    const client = newClient();
    const { id } = await client.start({ pipeline: 'demo', input: { stepMs: 30_000 } });
    const controller = new AbortController();
    const seen: AnalysisEvent[] = [];
    for await (const event of client.watch(id, { signal: controller.signal })) {
      seen.push(event);
      if (event.type === 'started') controller.abort();
    }
    expect(seqs(seen)).toEqual([1, 2]);
    await client.cancel(id);
  });

  it('keeps a second watch of the same job going when the first one stops', async () => {
    const client = newClient();
    const { id } = await client.start({ pipeline: 'demo', input: { stepMs: 200 } });
    const full = collect(client.watch(id));
    for await (const event of client.watch(id)) {
      if (event.type === 'started') break;
    }
    expect(seqs(await full)).toEqual([1, 2, 3, 4, 5]);
  });

  it('misses nothing and repeats nothing across a dropped connection, resubscribing after the last seq', async () => {
    const proxy = await TcpProxy.start(fixture.service.url);
    proxies.push(proxy);
    const client = newClient(proxy.url);
    const states: ConnectionState[] = [];
    client.onConnectionState((state) => states.push(state));
    const direct = await fixture.client();

    const { id } = await client.start({ pipeline: 'demo', input: { stepMs: 300 } });
    await direct.subscribe({ id });
    const seen: AnalysisEvent[] = [];
    for await (const event of client.watch(id)) {
      seen.push(event);
      if (event.type !== 'started') continue;
      // Cut the network and keep it down while the job moves on: its next events happen unseen.
      proxy.cut({ refuse: true });
      await reaches(client, 'reconnecting');
      await direct.waitFor(id, (later) => later.seq === 4);
      proxy.restore();
    }

    expect(seqs(seen)).toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual(await client.events(id));
    client.close();
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live', 'closed']);
  });

  it('connects again when the service itself ends the connection', async () => {
    const client = newClient();
    const { id } = await client.start({ pipeline: 'demo', input: { stepMs: 300 } });
    // What the gateway does to a socket whose replay failed.
    const { namespace } = fixture.service.app.get(AnalysisGateway) as unknown as {
      namespace: Namespace;
    };
    const seen: AnalysisEvent[] = [];
    for await (const event of client.watch(id)) {
      seen.push(event);
      if (event.type === 'started') namespace.disconnectSockets(true);
    }
    expect(seqs(seen)).toEqual([1, 2, 3, 4, 5]);
  });
});
