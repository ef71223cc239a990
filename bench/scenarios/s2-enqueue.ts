/**
 * 2. REST enqueue: POST /analyses (demo, stepMs 0) from autocannon, 50
 * connections, against the service's api role vs node:http + Queue.add.
 * No worker runs: the window measures accepting jobs only. Beside them, in
 * the same runs, the floor of the service's stack (c): NestJS on Fastify with
 * one handler doing what the bare one does, which splits the gap into what
 * the framework costs and what the service's own request path does. Under
 * BENCH_AUTH=compare the service also runs with API_KEYS set.
 */
import autocannon from 'autocannon';
import { authHeaders, AUTH_ENV, type Bench, type Contender } from '../lib/bench';
import { authRow, type Row, row } from '../lib/report';
import { DEMO_BODY } from '../lib/shapes';
import { round } from '../lib/stats';

interface EnqueueSample {
  rps: number;
  p99: number;
  p50: number;
  /** CPU per accepted request, ms: the server process's and Redis's. */
  serverCpuMs: number;
  redisCpuMs: number;
  background: number;
  loadavg: number;
}

/** The service, the bare api, the service with auth on, or the stack's floor (c). */
type Target = Contender | 'floor';

function fire(url: string, durationSeconds: number, contender: Target): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/analyses`,
    method: 'POST',
    connections: 50,
    duration: durationSeconds,
    headers: {
      'content-type': 'application/json',
      ...(contender === 'floor' ? {} : authHeaders(contender)),
    },
    body: JSON.stringify(DEMO_BODY),
  });
}

type Server = { url: string; pid: number; stop: () => Promise<void> };

export async function restEnqueue(bench: Bench): Promise<Row[]> {
  bench.log('2. REST enqueue');
  await bench.flush();
  const contenders = bench.contenders(0);
  const servers: Partial<Record<Target, Server>> = {
    service: await bench.startService('api'),
    bare: await bench.startBench('bare-api', { KEY_PREFIX: 'bare' }),
    floor: await bench.startBench('nest-floor', { KEY_PREFIX: 'floor' }),
    ...(contenders.includes('auth') ? { auth: await bench.startService('api', AUTH_ENV) } : {}),
  };
  const seconds = Math.max(1, Math.round(bench.ms(5_000) / 1000));
  const samples: Record<Target, EnqueueSample[]> = { service: [], bare: [], auth: [], floor: [] };
  try {
    for (const contender of [...contenders, 'floor'] as const) {
      await fire(servers[contender]!.url, 1, contender);
    }
    for (let run = 0; run < bench.options.runs; run += 1) {
      // The floor takes its turn last in runs 1 and 3, first in run 2, as bare and service swap.
      const order: Target[] =
        run % 2 === 0 ? [...bench.contenders(run), 'floor'] : ['floor', ...bench.contenders(run)];
      for (const contender of order) {
        await bench.flush();
        const server = servers[contender]!;
        const cpuBefore = bench.cpuSeconds(server.pid);
        const redisBefore = await bench.redisCpuSeconds();
        const { result, load } = await bench.measured(() => fire(server.url, seconds, contender));
        const accepted = Math.max(1, result['2xx']);
        const serverCpuMs = ((bench.cpuSeconds(server.pid) - cpuBefore) * 1000) / accepted;
        const redisCpuMs = (((await bench.redisCpuSeconds()) - redisBefore) * 1000) / accepted;
        if (result.errors > 0 || result.non2xx > 0) {
          throw new Error(
            `${contender}: ${result.errors} errors, ${result.non2xx} non-2xx answers`,
          );
        }
        const sample = {
          rps: result['2xx'] / result.duration,
          p99: result.latency.p99,
          p50: result.latency.p50,
          serverCpuMs,
          redisCpuMs,
          background: load.backgroundCores,
          loadavg: load.loadavg1,
        };
        samples[contender].push(sample);
        bench.log(`   ${contender}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms`);
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
  const all = [...samples.service, ...samples.bare, ...samples.auth, ...samples.floor];
  const base = {
    scenario: 2,
    cell: `POST /analyses, 50 connections, ${seconds} s`,
    background: all.map((s) => s.background),
    loadavg: all.map((s) => s.loadavg),
  };
  const cpu = (of: EnqueueSample[]) => of.map((s) => round(s.serverCpuMs, 4));
  const floor = samples.floor;
  const rows = [
    row({
      ...base,
      figure: 'throughput',
      unit: 'req/s',
      service: samples.service.map((s) => s.rps),
      bare: samples.bare.map((s) => s.rps),
      target: '≥ 0.6×',
      check: (service, bare) => service >= 0.6 * bare,
    }),
    row({
      ...base,
      figure: 'latency p99',
      unit: 'ms',
      service: samples.service.map((s) => s.p99),
      bare: samples.bare.map((s) => s.p99),
      target: '≤ 1.5×',
      check: (service, bare) => service <= 1.5 * bare,
      details: {
        p50: { service: samples.service.map((s) => s.p50), bare: samples.bare.map((s) => s.p50) },
        serverCpuMsPerRequest: { service: cpu(samples.service), bare: cpu(samples.bare) },
        redisCpuMsPerRequest: {
          service: samples.service.map((s) => round(s.redisCpuMs, 4)),
          bare: samples.bare.map((s) => round(s.redisCpuMs, 4)),
        },
      },
    }),
    // The stack's floor (c) splits the gap: the service against it, then it against bare.
    row({
      ...base,
      figure: 'throughput vs (c) the stack alone: Nest on Fastify + Queue.add',
      unit: 'req/s',
      service: samples.service.map((s) => s.rps),
      bare: floor.map((s) => s.rps),
    }),
    row({
      ...base,
      figure: 'api CPU per request vs (c) the stack alone',
      unit: 'ms',
      service: cpu(samples.service),
      bare: cpu(floor),
    }),
    row({
      ...base,
      figure: '(c) the stack alone (service column) vs bare: throughput',
      unit: 'req/s',
      service: floor.map((s) => s.rps),
      bare: samples.bare.map((s) => s.rps),
      details: { p99: { floor: floor.map((s) => s.p99), bare: samples.bare.map((s) => s.p99) } },
    }),
    row({
      ...base,
      figure: '(c) the stack alone (service column) vs bare: CPU per request',
      unit: 'ms',
      service: cpu(floor),
      bare: cpu(samples.bare),
    }),
  ];
  if (samples.auth.length === 0) return rows;
  const on = samples.auth;
  const off = samples.service;
  const figures: [string, string, (s: EnqueueSample) => number, boolean][] = [
    ['throughput', 'req/s', (s) => s.rps, true],
    ['latency p50', 'ms', (s) => s.p50, false],
    ['latency p99', 'ms', (s) => s.p99, false],
    ['service CPU per request', 'ms', (s) => s.serverCpuMs, false],
  ];
  return [
    ...rows,
    ...figures.map(([figure, unit, value, higherIsBetter]) =>
      authRow({ ...base, figure, unit, on: on.map(value), off: off.map(value), higherIsBetter }),
    ),
  ];
}
