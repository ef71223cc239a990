/**
 * `npx tsx scripts/screenshot-operations.ts` (after `npm run build`): the
 * README's pictures of the queue dashboard and of /metrics, taken in headless
 * Chromium while autocannon enqueues demo jobs faster than one worker drains them.
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import { launchBrowser } from '../test/support/browser';
import { startPrivateRedis } from '../test/support/private-redis';
import { startService } from '../test/support/service-process';

const DOCS = join(__dirname, '..', 'docs');

async function main(): Promise<void> {
  const redis = await startPrivateRedis();
  const api = await startService({ ROLE: 'api', REDIS_URL: redis.url });
  const worker = await startService({
    ROLE: 'worker',
    REDIS_URL: redis.url,
    WORKER_CONCURRENCY: '8',
  });
  const browser = await launchBrowser();
  try {
    const load = autocannon({
      url: `${api.url}/analyses`,
      method: 'POST',
      connections: 10,
      duration: 8,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'demo', input: { stepMs: 100 } }),
    });
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const page = await browser.context.newPage();
    await page.goto(`${api.url}/admin/queues/queue/analyses?status=active`);
    await page.getByText('analyses').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(DOCS, 'queue-dashboard.png') });
    await page.goto(`${worker.url}/metrics`);
    await page.screenshot({ path: join(DOCS, 'metrics.png') });
    await load;
  } finally {
    await browser.close();
    await Promise.all([api.stop(), worker.stop()]);
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
