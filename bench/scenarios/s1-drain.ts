/**
 * 1. Worker drain: 20 000 queued demo jobs (stepMs 0) drained by the service's
 * worker role vs a bare BullMQ Worker doing nothing (a) or PUBLISHing the
 * same four event payloads (b). Jobs are seeded while the queue is paused;
 * the window runs from resume until the queue is empty or the time cap.
 */
import { Queue } from 'bullmq';
import type { Bench } from '../lib/bench';
import type { Proc } from '../lib/proc';
import { type Row, row } from '../lib/report';
import { openServiceStore, redisOptions, seedJobs, type ServiceStore } from '../lib/service-store';
import { QUEUE_NAME } from '../lib/shapes';
import { median, round, sleep } from '../lib/stats';

const QUEUED = 20_000;

interface DrainVariant {
  key: 'service' | 'bareNoop' | 'barePublish';
  prefix: string;
  procs: Proc[];
  queue: Queue;
}

interface DrainSample {
  jobsPerSecond: number;
  jobs: number;
  seconds: number;
  background: number;
  loadavg: number;
  /** Redis calls per job (Lua's inner calls included) and CPU per job, ms. */
  redisCallsPerJob: number;
  redisCpuMsPerJob: number;
  workerCpuMsPerJob: number;
  /** Redis calls per job, by command. */
  commandsPerJob: Record<string, number>;
}

const CONFIGS = [
  { cell: '1 worker × concurrency 1', workers: 1, concurrency: 1 },
  { cell: '1 worker × concurrency 10', workers: 1, concurrency: 10 },
  { cell: '1 worker × concurrency 50', workers: 1, concurrency: 50 },
  { cell: '2 workers × concurrency 10', workers: 2, concurrency: 10 },
];

async function counts(queue: Queue): Promise<{ waiting: number; active: number }> {
  const c = await queue.getJobCounts('wait', 'paused', 'active', 'prioritized');
  return { waiting: c.wait + c.paused + c.prioritized, active: c.active };
}

async function drainOnce(
  bench: Bench,
  variant: DrainVariant,
  store: ServiceStore,
  capMs: number,
): Promise<DrainSample> {
  const before = await counts(variant.queue);
  await seedJobs(
    bench.redisUrl,
    variant.prefix,
    QUEUED - before.waiting,
    { withSnapshot: variant.key === 'service', enqueue: true },
    store,
  );
  await bench.admin.config('RESETSTAT');
  const redisCpu = await bench.redisCpuSeconds();
  const workerCpu = variant.procs.reduce((sum, proc) => sum + bench.cpuSeconds(proc.pid), 0);
  const { result, load } = await bench.measured(async () => {
    const started = performance.now();
    await variant.queue.resume();
    let left = QUEUED;
    let elapsed = 0;
    while (left > 0 && elapsed < capMs) {
      await sleep(20);
      const now = await counts(variant.queue);
      left = now.waiting + now.active;
      elapsed = performance.now() - started;
    }
    await variant.queue.pause();
    return { jobs: QUEUED - left, seconds: elapsed / 1000 };
  });
  while ((await counts(variant.queue)).active > 0) await sleep(20);
  const stats = await bench.commandStats();
  const calls = Object.values(stats).reduce((a, b) => a + b, 0);
  const jobs = Math.max(1, result.jobs);
  const commandsPerJob = Object.fromEntries(
    Object.entries(stats)
      .map(([command, n]) => [command, round(n / jobs, 2)] as const)
      .filter(([, n]) => n >= 0.05)
      .sort((a, b) => b[1] - a[1]),
  );
  return {
    jobsPerSecond: result.jobs / result.seconds,
    jobs: result.jobs,
    seconds: result.seconds,
    background: load.backgroundCores,
    loadavg: load.loadavg1,
    redisCallsPerJob: calls / jobs,
    commandsPerJob,
    redisCpuMsPerJob: ((await bench.redisCpuSeconds()) - redisCpu) * (1000 / jobs),
    workerCpuMsPerJob:
      (variant.procs.reduce((sum, proc) => sum + bench.cpuSeconds(proc.pid), 0) - workerCpu) *
      (1000 / jobs),
  };
}

