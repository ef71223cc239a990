/**
 * The cluster contender of scenarios 1, 3 and 5: the service on one Redis
 * beside the same service on a local 3-master (+3 replica) Redis Cluster
 * (QUEUE_SHARDS=3, one queue shard per master), interleaved, on one machine:
 *
 *   1. drain — N demo jobs (stepMs 0) queued, then one worker started: jobs/s to drain them;
 *   3. end to end — one client: create, follow over Socket.IO, until completed, one job after another;
 *   5. fan-out — C Socket.IO clients follow one job: delivery latency (event `at` → receipt).
 *
 * For each, the Redis commands and bytes (in + out, summed over every master) per job and
 * per event, and on the cluster each master's share of the commands and its Redis CPU per job.
 * Rows: "service on cluster ÷ service on single Redis" (cluster in the `service` column,
 * single Redis in the `bare` one). BENCH_CLUSTER_JOBS (default 3000), BENCH_CLUSTER_RUNS
 * (default 2).
 */
import Redis, { Cluster } from 'ioredis';
import { LiveClient } from '../../test/support/live-client';
import { request } from '../../test/support/http';
import { startPrivateRedis } from '../../test/support/private-redis';
import { type RedisCluster, startRedisCluster } from '../../test/support/redis-cluster';
import { type ServiceProcess, startService } from '../../test/support/service-process';
import { LoadMeter } from '../lib/load';
import { type Row as ReportRow, row } from '../lib/report';

const JOBS = Number(process.env.BENCH_CLUSTER_JOBS ?? 3000);
export const CLUSTER_RUNS = Number(process.env.BENCH_CLUSTER_RUNS ?? 2);
/** Queue shards on the cluster: one per master. */
const CLUSTER_QUEUE_SHARDS = 3;
const E2E_JOBS = 100;
const FAN_OUT_CLIENTS = 200;
const EVENTS_PER_DEMO_JOB = 5;

interface Contender {
  name: 'single' | 'cluster';
  env: Record<string, string>;
  /** One connection per master, for INFO. */
  masters(): Promise<Redis[]>;
  /** A client of the whole Redis (or cluster), for the bench's own reads. */
  client: Redis | Cluster;
  /** The Redis servers' process ids (replicas included), for the load meter. */
  redisPids(): Promise<number[]>;
  stop(): Promise<void>;
}

interface RedisCost {
  commands: number;
  bytes: number;
  perMaster: number[];
  /** CPU seconds (user + sys) each master spent. */
  cpuByMaster: number[];
}

async function cost(masters: Redis[]): Promise<RedisCost> {
  const perMaster: number[] = [];
  const cpuByMaster: number[] = [];
  let bytes = 0;
  for (const master of masters) {
    const stats = await master.info('commandstats');
    let calls = 0;
    for (const match of stats.matchAll(/cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/g)) {
      // The bench's own INFO calls are not the service's.
      if (match[1] !== 'info') calls += Number(match[2]);
    }
    perMaster.push(calls);
    const info = await master.info('stats');
    bytes += Number(/total_net_input_bytes:(\d+)/.exec(info)?.[1] ?? 0);
    bytes += Number(/total_net_output_bytes:(\d+)/.exec(info)?.[1] ?? 0);
    const cpu = await master.info('cpu');
    cpuByMaster.push(
      Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1] ?? 0) +
        Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1] ?? 0),
    );
  }
  return { commands: perMaster.reduce((a, b) => a + b, 0), bytes, perMaster, cpuByMaster };
}

function diff(after: RedisCost, before: RedisCost): RedisCost {
  return {
    commands: after.commands - before.commands,
    bytes: after.bytes - before.bytes,
    perMaster: after.perMaster.map((calls, i) => calls - (before.perMaster[i] ?? 0)),
    cpuByMaster: after.cpuByMaster.map((cpu, i) => cpu - (before.cpuByMaster[i] ?? 0)),
  };
}

async function pidOf(redis: Redis): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
}

