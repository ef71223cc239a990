import type { AnalysisClient } from '../client/analysis-client';
import type { AnalysisSnapshot } from '../core/analysis.types';
import type { PipelineDescription } from '../core/pipelines/pipeline.registry';
import { h, replace } from './dom';
import { errorPanel } from './error-panel';
import { formatBytes, formatNumber } from './format';
import { SAMPLE_COLUMNS, sampleCsv } from './sample-data';
import { SchemaForm } from './schema-form';

type Source = 'sample' | 'paste' | 'upload';

/** Pipelines with a form of their own; every other one gets a form generated from its schema. */
const CRAFTED = ['stats', 'demo'];

/**
 * Starts an analysis of any pipeline the service offers: `stats` on a
 * generated sample, pasted CSV or an uploaded file, `demo` with its step
 * duration, any other from a form generated from its input schema. The API
 * checks the input; its answer, good or bad, is shown as it came.
 */
export class StartForm {
  private pipeline: string;
  private readonly generated = new Map<string, SchemaForm>();
  private source: Source = 'sample';
  private file: File | undefined;
  private readonly fields = {
    rows: h('input', { id: 'sample-rows', type: 'number', min: 1, max: 200000, value: 5000 }),
    csv: h('textarea', {
      id: 'csv-text',
      rows: 6,
      spellcheck: false,
      placeholder: 'a,b\n1,2\n3,4',
    }),
    upload: h('input', { id: 'csv-file', type: 'file', accept: '.csv,text/csv' }),
    bins: h('input', { id: 'bins', type: 'number', min: 1, max: 1000, value: 20 }),
    stepMs: h('input', { id: 'step-ms', type: 'number', min: 0, max: 60000, value: 1500 }),
    demoInput: h('textarea', {
      id: 'demo-input',
      rows: 3,
      spellcheck: false,
      placeholder: '{ "hello": "world" }',
    }),
  };
  private readonly fileInfo = h('p', { class: 'hint' }, 'No file chosen.');
  private readonly body = h('div', { class: 'form-body' });
  private readonly error = h('div', { class: 'form-error' });
  private readonly submit = h(
    'button',
    { id: 'start', class: 'button primary', type: 'submit' },
    'Start analysis',
  );

  constructor(
    root: HTMLElement,
    private readonly client: AnalysisClient,
    private readonly pipelines: readonly PipelineDescription[],
    private readonly started: (snapshot: AnalysisSnapshot) => void,
  ) {
    const names = pipelines.map(({ name }) => name);
    this.pipeline = names.includes('stats') ? 'stats' : (names[0] ?? 'stats');
    this.fields.upload.addEventListener('change', () => {
      this.file = this.fields.upload.files?.[0];
      this.fileInfo.textContent = this.file
        ? `${this.file.name} · ${formatBytes(this.file.size)}`
        : 'No file chosen.';
    });
    const form = h(
      'form',
      { class: 'start-form', novalidate: true, onsubmit: (event) => this.onSubmit(event) },
      h('div', { class: 'card-title' }, h('h2', {}, 'New analysis')),
      this.segmented(
        'pipeline',
        pipelines.map(({ name }) => [name, CRAFTED.includes(name) ? capitalized(name) : name]),
        () => this.pipeline,
        (value) => (this.pipeline = value),
      ),
      this.body,
      this.error,
      this.submit,
    );
    replace(root, form);
    this.renderBody();
  }

  private segmented(
    name: string,
    options: [string, string][],
    current: () => string,
    choose: (value: string) => void,
  ): HTMLElement {
    return h(
      'div',
      { class: 'segmented', role: 'radiogroup' },
      options.map(([value, label]) =>
        h(
          'label',
          {},
          h('input', {
            type: 'radio',
            name,
            value,
            id: `${name}-${value}`,
            checked: current() === value,
            onchange: () => {
              choose(value);
              this.renderBody();
            },
          }),
          h('span', {}, label),
        ),
      ),
    );
  }

  private renderBody(): void {
    const { fields } = this;
    const form = this.schemaForm();
    if (form) {
      const description = this.pipelines.find(({ name }) => name === this.pipeline)?.description;
      replace(this.body, description && h('p', { class: 'hint' }, description), form.element);
      return;
    }
    if (this.pipeline === 'demo') {
      replace(
        this.body,
        field('Step duration (ms)', fields.stepMs, 'Each of the two steps waits this long.'),
        field('Input (optional JSON)', fields.demoInput, 'Echoed in the result.'),
      );
      return;
    }
    const sources: [Source, string][] = [
      ['sample', 'Sample'],
      ['paste', 'Paste CSV'],
      ['upload', 'Upload file'],
    ];
    replace(
      this.body,
      this.segmented(
        'source',
        sources,
        () => this.source,
        (value) => (this.source = value as Source),
      ),
      this.source === 'sample' &&
        field(
          'Rows',
          fields.rows,
          `Columns: ${SAMPLE_COLUMNS.join(', ')}. Seeded, so the same rows each time.`,
        ),
      this.source === 'paste' && field('CSV with a header row', fields.csv),
      this.source === 'upload' && field('CSV file', fields.upload, this.fileInfo),
      field('Histogram bins', fields.bins),
    );
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    replace(this.error);
    this.submit.disabled = true;
    try {
      const form = this.schemaForm();
      const input = form
        ? await form.value()
        : this.pipeline === 'demo'
          ? this.demoInput()
          : await this.statsInput();
      this.started(await this.client.start({ pipeline: this.pipeline, input }));
    } catch (error) {
      replace(this.error, errorPanel(error));
    } finally {
      this.submit.disabled = false;
    }
  }

  /** The generated form of the chosen pipeline, kept while the page lives; none for a crafted one. */
  private schemaForm(): SchemaForm | undefined {
    if (CRAFTED.includes(this.pipeline)) return undefined;
    let form = this.generated.get(this.pipeline);
    if (!form) {
      const described = this.pipelines.find(({ name }) => name === this.pipeline);
      form = new SchemaForm(this.pipeline, described?.input);
      this.generated.set(this.pipeline, form);
    }
    return form;
  }

  private demoInput(): Record<string, unknown> {
    const input: Record<string, unknown> = { stepMs: numberOf(this.fields.stepMs) };
    const text = this.fields.demoInput.value.trim();
    if (text) {
      try {
        input.input = JSON.parse(text);
      } catch (error) {
        throw new Error(`Input is not JSON: ${(error as Error).message}`);
      }
    }
    return input;
  }

  private async statsInput(): Promise<Record<string, unknown>> {
    const bins = numberOf(this.fields.bins);
    switch (this.source) {
      case 'sample': {
        const rows = Number(this.fields.rows.value);
        if (!Number.isInteger(rows) || rows < 1 || rows > 200_000) {
          throw new Error(`Rows must be a whole number from 1 to ${formatNumber(200_000)}.`);
        }
        return { csv: sampleCsv(rows), bins };
      }
      case 'paste':
        return { csv: this.fields.csv.value, bins };
      case 'upload':
        if (!this.file) throw new Error('Choose a CSV file first.');
        return { csv: await this.file.text(), bins };
    }
  }
}

function capitalized(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** An empty number field is left to the pipeline's default; anything else goes as typed, for the API to judge. */
function numberOf(input: HTMLInputElement): number | undefined {
  const text = input.value.trim();
  return text === '' ? undefined : Number(text);
}

function field(label: string, control: HTMLElement, hint?: string | HTMLElement): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'label' }, label),
    control,
    typeof hint === 'string' ? h('p', { class: 'hint' }, hint) : hint,
  );
}
