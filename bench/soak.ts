/**
 * `npm run soak`: the service under a steady load for SOAK_DURATION_S (30 min)
 * with EVENT_TTL_SECONDS=60, sampling every 10 s the Redis key count, Redis
 * memory and each process's RSS. Writes docs/soak.json and docs/soak.svg and
 * says whether the key count and memory stayed flat after the first TTL.
 *
 * The service runs from a copy of dist/ (under .data/), so rebuilding meanwhile
 * changes nothing; Redis is a private redis-server on a free port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import type { AnalysisEvent } from '../src/core/analysis.types';
import { freePort } from '../test/support/free-port';
import { startPrivateRedis } from '../test/support/private-redis';
import { DIST, ROOT } from './lib/paths';

const DURATION_S = Number(process.env.SOAK_DURATION_S ?? 1_800);
const RATE = Number(process.env.SOAK_RATE ?? 4); // jobs per second
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 10);
const TTL_S = 60;
const DOCS = resolve(ROOT, 'docs');

interface Sample {
  t: number;
  keys: number;
  redisBytes: number;
  rss: Record<string, number>;
  created: number;
  finished: number;
}

interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
}

async function startProc(main: string, name: string, env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (tries > 200) throw new Error(`${name} did not start`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return { name, child, url };
}

function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function randomCsv(rows: number): string {
  const lines = ['a,b,c'];
  for (let row = 0; row < rows; row += 1) {
    lines.push(`${Math.random() * 100},${Math.random() * 10},${row % 7 === 0 ? '' : row}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const copy = resolve(ROOT, '.data', 'soak-dist');
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  cpSync(DIST, copy, { recursive: true });
  const redisServer = await startPrivateRedis();
  const env = {
    REDIS_URL: redisServer.url,
    EVENT_TTL_SECONDS: String(TTL_S),
    RECONCILE_INTERVAL_MS: '10000',
    RATE_LIMIT: '0',
  };
  const mainJs = join(copy, 'main.js');
  const procs = [
    await startProc(mainJs, 'api', { ...env, ROLE: 'api' }),
    await startProc(mainJs, 'worker-1', { ...env, ROLE: 'worker' }),
    await startProc(mainJs, 'worker-2', { ...env, ROLE: 'worker' }),
  ];
  const api = procs[0].url;
  const redis = new Redis(redisServer.url);
  const sockets: Socket[] = Array.from({ length: 3 }, () =>
    io(`${api}/analyses`, { transports: ['websocket'] }),
  );
  let created = 0;
  let finished = 0;
  let failures = 0;
  let events = 0;
  sockets.forEach((socket) =>
    socket.on('analysis.event', (event: AnalysisEvent) => {
      events += 1;
      if (['completed', 'failed', 'cancelled'].includes(event.type)) finished += 1;
    }),
  );

  const startJob = async (): Promise<void> => {
    const roll = Math.random();
    const body =
      roll < 0.15
        ? { pipeline: 'stats', input: { csv: randomCsv(200 + Math.floor(Math.random() * 800)) } }
        : { pipeline: 'demo', input: { stepMs: 50 + Math.floor(Math.random() * 450) } };
    const response = await fetch(`${api}/analyses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 202) {
      failures += 1;
      return;
    }
    const { id } = (await response.json()) as { id: string };
    created += 1;
    sockets[created % sockets.length].emit('subscribe', { id }, (ack: { ok: boolean }) => {
      if (!ack.ok) console.error('subscribe refused', ack);
    });
    if (roll > 0.95) {
      setTimeout(() => void fetch(`${api}/analyses/${id}`, { method: 'DELETE' }), 100);
    }
  };

  const startedAt = Date.now();
  const samples: Sample[] = [];
  const sample = async (): Promise<void> => {
    const memory = await redis.info('memory');
    const s: Sample = {
      t: Math.round((Date.now() - startedAt) / 1000),
      keys: await redis.dbsize(),
      redisBytes: Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0),
      rss: Object.fromEntries(procs.map((proc) => [proc.name, rssBytes(proc.child.pid)])),
      created,
      finished,
    };
    samples.push(s);
    const rss = Object.entries(s.rss)
      .map(([name, bytes]) => `${name} ${(bytes / 2 ** 20).toFixed(0)} MB`)
      .join(', ');
    console.log(
      `t=${s.t}s keys=${s.keys} redis=${(s.redisBytes / 2 ** 20).toFixed(1)} MB ${rss} jobs=${created}/${finished}`,
    );
  };

  await sample();
  const load = setInterval(() => void startJob().catch(() => (failures += 1)), 1000 / RATE);
  const sampler = setInterval(() => void sample(), SAMPLE_S * 1000);
  await new Promise((done) => setTimeout(done, DURATION_S * 1000));
  clearInterval(load);
  clearInterval(sampler);
  await sample();

  sockets.forEach((socket) => socket.close());
  redis.disconnect();
  for (const proc of procs) proc.child.kill('SIGTERM');
  await Promise.all(procs.map((proc) => new Promise((done) => proc.child.once('exit', done))));
  await redisServer.stop();
  rmSync(copy, { recursive: true, force: true });

  const verdict = judge(samples);
  mkdirSync(DOCS, { recursive: true });
  writeFileSync(
    join(DOCS, 'soak.json'),
    `${JSON.stringify({ durationS: DURATION_S, rate: RATE, ttlS: TTL_S, created, finished, events, failures, verdict, samples }, null, 1)}\n`,
  );
  writeFileSync(join(DOCS, 'soak.svg'), plot(samples, verdict));
  console.log(JSON.stringify({ created, finished, events, failures, verdict }, null, 2));
}

interface Verdict {
  /** Growth from the first to the last window after the warm-up (2 × TTL), per series. */
  growth: Record<string, number>;
  flat: boolean;
}

