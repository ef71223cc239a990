import { Inject, Injectable } from '@nestjs/common';
import type {
  AnalysisError,
  AnalysisEventDraft,
  AnalysisEventType,
  AnalysisStatus,
} from '../core/analysis.types';
import { InputError } from '../core/input-error';
import type { AnyPipeline, StepContext } from '../core/pipeline.types';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { PUBLISHER, type Publisher } from './publisher.port';
import { isoNow } from './iso-now';
import { LazyAbortController } from './lazy-abort';
import { abortReason } from './run-abort';
import { drive } from './sliced-driver';

/** One attempt at one job. */
export interface RunRequest {
  id: string;
  pipeline: string;
  input: unknown;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
}

export type RunOutcome =
  | { kind: 'completed'; result: unknown }
  /** The attempt failed and another one should follow. */
  | { kind: 'retrying'; error: AnalysisError }
  | { kind: 'failed'; error: AnalysisError }
  | { kind: 'cancelled' }
  /** Stopped by shutdown; the job should go back to the queue. */
  | { kind: 'interrupted' }
  /** The job refused our events: it ended elsewhere or a newer attempt owns it. */
  | { kind: 'superseded' };

/** Inside a step, progress is reported each time another tenth of it is done. */
const STEP_PROGRESS_PARTS = 10;

class Superseded extends Error {}

const randomContext: StepContext = { random: Math.random };

/**
 * Runs one attempt of a pipeline and reports every change through the
 * Publisher. It owns scheduling: computing steps run in slices so the event
 * loop (lock renewal, cancellation, other jobs) keeps turning.
 */
@Injectable()
export class AnalysisRunner {
  constructor(
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    private readonly pipelines: PipelineRegistry,
  ) {}

  /** Runs the attempt; aborting `signal` (with a RunAbort as its reason) stops it. */
  async run(request: RunRequest, signal?: AbortSignal): Promise<RunOutcome> {
    const attempt = new Attempt(request, this.publisher);
    if (signal?.aborted) attempt.abort(signal.reason);
    else signal?.addEventListener('abort', () => attempt.abort(signal.reason), { once: true });
    return attempt.run(this.pipelines.get(request.pipeline));
  }

  /**
   * Starts the attempt and hands back its abort. A worker runs many attempts a second: this
   * way one that neither waits nor is aborted makes no AbortSignal at all (they are costly to
   * make), where the caller's signal would take one, and the runner's own a second.
   */
  start(request: RunRequest): RunningAttempt {
    const attempt = new Attempt(request, this.publisher);
    return {
      outcome: attempt.run(this.pipelines.get(request.pipeline)),
      abort: (reason) => attempt.abort(reason),
    };
  }
}

export interface RunningAttempt {
  readonly outcome: Promise<RunOutcome>;
  /** Stops the attempt; the reason (a RunAbort) says why: cancelled or shutdown. */
  abort(reason: unknown): void;
}

class Attempt {
  private progress = 0;
  private step: string | null = null;
  /** The tenth of the current step last reported by an in-step progress event. */
  private reportedPart = 0;
  /** Events published but not yet confirmed: checked at the next event that is waited for. */
  private unsettled: Promise<boolean>[] = [];
  /** Stops the steps: when the caller aborts, or when an unconfirmed event turns out refused or unwritten. */
  private readonly stopSteps = new LazyAbortController();
  /** Why the caller aborted, if it did. */
  private aborted: { reason: unknown } | undefined;
  /** Why an unconfirmed event stopped the steps, if one did. */
  private halted: { reason: unknown } | undefined;

