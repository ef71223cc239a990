/**
 * Pipelines are pure: a step is a generator that transforms state and yields
 * instructions to whoever drives it. It never touches a clock, a timer or the
 * network, so the same step runs under the worker's runner, in a CLI or in a
 * unit test unchanged.
 */

/** Yielded by long computing work: the fraction (0..1) of the current unit of work done so far. */
export interface Checkpoint {
  done: number;
}

/** Yielded by a step that must let time pass (the demo's waits); the driver decides how. */
export interface Wait {
  waitMs: number;
}

export type WorkSignal = Checkpoint | Wait;

/** A unit of work the driver advances; it yields signals and returns its result. */
export type Work<T> = Generator<WorkSignal, T, void>;

/** What a step may ask of its surroundings without doing I/O itself. */
export interface StepContext {
  /** A uniform random number in [0, 1). */
  random(): number;
}

export interface StepOutcome<S> {
  state: S;
  /** The step's intermediate result, sent with its `progress` event. */
  data?: unknown;
}

export interface PipelineStep<S> {
  name: string;
  run(state: S, context: StepContext): Work<StepOutcome<S>>;
}

/** A JSON-Schema-like description of a pipeline's input, served by `GET /pipelines`. */
export type InputSchema = Record<string, unknown>;

export interface PipelineDefinition<I = unknown, S = unknown, R = unknown> {
  name: string;
  description: string;
  input: InputSchema;
  /** Checks raw input; returns the typed input or throws `InputError` naming every bad field. */
  validate(input: unknown): Work<I>;
  init(input: I): S;
  steps: readonly PipelineStep<S>[];
  result(state: S): R;
}

/** The pipeline type the registry and the runner handle, whatever its own types are. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPipeline = PipelineDefinition<any, any, any>;
