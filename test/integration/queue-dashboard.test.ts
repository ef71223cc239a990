import { request } from '../support/http';
import { type RunningApp, startApp } from '../support/in-process-app';
import { startPrivateRedis } from '../support/private-redis';
import type { RedisServer } from '../../src/local-redis/redis-server';

const API_KEY = 'acme:tenant-key-0123456789';
const ADMIN = { tenant: 'ops', key: 'admin-key-0123456789' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(() => redis.stop());

/** Runs `body` against an api process started with `env`, then stops it. */
async function withApi(env: Record<string, string>, body: (app: RunningApp) => Promise<void>) {
  const app = await startApp(redis.url, { ROLE: 'api', ...env });
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

describe('queue dashboard at /admin/queues', () => {
  it('is open while auth is off, and shows the analyses queue', async () => {
    await withApi({}, async (app) => {
      const page = await fetch(`${app.url}/admin/queues`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      const queues = await request(app.url, 'GET', '/admin/queues/api/queues');
      expect(queues.status).toBe(200);
      expect(queues.body.queues.map((queue: { name: string }) => queue.name)).toEqual(['analyses']);
    });
  });

  it('is absent (404) while auth is on and ADMIN_KEYS is empty', async () => {
    await withApi({ API_KEYS: API_KEY }, async (app) => {
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        expect((await request(app.url, 'GET', path)).status).toBe(404);
      }
    });
  });

  it('needs a key of ADMIN_KEYS, as Bearer or HTTP Basic, on the page and on its API', async () => {
    await withApi(
      { API_KEYS: API_KEY, ADMIN_KEYS: `${ADMIN.tenant}:${ADMIN.key}` },
      async (app) => {
        for (const path of [
          '/admin/queues',
          '/admin/queues/api/queues',
          '/admin/%71ueues/api/queues',
        ]) {
          const refused = await request(app.url, 'GET', path);
          expect(refused.status).toBe(401);
          expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm="queues"/);
          expect(refused.body).toEqual({
            statusCode: 401,
            error: 'Unauthorized',
            message: expect.stringMatching(/ADMIN_KEYS/),
          });
        }
        const tenantKey = API_KEY.split(':')[1];
        for (const authorization of [
          `Bearer ${tenantKey}`,
          basic('ops', tenantKey),
          basic('acme', ADMIN.key),
        ]) {
          const refused = await request(app.url, 'GET', '/admin/queues/api/queues', undefined, {
            headers: { authorization },
          });
          expect(refused.status).toBe(401);
        }
        for (const authorization of [`Bearer ${ADMIN.key}`, basic(ADMIN.tenant, ADMIN.key)]) {
          const page = await fetch(`${app.url}/admin/queues`, { headers: { authorization } });
          expect(page.status).toBe(200);
          const queues = await request(app.url, 'GET', '/admin/queues/api/queues', undefined, {
            headers: { authorization },
          });
          expect(queues.status).toBe(200);
          expect(queues.body.queues).toHaveLength(1);
        }
      },
    );
  });
});
