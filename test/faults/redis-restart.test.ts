import { finish, recoveryTime, startJob } from './support/fault-cluster';
import { expectGuaranteeHeld, sleep, useFaultCluster } from './support/scenario';

const cluster = useFaultCluster({ apis: 2, workers: 2 });

it('Redis restarted mid-run (AOF on): 2 api, 2 workers, 50 clients, 200 jobs in flight', async () => {
  const urls = cluster().apiUrls;
  const ids = await Promise.all(Array.from({ length: 200 }, () => startJob(urls)));
  cluster().follow(ids, 50);
  await cluster().running(20);
  await cluster().redis.down();
  await sleep(2_000);
  await cluster().redis.up();
  const healedAt = Date.now();
  const recovery = await recoveryTime(urls, healedAt);
  expectGuaranteeHeld(await finish(cluster(), 'redis-restart', ids, healedAt, recovery));
});
