/**
 * `npm run bench`: the service beside the bare libraries, same machine, same
 * Redis, same run. See BENCHMARKS.md for what each scenario measures.
 *
 * Environment: BENCH_ONLY=1,3 (scenarios to run), BENCH_RUNS (≥ 3),
 * BENCH_SCALE (multiplies every measured window), BENCH_PROFILE=1 (write
 * --cpu-prof profiles of the service processes), BENCH_KEEP=1 (keep logs),
 * BENCH_AUTH=compare (scenarios 2 to 4 also run the service with API_KEYS set,
 * interleaved with the others, and add rows "auth on ÷ auth off"),
 * BENCH_CLUSTER=0 (skip the cluster contender: scenarios 1, 3 and 5 also run
 * on a local 3-master Redis Cluster, with rows "service on cluster ÷ service
 * on single Redis"; BENCH_CLUSTER_RUNS, BENCH_CLUSTER_JOBS).
 * The service runs with RATE_LIMIT=0 and MAX_QUEUED_JOBS at its maximum: one
 * client address enqueueing with no worker would otherwise hit both.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startPrivateRedis } from '../test/support/private-redis';
import { Bench } from './lib/bench';
import { buildAll } from './lib/build';
import { RESULTS_DIR, ROOT } from './lib/paths';
import { killAll } from './lib/proc';
import { markdownTable, type Row } from './lib/report';
import { workerDrain } from './scenarios/s1-drain';
import { restEnqueue } from './scenarios/s2-enqueue';
import { endToEnd } from './scenarios/s34-end-to-end';
import { fanOut } from './scenarios/s5-fan-out';
import { capacity } from './scenarios/s6-capacity';
import { analysis } from './scenarios/s7-analysis';
import { CLUSTER_RUNS, clusterComparison, type Sample } from './scenarios/cluster-contender';
import { observabilityCost } from './scenarios/s8-observability';

type Scenario = { id: number; name: string; run: (bench: Bench) => Promise<Row[]> };

const SCENARIOS: Scenario[] = [
  { id: 1, name: 'worker drain', run: workerDrain },
  { id: 2, name: 'REST enqueue', run: restEnqueue },
  { id: 3, name: 'end to end (3: one client, 4: 50 clients)', run: endToEnd },
  { id: 5, name: 'event latency and fan-out', run: fanOut },
  { id: 6, name: 'capacity', run: capacity },
  { id: 7, name: 'analysis', run: analysis },
  {
    id: 8,
    name: 'observability cost (1 and 2, metrics and logs on vs off)',
    run: observabilityCost,
  },
];

function sh(command: string): string {
  try {
    return execSync(command, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .filter((id) => id.trim() !== '')
    .map(Number);
  const runs = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const profile = process.env.BENCH_PROFILE === '1';
  const compareAuth = process.env.BENCH_AUTH === 'compare';
  const onCluster =
    process.env.BENCH_CLUSTER !== '0' &&
    (only.length === 0 || [1, 3, 5].some((id) => only.includes(id)));
  const started = Date.now();

  await buildAll((line) => process.stderr.write(`[bench] ${line}\n`));
  const workDir = mkdtempSync(join(tmpdir(), 'ras-bench-'));
  const redis = await startPrivateRedis();
  const probe = new Redis(redis.url);
  const server = await probe.info('server');
  const redisPid = Number(/process_id:(\d+)/.exec(server)?.[1]);
  const redisVersion = /redis_version:(\S+)/.exec(server)?.[1] ?? '?';
  // Our own Redis: log every command slower than 1 ms, to report with each scenario.
  await probe.config('SET', 'slowlog-log-slower-than', '1000');
  await probe.config('SET', 'slowlog-max-len', '1024');
  await probe.quit();

  const bench = new Bench({
    redisUrl: redis.url,
    redisPid,
    workDir,
    runs,
    scale,
    profile,
    compareAuth,
  });
  const stop = async (): Promise<void> => {
    killAll();
    await bench.close().catch(() => undefined);
    await redis.stop();
    if (process.env.BENCH_KEEP !== '1' && !profile)
      rmSync(workDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(130)));
  }

  const machine = {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    totalMemGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: redisVersion,
    kernel: sh('uname -r'),
    fdLimit: sh('ulimit -n'),
    loadavgAtStart: loadavg(),
  };
  bench.log(`machine: ${JSON.stringify(machine)}`);
  const rows: Row[] = [];
  const timings: Record<string, number> = {};
  const slowlogs: Record<string, unknown> = {};
  let clusterSamples: Sample[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const ids = scenario.id === 3 ? [3, 4] : [scenario.id];
      if (only.length > 0 && !ids.some((id) => only.includes(id))) continue;
      const t0 = Date.now();
      const label = `${scenario.id}. ${scenario.name}`;
      await bench.slowlog();
      rows.push(...(await scenario.run(bench)));
      slowlogs[label] = await bench.slowlog();
      timings[label] = Math.round((Date.now() - t0) / 1000);
      bench.log(`scenario ${scenario.id} took ${timings[label]} s`);
    }
    if (onCluster) {
      const t0 = Date.now();
      const label = '1, 3, 5 on a 3-master Redis Cluster';
      const compared = await clusterComparison((line) => bench.log(line));
      rows.push(...compared.rows);
      clusterSamples = compared.samples;
      timings[label] = Math.round((Date.now() - t0) / 1000);
      bench.log(`cluster contender took ${timings[label]} s`);
    }
  } finally {
    await stop();
  }

  const date = new Date().toISOString();
  const result = {
    date,
    command: 'npm run bench',
    env: {
      BENCH_ONLY: only,
      BENCH_RUNS: runs,
      BENCH_SCALE: scale,
      BENCH_PROFILE: profile,
      BENCH_AUTH: compareAuth ? 'compare' : 'off',
      BENCH_CLUSTER: onCluster ? CLUSTER_RUNS : 0,
    },
    git: { commit: sh('git rev-parse HEAD'), dirtySrc: sh('git status --porcelain src') !== '' },
    machine,
    totalSeconds: Math.round((Date.now() - started) / 1000),
    scenarioSeconds: timings,
    redisSlowlog: slowlogs,
    rows,
    // Each run's figures of the cluster contender (per-master shares, Redis CPU per job).
    ...(onCluster ? { cluster: { samples: clusterSamples } } : {}),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${markdownTable(rows)}\n\nresults: ${file} (${result.totalSeconds} s)\n`);
}

main().catch((error: unknown) => {
  killAll();
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
