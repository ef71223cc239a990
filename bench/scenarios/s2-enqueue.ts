/**
 * 2. REST enqueue: POST /analyses (demo, stepMs 0) from autocannon, 50
 * connections, against the service's api role vs node:http + Queue.add.
 * No worker runs: the window measures accepting jobs only.
 */
import autocannon from 'autocannon';
import type { Bench, Variant } from '../lib/bench';
import { type Row, row } from '../lib/report';
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

function fire(
  url: string,
  durationSeconds: number,
  auth: Record<string, string>,
): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/analyses`,
    method: 'POST',
    connections: 50,
    duration: durationSeconds,
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(DEMO_BODY),
  });
}

export async function restEnqueue(bench: Bench): Promise<Row[]> {
  bench.log('2. REST enqueue');
  await bench.flush();
  const servers: Record<Variant, { url: string; pid: number; stop: () => Promise<void> }> = {
    service: await bench.startService('api'),
    bare: await bench.startBench('bare-api', { KEY_PREFIX: 'bare' }),
  };
  const seconds = Math.max(1, Math.round(bench.ms(5_000) / 1000));
  const samples: Record<Variant, EnqueueSample[]> = { service: [], bare: [] };
  try {
    for (const variant of ['service', 'bare'] as const)
      await fire(servers[variant].url, 1, bench.authHeaders());
    for (let run = 0; run < bench.options.runs; run += 1) {
      const order: Variant[] = run % 2 === 0 ? ['service', 'bare'] : ['bare', 'service'];
      for (const variant of order) {
        await bench.flush();
        const server = servers[variant];
        const cpuBefore = bench.cpuSeconds(server.pid);
        const redisBefore = await bench.redisCpuSeconds();
        const { result, load } = await bench.measured(() =>
          fire(server.url, seconds, bench.authHeaders()),
        );
        const accepted = Math.max(1, result['2xx']);
        const serverCpuMs = ((bench.cpuSeconds(server.pid) - cpuBefore) * 1000) / accepted;
        const redisCpuMs = (((await bench.redisCpuSeconds()) - redisBefore) * 1000) / accepted;
        if (result.errors > 0 || result.non2xx > 0) {
          throw new Error(`${variant}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
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
        samples[variant].push(sample);
        bench.log(`   ${variant}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms`);
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
  const all = [...samples.service, ...samples.bare];
  const base = {
    scenario: 2,
    cell: bench.cell(`POST /analyses, 50 connections, ${seconds} s`),
    background: all.map((s) => s.background),
    loadavg: all.map((s) => s.loadavg),
  };
  return [
    row({
      ...base,
      figure: 'throughput',
      unit: 'req/s',
      service: samples.service.map((s) => s.rps),
      bare: samples.bare.map((s) => s.rps),
      target: '≥ 0.5×',
      check: (service, bare) => service >= 0.5 * bare,
    }),
    row({
      ...base,
      figure: 'latency p99',
      unit: 'ms',
      service: samples.service.map((s) => s.p99),
      bare: samples.bare.map((s) => s.p99),
      target: '≤ 2×',
      check: (service, bare) => service <= 2 * bare,
      details: {
        p50: { service: samples.service.map((s) => s.p50), bare: samples.bare.map((s) => s.p50) },
        serverCpuMsPerRequest: {
          service: samples.service.map((s) => round(s.serverCpuMs, 4)),
          bare: samples.bare.map((s) => round(s.serverCpuMs, 4)),
        },
        redisCpuMsPerRequest: {
          service: samples.service.map((s) => round(s.redisCpuMs, 4)),
          bare: samples.bare.map((s) => round(s.redisCpuMs, 4)),
        },
      },
    }),
  ];
}
