/**
 * Diagnostic for scenario 6: heap per client of the service's api process and
 * of the bare socket.io server, for clients that only connect and for clients
 * that also subscribe, so that per-connection and per-subscription costs show
 * apart. Run after `npm run bench` has built everything:
 *
 *   npx tsx bench/heap-split.ts [clients]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startPrivateRedis } from '../test/support/private-redis';
import { Bench } from './lib/bench';
import { killAll } from './lib/proc';
import { openServiceStore, seedJobs } from './lib/service-store';
import { sleep } from './lib/stats';

async function main(): Promise<void> {
  const clients = Number(process.argv[2] ?? 4_000);
  const redis = await startPrivateRedis();
  const admin = new Redis(redis.url);
  const redisPid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
  await admin.quit();
  const workDir = mkdtempSync(join(tmpdir(), 'ras-heap-'));
  const bench = new Bench({
    redisUrl: redis.url,
    redisPid,
    workDir,
    runs: 3,
    scale: 1,
    profile: false,
    compareAuth: false,
  });
  const store = openServiceStore(redis.url);
  const ids = await seedJobs(
    redis.url,
    'ras',
    clients,
    { withSnapshot: true, enqueue: false },
    store,
  );
  const half = clients / 2;
  const procs = [
    await bench.startBench('ws-clients', {}, { fdLimit: 20_000 }),
    await bench.startBench('ws-clients', {}, { fdLimit: 20_000 }),
  ];
  try {
    for (const variant of ['service', 'bare'] as const) {
      for (const subscribe of [false, true]) {
        const extra = { fdLimit: 20_000, exposeGc: true };
        const server =
          variant === 'service'
            ? await bench.startService('api', {}, extra)
            : await bench.startBench('bare-api', { KEY_PREFIX: 'bare' }, extra);
        await sleep(300);
        const heap = async (): Promise<number> =>
          (await server.call<{ heapUsed: number }>('probe.memory')).heapUsed;
        const before = await heap();
        await Promise.all(
          procs.map((proc, p) =>
            proc.call('connect', {
              url: server.url,
              count: half,
              concurrency: 50,
              ...(subscribe ? { ids: ids.slice(p * half, (p + 1) * half), after: 0 } : {}),
            }),
          ),
        );
        await sleep(500);
        const perClient = ((await heap()) - before) / clients / 1024;
        process.stdout.write(
          `${variant.padEnd(8)} ${subscribe ? 'connected and subscribed' : 'connected only          '}  ${perClient.toFixed(2)} KiB of heap per client\n`,
        );
        await Promise.all(procs.map((proc) => proc.call('close')));
        await server.stop();
      }
    }
  } finally {
    killAll();
    await store.close();
    await bench.close();
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

void main();
