import { h } from './dom';

/** The parts of a JSON Schema the form understands; anything else is edited as JSON. */
interface PropertySchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  items?: PropertySchema;
  contentMediaType?: string;
  format?: string;
}

interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

/** One input field: its control and how to read its value (undefined: left out). */
interface Field {
  name: string;
  element: HTMLElement;
  read(): Promise<unknown>;
}

/**
 * A start form generated from a pipeline's `input` schema (as `GET
 * /pipelines` serves it): strings, numbers with their bounds, enums,
 * booleans, arrays, a file field where the schema gives a text media type
 * (`contentMediaType: "text/csv"`), JSON for the rest. It converts what is
 * typed; judging it is the API's job, whose answer the page shows.
 */
export class SchemaForm {
  readonly element: HTMLElement;
  private readonly fields: Field[];

  constructor(pipeline: string, schema: unknown) {
    const { properties = {}, required = [] } = (schema ?? {}) as ObjectSchema;
    this.fields = Object.entries(properties).map(([name, property]) =>
      fieldFor(pipeline, name, property, required.includes(name)),
    );
    this.element = h(
      'div',
      { class: 'schema-form', 'data-pipeline': pipeline },
      this.fields.length === 0 && h('p', { class: 'hint' }, 'This pipeline takes no input.'),
      this.fields.map((field) => field.element),
    );
  }

  async value(): Promise<Record<string, unknown>> {
    const input: Record<string, unknown> = {};
    for (const field of this.fields) {
      const value = await field.read();
      if (value !== undefined) input[field.name] = value;
    }
    return input;
  }
}

function fieldFor(
  pipeline: string,
  name: string,
  schema: PropertySchema,
  required: boolean,
): Field {
  const id = `input-${slug(pipeline)}-${slug(name)}`;
  const label = `${name}${required ? ' *' : ''}`;
  const types = ([] as string[]).concat(schema.type ?? []);
  const hint = [schema.description, bounds(schema)].filter(Boolean).join(' ');

  if (schema.enum) {
    const select = h(
      'select',
      { id, name },
      !required && h('option', { value: '' }, '(default)'),
      schema.enum.map((option, index) =>
        h(
          'option',
          { value: String(index), selected: option === schema.default },
          JSON.stringify(option),
        ),
      ),
    );
    return {
      name,
      element: labelled(label, select, hint),
      read: async () => (select.value === '' ? undefined : schema.enum?.[Number(select.value)]),
    };
  }
  if (types.includes('boolean')) {
    const box = h('input', { id, name, type: 'checkbox', checked: schema.default === true });
    return {
      name,
      element: h(
        'label',
        { class: 'field checkbox' },
        box,
        h('span', { class: 'label' }, label),
        hint && h('p', { class: 'hint' }, hint),
      ),
      read: async () => box.checked,
    };
  }
  if (types.includes('integer') || types.includes('number')) {
    const input = h('input', {
      id,
      name,
      type: 'number',
      min: schema.minimum,
      max: schema.maximum,
      step: types.includes('integer') ? 1 : 'any',
      placeholder: schema.default === undefined ? '' : String(schema.default),
    });
    return {
      name,
      element: labelled(label, input, hint),
      read: async () => (input.value.trim() === '' ? undefined : Number(input.value)),
    };
  }
  if (types.includes('string') && isTextFile(schema)) {
    const text = h('textarea', { id, name, rows: 6, spellcheck: false });
    const file = h('input', { id: `${id}-file`, type: 'file', accept: fileAccept(schema) });
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      if (chosen) void chosen.text().then((content) => (text.value = content));
    });
    return {
      name,
      element: labelled(
        label,
        h('div', { class: 'file-field' }, text, file),
        hint || 'Paste it or choose a file.',
      ),
      read: async () => (text.value === '' && !required ? undefined : text.value),
    };
  }
  if (types.includes('string')) {
    const text = h('textarea', { id, name, rows: 3, spellcheck: false });
    return {
      name,
      element: labelled(label, text, hint),
      read: async () => (text.value === '' && !required ? undefined : text.value),
    };
  }
  if (types.includes('array') && schema.items && isScalar(schema.items)) {
    const itemTypes = ([] as string[]).concat(schema.items.type ?? []);
    const numeric = itemTypes.includes('number') || itemTypes.includes('integer');
    const text = h('textarea', {
      id,
      name,
      rows: 3,
      spellcheck: false,
      placeholder: numeric ? '1, 2.5, 3' : 'one value per line',
    });
    return {
      name,
      element: labelled(
        label,
        text,
        hint || (numeric ? 'Numbers, separated by commas or spaces.' : 'One value per line.'),
      ),
      read: async () => {
        if (text.value.trim() === '') return undefined;
        return numeric
          ? text.value
              .split(/[\s,;]+/)
              .filter(Boolean)
              .map(Number)
          : text.value.split('\n').filter((line) => line !== '');
      },
    };
  }
  const json = h('textarea', { id, name, rows: 4, spellcheck: false, placeholder: 'JSON' });
  return {
    name,
    element: labelled(label, json, hint || 'JSON.'),
    read: async () => {
      if (json.value.trim() === '') return undefined;
      try {
        return JSON.parse(json.value) as unknown;
      } catch (error) {
        throw new Error(`${name} is not JSON: ${(error as Error).message}`);
      }
    },
  };
}

function labelled(label: string, control: HTMLElement, hint: string): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'label' }, label),
    control,
    hint && h('p', { class: 'hint' }, hint),
  );
}

function bounds({ minimum, maximum }: PropertySchema): string {
  if (minimum !== undefined && maximum !== undefined) return `From ${minimum} to ${maximum}.`;
  if (minimum !== undefined) return `At least ${minimum}.`;
  if (maximum !== undefined) return `At most ${maximum}.`;
  return '';
}

function isTextFile({ contentMediaType, format }: PropertySchema): boolean {
  return (contentMediaType?.startsWith('text/') ?? false) || format === 'csv';
}

function fileAccept({ contentMediaType }: PropertySchema): string {
  return contentMediaType === 'text/csv' || contentMediaType === undefined
    ? '.csv,text/csv'
    : contentMediaType;
}

function isScalar(schema: PropertySchema): boolean {
  const types = ([] as string[]).concat(schema.type ?? []);
  return types.length > 0 && types.every((type) => ['string', 'number', 'integer'].includes(type));
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}
