/**
 * 6. Capacity: one api process holding 1 000, 5 000 and 10 000 connected
 * clients, each subscribed to a job of its own, vs a bare socket.io server
 * whose clients join a room each. Clients connect from several processes at a
 * bounded rate. After each level, with the clients idle: RSS, heap after a full
 * GC, idle CPU and the Redis connections the server process holds.
 */
import type { Bench, Variant } from '../lib/bench';
import { processRssBytes } from '../lib/load';
import type { Proc } from '../lib/proc';
import { type Row, row } from '../lib/report';
import { openServiceStore, seedJobs } from '../lib/service-store';
import { sleep } from '../lib/stats';

const LEVELS = [1_000, 5_000, 10_000];
const CLIENT_PROCS = 4;
/** Connection handshakes in flight per client process. */
const CONNECT_CONCURRENCY = 25;

interface LevelSample {
  clients: number;
  rssMiB: number;
  heapMiB: number;
  connectPerSecond: number;
  idleCpuPercent: number;
  redisConnections: number;
  redisConnectionNames: string[];
  failed: number;
  background: number;
  loadavg: number;
}

interface CapacityRun {
  baseline: { rssMiB: number; heapMiB: number };
  levels: LevelSample[];
}

const MiB = 1024 * 1024;

async function memory(proc: Proc): Promise<{ rssMiB: number; heapMiB: number }> {
  const usage = await proc.call<{ heapUsed: number }>('probe.memory');
  return { rssMiB: processRssBytes(proc.pid) / MiB, heapMiB: usage.heapUsed / MiB };
}