async function single(): Promise<Contender> {
  const server = await startPrivateRedis();
  const admin = new Redis(server.url);
  return {
    name: 'single',
    env: { REDIS_URL: server.url },
    masters: async () => [admin],
    client: admin,
    redisPids: async () => [await pidOf(admin)],
    stop: async () => {
      admin.disconnect();
      await server.stop();
    },
  };
}

async function cluster(): Promise<Contender> {
  const local: RedisCluster = await startRedisCluster();
  const admins = new Map<number, Redis>();
  const client = new Cluster([{ host: '127.0.0.1', port: local.nodes[0].port }]);
  return {
    client,
    name: 'cluster',
    env: { REDIS_CLUSTER_NODES: local.seeds, QUEUE_SHARDS: String(CLUSTER_QUEUE_SHARDS) },
    redisPids: () =>
      Promise.all(
        local.nodes.map(async (node) => {
          const admin = new Redis(node.port, '127.0.0.1');
          try {
            return await pidOf(admin);
          } finally {
            admin.disconnect();
          }
        }),
      ),
    masters: async () =>
      (await local.masters()).map((port) => {
        if (!admins.has(port)) admins.set(port, new Redis(port, '127.0.0.1'));
        return admins.get(port)!;
      }),
    stop: async () => {
      admins.forEach((admin) => admin.disconnect());
      client.disconnect();
      await local.stop();
    },
  };
}

