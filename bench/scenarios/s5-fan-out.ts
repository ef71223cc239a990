/**
 * 5. Event latency and fan-out: a publisher process writes events for jobs
 * at a fixed rate (service: the event store's Lua append, as the worker does;
 * bare: ioredis PUBLISH of the same JSON); Socket.IO clients on one api
 * process receive them. Latency = receive time − send time carried in the
 * event. Every delivery's seq is checked: nothing may be lost or reordered.
 */
import type { Bench, Variant } from '../lib/bench';
import type { Proc } from '../lib/proc';
import { type Row, row } from '../lib/report';
import { openServiceStore, seedJobs, type ServiceStore } from '../lib/service-store';
import { LatencyHistogram, round, type SerializedHistogram, wallNow } from '../lib/stats';

const CLIENT_PROCS = 2;
const RATES = [100, 1_000, 5_000];
const TOPOLOGIES = [
  { cell: '1 client, 1 job', clients: 1, jobs: 1 },
  { cell: '100 clients on 1 job', clients: 100, jobs: 1 },
  { cell: '1 000 clients on 1 000 jobs', clients: 1_000, jobs: 1_000 },
];
/** At most this many deliveries per run, so an overloaded cell still ends within seconds. */
const MAX_DELIVERIES = 150_000;

interface Collected {
  deliveries: number;
  lost: number;
  reordered: number;
  terminals: number;
  firstAt: number;
  lastAt: number;
  histogram: SerializedHistogram;
}

interface RunOutcome {
  p50: number;
  p99: number;
  max: number;
  expected: number;
  delivered: number;
  lost: number;
  reordered: number;
  /** Deliveries per second from the first publish to the last delivery. */
  deliveriesPerSecond: number;
  publishedPerSecond: number;
  /** CPU per published event, ms: Redis's, and the server process's (which fans it out). */
  redisCpuMsPerEvent: number;
  serverCpuMsPerEvent: number;
  background: number;
  loadavg: number;
}

interface Side {
  server: Proc & { url: string };
  publisher: Proc;
  prefix: string;
}

async function jobIds(
  bench: Bench,
  variant: Variant,
  store: ServiceStore,
  count: number,
): Promise<string[]> {
  // The service delivers only jobs it knows: create them as the API does (snapshot + `queued`, seq 1).
  return seedJobs(
    bench.redisUrl,
    'ras',
    count,
    { withSnapshot: variant === 'service', enqueue: false },
    store,
  );
}

/** Deliveries a set of clients should get: each job's share of the round-robin, plus its `completed`. */
function expectedDeliveries(followed: string[], ids: string[], count: number): number {
  const index = new Map(ids.map((id, i) => [id, i]));
  const share = (i: number): number =>
    Math.floor(count / ids.length) + (i < count % ids.length ? 1 : 0) + 1;
  return followed.reduce((sum, id) => sum + share(index.get(id) ?? 0), 0);
}

/** Client i follows job i mod jobs; clients are spread over the client processes in blocks. */
function assignments(clients: number, ids: string[], procs: number): string[][] {
  const perProc = Math.ceil(clients / procs);
  return Array.from({ length: procs }, (_, p) =>
    Array.from(
      { length: Math.max(0, Math.min(perProc, clients - p * perProc)) },
      (_, i) => ids[(p * perProc + i) % ids.length],
    ),
  );
}

