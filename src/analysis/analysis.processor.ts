import {
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type Type,
} from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job, type Queue, UnrecoverableError, WaitingError } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ChannelSubscriber } from '../bus/channel.subscriber';
import { InputStore } from '../bus/input-store';
import { RedisKeys } from '../bus/redis-keys';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { Metrics } from '../observability/metrics';
import { AnalysisRunner } from '../service/analysis.runner';
import { RunAbort } from '../service/run-abort';
import {
  ANALYSIS_QUEUE_REF,
  type AnalysisJobData,
  analysisIdOf,
  isAnalysisJobData,
  JOB_ATTEMPTS,
} from './analysis-job';
import { JobFailures } from './job-failures';

/** A job of a pipeline this worker does not know waits this long, doubling, up to the maximum. */
const UNKNOWN_PIPELINE_DELAY_MS = 1_000;
const UNKNOWN_PIPELINE_MAX_DELAY_MS = 60_000;

/**
 * Thin BullMQ entry: checks the job's payload, hands it to the runner and
 * translates the outcome into what BullMQ should do next. Declared as a
 * `@Processor` of a queue by `processorFor`, only in roles that run jobs.
 */
@Injectable()
export class AnalysisProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AnalysisProcessor.name);
  /** Runs in progress in this process, by job id, so cancellations and shutdown can reach them. */
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly runner: AnalysisRunner,
    private readonly pipelines: PipelineRegistry,
    private readonly failures: JobFailures,
    private readonly subscriber: ChannelSubscriber,
    private readonly keys: RedisKeys,
    private readonly inputs: InputStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ANALYSIS_QUEUE_REF) private readonly queue: Queue,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscriber.subscribe(this.keys.cancellations(), (id) =>
      this.active.get(id)?.abort(new RunAbort('cancelled')),
    );
    this.worker.on('stalled', (jobId) => {
      this.failIfGivenUp(jobId).catch((error: unknown) =>
        this.logger.error({ msg: 'stalled job check failed', jobId, error: String(error) }),
      );
    });
    this.worker.on('failed', (job, error) => {
      if (!job || !isAnalysisJobData(job.data) || !isFinalFailure(job, error)) return;
      this.failIfStillOpen(job.data.id, error).catch((writeError: unknown) =>
        this.logger.error({
          msg: 'could not record a failure; the reconciliation will',
          jobId: job.data.id,
          error: errorKind(writeError),
        }),
      );
    });
    this.worker.on('error', (error) =>
      this.logger.error({ msg: 'worker error', error: error.message }),
    );
    // Take jobs only once everything else is up.
    void this.worker.run();
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
    const controller = new AbortController();
    const startedAt = Date.now();
    this.active.set(id, controller);
    this.logger.debug({ msg: 'attempt started', jobId: id, pipeline, attempt });
    try {
      const outcome = await this.runner.run(
        { id, pipeline, input, attempt, maxAttempts: job.opts.attempts ?? JOB_ATTEMPTS },
        controller.signal,
      );
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
    const closing = this.worker.close();
    const handBack = setTimeout(() => {
      for (const controller of this.active.values()) controller.abort(new RunAbort('shutdown'));
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
    const state = await this.queue.getJobState(jobId);
    if (!id || (state !== 'failed' && state !== 'unknown')) return;
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

/**
 * The processor of one queue, declared with `@Processor` as `@nestjs/bullmq`
 * intends: the module knows its queue and worker options when it is defined,
 * and defines one such class for them. The worker starts once the app is up.
 */
export function processorFor(
  queueName: string,
  options: { concurrency: number; jobLockMs: number },
): Type<AnalysisProcessor> {
  @Processor(queueName, {
    concurrency: options.concurrency,
    lockDuration: options.jobLockMs,
    stalledInterval: options.jobLockMs,
    maxStalledCount: 2,
    autorun: false,
  })
  class QueueProcessor extends AnalysisProcessor {}
  return QueueProcessor;
}
