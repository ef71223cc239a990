import { InputError, type PipelineDefinition } from '../../../src/index';

export interface WordFrequencyInput {
  text: string;
  top: number;
}

interface WordFrequencyState {
  input: WordFrequencyInput;
  words: string[];
  counts: [string, number][];
}

export interface WordFrequencyResult {
  words: number;
  distinct: number;
  top: { word: string; count: number }[];
}

/** Words counted between checkpoints, so a long text never holds the event loop. */
const CHUNK = 10_000;

/**
 * The host's own pipeline: how often each word occurs in a text. Pure like
 * the service's pipelines: no I/O, checkpoints inside the long loop.
 */
export const wordFrequencyPipeline: PipelineDefinition<
  WordFrequencyInput,
  WordFrequencyState,
  WordFrequencyResult
> = {
  name: 'word-frequency',
  description: 'Counts the words of a text and lists the most frequent ones.',
  input: {
    type: 'object',
    properties: {
      text: { type: 'string', description: 'The text to count.' },
      top: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    },
    required: ['text'],
    additionalProperties: false,
  },
  // eslint-disable-next-line require-yield
  *validate(raw) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError('input must be an object');
    }
    const { text, top = 10, ...rest } = raw as Record<string, unknown>;
    const issues: string[] = Object.keys(rest).map((key) => `input.${key} is not allowed`);
    if (typeof text !== 'string') issues.push('input.text must be a string');
    if (!Number.isInteger(top) || (top as number) < 1 || (top as number) > 100) {
      issues.push('input.top must be an integer from 1 to 100');
    }
    if (issues.length > 0) throw new InputError(issues.join('; '));
    return { text: text as string, top: top as number };
  },
  init: (input) => ({ input, words: [], counts: [] }),
  steps: [
    {
      name: 'tokenize',
      // eslint-disable-next-line require-yield
      *run(state) {
        const words = state.input.text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
        return { state: { ...state, words }, data: { words: words.length } };
      },
    },
    {
      name: 'count',
      *run(state) {
        const counts = new Map<string, number>();
        for (let i = 0; i < state.words.length; i++) {
          const word = state.words[i];
          counts.set(word, (counts.get(word) ?? 0) + 1);
          if (i % CHUNK === CHUNK - 1) yield { done: i / state.words.length };
        }
        const sorted = [...counts].sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
        return { state: { ...state, counts: sorted }, data: { distinct: sorted.length } };
      },
    },
  ],
  result: (state) => ({
    words: state.words.length,
    distinct: state.counts.length,
    top: state.counts.slice(0, state.input.top).map(([word, count]) => ({ word, count })),
  }),
};
