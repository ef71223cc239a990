import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { AnalysisSnapshot } from '../../src/core/analysis.types';
import { InputError } from '../../src/core/input-error';
import type { PipelineDefinition } from '../../src/core/pipeline.types';
import { demoPipeline } from '../../src/core/pipelines/demo.pipeline';
import { type Browser, launchBrowser, RESULTS_DIR } from '../support/browser';
import { request } from '../support/http';
import { type RunningApp, startApp } from '../support/in-process-app';
import { startPrivateRedis } from '../support/private-redis';

interface SensorInput {
  label: string;
  samples: number;
  unit: 'celsius' | 'kelvin';
  smooth: boolean;
  weights: number[];
  readings?: string;
}

/** A pipeline only this test knows: the page has never heard of it. */
const sensorPipeline: PipelineDefinition<SensorInput, SensorInput & { series: number[] }, unknown> =
  {
    name: 'sensor-report',
    description: 'A made-up sensor report, for the dataview to learn.',
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['label'],
      properties: {
        label: { type: 'string', description: 'What is measured.' },
        samples: { type: 'integer', minimum: 2, maximum: 50, default: 5 },
        unit: { type: 'string', enum: ['celsius', 'kelvin'], default: 'celsius' },
        smooth: { type: 'boolean', default: false },
        weights: { type: 'array', items: { type: 'number' } },
        readings: { type: 'string', contentMediaType: 'text/csv' },
      },
    },
    // eslint-disable-next-line require-yield
    *validate(raw) {
      const input = raw as Partial<SensorInput>;
      const issues: string[] = [];
      if (typeof input.label !== 'string' || input.label === '')
        issues.push('input.label is required');
      const samples = input.samples ?? 5;
      if (!Number.isInteger(samples) || samples < 2 || samples > 50) {
        issues.push('input.samples must be an integer from 2 to 50');
      }
      if (issues.length > 0) throw new InputError(issues);
      return {
        label: input.label!,
        samples,
        unit: input.unit ?? 'celsius',
        smooth: input.smooth ?? false,
        weights: input.weights ?? [],
        readings: input.readings,
      };
    },
    init: (input) => ({ ...input, series: [] }),
    steps: [
      {
        name: 'measure',
        // eslint-disable-next-line require-yield
        *run(state) {
          const offset = state.unit === 'kelvin' ? 273 : 0;
          const series = Array.from({ length: state.samples }, (_, i) => offset + i * i);
          return { state: { ...state, series }, data: { series } };
        },
      },
      {
        name: 'report',
        // eslint-disable-next-line require-yield
        *run(state) {
          return { state, data: { rows: state.series.length } };
        },
      },
    ],
    result: (state) => ({
      label: state.label,
      unit: state.unit,
      smooth: state.smooth,
      series: state.series,
      table: state.series.map((value, i) => ({ i, value, weight: state.weights[i] ?? null })),
      readings: { lines: state.readings?.trim().split('\n').length ?? 0, raw: [state.readings] },
    }),
  };

describe('the dataview learns a pipeline it has never seen', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let service: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    // Each is assigned as it starts, so that afterAll closes it even when the other fails to.
    await Promise.all([
      startApp(redis.url, {}, [demoPipeline, sensorPipeline]).then((app) => (service = app)),
      launchBrowser().then((b) => (browser = b)),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await redis?.stop();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${service.url}/`);
    await page.locator('#connection[data-state="live"]').waitFor();
    return page;
  }

  it('offers exactly the registered pipelines, with a form generated from the schema', async () => {
    const page = await openPage();
    const choices = await page
      .locator('input[name="pipeline"]')
      .evaluateAll((inputs) => inputs.map((input) => input.getAttribute('value')));
    expect(choices).toEqual(['demo', 'sensor-report']);
    await page.click('label:has(#pipeline-sensor-report)');
    const form = page.locator('.schema-form[data-pipeline="sensor-report"]');
    await expect(form.locator('#input-sensor-report-samples').getAttribute('min')).resolves.toBe(
      '2',
    );
    await expect(form.locator('#input-sensor-report-samples').getAttribute('max')).resolves.toBe(
      '50',
    );
    await expect(
      form.locator('#input-sensor-report-unit option').allTextContents(),
    ).resolves.toEqual(['(default)', '"celsius"', '"kelvin"']);
    await expect(form.locator('#input-sensor-report-smooth').getAttribute('type')).resolves.toBe(
      'checkbox',
    );
    await expect(
      form.locator('#input-sensor-report-readings-file').getAttribute('type'),
    ).resolves.toBe('file');
    await page.close();
  });

  it('starts it from the generated form and shows its results as a table, a chart and JSON', async () => {
    const page = await openPage();
    await page.click('label:has(#pipeline-sensor-report)');
    await page.fill('#input-sensor-report-label', 'boiler');
    await page.fill('#input-sensor-report-samples', '6');
    await page.selectOption('#input-sensor-report-unit', { label: '"kelvin"' });
    await page.check('#input-sensor-report-smooth');
    await page.fill('#input-sensor-report-weights', '1, 2.5, 3');
    await page.setInputFiles('#input-sensor-report-readings-file', {
      name: 'readings.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('t,v\n1,2\n3,4\n'),
    });
    await page.waitForFunction(
      `document.querySelector('#input-sensor-report-readings').value === 't,v\\n1,2\\n3,4\\n'`,
    );
    await page.click('#start');
    await page.locator('.status-badge[data-status="completed"]').waitFor();

    const id = await page.locator('[data-job-id]').textContent();
    const snapshot = (await request<AnalysisSnapshot>(service.url, 'GET', `/analyses/${id}`)).body;
    expect(snapshot.result).toMatchObject({
      label: 'boiler',
      unit: 'kelvin',
      smooth: true,
      series: [273, 274, 277, 282, 289, 298],
      readings: { lines: 3 },
    });

    const result = page.locator('.result');
    await expect(result.locator('.scalars dd').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['boiler', 'kelvin', 'true']),
    );
    const rows = await result
      .locator('table.records tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(rows).toEqual([
      ['0', '273', '1'],
      ['1', '274', '2.5'],
      ['2', '277', '3'],
      ['3', '282', 'null'],
      ['4', '289', 'null'],
      ['5', '298', 'null'],
    ]);
    await expect(result.locator('.series[data-points="6"] polyline').count()).resolves.toBe(1);
    await expect(
      result.locator('details.json .json-text').first().textContent(),
    ).resolves.toContain('t,v');
    // The partial result of a step, shown as it came.
    await expect(
      page.locator('.step-data[data-step="measure"] .series[data-points="6"]').count(),
    ).resolves.toBe(1);
    expect(JSON.parse((await result.locator('pre').textContent()) ?? '')).toEqual(snapshot.result);
    await page.screenshot({
      path: join(RESULTS_DIR, 'dataview-generic-pipeline.png'),
      fullPage: true,
    });
    await page.close();
  });

  it("shows the API's refusal of a generated form's input as it came", async () => {
    const page = await openPage();
    await page.click('label:has(#pipeline-sensor-report)');
    await page.fill('#input-sensor-report-label', 'x');
    await page.fill('#input-sensor-report-samples', '99');
    await page.click('#start');
    const error = page.locator('.form-error [data-status]');
    await error.waitFor();
    expect(await error.getAttribute('data-status')).toBe('400');
    expect(await error.textContent()).toContain('input.samples must be an integer from 2 to 50');
    await page.close();
  });
});
