import Redis from 'ioredis';
import { finish, recoveryTime, startJob } from './support/fault-cluster';
import { expectGuaranteeHeld, sleep, useFaultCluster } from './support/scenario';
import { freePort } from '../support/free-port';

const cluster = useFaultCluster({ apis: 2, workers: 2 });

it('Redis out of memory, then read-only, for a while each, then healthy again', async () => {
  const urls = cluster().apiUrls;
  const admin = new Redis(cluster().redis.url);
  try {
    const ids = await Promise.all(Array.from({ length: 200 }, () => startJob(urls)));
    cluster().follow(ids, 50);
    await cluster().running(20);
    await admin.config('SET', 'maxmemory', '1'); // noeviction: every write is refused (OOM)
    await sleep(3_000);
    await admin.config('SET', 'maxmemory', '0');
    await sleep(2_000);
    // A replica of a master that is not there: every write is refused (READONLY), data kept.
    await admin.replicaof('127.0.0.1', String(await freePort()));
    await sleep(3_000);
    await admin.replicaof('NO', 'ONE');
    const healedAt = Date.now();
    const recovery = await recoveryTime(urls, healedAt);
    expectGuaranteeHeld(await finish(cluster(), 'redis-refusing', ids, healedAt, recovery));
  } finally {
    admin.disconnect();
  }
});
