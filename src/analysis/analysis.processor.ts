import {
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  Inject,
  Logger,
} from '@nestjs/common';
import { InjectQueue, WorkerHost } from '@nestjs/bullmq';
import { type Job, type Queue, UnrecoverableError, WaitingError } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ChannelSubscriber } from '../bus/channel.subscriber';
import { EventStore } from '../bus/event-store';
import { RedisKeys } from '../bus/redis-keys';
import { Metrics } from '../observability/metrics';
import { AnalysisRunner } from '../service/analysis.runner';
import { RunAbort } from '../service/run-abort';
import { ANALYSIS_QUEUE, analysisIdOf, isAnalysisJobData, JOB_ATTEMPTS } from './analysis-job';

/**
 * Thin BullMQ entry: checks the job's payload, hands it to the runner and
 * translates the outcome into what BullMQ should do next. Applied as a
 * `@Processor` by AnalysisModule, with the configured worker options, only in
 * roles that run jobs.
 */
export class AnalysisProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AnalysisProcessor.name);
  /** Runs in progress in this process, by job id, so cancellations and shutdown can reach them. */
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly runner: AnalysisRunner,
    private readonly store: EventStore,
    private readonly subscriber: ChannelSubscriber,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue,
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
    const { id, pipeline, input } = job.data;
    const attempt = job.attemptsStarted;
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
    const snapshot = await this.store.snapshot(id);
    if (!snapshot) return;
    this.logger.warn({ msg: 'job stalled too often; failing it', jobId: id });
    const appended = await this.store.append(
      {
        id,
        type: 'failed',
        status: 'failed',
        progress: snapshot.progress,
        step: snapshot.step,
        attempt: snapshot.attempt,
        error: { message: 'The workers running this job kept stopping mid-job', code: 'stalled' },
        at: new Date().toISOString(),
      },
      false,
    );
    if (appended.kind === 'appended') {
      this.metrics.eventsPublished.inc();
      this.metrics.jobFinished(snapshot.pipeline, 'failed', snapshot.startedAt);
    }
  }
}
