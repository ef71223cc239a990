/**
 * 3 and 4. End to end: HTTP request → `completed` at a subscribed Socket.IO
 * client, demo jobs with stepMs 0. Service: an api and a worker process.
 * Bare: node:http + Queue.add (+ PUBLISH queued) → a bare BullMQ worker that
 * PUBLISHes each step → socket.io server with one ioredis subscriber → client.
 * Under BENCH_AUTH=compare a second api process with API_KEYS set (its
 * clients sending the key) shares the service's worker.
 */
import { AUTH_ENV, BENCH_API_KEY, type Bench, type Contender } from '../lib/bench';
import type { Proc } from '../lib/proc';
import { authRow, type Row, row } from '../lib/report';
import { percentile } from '../lib/stats';

const CONCURRENCY = '50';

interface E2eResult {
  latencies: number[];
  seconds: number;
  events: number;
}

interface Pipelines {
  urls: Partial<Record<Contender, string>>;
  procs: Proc[];
}

async function startPipelines(bench: Bench): Promise<Pipelines> {
  await bench.flush();
  const serviceEnv = { WORKER_CONCURRENCY: CONCURRENCY };
  const bareEnv = { KEY_PREFIX: 'bare', WORKER_CONCURRENCY: CONCURRENCY };
  const procs = [
    await bench.startService('api', serviceEnv),
    await bench.startService('worker', serviceEnv),
    await bench.startBench('bare-api', { ...bareEnv, PUBLISH_QUEUED: '1' }),
    await bench.startBench('bare-worker', { ...bareEnv, MODE: 'publish' }),
  ];
  const urls: Pipelines['urls'] = { service: procs[0].url, bare: procs[2].url };
  if (bench.options.compareAuth) {
    const withAuth = await bench.startService('api', { ...serviceEnv, ...AUTH_ENV });
    procs.push(withAuth);
    urls.auth = withAuth.url;
  }
  return { urls, procs };
}

/** What the clients need to drive a contender: the `auth` one is the service, sending the key. */
function target(pipelines: Pipelines, contender: Contender) {
  return {
    url: pipelines.urls[contender],
    variant: contender === 'bare' ? 'bare' : 'service',
    ...(contender === 'auth' ? { key: BENCH_API_KEY } : {}),
  };
}

async function runClients(clients: Proc[], args: Record<string, unknown>): Promise<E2eResult> {
  const results = await Promise.all(
    clients.map((client) => client.call<E2eResult>('run', args, 120_000)),
  );
  return {
    latencies: results.flatMap((result) => result.latencies),
    seconds: Math.max(...results.map((result) => result.seconds)),
    events: results.reduce((sum, result) => sum + result.events, 0),
  };
}