/** Compares the mean of the first and last fifth after the warm-up: flat within 15 %. */
function judge(samples: Sample[]): Verdict {
  const steady = samples.filter((s) => s.t >= 2 * TTL_S);
  if (steady.length < 2) return { growth: {}, flat: false }; // too short to tell
  const fifth = Math.max(1, Math.floor(steady.length / 5));
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const growthOf = (pick: (s: Sample) => number): number => {
    const first = mean(steady.slice(0, fifth).map(pick));
    const last = mean(steady.slice(-fifth).map(pick));
    return first === 0 ? 0 : Math.round(((last - first) / first) * 1000) / 1000;
  };
  const growth: Record<string, number> = {
    keys: growthOf((s) => s.keys),
    redisBytes: growthOf((s) => s.redisBytes),
  };
  for (const name of Object.keys(samples[0]?.rss ?? {})) {
    growth[`rss ${name}`] = growthOf((s) => s.rss[name]);
  }
  return { growth, flat: Object.values(growth).every((value) => value < 0.15) };
}

/** Three stacked charts: keys, Redis memory, RSS per process; a dashed line at the first TTL. */
function plot(samples: Sample[], verdict: Verdict): string {
  const width = 760;
  const chartHeight = 150;
  const left = 70;
  const right = 20;
  const top = 40;
  const gap = 50;
  const maxT = Math.max(...samples.map((s) => s.t), 1);
  const x = (t: number): number => left + ((width - left - right) * t) / maxT;
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const charts: { title: string; unit: string; series: [string, (s: Sample) => number][] }[] = [
    { title: 'Redis keys', unit: '', series: [['keys', (s) => s.keys]] },
    { title: 'Redis used memory', unit: 'MB', series: [['redis', (s) => s.redisBytes / 2 ** 20]] },
    {
      title: 'Process RSS',
      unit: 'MB',
      series: Object.keys(samples[0]?.rss ?? {}).map(
        (name) => [name, (s: Sample) => s.rss[name] / 2 ** 20] as [string, (s: Sample) => number],
      ),
    },
  ];
  const parts: string[] = [];
  const height = top + charts.length * (chartHeight + gap);
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">Soak: ${Math.round(maxT / 60)} min, EVENT_TTL_SECONDS=${TTL_S}, sampled every ${SAMPLE_S} s — ${verdict.flat ? 'flat after the first TTL' : 'GROWING'}</text>`,
  );
  charts.forEach((chart, index) => {
    const y0 = top + index * (chartHeight + gap) + 20;
    const values = chart.series.flatMap(([, pick]) => samples.map(pick));
    const maxV = Math.max(...values, 1) * 1.1;
    const y = (v: number): number => y0 + chartHeight - (chartHeight * v) / maxV;
    parts.push(
      `<text x="${left}" y="${y0 - 6}" font-size="12">${chart.title}${chart.unit ? ` (${chart.unit})` : ''}</text>`,
      `<line x1="${left}" y1="${y0 + chartHeight}" x2="${width - right}" y2="${y0 + chartHeight}" stroke="#888"/>`,
      `<line x1="${left}" y1="${y0}" x2="${left}" y2="${y0 + chartHeight}" stroke="#888"/>`,
      `<line x1="${x(TTL_S)}" y1="${y0}" x2="${x(TTL_S)}" y2="${y0 + chartHeight}" stroke="#aaa" stroke-dasharray="4 3"/>`,
    );
    for (let tick = 0; tick <= 4; tick += 1) {
      const v = (maxV * tick) / 4;
      parts.push(
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`,
      );
    }
    for (let minute = 0; minute <= maxT / 60; minute += Math.max(1, Math.round(maxT / 60 / 10))) {
      parts.push(
        `<text x="${x(minute * 60)}" y="${y0 + chartHeight + 14}" text-anchor="middle">${minute} min</text>`,
      );
    }
    chart.series.forEach(([name, pick], seriesIndex) => {
      const points = samples.map((s) => `${x(s.t).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
      const color = colors[seriesIndex % colors.length];
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`,
        `<text x="${width - right - 4}" y="${y0 + 12 + seriesIndex * 13}" text-anchor="end" fill="${color}">${name}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