  constructor(
    private readonly request: RunRequest,
    private readonly publisher: Publisher,
  ) {}

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = { reason };
    this.stopSteps.abort(reason);
  }

  async run(pipeline: AnyPipeline | undefined): Promise<RunOutcome> {
    try {
      this.send('started');
      if (!pipeline) throw new InputError(`unknown pipeline "${this.request.pipeline}"`);
      const input: unknown = await drive(pipeline.validate(this.request.input), {
        signal: this.stopSteps,
      });
      let state: unknown = pipeline.init(input);
      const steps = pipeline.steps;
      for (const [index, step] of steps.entries()) {
        this.step = step.name;
        this.reportedPart = 0;
        const outcome = await drive(step.run(state, randomContext), {
          signal: this.stopSteps,
          onCheckpoint: (done) => this.reportWithinStep(index, steps.length, done),
        });
        state = outcome.state;
        this.progress = percent(index + 1, steps.length);
        this.send('progress', outcome.data);
      }
      const result: unknown = pipeline.result(state);
      await this.publish('completed', 'completed', { data: result });
      return { kind: 'completed', result };
    } catch (error) {
      return this.conclude(error);
    }
  }

  private async conclude(thrown: unknown): Promise<RunOutcome> {
    // A halted attempt reports why it was halted, not the abort it stopped with.
    const error: unknown = this.halted ? this.halted.reason : thrown;
    // The events that halted it have been answered for: the concluding event stands alone.
    if (this.halted) this.unsettled = [];
    if (error instanceof Superseded) return { kind: 'superseded' };
    try {
      switch (this.aborted ? abortReason(this.aborted.reason) : undefined) {
        case 'cancelled':
          // Usually refused: whoever cancelled has already recorded it.
          await this.publish('cancelled', 'cancelled').catch((refused: unknown) => {
            if (!(refused instanceof Superseded)) throw refused;
          });
          return { kind: 'cancelled' };
        case 'shutdown':
          await this.publish('retrying', 'queued', {
            error: {
              message: 'The worker shut down; another worker will run the job',
              code: 'worker_shutdown',
            },
          });
          return { kind: 'interrupted' };
        default:
          return await this.fail(error);
      }
    } catch (publishError) {
      if (publishError instanceof Superseded) return { kind: 'superseded' };
      throw publishError;
    }
  }

  private async fail(error: unknown): Promise<RunOutcome> {
    // A write that failed is no failure of the step that was running meanwhile.
    const reported = describeError(error, this.halted ? null : this.step);
    const retry = !(error instanceof InputError) && this.request.attempt < this.request.maxAttempts;
    if (retry) {
      await this.publish('retrying', 'queued', { error: reported });
      return { kind: 'retrying', error: reported };
    }
    await this.publish('failed', 'failed', { error: reported });
    return { kind: 'failed', error: reported };
  }

  private halt(reason: unknown): void {
    if (this.halted || this.aborted) return;
    this.halted = { reason };
    this.stopSteps.abort(reason);
  }

  private reportWithinStep(index: number, stepCount: number, done: number): void {
    // The epsilon keeps 3 × 0.1 in the third part, where floating point would put it just short.
    const part = Math.floor(done * STEP_PROGRESS_PARTS + 1e-9);
    if (done < 1 && part > this.reportedPart) {
      this.reportedPart = part;
      this.progress = percent(index + done, stepCount);
      this.send('progress');
    }
  }

  /**
   * Publishes `started` or a progress event without waiting: it goes out with whatever
   * follows in the same turn, in order, while the steps go on; a refusal or a failed
   * write stops the steps.
   */
  private send(type: 'started' | 'progress', data?: unknown): void {
    const written = this.publisher.publish(this.event(type, 'running', data));
    // Events written together may share one answer: it is watched once.
    if (written === this.unsettled.at(-1)) return;
    this.unsettled.push(written);
    written.then(
      (accepted) => accepted || this.halt(new Superseded()),
      (error: unknown) => this.halt(error),
    );
  }

  /** Publishes an event and waits for its answer, and for those of the events sent before it. */
  private async publish(
    type: AnalysisEventType,
    status: AnalysisStatus,
    extra: { data?: unknown; error?: AnalysisError } = {},
  ): Promise<void> {
    if (type === 'completed') this.progress = 100;
    const written = this.publisher.publish(this.event(type, status, extra.data, extra.error));
    const unsettled = this.unsettled;
    this.unsettled = [];
    if (unsettled.at(-1) !== written) unsettled.push(written);
    const answers = unsettled.length === 1 ? [await written] : await Promise.all(unsettled);
    if (answers.includes(false)) throw new Superseded();
  }

  private event(
    type: AnalysisEventType,
    status: AnalysisStatus,
    data: unknown,
    error?: AnalysisError,
  ): AnalysisEventDraft {
    // One shape for every event: an absent `data` or `error` is undefined, which JSON leaves out.
    return {
      id: this.request.id,
      type,
      status,
      progress: this.progress,
      step: this.step,
      attempt: this.request.attempt,
      data,
      error,
      at: isoNow(),
    };
  }
}

function percent(done: number, total: number): number {
  return Math.round((done / total) * 10_000) / 100;
}

function describeError(error: unknown, step: string | null): AnalysisError {
  if (error instanceof InputError) return { message: error.message, code: 'invalid_input' };
  const message = error instanceof Error ? error.message : String(error);
  return { message: step ? `Step ${step} failed: ${message}` : message, code: 'step_failed' };
}
