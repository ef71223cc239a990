import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { AnalysisEvent, AnalysisSnapshot } from '../../src/core/analysis.types';
import type { StatsResult } from '../../src/core/stats/stats.types';
import { formatNumber } from '../../src/dataview/format';
import type { RedisServer } from '../../src/local-redis/redis-server';
import { type Browser, launchBrowser, RESULTS_DIR } from '../support/browser';
import { freePort } from '../support/free-port';
import { request } from '../support/http';
import { startPrivateRedis } from '../support/private-redis';
import { type ServiceProcess, startService } from '../support/service-process';

/**
 * The dataview in headless Chromium against real processes: an api process
 * the page talks to (killed and restarted under it), a second api process
 * for a second tab, and a worker.
 */
let redis: RedisServer;
let browser: Browser;
let apiPort: number;
let api: ServiceProcess;
let otherApi: ServiceProcess;
const processes: ServiceProcess[] = [];

const apiUrl = () => `http://127.0.0.1:${apiPort}`;

/** The page's api process, always on the same port, so a restarted one is where the page reconnects. */
async function startApi(): Promise<ServiceProcess> {
  const started = await startService({ REDIS_URL: redis.url, ROLE: 'api', PORT: String(apiPort) });
  processes.push(started);
  return started;
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  apiPort = await freePort();
  const env = { REDIS_URL: redis.url };
  // Each is kept as it starts, so that afterAll stops it even when another fails to start.
  const kept = (started: Promise<ServiceProcess>) =>
    started.then((service) => (processes.push(service), service));
  [api, otherApi, , browser] = await Promise.all([
    startApi(),
    kept(startService({ ...env, ROLE: 'api' })),
    kept(startService({ ...env, ROLE: 'worker', WORKER_CONCURRENCY: '4' })),
    launchBrowser().then((b) => (browser = b)),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(processes.map((service) => service.stop()));
  await redis?.stop();
});

async function openPage(url: string, hash = ''): Promise<Page> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${url}/${hash}`);
  await page.locator('#connection[data-state="live"]').waitFor();
  expect(problems).toEqual([]);
  return page;
}

async function shownJobId(page: Page): Promise<string> {
  const id = await page.locator('[data-job-id]').textContent();
  if (!id) throw new Error('the page shows no analysis');
  return id;
}

const statusBadge = (page: Page, status: string) =>
  page.locator(`.status-badge[data-status="${status}"]`);

/** The event log's rows as the page shows them. */
function eventLog(page: Page): Promise<string[][]> {
  return page.evaluate<string[][]>(`[...document.querySelectorAll('.event-log tbody tr')]
    .map((row) => [...row.children].map((cell) => cell.textContent))`);
}

async function restEvents(id: string): Promise<AnalysisEvent[]> {
  return (await request(otherApi.url, 'GET', `/analyses/${id}/events`)).body;
}

interface ShownColumn {
  stats: Record<string, { text: string; value: string | null }>;
  bars: number[];
}

describe('the dataview in a browser', () => {
  it('runs stats on a generated sample, advancing live, with the numbers of the API', async () => {
    const page = await openPage(apiUrl());
    // Every value the progress bar takes, however fast they come.
    await page.evaluate(`(() => {
      window.progressSeen = [];
      new MutationObserver(() => {
        const bar = document.querySelector('#detail .progress');
        if (!bar) return;
        const value = Number(bar.getAttribute('aria-valuenow'));
        if (window.progressSeen.at(-1) !== value) window.progressSeen.push(value);
      }).observe(document.getElementById('detail'), { subtree: true, childList: true, attributes: true });
    })()`);
    await page.fill('#sample-rows', '40000');
    await page.fill('#bins', '16');
    await page.click('#start');
    await statusBadge(page, 'completed').waitFor({ timeout: 30_000 });

    const progress = await page.evaluate<number[]>('window.progressSeen');
    expect(progress[progress.length - 1]).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.filter((value) => value > 0 && value < 100).length).toBeGreaterThanOrEqual(5);

    const id = await shownJobId(page);
    const snapshot = (await request<AnalysisSnapshot>(apiUrl(), 'GET', `/analyses/${id}`)).body;
    const result = snapshot.result as StatsResult;
    expect(result.rows).toBe(40_000);
    expect(await page.locator('[data-stat="rows"]').textContent()).toBe(formatNumber(40_000));
    expect(await page.locator('.non-numeric').textContent()).toBe('segment');

    const shown = await page.evaluate<Record<string, ShownColumn>>(`Object.fromEntries(
      [...document.querySelectorAll('.column-card')].map((card) => [card.dataset.column, {
        stats: Object.fromEntries([...card.querySelectorAll('tr[data-stat]')].map((row) => {
          const cell = row.querySelector('td');
          return [row.dataset.stat, { text: cell.textContent, value: cell.getAttribute('data-value') }];
        })),
        bars: [...card.querySelectorAll('svg.histogram rect.bar')].map((bar) => Number(bar.dataset.count)),
      }]))`);
    expect(Object.keys(shown)).toEqual(Object.keys(result.columns));
    for (const [name, column] of Object.entries(result.columns)) {
      const expected: Record<string, number | null> = {
        count: column.count,
        missing: column.missing,
        mean: column.mean,
        std: column.std,
        min: column.min,
        max: column.max,
        ...column.quantiles,
        outliers: column.outliers?.count ?? null,
        lowFence: column.outliers?.lowFence ?? null,
        highFence: column.outliers?.highFence ?? null,
      };
      for (const [stat, value] of Object.entries(expected)) {
        expect({ name, stat, ...shown[name].stats[stat] }).toEqual({
          name,
          stat,
          text: formatNumber(value),
          value: String(value),
        });
      }
      expect(shown[name].bars).toEqual(column.histogram?.counts);
    }

    const cells = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.heatmap .cell')].map((cell) => cell.dataset.value)`,
    );
    expect(cells).toEqual(result.correlation.matrix.flat().map((r) => String(r)));

    const log = await eventLog(page);
    expect(log.map((row) => Number(row[0]))).toEqual((await restEvents(id)).map((e) => e.seq));
    expect(await page.locator('.timeline li[data-state="done"]').count()).toBe(5);
    await page.screenshot({ path: join(RESULTS_DIR, 'dataview-stats.png'), fullPage: true });
    await page.close();
  });

  it('cancels a running demo analysis from the page', async () => {
    const page = await openPage(apiUrl());
    await page.click('label:has(#pipeline-demo)');
    await page.fill('#step-ms', '30000');
    await page.click('#start');
    await statusBadge(page, 'running').waitFor();
    const id = await shownJobId(page);

    await page.click('button.cancel');
    await statusBadge(page, 'cancelled').waitFor();
    expect((await request(apiUrl(), 'GET', `/analyses/${id}`)).body.status).toBe('cancelled');
    expect((await eventLog(page)).map((row) => row[1])).toEqual(['queued', 'started', 'cancelled']);
    expect(
      await page.locator('.timeline li[data-step="step_one"]').getAttribute('data-state'),
    ).toBe('cancelled');
    expect(await page.locator('button.cancel').isDisabled()).toBe(true);
    await page.locator(`a.analysis[data-id="${id}"][data-status="cancelled"]`).waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'dataview-cancelled.png') });
    await page.close();
  });

  it('runs stats on an uploaded .csv file', async () => {
    const page = await openPage(apiUrl());
    await page.click('label:has(#source-upload)');
    const buffer = Buffer.from('height,weight\n1.62,58\n1.75,\n1.81,80\n');
    await page.setInputFiles('#csv-file', { name: 'heights.csv', mimeType: 'text/csv', buffer });
    await page.locator(`text=heights.csv · ${buffer.length} B`).waitFor();
    await page.click('#start');
    await statusBadge(page, 'completed').waitFor();
    expect(await page.locator('[data-stat="rows"]').textContent()).toBe('3');
    const weightCount = page.locator('.column-card[data-column="weight"] tr[data-stat="count"] td');
    expect(await weightCount.textContent()).toBe('2');
    await page.close();
  });

  it('shows the API error for input it refuses', async () => {
    const page = await openPage(apiUrl());
    await page.click('label:has(#source-paste)');
    await page.fill('#csv-text', 'a,b\n1,2\n3\n');
    await page.click('#start');
    const error = page.locator('.form-error .api-error');
    await error.waitFor();
    expect(await error.getAttribute('data-status')).toBe('400');
    expect(await error.locator('.message').allTextContents()).toEqual([
      expect.stringMatching(/line 3/),
    ]);
    await page.close();
  });

  it('recovers when its api process is killed and restarted mid-job, missing nothing, like a tab on another api process', async () => {
    const page = await openPage(apiUrl());
    await page.click('label:has(#pipeline-demo)');
    await page.fill('#step-ms', '1500');
    await page.click('#start');
    await statusBadge(page, 'running').waitFor();
    const id = await shownJobId(page);
    const other = await openPage(otherApi.url, `#/analyses/${id}`);

    api.child.kill('SIGKILL');
    await api.exited;
    await page.locator('#connection[data-state="reconnecting"]').waitFor();
    await page.locator('.banner:not([hidden])').waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'dataview-reconnecting.png') });
    // While the page is cut off, the job moves on: the other tab sees step_one end.
    await other.locator('.event-log tr[data-seq="3"]').waitFor();

    api = await startApi();
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15_000 });
    await statusBadge(page, 'completed').waitFor({ timeout: 15_000 });
    await statusBadge(other, 'completed').waitFor();
    expect(await page.locator('.banner').isHidden()).toBe(true);

    const log = await eventLog(page);
    expect(log.map((row) => Number(row[0]))).toEqual([1, 2, 3, 4, 5]);
    expect(log).toEqual(await eventLog(other));
    expect(log.map((row) => row[1])).toEqual((await restEvents(id)).map((event) => event.type));
    const result = (page: Page) => page.locator('.result pre').textContent();
    expect(await result(page)).toBe(await result(other));
    await page.close();
    await other.close();
  });
});