export async function workerDrain(bench: Bench): Promise<Row[]> {
  const rows: Row[] = [];
  const capMs = bench.ms(2_000);
  const byConfig = new Map<string, Record<DrainVariant['key'], DrainSample[]>>();
  for (const config of CONFIGS.filter((c) => bench.wants(c.cell))) {
    bench.log(`1. worker drain: ${config.cell}`);
    await bench.flush();
    const store = openServiceStore(bench.redisUrl);
    const variants: DrainVariant[] = [];
    const specs = [
      { key: 'service', prefix: 'ras' },
      { key: 'bareNoop', prefix: 'brn' },
      { key: 'barePublish', prefix: 'brp' },
    ] as const;
    for (const spec of specs) {
      const queue = new Queue(QUEUE_NAME, {
        connection: redisOptions(bench.redisUrl, 'bench:queue'),
        prefix: spec.prefix,
      });
      await queue.pause();
      variants.push({ ...spec, queue, procs: [] });
    }
    try {
      for (const variant of variants) {
        for (let i = 0; i < config.workers; i += 1) {
          const env = {
            WORKER_CONCURRENCY: String(config.concurrency),
            KEY_PREFIX: variant.prefix,
          };
          variant.procs.push(
            variant.key === 'service'
              ? await bench.startService('worker', env)
              : await bench.startBench('bare-worker', {
                  ...env,
                  MODE: variant.key === 'barePublish' ? 'publish' : 'noop',
                }),
          );
        }
      }
      const samples: Record<DrainVariant['key'], DrainSample[]> = {
        service: [],
        bareNoop: [],
        barePublish: [],
      };
      // A short unmeasured drain first, so that every process has warmed up.
      for (const variant of variants) await drainOnce(bench, variant, store, bench.ms(500));
      for (let run = 0; run < bench.options.runs; run += 1) {
        const order = run % 2 === 0 ? variants : [...variants].reverse();
        for (const variant of order) {
          const sample = await drainOnce(bench, variant, store, capMs);
          samples[variant.key].push(sample);
          bench.log(
            `   ${variant.key}: ${Math.round(sample.jobsPerSecond)} jobs/s (${sample.jobs} jobs in ${sample.seconds.toFixed(2)} s, ${sample.redisCallsPerJob.toFixed(1)} Redis calls/job)`,
          );
        }
      }
      byConfig.set(config.cell, samples);
      const all = [...samples.service, ...samples.bareNoop, ...samples.barePublish];
      const detail = (key: DrainVariant['key']) => ({
        redisCallsPerJob: round(median(samples[key].map((s) => s.redisCallsPerJob)), 2),
        redisCpuMsPerJob: round(median(samples[key].map((s) => s.redisCpuMsPerJob)), 4),
        workerCpuMsPerJob: round(median(samples[key].map((s) => s.workerCpuMsPerJob)), 4),
        jobsPerRun: samples[key].map((s) => s.jobs),
        commandsPerJob: samples[key][samples[key].length - 1]?.commandsPerJob,
      });
      const base = {
        scenario: 1,
        cell: config.cell,
        unit: 'jobs/s',
        service: samples.service.map((s) => s.jobsPerSecond),
        background: all.map((s) => s.background),
        loadavg: all.map((s) => s.loadavg),
        details: {
          service: detail('service'),
          bareNoop: detail('bareNoop'),
          barePublish: detail('barePublish'),
        },
      };
      rows.push(
        row({
          ...base,
          figure: 'drain vs bare (b) publishing',
          bare: samples.barePublish.map((s) => s.jobsPerSecond),
          target: '≥ 0.9×',
          check: (service, bare) => service >= 0.9 * bare,
        }),
        row({
          ...base,
          figure: 'drain vs bare (a) no-op',
          bare: samples.bareNoop.map((s) => s.jobsPerSecond),
        }),
        row({
          ...base,
          figure: 'Redis calls per demo job vs bare (b) publishing',
          unit: 'calls',
          service: samples.service.map((s) => s.redisCallsPerJob),
          bare: samples.barePublish.map((s) => s.redisCallsPerJob),
          target: '≤ 32',
          check: (service) => service <= 32,
        }),
      );
    } finally {
      for (const variant of variants) {
        await Promise.all(variant.procs.map((proc) => proc.stop()));
        await variant.queue.close();
      }
      await store.close();
    }
  }
  // Scale-out: 2 workers ÷ 1 worker at the same concurrency, the service's against bare (b)'s.
  const one = byConfig.get(CONFIGS[1].cell);
  const two = byConfig.get(CONFIGS[3].cell);
  if (one && two) {
    const scaling = (key: DrainVariant['key']): number[] =>
      two[key].map((sample, i) => sample.jobsPerSecond / one[key][i].jobsPerSecond);
    const all = [...one.service, ...two.service, ...one.barePublish, ...two.barePublish];
    rows.push(
      row({
        scenario: 1,
        cell: '2 workers ÷ 1 worker (× 10)',
        figure: 'scale-out ratio',
        unit: '×',
        service: scaling('service'),
        bare: scaling('barePublish'),
        background: all.map((s) => s.background),
        loadavg: all.map((s) => s.loadavg),
        target: '≥ 0.95× the bare ratio',
        check: (service, bare) => service >= 0.95 * bare,
      }),
    );
  }
  return rows;
}
