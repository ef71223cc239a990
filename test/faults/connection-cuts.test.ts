import { finish, recoveryTime, startJob } from './support/fault-cluster';
import { expectGuaranteeHeld, sleep, useFaultCluster } from './support/scenario';

const cluster = useFaultCluster({ apis: 2, workers: 2, proxied: true });
const CUTTING_MS = 30_000;

it('connections between each process and Redis cut at random, repeatedly, for 30 s', async () => {
  const urls = cluster().apiUrls;
  const ids: string[] = [];
  const until = Date.now() + CUTTING_MS;
  const load = (async () => {
    while (Date.now() < until) {
      const batch = await Promise.all(Array.from({ length: 4 }, () => startJob(urls)));
      ids.push(...batch);
      cluster().follow(batch, 50);
      await sleep(500);
    }
  })();
  let cuts = 0;
  while (Date.now() < until) {
    const proxies = cluster().proxies;
    const proxy = proxies[Math.floor(Math.random() * proxies.length)];
    const refuse = Math.random() < 0.5;
    proxy.cut({ refuse });
    cuts += 1;
    if (refuse) {
      await sleep(100 + Math.random() * 1_400);
      proxy.restore();
    }
    await sleep(300 + Math.random() * 1_700);
  }
  cluster().proxies.forEach((proxy) => proxy.restore());
  const healedAt = Date.now();
  await load;
  const recovery = await recoveryTime(urls, healedAt);
  const report = await finish(cluster(), 'connection-cuts', ids, healedAt, recovery);
  console.log(`connection-cuts: ${cuts} cuts`);
  expectGuaranteeHeld(report);
});
