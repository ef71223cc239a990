/**
 * 8. What observability costs: scenario 1's drain (1 worker × concurrency 10)
 * and scenario 2's REST enqueue, each against two service processes side by
 * side, interleaved run by run: metrics and request logs on (the defaults,
 * /metrics scraped every second as a busy Prometheus would) and off
 * (METRICS=off, LOG_LEVEL=warn). In the rows "service" is on and "bare" is off.
 */
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import type { Bench } from '../lib/bench';
import type { Proc } from '../lib/proc';
import { type Row, row } from '../lib/report';
import { openServiceStore, redisOptions, seedJobs } from '../lib/service-store';
import { DEMO_BODY, QUEUE_NAME } from '../lib/shapes';
import { sleep } from '../lib/stats';

type Mode = 'on' | 'off';
const MODES: Mode[] = ['on', 'off'];
const ENV: Record<Mode, Record<string, string>> = {
  on: { METRICS: 'on', LOG_LEVEL: 'info' },
  off: { METRICS: 'off', LOG_LEVEL: 'warn' },
};
const QUEUED = 20_000;
const TARGET = '≥ 0.9× off';
const check = (on: number, off: number): boolean => on >= 0.9 * off;

/** Scrapes /metrics every second while `body` runs, as Prometheus would (more often than its default). */
async function scraped<T>(urls: string[], body: () => Promise<T>): Promise<T> {
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(urls.map((url) => fetch(`${url}/metrics`).then((r) => r.text())));
      await sleep(1_000);
    }
  })();
  try {
    return await body();
  } finally {
    running = false;
    await loop;
  }
}

async function waiting(queue: Queue): Promise<{ waiting: number; active: number }> {
  const c = await queue.getJobCounts('wait', 'paused', 'active', 'prioritized');
  return { waiting: c.wait + c.paused + c.prioritized, active: c.active };
}

async function drain(bench: Bench): Promise<Row[]> {
  bench.log('8. observability cost: drain, 1 worker × concurrency 10');
  await bench.flush();
  const capMs = bench.ms(2_000);
  const prefixes: Record<Mode, string> = { on: 'obon', off: 'oboff' };
  const queues = {} as Record<Mode, Queue>;
  const workers = {} as Record<Mode, Proc & { url: string }>;
  const samples: Record<Mode, number[]> = { on: [], off: [] };
  const cpuMs: Record<Mode, number[]> = { on: [], off: [] };
  const background: number[] = [];
  const loadavg: number[] = [];
  const stores = MODES.map((mode) => openServiceStore(bench.redisUrl, prefixes[mode]));
  try {
    for (const mode of MODES) {
      queues[mode] = new Queue(QUEUE_NAME, {
        connection: redisOptions(bench.redisUrl, 'bench:queue'),
        prefix: prefixes[mode],
      });
      await queues[mode].pause();
      workers[mode] = await bench.startService('worker', {
        ...ENV[mode],
        WORKER_CONCURRENCY: '10',
        KEY_PREFIX: prefixes[mode],
      });
    }
    const once = async (mode: Mode, windowMs: number): Promise<{ rate: number; cpuMs: number }> => {
      const queue = queues[mode];
      const before = await waiting(queue);
      await seedJobs(
        bench.redisUrl,
        prefixes[mode],
        QUEUED - before.waiting,
        {
          withSnapshot: true,
          enqueue: true,
        },
        stores[MODES.indexOf(mode)],
      );
      const cpuBefore = bench.cpuSeconds(workers[mode].pid);
      const { result, load } = await bench.measured(() =>
        scraped([workers[mode].url], async () => {
          const started = performance.now();
          await queue.resume();
          let left = QUEUED;
          let elapsed = 0;
          while (left > 0 && elapsed < windowMs) {
            await sleep(20);
            const now = await waiting(queue);
            left = now.waiting + now.active;
            elapsed = performance.now() - started;
          }
          await queue.pause();
          while ((await waiting(queue)).active > 0) await sleep(20);
          return { jobs: QUEUED - left, rate: (QUEUED - left) / (elapsed / 1000) };
        }),
      );
      background.push(load.backgroundCores);
      loadavg.push(load.loadavg1);
      const cpu =
        ((bench.cpuSeconds(workers[mode].pid) - cpuBefore) * 1000) / Math.max(1, result.jobs);
      return { rate: result.rate, cpuMs: cpu };
    };
    for (const mode of MODES) await once(mode, bench.ms(500));
    for (let run = 0; run < bench.options.runs; run += 1) {
      for (const mode of run % 2 === 0 ? MODES : [...MODES].reverse()) {
        const sample = await once(mode, capMs);
        samples[mode].push(sample.rate);
        cpuMs[mode].push(sample.cpuMs);
        bench.log(
          `   ${mode}: ${Math.round(sample.rate)} jobs/s, worker CPU ${sample.cpuMs.toFixed(3)} ms/job`,
        );
      }
    }
  } finally {
    await Promise.all(Object.values(workers).map((proc) => proc.stop()));
    await Promise.all(Object.values(queues).map((queue) => queue.close()));
    await Promise.all(stores.map((store) => store.close()));
  }
  return [
    row({
      scenario: 8,
      cell: '1. drain, 1 worker × concurrency 10',
      figure: 'metrics + logs on vs off',
      unit: 'jobs/s',
      service: samples.on,
      bare: samples.off,
      background,
      loadavg,
      target: TARGET,
      check,
    }),
    row({
      scenario: 8,
      cell: '1. drain, 1 worker × concurrency 10',
      figure: 'worker CPU per job, on vs off',
      unit: 'ms',
      service: cpuMs.on,
      bare: cpuMs.off,
      background,
      loadavg,
    }),
  ];
}