async function oneRun(
  bench: Bench,
  side: Side,
  clientProcs: Proc[],
  variant: Variant,
  store: ServiceStore,
  topology: (typeof TOPOLOGIES)[number],
  rate: number,
  count: number,
): Promise<RunOutcome> {
  const ids = await jobIds(bench, variant, store, topology.jobs);
  const perProc = assignments(topology.clients, ids, clientProcs.length);
  await Promise.all(clientProcs.map((proc) => proc.call('reset')));
  await Promise.all(
    clientProcs.map((proc, p) => proc.call('subscribe', { ids: perProc[p], after: 1 })),
  );
  // A subscription is acknowledged before the service has put the socket in the job's room
  // (events in between are replayed from the log): one primer event per job, received by
  // every client, makes sure the measured events take the live path in both variants.
  const primed = await side.publisher.call<{ failed: number }>('publish', {
    ids,
    rate: 100_000,
    count: ids.length,
    firstSeq: 2,
    terminal: false,
  });
  const primers = await Promise.all(
    clientProcs.map((proc, p) =>
      proc.call<Collected>('collect', { deliveries: perProc[p].length, timeoutMs: 15_000 }),
    ),
  );
  const primedClients = primers.reduce((sum, part) => sum + part.deliveries, 0);
  if (primed.failed > 0 || primedClients < topology.clients) {
    throw new Error(`${variant}: only ${primedClients} of ${topology.clients} clients primed`);
  }
  await Promise.all(clientProcs.map((proc) => proc.call('reset', { forget: false })));
  const expectedPerProc = perProc.map((followed) => expectedDeliveries(followed, ids, count));
  const expected = expectedPerProc.reduce((a, b) => a + b, 0);
  const redisBefore = await bench.redisCpuSeconds();
  const serverBefore = bench.cpuSeconds(side.server.pid);
  const { result, load } = await bench.measured(async () => {
    const publishedAt = wallNow();
    const published = await side.publisher.call<{ rate: number; failed: number }>('publish', {
      ids,
      rate,
      count,
      firstSeq: 3,
    });
    if (published.failed > 0) throw new Error(`${variant}: ${published.failed} events not written`);
    const collected = await Promise.all(
      clientProcs.map((proc, p) =>
        proc.call<Collected>('collect', {
          deliveries: expectedPerProc[p],
          timeoutMs: 15_000,
        }),
      ),
    );
    return { collected, publishedAt, publishedRate: published.rate };
  });
  const histogram = new LatencyHistogram();
  let delivered = 0;
  let lost = 0;
  let reordered = 0;
  let lastAt = 0;
  for (const part of result.collected) {
    histogram.merge(part.histogram);
    delivered += part.deliveries;
    lost += part.lost;
    reordered += part.reordered;
    lastAt = Math.max(lastAt, part.lastAt);
  }
  return {
    p50: histogram.percentile(0.5),
    p99: histogram.percentile(0.99),
    max: histogram.percentile(1),
    expected,
    delivered,
    lost: Math.max(lost, expected - delivered),
    reordered,
    deliveriesPerSecond: delivered / ((lastAt - result.publishedAt) / 1000),
    publishedPerSecond: result.publishedRate,
    redisCpuMsPerEvent: (((await bench.redisCpuSeconds()) - redisBefore) * 1000) / count,
    serverCpuMsPerEvent: ((bench.cpuSeconds(side.server.pid) - serverBefore) * 1000) / count,
    background: load.backgroundCores,
    loadavg: load.loadavg1,
  };
}

