import { demoJob, finish, recoveryTime, startJob } from './support/fault-cluster';
import { expectGuaranteeHeld, useFaultCluster } from './support/scenario';

const cluster = useFaultCluster({ apis: 2, workers: 3 });

it('a worker SIGKILLed and another SIGTERMed mid-job; an api SIGKILLed with clients attached', async () => {
  const urls = cluster().apiUrls;
  const long = () => ({
    ...demoJob(),
    input: { stepMs: 1_500 + Math.floor(Math.random() * 1_500) },
  });
  const ids = await Promise.all(Array.from({ length: 100 }, () => startJob(urls, long())));
  cluster().follow(ids, 50);
  await cluster().running(20);
  const [killed, stopped] = cluster().workers;
  const [api] = cluster().apis;
  killed.child.kill('SIGKILL');
  stopped.child.kill('SIGTERM');
  api.child.kill('SIGKILL'); // its clients resume on the other api process
  const healedAt = Date.now();
  expect(await stopped.exited).toEqual({ code: 0, signal: null });
  const recovery = await recoveryTime(urls.slice(1), healedAt);
  const report = await finish(cluster(), 'process-kills', ids, healedAt, recovery);
  expect(report.reconnects).toBeGreaterThanOrEqual(25); // the clients of the killed api moved
  expectGuaranteeHeld(report);
});
