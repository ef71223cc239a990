/**
 * `npm run bench:cluster`: the service on one Redis beside the same service on
 * a local 3-master (+3 replica) Redis Cluster, in one run, on one machine:
 *
 *   1. drain — N demo jobs (stepMs 0) queued, then one worker started: jobs/s to drain them;
 *   3. end to end — one client: create, follow over Socket.IO, until completed, one job after another;
 *   5. fan-out — C Socket.IO clients follow one job: delivery latency (event `at` → receipt).
 *
 * For each, the Redis commands and bytes (in + out, summed over every master) per job and
 * per event, and on the cluster each master's share of the commands. Results go to
 * bench/results/cluster-<date>.json and a table on stdout. BENCH_CLUSTER_JOBS (default 3000),
 * BENCH_CLUSTER_RUNS (default 2; contenders interleaved).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { LiveClient } from '../test/support/live-client';
import { request } from '../test/support/http';
import { startPrivateRedis } from '../test/support/private-redis';
import { type RedisCluster, startRedisCluster } from '../test/support/redis-cluster';
import { type ServiceProcess, startService } from '../test/support/service-process';
import { RESULTS_DIR, ROOT } from './lib/paths';

const JOBS = Number(process.env.BENCH_CLUSTER_JOBS ?? 3000);
const RUNS = Number(process.env.BENCH_CLUSTER_RUNS ?? 2);
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

async function single(): Promise<Contender> {
  const server = await startPrivateRedis();
  const admin = new Redis(server.url);
  return {
    name: 'single',
    env: { REDIS_URL: server.url },
    masters: async () => [admin],
    client: admin,
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
    env: { REDIS_CLUSTER_NODES: local.seeds },
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

type Row = Record<string, string | number>;

async function measure(contender: Contender, run: number): Promise<Row[]> {
  const rows: Row[] = [];
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
    });

    // 3. end to end, one client (creation included in the Redis cost)
    const live = new LiveClient(api.url);
    clients.push(live);
    await live.connected();
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
    delays.sort((a, b) => a - b);
    rows.push({
      contender: contender.name,
      run,
      scenario: `5. fan-out, ${FAN_OUT_CLIENTS} clients on one job`,
      deliveries: received.reduce((a, b) => a + b, 0),
      p50Ms: +delays[Math.floor(delays.length / 2)].toFixed(1),
      p95Ms: +delays[Math.floor(delays.length * 0.95)].toFixed(1),
    });
  } finally {
    clients.forEach((client) => client.close());
    await Promise.all(processes.map((service) => service.stop()));
  }
  return rows;
}

async function main(): Promise<void> {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
  const contenders = [await single(), await cluster()];
  const rows: Row[] = [];
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      for (const contender of run % 2 ? contenders : [...contenders].reverse()) {
        process.stderr.write(`[bench:cluster] ${contender.name}, run ${run}\n`);
        rows.push(...(await measure(contender, run)));
      }
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.stop()));
  }
  const date = new Date().toISOString();
  const result = {
    date,
    command: 'npm run bench:cluster',
    env: { BENCH_CLUSTER_JOBS: JOBS, BENCH_CLUSTER_RUNS: RUNS },
    machine: { cores: cpus().length, node: process.version },
    rows,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `cluster-${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  process.stdout.write(`results: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cluster failed: ${String(error)}\n`);
  process.exit(1);
});
