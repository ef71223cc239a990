import {
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type Provider,
} from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError, WaitingError, type Worker } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { untilConnected } from '../bus/bull-closing';
import { ChannelSubscriber } from '../bus/channel.subscriber';
import { EventStore } from '../bus/event-store';
import { InputStore } from '../bus/input-store';
import { RedisKeys } from '../bus/redis-keys';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { RunsBullWorkers } from '../health/worker.health';
import { Metrics } from '../observability/metrics';
import { onceInAWhile } from '../observability/repeat-filter';
import { AnalysisRunner, type RunningAttempt } from '../service/analysis.runner';
import { RunAbort } from '../service/run-abort';
import {
  type AnalysisJobData,
  analysisIdOf,
  isAnalysisJobData,
  JOB_ATTEMPTS,
} from './analysis-job';
import { JobFailures } from './job-failures';
import { ANALYSIS_QUEUE_SHARDS, type QueueShards } from './queue-shards';
import { createShardWorkers } from './shard-workers';

/** A job of a pipeline this worker does not know waits this long, doubling, up to the maximum. */
const UNKNOWN_PIPELINE_DELAY_MS = 1_000;
const UNKNOWN_PIPELINE_MAX_DELAY_MS = 60_000;

const WORKER_OPTIONS = Symbol('WORKER_OPTIONS');

interface WorkerOptions {
  concurrency: number;
  jobLockMs: number;
}

/**
 * Thin BullMQ entry: checks the job's payload, hands it to the runner and
 * translates the outcome into what BullMQ should do next. Made by
 * `processorFor`, only in roles that run jobs.
 *
 * It creates its workers itself, one per queue shard, rather than being a
 * `@Processor`: `@nestjs/bullmq` gives each processor class one queue and its
 * own concurrency, while WORKER_CONCURRENCY is one budget for all the shards.
 */