/** Until `count` jobs are completed: one ZCARD of the completed index per 20 ms, not a read per job. */
async function waitCompleted(redis: Redis | Cluster, prefix: string, count: number): Promise<void> {
  const completed = `${prefix}:tenant:{_anonymous}:jobs:completed`;
  while ((await redis.zcard(completed)) < count) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One scenario's figures for one contender in one run. */
export type Sample = Record<string, string | number>;

async function measure(contender: Contender, run: number): Promise<Sample[]> {
  const rows: Sample[] = [];
  const prefix = `b${run}`;
  const env = {
    ...contender.env,
    KEY_PREFIX: prefix,
    LOG_LEVEL: 'info',
    MAX_QUEUED_JOBS: '100000000',
  };
  const processes: ServiceProcess[] = [];
  const clients: LiveClient[] = [];
  try {
    const api = await startService({ ...env, ROLE: 'api' });
    processes.push(api);
    const masters = await contender.masters();
    const redisPids = await contender.redisPids();
    // Background load: all CPU but this process's, the service's and the Redis servers'.
    const meter = new LoadMeter(() => [
      process.pid,
      ...redisPids,
      ...processes.map((service) => service.child.pid ?? 0),
    ]);
    const load = (): { background: number; loadavg: number } => {
      const sample = meter.stop();
      return { background: +sample.backgroundCores.toFixed(2), loadavg: sample.loadavg1 };
    };

    // 1. drain
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, JOBS - i) }, () =>
          request(api.url, 'POST', '/analyses', { pipeline: 'demo', input: { stepMs: 0 } }),
        ),
      );
      ids.push(...batch.map((answer) => answer.body.id as string));
    }
    const worker = await startService({ ...env, ROLE: 'worker', WORKER_CONCURRENCY: '50' });
    processes.push(worker);
    // Measured from the moment the worker listens, over the jobs not yet done then.
    const completed = `${prefix}:tenant:{_anonymous}:jobs:completed`;
    meter.start();
    const before = await cost(masters);
    const doneBefore = await contender.client.zcard(completed);
    const t0 = performance.now();
    await waitCompleted(contender.client, prefix, ids.length);
    const seconds = (performance.now() - t0) / 1000;
    const drained = diff(await cost(masters), before);
    const jobs = JOBS - doneBefore;
    rows.push({
      contender: contender.name,
      run,
      scenario: '1. drain',
      jobsMeasured: jobs,
      jobsPerSecond: Math.round(jobs / seconds),
      commandsPerJob: +(drained.commands / jobs).toFixed(1),
      bytesPerJob: Math.round(drained.bytes / jobs),
      commandsPerEvent: +(drained.commands / jobs / EVENTS_PER_DEMO_JOB).toFixed(1),
      bytesPerEvent: Math.round(drained.bytes / jobs / EVENTS_PER_DEMO_JOB),
      commandShareByMaster: drained.perMaster
        .map((calls) => `${Math.round((100 * calls) / Math.max(1, drained.commands))}%`)
        .join(' '),
      // Redis CPU per job, on each master: what bounds a master's jobs/s.
      redisCpuUsPerJobByMaster: drained.cpuByMaster
        .map((cpu) => Math.round((cpu * 1e6) / jobs))
        .join(' '),
      ...load(),
    });

    // 3. end to end, one client (creation included in the Redis cost)
    const live = new LiveClient(api.url);
    clients.push(live);
    await live.connected();
    meter.start();
    const e2eBefore = await cost(masters);
    const latencies: number[] = [];
    const e2eStart = performance.now();
    for (let i = 0; i < E2E_JOBS; i += 1) {
      const start = performance.now();
      const created = await request(api.url, 'POST', '/analyses', {
        pipeline: 'demo',
        input: { stepMs: 0 },
      });
      await live.subscribe({ id: created.body.id });
      await live.finished(created.body.id as string);
      latencies.push(performance.now() - start);
    }
    const e2eSeconds = (performance.now() - e2eStart) / 1000;
    const e2e = diff(await cost(masters), e2eBefore);
    latencies.sort((a, b) => a - b);
    rows.push({
      contender: contender.name,
      run,
      scenario: '3. end to end, one client',
      jobsPerSecond: Math.round(E2E_JOBS / e2eSeconds),
      p50Ms: +latencies[Math.floor(E2E_JOBS / 2)].toFixed(1),
      p95Ms: +latencies[Math.floor(E2E_JOBS * 0.95)].toFixed(1),
      commandsPerJob: +(e2e.commands / E2E_JOBS).toFixed(1),
      bytesPerJob: Math.round(e2e.bytes / E2E_JOBS),
      redisCpuUsPerJobByMaster: e2e.cpuByMaster
        .map((cpu) => Math.round((cpu * 1e6) / E2E_JOBS))
        .join(' '),
      commandsPerEvent: +(e2e.commands / E2E_JOBS / EVENTS_PER_DEMO_JOB).toFixed(1),
      bytesPerEvent: Math.round(e2e.bytes / E2E_JOBS / EVENTS_PER_DEMO_JOB),
      ...load(),
    });

    // 5. fan-out: FAN_OUT_CLIENTS sockets follow one job
    const followers = await Promise.all(
      Array.from({ length: FAN_OUT_CLIENTS }, async () => {
        const follower = new LiveClient(api.url);
        clients.push(follower);
        await follower.connected();
        return follower;
      }),
    );
    meter.start();
    const fanBefore = await cost(masters);
    const created = await request(api.url, 'POST', '/analyses', {
      pipeline: 'demo',
      input: { stepMs: 300 },
    });
    const id = created.body.id as string;
    // Delay of each live event (not the replayed history): from its `at` to its receipt.
    const delays: number[] = [];
    const subscribedAt = Date.now();
    for (const follower of followers) {
      follower.socket.on('analysis.event', (event: { at: string }) => {
        const at = Date.parse(event.at);
        if (at > subscribedAt) delays.push(Date.now() - at);
      });
    }
    await Promise.all(followers.map((follower) => follower.subscribe({ id })));
    const received: number[] = [];
    await Promise.all(
      followers.map(async (follower) => {
        const events = await follower.finished(id);
        received.push(events.length);
      }),
    );
    const fan = diff(await cost(masters), fanBefore);
    delays.sort((a, b) => a - b);
    const deliveries = received.reduce((a, b) => a + b, 0);
    rows.push({
      contender: contender.name,
      run,
      scenario: `5. fan-out, ${FAN_OUT_CLIENTS} clients on one job`,
      deliveries,
      p50Ms: +delays[Math.floor(delays.length / 2)].toFixed(1),
      p95Ms: +delays[Math.floor(delays.length * 0.95)].toFixed(1),
      // One job's events with 200 followers: their subscriptions' snapshot and history reads included.
      commandsPerEvent: +(fan.commands / EVENTS_PER_DEMO_JOB).toFixed(1),
      bytesPerEvent: Math.round(fan.bytes / EVENTS_PER_DEMO_JOB),
      ...load(),
    });
  } finally {
    clients.forEach((client) => client.close());
    await Promise.all(processes.map((service) => service.stop()));
  }
  return rows;
}