async function enqueue(bench: Bench): Promise<Row[]> {
  bench.log('8. observability cost: REST enqueue');
  await bench.flush();
  const seconds = Math.max(1, Math.round(bench.ms(5_000) / 1000));
  const apis = {} as Record<Mode, Proc & { url: string }>;
  const samples: Record<Mode, number[]> = { on: [], off: [] };
  const p99: Record<Mode, number[]> = { on: [], off: [] };
  const cpuMs: Record<Mode, number[]> = { on: [], off: [] };
  const background: number[] = [];
  const loadavg: number[] = [];
  const fire = (url: string, duration: number) =>
    autocannon({
      url: `${url}/analyses`,
      method: 'POST',
      connections: 50,
      duration,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_BODY),
    });
  try {
    for (const mode of MODES) {
      apis[mode] = await bench.startService('api', { ...ENV[mode], KEY_PREFIX: `ob${mode}` });
      await fire(apis[mode].url, 1);
    }
    for (let run = 0; run < bench.options.runs; run += 1) {
      for (const mode of run % 2 === 0 ? MODES : [...MODES].reverse()) {
        await bench.flush();
        const cpuBefore = bench.cpuSeconds(apis[mode].pid);
        const { result, load } = await bench.measured(() =>
          scraped([apis[mode].url], () => fire(apis[mode].url, seconds)),
        );
        background.push(load.backgroundCores);
        loadavg.push(load.loadavg1);
        if (result.errors > 0 || result.non2xx > 0) {
          throw new Error(`${mode}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
        }
        samples[mode].push(result['2xx'] / result.duration);
        p99[mode].push(result.latency.p99);
        cpuMs[mode].push(
          ((bench.cpuSeconds(apis[mode].pid) - cpuBefore) * 1000) / Math.max(1, result['2xx']),
        );
        bench.log(
          `   ${mode}: ${Math.round(result['2xx'] / result.duration)} req/s, p99 ${result.latency.p99} ms, server CPU ${cpuMs[mode].at(-1)?.toFixed(3)} ms/request`,
        );
      }
    }
  } finally {
    await Promise.all(Object.values(apis).map((proc) => proc.stop()));
  }
  const base = {
    scenario: 8,
    cell: `2. POST /analyses, 50 connections, ${seconds} s`,
    background: [],
    loadavg: [],
  };
  return [
    row({
      ...base,
      figure: 'metrics + logs on vs off',
      unit: 'req/s',
      service: samples.on,
      bare: samples.off,
      target: TARGET,
      check,
    }),
    row({ ...base, figure: 'latency p99, on vs off', unit: 'ms', service: p99.on, bare: p99.off }),
    row({
      ...base,
      figure: 'server CPU per request, on vs off',
      unit: 'ms',
      service: cpuMs.on,
      bare: cpuMs.off,
    }),
  ];
}

export async function observabilityCost(bench: Bench): Promise<Row[]> {
  return [...(await drain(bench)), ...(await enqueue(bench))];
}
