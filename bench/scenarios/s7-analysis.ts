/**
 * 7. Analysis: `stats` on 1 000 000 values in one column and on 4 columns ×
 * 250 000 rows, end to end through the service (the CSV POSTed as `text/csv`,
 * POST → `completed` at a subscribed client; api and worker processes), vs the
 * same pure computation run straight through in a plain process, and vs the
 * peer a user would reach for: the same CSV file parsed and profiled by numpy
 * (and pandas where installed) in one Python process, Debian's python3-numpy
 * (another numpy on the PATH is run too, for the details). The worst event-loop
 * blocks come from perf_hooks.monitorEventLoopDelay (1 ms resolution).
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { LiveClient } from '../../test/support/live-client';
import type { Bench } from '../lib/bench';
import type { Proc } from '../lib/proc';
import { findPythonPeer, type PeerResult, runPythonPeer } from '../lib/python-peer';
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

const BINS = 20;

/** The dataset as CSV text: a header, then one line per row. */
function csvOf(columns: Record<string, number[]>): string {
  const names = Object.keys(columns);
  const arrays = names.map((name) => columns[name]);
  const lines = [names.join(',')];
  for (let row = 0; row < arrays[0].length; row++) {
    lines.push(arrays.map((values) => values[row]).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function post(url: string, csv: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/analyses?pipeline=stats&bins=${BINS}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(csv) },
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
    req.end(csv);
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
  const peer = findPythonPeer((line) => bench.log(line));
  bench.log(`   ${peer.note}`);
  const rows: Row[] = [];
  try {
    for (const dataset of DATASETS) {
      const columns = Object.fromEntries(
        Array.from({ length: dataset.columns }, (_, c) => [`c${c}`, values(dataset.rows, 42 + c)]),
      );
      const csv = csvOf(columns);
      const csvFile = join(bench.options.workDir, `stats-${dataset.columns}.csv`);
      writeFileSync(csvFile, csv);
      const bodyFile = join(bench.options.workDir, `stats-${dataset.columns}.json`);
      writeFileSync(bodyFile, JSON.stringify({ pipeline: 'stats', input: { csv, bins: BINS } }));
      const samples = {
        service: [] as { ms: number; worker: Delay; api: Delay; bg: number; la: number }[],
        bare: [] as {
          ms: number;
          computeMs: number;
          block: Delay;
          bg: number;
          la: number;
        }[],
      };
      // One unmeasured job through each first: a service runs warm (its code optimised by
      // the JIT), as numpy's compiled code always is.
      const warmUpId = await post(api.url, csv);
      await live.subscribe({ id: warmUpId });
      await live.finished(warmUpId, 120_000);
      await bare.call('run', { bodyFile });
      for (let run = 0; run < bench.options.runs; run += 1) {
        bench.log(`   ${dataset.cell}, run ${run + 1}`);
        const service = await bench.measured(async () => {
          await Promise.all([worker, api].map((proc: Proc) => proc.call('probe.eldStart')));
          const started = wallNow();
          const id = await post(api.url, csv);
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
          const { ms, computeMs } = await bare.call<{ ms: number; computeMs: number }>('run', {
            bodyFile,
          });
          return { ms, computeMs, block: await bare.call<Delay>('probe.eldStop') };
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
      let numpy: PeerResult | undefined;
      const others: PeerResult[] = [];
      if (peer.python) {
        bench.log(`   ${dataset.cell}, numpy peer (${bench.options.runs} runs in one process)`);
        numpy = runPythonPeer(peer.python, csvFile, bench.options.runs, BINS);
        for (const python of peer.others) {
          bench.log(`   ${dataset.cell}, also numpy for ${python} (details only)`);
          others.push(runPythonPeer(python, csvFile, bench.options.runs, BINS));
        }
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
          target: '≤ 20 ms',
          check: (s) => s <= 20,
          details: {
            workerP99DelayMs: samples.service.map((s) => s.worker.p99Ms),
            bodyBytes: csv.length,
            numpyPeer: peer.note,
          },
        }),
        row({
          scenario: 7,
          cell: dataset.cell,
          figure: 'worst event-loop block (service: api; bare: unsliced)',
          unit: 'ms',
          service: samples.service.map((s) => s.api.maxMs),
          bare: samples.bare.map((s) => s.block.maxMs),
          background,
          loadavg,
          target: '≤ 20 ms',
          check: (s) => s <= 20,
        }),
      );
      if (numpy) {
        const { numpy: np } = numpy;
        const peerDetails = {
          peer: `numpy ${numpy.numpyVersion} (python ${numpy.python}, ${peer.python})`,
          numpyParseMs: np.parseMs,
          numpyProfileMs: np.profileMs,
          pandas: numpy.pandas
            ? { version: numpy.pandasVersion, parseMs: numpy.pandas.parseMs }
            : 'not installed',
          note: peer.note,
          otherPeers: others.map((other) => ({
            peer: `numpy ${other.numpyVersion} (python ${other.python})`,
            numpyParseMs: other.numpy.parseMs,
            numpyProfileMs: other.numpy.profileMs,
          })),
        };
        rows.push(
          row({
            scenario: 7,
            cell: dataset.cell,
            figure: 'computation alone (service: stats steps after parse; bare: numpy profile)',
            unit: 'ms',
            service: samples.bare.map((s) => s.computeMs),
            bare: np.profileMs,
            background,
            loadavg,
            target: '≤ 1.5× numpy',
            check: (s, b) => s <= 1.5 * b,
            details: peerDetails,
          }),
          row({
            scenario: 7,
            cell: dataset.cell,
            figure: 'end to end (service: POST text/csv → completed; bare: numpy parse + profile)',
            unit: 'ms',
            service: samples.service.map((s) => s.ms),
            bare: np.parseMs.map((parse, index) => parse + np.profileMs[index]),
            background,
            loadavg,
            target: '≤ 1.0× numpy',
            check: (s, b) => s <= b,
            details: peerDetails,
          }),
        );
      } else {
        bench.log(`   ${peer.note}`);
      }
    }
  } finally {
    live.close();
    await Promise.all([api, worker, bare].map((proc) => proc.stop()));
  }
  return rows;
}