/** What Redis spends, per job and per event: [sample field, figure, unit]. */
const PER_JOB: [string, string, string][] = [
  ['commandsPerJob', 'Redis commands per job', 'commands'],
  ['bytesPerJob', 'Redis bytes per job', 'bytes'],
];
const PER_EVENT: [string, string, string][] = [
  ['commandsPerEvent', 'Redis commands per event', 'commands'],
  ['bytesPerEvent', 'Redis bytes per event', 'bytes'],
];

/** The figures compared, per scenario: [sample field, figure, unit]. */
const FIGURES: { scenario: number; prefix: string; figures: [string, string, string][] }[] = [
  {
    scenario: 1,
    prefix: '1. drain',
    figures: [['jobsPerSecond', 'throughput', 'jobs/s'], ...PER_JOB, ...PER_EVENT],
  },
  {
    scenario: 3,
    prefix: '3. end to end',
    figures: [
      ['jobsPerSecond', 'throughput', 'jobs/s'],
      ['p50Ms', 'latency p50', 'ms'],
      ['p95Ms', 'latency p95', 'ms'],
      ...PER_JOB,
      ...PER_EVENT,
    ],
  },
  {
    scenario: 5,
    prefix: '5. fan-out',
    figures: [
      ['p50Ms', 'delivery delay p50', 'ms'],
      ['p95Ms', 'delivery delay p95', 'ms'],
      ...PER_EVENT,
    ],
  },
];

/** Rows "service on cluster ÷ service on single Redis" of the samples of every run. */
function comparisonRows(samples: Sample[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const { scenario, prefix, figures } of FIGURES) {
    const of = (name: Contender['name']) =>
      samples.filter(
        (sample) => sample.contender === name && String(sample.scenario).startsWith(prefix),
      );
    const [cluster, single] = [of('cluster'), of('single')];
    if (cluster.length === 0 || single.length === 0) continue;
    const both = [...cluster, ...single];
    for (const [field, figure, unit] of figures) {
      rows.push(
        row({
          scenario,
          cell: `${String(cluster[0].scenario)}: service on cluster ÷ service on single Redis`,
          figure,
          unit,
          service: cluster.map((sample) => Number(sample[field])),
          bare: single.map((sample) => Number(sample[field])),
          background: both.map((sample) => Number(sample.background)),
          loadavg: both.map((sample) => Number(sample.loadavg)),
          details: {
            commandShareByMaster: cluster.map((sample) => sample.commandShareByMaster),
            redisCpuUsPerJobByMaster: cluster.map((sample) => sample.redisCpuUsPerJobByMaster),
          },
        }),
      );
    }
  }
  return rows;
}

/**
 * Scenarios 1, 3 and 5 on a single Redis and on a 3-master cluster, `runs`
 * times each, interleaved (each contender goes first equally often).
 * The service must be built (dist/).
 */
export async function clusterComparison(
  log: (line: string) => void,
  runs = CLUSTER_RUNS,
): Promise<{ rows: ReportRow[]; samples: Sample[] }> {
  const contenders = [await single(), await cluster()];
  const samples: Sample[] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      for (const contender of run % 2 ? contenders : [...contenders].reverse()) {
        log(`cluster contender: ${contender.name} Redis, run ${run}`);
        samples.push(...(await measure(contender, run)));
      }
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.stop()));
  }
  return { rows: comparisonRows(samples), samples };
}