async function oneRun(
  bench: Bench,
  variant: Variant,
  ids: string[],
  clientProcs: Proc[],
): Promise<CapacityRun> {
  const extra = { fdLimit: 20_000, exposeGc: true };
  const server =
    variant === 'service'
      ? await bench.startService('api', {}, extra)
      : await bench.startBench('bare-api', { KEY_PREFIX: 'bare' }, extra);
  try {
    await sleep(500);
    const baseline = await memory(server);
    const levels: LevelSample[] = [];
    let connected = 0;
    for (const level of LEVELS) {
      const adding = level - connected;
      const perProc = adding / clientProcs.length;
      const { result, load } = await bench.measured(async () => {
        const started = performance.now();
        const answers = await Promise.all(
          clientProcs.map((proc, p) => {
            const from = connected + p * perProc;
            return proc.call<{ failedConnects: number; failedSubscribes: number }>(
              'connect',
              {
                url: server.url,
                count: perProc,
                ids: ids.slice(from, from + perProc),
                after: 0,
                concurrency: CONNECT_CONCURRENCY,
              },
              120_000,
            );
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const failed = answers.reduce((n, a) => n + a.failedConnects + a.failedSubscribes, 0);
        // Idle: nothing is published; what the process spends now is its per-client upkeep.
        await sleep(500);
        const cpuBefore = await server.call<NodeJS.CpuUsage>('probe.cpu');
        const idleStarted = performance.now();
        await sleep(bench.ms(2_000));
        const cpuAfter = await server.call<NodeJS.CpuUsage>('probe.cpu');
        const cpuMicros = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
        const idleCpuPercent = (cpuMicros / 1e6 / ((performance.now() - idleStarted) / 1000)) * 100;
        return { connectPerSecond: adding / seconds, failed, idleCpuPercent };
      });
      connected = level;
      const mem = await memory(server);
      const redis = await bench.serviceConnections();
      levels.push({
        clients: level,
        ...mem,
        ...result,
        redisConnections: redis.total,
        redisConnectionNames: redis.names,
        background: load.backgroundCores,
        loadavg: load.loadavg1,
      });
      bench.log(
        `   ${variant} @ ${level}: RSS ${mem.rssMiB.toFixed(0)} MiB, heap ${mem.heapMiB.toFixed(0)} MiB, ${Math.round(result.connectPerSecond)} connects/s, idle CPU ${result.idleCpuPercent.toFixed(1)} %, ${redis.total} Redis connections, ${result.failed} failed`,
      );
    }
    return { baseline, levels };
  } finally {
    await Promise.all(clientProcs.map((proc) => proc.call('close')));
    await server.stop();
  }
}

export async function capacity(bench: Bench): Promise<Row[]> {
  bench.log('6. capacity');
  await bench.flush();
  const store = openServiceStore(bench.redisUrl);
  const max = LEVELS[LEVELS.length - 1];
  // Every client follows a queued job of its own; the same jobs serve every run.
  const serviceIds = await seedJobs(
    bench.redisUrl,
    'ras',
    max,
    { withSnapshot: true, enqueue: false },
    store,
  );
  await store.close();
  const bareIds = Array.from({ length: max }, (_, i) => serviceIds[i]);
  const clientProcs: Proc[] = [];
  for (let i = 0; i < CLIENT_PROCS; i += 1) {
    clientProcs.push(await bench.startBench('ws-clients', {}, { fdLimit: 20_000 }));
  }
  const runs: Record<Variant, CapacityRun[]> = { service: [], bare: [] };
  try {
    for (let run = 0; run < bench.options.runs; run += 1) {
      const order: Variant[] = run % 2 === 0 ? ['service', 'bare'] : ['bare', 'service'];
      for (const variant of order) {
        runs[variant].push(
          await oneRun(bench, variant, variant === 'service' ? serviceIds : bareIds, clientProcs),
        );
      }
    }
  } finally {
    await Promise.all(clientProcs.map((proc) => proc.stop()));
  }

  const rows: Row[] = [];
  const perThousand = (r: CapacityRun, i: number, field: 'rssMiB' | 'heapMiB'): number =>
    (r.levels[i][field] - r.baseline[field]) / (r.levels[i].clients / 1000);
  LEVELS.forEach((level, i) => {
    const pick = (variant: Variant, f: (r: CapacityRun) => number): number[] =>
      runs[variant].map(f);
    const all = [...runs.service, ...runs.bare].map((r) => r.levels[i]);
    const base = {
      scenario: 6,
      cell: `${level.toLocaleString('en-US')} clients`,
      background: all.map((s) => s.background),
      loadavg: all.map((s) => s.loadavg),
    };
    rows.push(
      row({
        ...base,
        figure: 'RSS per 1 000 clients',
        unit: 'MiB',
        service: pick('service', (r) => perThousand(r, i, 'rssMiB')),
        bare: pick('bare', (r) => perThousand(r, i, 'rssMiB')),
        target: '≤ 1.25×',
        check: (s, b) => s <= 1.25 * b,
        details: {
          rssMiB: {
            service: pick('service', (r) => r.levels[i].rssMiB),
            bare: pick('bare', (r) => r.levels[i].rssMiB),
          },
          baselineRssMiB: {
            service: pick('service', (r) => r.baseline.rssMiB),
            bare: pick('bare', (r) => r.baseline.rssMiB),
          },
        },
      }),
      row({
        ...base,
        figure: 'heap per 1 000 clients',
        unit: 'MiB',
        service: pick('service', (r) => perThousand(r, i, 'heapMiB')),
        bare: pick('bare', (r) => perThousand(r, i, 'heapMiB')),
        target: '≤ 1.25×',
        check: (s, b) => s <= 1.25 * b,
        details: {
          heapMiB: {
            service: pick('service', (r) => r.levels[i].heapMiB),
            bare: pick('bare', (r) => r.levels[i].heapMiB),
          },
          baselineHeapMiB: {
            service: pick('service', (r) => r.baseline.heapMiB),
            bare: pick('bare', (r) => r.baseline.heapMiB),
          },
        },
      }),
      row({
        ...base,
        figure: 'connect + subscribe rate',
        unit: 'clients/s',
        service: pick('service', (r) => r.levels[i].connectPerSecond),
        bare: pick('bare', (r) => r.levels[i].connectPerSecond),
      }),
      row({
        ...base,
        figure: 'idle CPU',
        unit: '% of a core',
        service: pick('service', (r) => r.levels[i].idleCpuPercent),
        bare: pick('bare', (r) => r.levels[i].idleCpuPercent),
      }),
      row({
        ...base,
        figure: 'Redis connections of the process',
        unit: 'connections',
        service: pick('service', (r) => r.levels[i].redisConnections),
        bare: pick('bare', (r) => r.levels[i].redisConnections),
        target: 'constant in clients',
        check: () =>
          runs.service.every((r) =>
            r.levels.every((l) => l.redisConnections === r.levels[0].redisConnections),
          ),
        details: {
          names: runs.service[0]?.levels[i].redisConnectionNames,
          bareNames: runs.bare[0]?.levels[i].redisConnectionNames,
          failedClients: {
            service: pick('service', (r) => r.levels[i].failed),
            bare: pick('bare', (r) => r.levels[i].failed),
          },
        },
      }),
    );
  });
  return rows;
}
