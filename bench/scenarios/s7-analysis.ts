/**
 * 7. Analysis: `stats` on 1 000 000 values in one column and on 4 columns ×
 * 250 000 rows, end to end through the service (POST → `completed` at a
 * subscribed client; api and worker processes), vs the same pure computation
 * run straight through in a plain process. The worker's worst event-loop
 * block comes from perf_hooks.monitorEventLoopDelay (1 ms resolution).
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { LiveClient } from '../../test/support/live-client';
import type { Bench } from '../lib/bench';
import type { Proc } from '../lib/proc';
import { type Row, row } from '../lib/report';
import { wallNow } from '../lib/stats';

interface Delay {
  maxMs: number;
  p99Ms: number;
}

/** Deterministic one-decimal values in [0, 1000), as in the e2e test. */
function values(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * 10_000) / 10;
  });
}

const DATASETS = [
  { cell: '1 column × 1 000 000 values', columns: 1, rows: 1_000_000 },
  { cell: '4 columns × 250 000 rows', columns: 4, rows: 250_000 },
];

function post(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/analyses`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 202) reject(new Error(`${response.statusCode}: ${text}`));
          else resolve((JSON.parse(text) as { id: string }).id);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function analysis(bench: Bench): Promise<Row[]> {
  bench.log('7. analysis');
  await bench.flush();
  const api = await bench.startService('api');
  const worker = await bench.startService('worker');
  const bare = await bench.startBench('bare-stats');
  const live = new LiveClient(api.url);
  await live.connected();
  const rows: Row[] = [];
  try {
    for (const dataset of DATASETS) {
      const columns = Object.fromEntries(
        Array.from({ length: dataset.columns }, (_, c) => [`c${c}`, values(dataset.rows, 42 + c)]),
      );
      const body = JSON.stringify({ pipeline: 'stats', input: { columns } });
      const bodyFile = join(bench.options.workDir, `stats-${dataset.columns}.json`);
      writeFileSync(bodyFile, body);
      const samples = {
        service: [] as { ms: number; worker: Delay; api: Delay; bg: number; la: number }[],
        bare: [] as { ms: number; block: Delay; bg: number; la: number }[],
      };
      for (let run = 0; run < bench.options.runs; run += 1) {
        bench.log(`   ${dataset.cell}, run ${run + 1}`);
        const service = await bench.measured(async () => {
          await Promise.all([worker, api].map((proc: Proc) => proc.call('probe.eldStart')));
          const started = wallNow();
          const id = await post(api.url, body);
          await live.subscribe({ id });
          const events = await live.finished(id, 120_000);
          const ms = wallNow() - started;
          const [workerDelay, apiDelay] = await Promise.all(
            [worker, api].map((proc: Proc) => proc.call<Delay>('probe.eldStop')),
          );
          if (events[events.length - 1].type !== 'completed') throw new Error('stats job failed');
          return { ms, worker: workerDelay, api: apiDelay };
        });
        samples.service.push({
          ...service.result,
          bg: service.load.backgroundCores,
          la: service.load.loadavg1,
        });
        const straight = await bench.measured(async () => {
          await bare.call('probe.eldStart');
          const { ms } = await bare.call<{ ms: number }>('run', { bodyFile });
          return { ms, block: await bare.call<Delay>('probe.eldStop') };
        });
        samples.bare.push({
          ...straight.result,
          bg: straight.load.backgroundCores,
          la: straight.load.loadavg1,
        });
        bench.log(
          `     service ${service.result.ms.toFixed(0)} ms (worker worst block ${service.result.worker.maxMs.toFixed(1)} ms, api ${service.result.api.maxMs.toFixed(1)} ms); straight ${straight.result.ms.toFixed(0)} ms`,
        );
      }
      const background = [...samples.service.map((s) => s.bg), ...samples.bare.map((s) => s.bg)];
      const loadavg = [...samples.service.map((s) => s.la), ...samples.bare.map((s) => s.la)];
      rows.push(
        row({
          scenario: 7,
          cell: dataset.cell,
          figure: 'wall time (service: POST → completed; bare: computation alone)',
          unit: 'ms',
          service: samples.service.map((s) => s.ms),
          bare: samples.bare.map((s) => s.ms),
          background,
          loadavg,
        }),
        row({
          scenario: 7,
          cell: dataset.cell,
          figure: 'worst event-loop block (service: worker; bare: unsliced)',
          unit: 'ms',
          service: samples.service.map((s) => s.worker.maxMs),
          bare: samples.bare.map((s) => s.block.maxMs),
          background,
          loadavg,
          target: '≤ 50 ms',
          check: (s) => s <= 50,
          details: {
            apiWorstBlockMs: samples.service.map((s) => s.api.maxMs),
            workerP99DelayMs: samples.service.map((s) => s.worker.p99Ms),
            bodyBytes: body.length,
          },
        }),
      );
    }
  } finally {
    live.close();
    await Promise.all([api, worker, bare].map((proc) => proc.stop()));
  }
  return rows;
}