@Injectable()
export class AnalysisProcessor
  extends RunsBullWorkers
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AnalysisProcessor.name);
  /** Runs in progress in this process, by job id, so cancellations and shutdown can reach them. */
  private readonly active = new Map<string, RunningAttempt>();
  workers: readonly Worker<AnalysisJobData>[] = [];

  constructor(
    private readonly runner: AnalysisRunner,
    private readonly pipelines: PipelineRegistry,
    private readonly failures: JobFailures,
    private readonly subscriber: ChannelSubscriber,
    private readonly keys: RedisKeys,
    private readonly inputs: InputStore,
    private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ANALYSIS_QUEUE_SHARDS) private readonly shards: QueueShards,
    private readonly metrics: Metrics,
    @Inject(WORKER_OPTIONS) private readonly workerOptions: WorkerOptions,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscriber.subscribe(this.keys.cancellations(), (id) =>
      this.active.get(id)?.abort(new RunAbort('cancelled')),
    );
    this.workers = createShardWorkers(this.shards.all, (job, token) => this.process(job, token), {
      concurrency: this.workerOptions.concurrency,
      lockDuration: this.workerOptions.jobLockMs,
      stalledInterval: this.workerOptions.jobLockMs,
      maxStalledCount: 2,
    });
    for (const worker of this.workers) this.listen(worker);
    // Take jobs only once everything else is up.
    for (const worker of this.workers) void worker.run();
  }

  private listen(worker: Worker<AnalysisJobData>): void {
    worker.on('stalled', (jobId) => {
      this.failIfGivenUp(jobId).catch((error: unknown) =>
        this.logger.error({ msg: 'stalled job check failed', jobId, error: String(error) }),
      );
    });
    worker.on('failed', (job, error) => {
      if (!job || !isAnalysisJobData(job.data) || !isFinalFailure(job, error)) return;
      this.failIfStillOpen(job.data.id, error).catch((writeError: unknown) =>
        this.logger.error({
          msg: 'could not record a failure; the reconciliation will',
          jobId: job.data.id,
          error: errorKind(writeError),
        }),
      );
    });
    worker.on(
      'error',
      onceInAWhile((error, repeats) =>
        this.logger.error({ msg: 'worker error', queue: worker.name, error, repeats }),
      ),
    );
  }

  async process(job: Job<unknown>, token?: string): Promise<void> {
    if (!isAnalysisJobData(job.data)) {
      throw new UnrecoverableError(
        `Job ${job.id} does not carry an analysis: ${JSON.stringify(job.data)}`,
      );
    }
    const { id, pipeline } = job.data;
    if (!this.pipelines.get(pipeline)) return this.defer(job as Job<AnalysisJobData>, token);
    const input = job.data.storedInput ? await this.inputs.load(id) : job.data.input;
    if (job.data.storedInput && input === undefined) {
      throw new UnrecoverableError(`Job ${id}'s input expired before a worker took it`);
    }
    // Deferrals by workers that did not know the pipeline were no attempts.
    const attempt = job.attemptsStarted - (job.data.deferrals ?? 0);
    if (typeof job.data.tenant === 'string') this.store.knowTenant(id, job.data.tenant);
    const startedAt = Date.now();
    this.logger.debug({ msg: 'attempt started', jobId: id, pipeline, attempt });
    const running = this.runner.start({
      id,
      pipeline,
      input,
      attempt,
      maxAttempts: job.opts.attempts ?? JOB_ATTEMPTS,
    });
    this.active.set(id, running);
    try {
      const outcome = await running.outcome;
      this.logger.log({ msg: `attempt ${outcome.kind}`, jobId: id, pipeline, attempt });
      if (outcome.kind === 'completed' || outcome.kind === 'failed') {
        this.metrics.jobFinished(pipeline, outcome.kind, startedAt);
        if (job.data.storedInput) await this.inputs.discard(id).catch(() => undefined);
      }
      switch (outcome.kind) {
        case 'retrying':
          throw new Error(outcome.error.message);
        case 'failed':
          throw new UnrecoverableError(outcome.error.message);
        case 'interrupted':
          await job.moveToWait(token);
          throw new WaitingError();
        default:
          return;
      }
    } finally {
      this.active.delete(id);
    }
  }

  /**
   * A pipeline this worker does not know (during a rolling deploy, a newer worker
   * does): put the job back for later, with back-off, without using an attempt.
   */
  private async defer(job: Job<AnalysisJobData>, token: string | undefined): Promise<never> {
    const deferrals = (job.data.deferrals ?? 0) + 1;
    const delay = Math.min(
      UNKNOWN_PIPELINE_DELAY_MS * 2 ** Math.min(deferrals - 1, 16),
      UNKNOWN_PIPELINE_MAX_DELAY_MS,
    );
    this.logger.warn({
      msg: 'unknown pipeline; job put back for a worker that knows it',
      jobId: job.data.id,
      pipeline: job.data.pipeline,
      delayMs: delay,
    });
    await job.updateData({ ...job.data, deferrals });
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  }

  /** Drains: running jobs get SHUTDOWN_GRACE_MS to finish, then go back to the queue for another worker. */
  async beforeApplicationShutdown(): Promise<void> {
    await untilConnected(this.workers);
    const closing = Promise.all(this.workers.map((worker) => worker.close()));
    const handBack = setTimeout(() => {
      for (const running of this.active.values()) running.abort(new RunAbort('shutdown'));
    }, this.config.shutdownGraceMs);
    await closing;
    clearTimeout(handBack);
  }

  /**
   * A worker that died mid-job leaves it stalled; BullMQ runs it again, or
   * fails it without telling any processor once it stalled too often. Record
   * that failure (the store refuses it if the job ended meanwhile).
   */
  private async failIfGivenUp(jobId: string): Promise<void> {
    const id = analysisIdOf(jobId);
    if (!id) return;
    const state = await this.shards.forId(id).getJobState(jobId);
    if (state !== 'failed' && state !== 'unknown') return;
    await this.failures.failIfOpen(id, {
      message: 'The workers running this job kept stopping mid-job',
      code: 'stalled',
    });
  }

  /**
   * BullMQ gave up on a job for a reason the runner could not record (a write
   * Redis refused, a crash between attempts): record the failure, unless the job
   * has ended already (the usual case: the runner recorded it).
   */
  private async failIfStillOpen(id: string, error: Error): Promise<void> {
    await this.failures.failIfOpen(id, {
      message: `The job's last attempt failed outside its pipeline (${errorKind(error)})`,
      code: 'worker_error',
    });
  }
}

function isFinalFailure(job: Job, error: Error): boolean {
  return error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/** What went wrong, without the message (it may quote job input): Redis's first word at most. */
function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  if (error.name === 'ReplyError') return /^[A-Z]+/.exec(error.message)?.[0] ?? 'ReplyError';
  return error.name;
}

/** The processor, with the worker options the module was defined with. */
export function processorFor(options: WorkerOptions): Provider[] {
  return [
    {
      provide: WORKER_OPTIONS,
      useValue: { concurrency: options.concurrency, jobLockMs: options.jobLockMs },
    },
    AnalysisProcessor,
  ];
}