export async function endToEnd(bench: Bench): Promise<Row[]> {
  const pipelines = await startPipelines(bench);
  const oneClient = await bench.startBench('e2e-clients');
  const manyClients = [
    await bench.startBench('e2e-clients'),
    await bench.startBench('e2e-clients'),
  ];
  const rows: Row[] = [];
  try {
    // 3. One client, sequential jobs.
    bench.log('3. end to end, one client');
    const jobs = Math.max(100, Math.round(500 * bench.options.scale));
    const one: Record<Contender, { p50: number[]; p99: number[]; bg: number[]; la: number[] }> = {
      service: { p50: [], p99: [], bg: [], la: [] },
      bare: { p50: [], p99: [], bg: [], la: [] },
      auth: { p50: [], p99: [], bg: [], la: [] },
    };
    for (let run = 0; run < bench.options.runs; run += 1) {
      for (const variant of bench.contenders(run)) {
        const { result, load } = await bench.measured(() =>
          runClients([oneClient], {
            ...target(pipelines, variant),
            loops: 1,
            jobsPerLoop: jobs,
            warmup: run === 0 ? 50 : 10,
          }),
        );
        one[variant].p50.push(percentile(result.latencies, 0.5));
        one[variant].p99.push(percentile(result.latencies, 0.99));
        one[variant].bg.push(load.backgroundCores);
        one[variant].la.push(load.loadavg1);
        bench.log(
          `   ${variant}: p50 ${percentile(result.latencies, 0.5).toFixed(2)} ms, p99 ${percentile(result.latencies, 0.99).toFixed(2)} ms over ${result.latencies.length} jobs`,
        );
      }
    }
    const oneBase = {
      scenario: 3,
      cell: `1 client, ${jobs} sequential jobs`,
      unit: 'ms',
      background: [...one.service.bg, ...one.bare.bg, ...one.auth.bg],
      loadavg: [...one.service.la, ...one.bare.la, ...one.auth.la],
    };
    rows.push(
      row({
        ...oneBase,
        figure: 'latency p50',
        service: one.service.p50,
        bare: one.bare.p50,
        target: '≤ 1.3×',
        check: (s, b) => s <= 1.3 * b,
      }),
      row({
        ...oneBase,
        figure: 'latency p99',
        service: one.service.p99,
        bare: one.bare.p99,
        target: '≤ 2×',
        check: (s, b) => s <= 2 * b,
      }),
    );
    if (one.auth.p50.length > 0) {
      for (const [figure, key] of [
        ['latency p50', 'p50'],
        ['latency p99', 'p99'],
      ] as const) {
        rows.push(
          authRow({
            ...oneBase,
            figure,
            on: one.auth[key],
            off: one.service[key],
            higherIsBetter: false,
          }),
        );
      }
    }

    // 4. 50 clients, each starting and watching its own jobs.
    bench.log('4. end to end, 50 concurrent clients');
    const durationMs = bench.ms(5_000);
    const many: Record<
      Contender,
      { jobs: number[]; events: number[]; p99: number[]; bg: number[]; la: number[] }
    > = {
      service: { jobs: [], events: [], p99: [], bg: [], la: [] },
      bare: { jobs: [], events: [], p99: [], bg: [], la: [] },
      auth: { jobs: [], events: [], p99: [], bg: [], la: [] },
    };
    for (let run = 0; run < bench.options.runs; run += 1) {
      for (const variant of bench.contenders(run)) {
        const { result, load } = await bench.measured(() =>
          runClients(manyClients, {
            ...target(pipelines, variant),
            loops: 25,
            durationMs,
            warmup: 2,
          }),
        );
        const sample = {
          jobs: result.latencies.length / result.seconds,
          events: result.events / result.seconds,
          p99: percentile(result.latencies, 0.99),
        };
        many[variant].jobs.push(sample.jobs);
        many[variant].events.push(sample.events);
        many[variant].p99.push(sample.p99);
        many[variant].bg.push(load.backgroundCores);
        many[variant].la.push(load.loadavg1);
        bench.log(
          `   ${variant}: ${Math.round(sample.jobs)} jobs/s, ${Math.round(sample.events)} events/s, p99 ${sample.p99.toFixed(1)} ms`,
        );
      }
    }
    const manyBase = {
      scenario: 4,
      cell: `50 clients, ${(durationMs / 1000).toFixed(0)} s`,
      background: [...many.service.bg, ...many.bare.bg, ...many.auth.bg],
      loadavg: [...many.service.la, ...many.bare.la, ...many.auth.la],
    };
    rows.push(
      row({
        ...manyBase,
        figure: 'throughput',
        unit: 'jobs/s',
        service: many.service.jobs,
        bare: many.bare.jobs,
        target: '≥ 0.6×',
        check: (s, b) => s >= 0.6 * b,
      }),
      row({
        ...manyBase,
        figure: 'events delivered',
        unit: 'events/s',
        service: many.service.events,
        bare: many.bare.events,
      }),
      row({
        ...manyBase,
        figure: 'latency p99',
        unit: 'ms',
        service: many.service.p99,
        bare: many.bare.p99,
        target: '≤ 2×',
        check: (s, b) => s <= 2 * b,
      }),
    );
    if (many.auth.jobs.length > 0) {
      rows.push(
        authRow({
          ...manyBase,
          figure: 'throughput',
          unit: 'jobs/s',
          on: many.auth.jobs,
          off: many.service.jobs,
          higherIsBetter: true,
        }),
        authRow({
          ...manyBase,
          figure: 'latency p99',
          unit: 'ms',
          on: many.auth.p99,
          off: many.service.p99,
          higherIsBetter: false,
        }),
      );
    }
  } finally {
    await Promise.all([oneClient, ...manyClients, ...pipelines.procs].map((proc) => proc.stop()));
  }
  return rows;
}
