import type { RedisServer } from '../../src/local-redis/redis-server';
import { type Browser, launchBrowser } from '../support/browser';
import { request } from '../support/http';
import { startPrivateRedis } from '../support/private-redis';
import { expectNoSecrets } from '../support/secrets';
import { type ServiceProcess, startService } from '../support/service-process';

/**
 * The dataview against a service with auth on: it asks for a key once (kept
 * in sessionStorage, never in the URL), and offers a share link that opens a
 * read-only view for someone without a key.
 */
const KEY = 'dataview_key_0123456789ab';
let redis: RedisServer;
let service: ServiceProcess;
let browser: Browser;
let viewer: Browser;

beforeAll(async () => {
  redis = await startPrivateRedis();
  // Each is assigned as it starts, so that afterAll stops it even when another fails to.
  await Promise.all([
    startService({ REDIS_URL: redis.url, API_KEYS: `team:${KEY}` }).then((s) => (service = s)),
    launchBrowser().then((b) => (browser = b)),
    launchBrowser().then((b) => (viewer = b)),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), viewer?.close()]);
  await service?.stop();
  await redis?.stop();
});

describe('dataview with API keys', () => {
  it('asks for a key on 401, keeps it in sessionStorage only, and shares a read-only link', async () => {
    const created = await request(
      service.url,
      'POST',
      '/analyses',
      { pipeline: 'demo', input: { stepMs: 0 } },
      { headers: { authorization: `Bearer ${KEY}` } },
    );
    const { id } = created.body as { id: string };
    const page = await browser.context.newPage();
    await page.goto(`${service.url}/#/analyses/${id}`);
    const keyField = page.locator('.key-form input[name="api-key"]');
    await keyField.waitFor();
    // A first visit is asked, not scolded.
    expect(await page.locator('.key-form .api-error').count()).toBe(0);
    await keyField.fill('wrong_key_0123456789abc');
    await page.locator('.key-form button[type="submit"]').click();
    await page.locator('.key-form .api-error[data-status="401"]').waitFor();
    await keyField.fill(KEY);
    await page.locator('.key-form button[type="submit"]').click();
    await page.locator('.status-badge[data-status="completed"]').waitFor();
    expect(page.url()).not.toContain(KEY);
    expect(await page.evaluate('sessionStorage.getItem("ras.apiKey")')).toBe(KEY);
    expect(await page.evaluate('localStorage.length')).toBe(0);

    const link = await page.locator('.share input').inputValue();
    expect(link).toMatch(new RegExp(`#/analyses/${id}\\?token=[A-Za-z0-9_-]{32,}$`));
    expect(link).not.toContain(KEY);

    // Someone else, with no key in their session: the analysis, read-only.
    const shared = await viewer.context.newPage();
    await shared.goto(link);
    await shared.locator('.status-badge[data-status="completed"]').waitFor();
    expect(await shared.locator('[data-job-id]').textContent()).toBe(id);
    expect(await shared.locator('.key-form').count()).toBe(0);
    expect(await shared.locator('button.cancel').isHidden()).toBe(true);
    expect(await shared.locator('#new-analysis').isHidden()).toBe(true);
  });

  it('never logged the key', () => {
    expectNoSecrets([service.output()], [KEY]);
  });
});
