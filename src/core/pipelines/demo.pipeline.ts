import { InputError } from '../input-error';
import { integerIssue, requireObject, unknownKeyIssues } from '../input-checks';
import type { PipelineDefinition, PipelineStep } from '../pipeline.types';

export interface DemoInput {
  input?: unknown;
  stepMs: number;
}

export interface DemoResult {
  input: unknown;
  step_one_result?: number;
  step_two_result?: string;
}

interface DemoState {
  stepMs: number;
  result: DemoResult;
}

const DEFAULT_STEP_MS = 500;
const MAX_STEP_MS = 60_000;

const stepOne: PipelineStep<DemoState> = {
  name: 'step_one',
  *run(state, context) {
    yield { waitMs: state.stepMs };
    const stepOneResult = 1 + Math.floor(context.random() * 100);
    return {
      state: { ...state, result: { ...state.result, step_one_result: stepOneResult } },
      data: { step_one_result: stepOneResult },
    };
  },
};

const stepTwo: PipelineStep<DemoState> = {
  name: 'step_two',
  *run(state) {
    yield { waitMs: state.stepMs };
    return {
      state: { ...state, result: { ...state.result, step_two_result: 'processed' } },
      data: { step_two_result: 'processed' },
    };
  },
};

/** The seed's two timed steps: a fixture for the job path, not a computation. */
export const demoPipeline: PipelineDefinition<DemoInput, DemoState, DemoResult> = {
  name: 'demo',
  description:
    'Two timed steps: step_one waits stepMs and draws a random integer 1..100, step_two waits stepMs and marks the input processed.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      input: { description: 'Any JSON value, echoed in the result.' },
      stepMs: {
        type: 'integer',
        minimum: 0,
        maximum: MAX_STEP_MS,
        default: DEFAULT_STEP_MS,
        description: 'How long each step waits, in milliseconds.',
      },
    },
    examples: [{ input: { hello: 'world' }, stepMs: 500 }],
  },
  // eslint-disable-next-line require-yield
  *validate(raw) {
    const value = requireObject(raw);
    const issues = unknownKeyIssues(value, ['input', 'stepMs']);
    const stepMs = value.stepMs ?? DEFAULT_STEP_MS;
    const stepMsIssue = integerIssue(stepMs, 'input.stepMs', 0, MAX_STEP_MS);
    if (stepMsIssue) issues.push(stepMsIssue);
    if (issues.length > 0) throw new InputError(issues);
    return { input: value.input, stepMs: stepMs as number };
  },
  init: (input) => ({ stepMs: input.stepMs, result: { input: input.input ?? null } }),
  steps: [stepOne, stepTwo],
  result: (state) => state.result,
};