export async function fanOut(bench: Bench): Promise<Row[]> {
  await bench.flush();
  const store = openServiceStore(bench.redisUrl);
  const sides: Record<Variant, Side> = {
    service: {
      server: await bench.startService('api'),
      publisher: await bench.startBench('publisher', { VARIANT: 'service', KEY_PREFIX: 'ras' }),
      prefix: 'ras',
    },
    bare: {
      server: await bench.startBench('bare-api', { KEY_PREFIX: 'bare' }),
      publisher: await bench.startBench('publisher', { VARIANT: 'bare', KEY_PREFIX: 'bare' }),
      prefix: 'bare',
    },
  };
  const clientProcs: Record<Variant, Proc[]> = { service: [], bare: [] };
  for (const variant of ['service', 'bare'] as const) {
    for (let i = 0; i < CLIENT_PROCS; i += 1) {
      clientProcs[variant].push(await bench.startBench('ws-clients', {}, { fdLimit: 20_000 }));
    }
  }
  const rows: Row[] = [];
  const windowMs = bench.ms(1_000);
  try {
    for (const topology of TOPOLOGIES) {
      if (!RATES.some((rate) => bench.wants(`${topology.cell}, ${rate} ev/s`))) continue;
      for (const variant of ['service', 'bare'] as const) {
        const perProc = Math.ceil(topology.clients / CLIENT_PROCS);
        await Promise.all(
          clientProcs[variant].map((proc, p) =>
            proc.call('connect', {
              url: sides[variant].server.url,
              count: Math.max(0, Math.min(perProc, topology.clients - p * perProc)),
              concurrency: 50,
            }),
          ),
        );
      }
      const fan = topology.clients / topology.jobs;
      for (const rate of RATES) {
        if (!bench.wants(`${topology.cell}, ${rate} ev/s`)) continue;
        bench.log(`5. event latency: ${topology.cell} at ${rate} events/s`);
        const count = Math.max(
          Math.min(200, Math.floor(MAX_DELIVERIES / fan)),
          Math.min(Math.round((rate * windowMs) / 1000), Math.floor(MAX_DELIVERIES / fan)),
        );
        const outcomes: Record<Variant, RunOutcome[]> = { service: [], bare: [] };
        // One unmeasured run per variant first, so that the cell starts warm.
        for (const variant of ['service', 'bare'] as const) {
          await oneRun(
            bench,
            sides[variant],
            clientProcs[variant],
            variant,
            store,
            topology,
            rate,
            Math.min(count, 200),
          );
        }
        for (let run = 0; run < bench.options.runs; run += 1) {
          const order: Variant[] = run % 2 === 0 ? ['service', 'bare'] : ['bare', 'service'];
          for (const variant of order) {
            const outcome = await oneRun(
              bench,
              sides[variant],
              clientProcs[variant],
              variant,
              store,
              topology,
              rate,
              count,
            );
            outcomes[variant].push(outcome);
            bench.log(
              `   ${variant}: p50 ${outcome.p50.toFixed(2)} p99 ${outcome.p99.toFixed(2)} max ${outcome.max.toFixed(1)} ms; ${outcome.delivered}/${outcome.expected} delivered, lost ${outcome.lost}, reordered ${outcome.reordered}`,
            );
          }
        }
        const all = [...outcomes.service, ...outcomes.bare];
        const details = {
          eventsPerRun: count,
          publishedPerSecond: {
            service: outcomes.service.map((o) => Math.round(o.publishedPerSecond)),
            bare: outcomes.bare.map((o) => Math.round(o.publishedPerSecond)),
          },
          lost: {
            service: outcomes.service.map((o) => o.lost),
            bare: outcomes.bare.map((o) => o.lost),
          },
          reordered: {
            service: outcomes.service.map((o) => o.reordered),
            bare: outcomes.bare.map((o) => o.reordered),
          },
          max: {
            service: outcomes.service.map((o) => o.max),
            bare: outcomes.bare.map((o) => o.max),
          },
          redisCpuMsPerEvent: {
            service: outcomes.service.map((o) => round(o.redisCpuMsPerEvent, 4)),
            bare: outcomes.bare.map((o) => round(o.redisCpuMsPerEvent, 4)),
          },
          serverCpuMsPerEvent: {
            service: outcomes.service.map((o) => round(o.serverCpuMsPerEvent, 4)),
            bare: outcomes.bare.map((o) => round(o.serverCpuMsPerEvent, 4)),
          },
        };
        const base = {
          scenario: 5,
          cell: `${topology.cell}, ${rate.toLocaleString('en-US')} ev/s`,
          unit: 'ms',
          background: all.map((o) => o.background),
          loadavg: all.map((o) => o.loadavg),
        };
        const lostOrReordered = outcomes.service.some((o) => o.lost > 0 || o.reordered > 0);
        rows.push(
          row({
            ...base,
            figure: 'latency p50',
            service: outcomes.service.map((o) => o.p50),
            bare: outcomes.bare.map((o) => o.p50),
            target: '≤ bare + 0.5 ms (≤ 1.1× where bare > 10 ms)',
            // Where bare itself saturates (above 10 ms), a fixed 0.5 ms says nothing: 10 % does.
            check: (s, b) => (b > 10 ? s <= 1.1 * b : s <= b + 0.5) && !lostOrReordered,
            details,
          }),
          row({
            ...base,
            figure: 'latency p99',
            service: outcomes.service.map((o) => o.p99),
            bare: outcomes.bare.map((o) => o.p99),
            target: '≤ 1.5×',
            check: (s, b) => s <= 1.5 * b && !lostOrReordered,
          }),
          row({
            ...base,
            figure: 'latency max',
            service: outcomes.service.map((o) => o.max),
            bare: outcomes.bare.map((o) => o.max),
          }),
        );
      }
      for (const variant of ['service', 'bare'] as const) {
        await Promise.all(clientProcs[variant].map((proc) => proc.call('close')));
      }
    }

    if (bench.wants('fan-out ceiling')) {
      // The fan-out ceiling: 100 clients on one job, a burst far above what one process delivers.
      bench.log('5. fan-out ceiling: 100 clients on 1 job, burst');
      const topology = TOPOLOGIES[1];
      for (const variant of ['service', 'bare'] as const) {
        await Promise.all(
          clientProcs[variant].map((proc) =>
            proc.call('connect', {
              url: sides[variant].server.url,
              count: topology.clients / CLIENT_PROCS,
              concurrency: 50,
            }),
          ),
        );
      }
      const burst = Math.floor(MAX_DELIVERIES / topology.clients) * 2;
      const ceiling: Record<Variant, RunOutcome[]> = { service: [], bare: [] };
      for (let run = 0; run < bench.options.runs; run += 1) {
        const order: Variant[] = run % 2 === 0 ? ['service', 'bare'] : ['bare', 'service'];
        for (const variant of order) {
          const outcome = await oneRun(
            bench,
            sides[variant],
            clientProcs[variant],
            variant,
            store,
            topology,
            100_000,
            burst,
          );
          ceiling[variant].push(outcome);
          bench.log(
            `   ${variant}: ${Math.round(outcome.deliveriesPerSecond)} deliveries/s; ${outcome.delivered}/${outcome.expected} delivered, lost ${outcome.lost}, reordered ${outcome.reordered}`,
          );
        }
      }
      const all = [...ceiling.service, ...ceiling.bare];
      const intact = (outcomes: RunOutcome[]): boolean =>
        outcomes.every((o) => o.lost === 0 && o.reordered === 0);
      rows.push(
        row({
          scenario: 5,
          cell: `fan-out ceiling: 100 clients on 1 job, burst of ${burst} events`,
          figure: 'deliveries, none lost',
          unit: 'deliveries/s',
          service: ceiling.service.map((o) => o.deliveriesPerSecond),
          bare: ceiling.bare.map((o) => o.deliveriesPerSecond),
          background: all.map((o) => o.background),
          loadavg: all.map((o) => o.loadavg),
          target: '≥ 0.8×, none lost or reordered',
          check: (s, b) => s >= 0.8 * b && intact(ceiling.service),
          details: {
            lost: {
              service: ceiling.service.map((o) => o.lost),
              bare: ceiling.bare.map((o) => o.lost),
            },
            reordered: {
              service: ceiling.service.map((o) => o.reordered),
              bare: ceiling.bare.map((o) => o.reordered),
            },
          },
        }),
      );
    }
  } finally {
    const procs = [
      ...clientProcs.service,
      ...clientProcs.bare,
      ...Object.values(sides).flatMap((side) => [side.server, side.publisher]),
    ];
    await Promise.all(procs.map((proc) => proc.stop()));
    await store.close();
  }
  return rows;
}
