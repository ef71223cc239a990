import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  Optional,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  type AnalysisEvent,
  type AnalysisSnapshot,
  type AnalysisStatus,
  isTerminal,
} from '../core/analysis.types';
import { AnalysisAccess, type OwnerSnapshot } from '../auth/analysis-access';
import type { Caller } from '../auth/caller';
import { InputError } from '../core/input-error';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { applyEvent } from '../core/snapshot.reducer';
import { ANONYMOUS_TENANT, EventStore } from '../bus/event-store';
import { InputStore } from '../bus/input-store';
import { RedisDeadline } from '../bus/redis-deadline';
import { RedisKeys } from '../bus/redis-keys';
import { REDIS } from '../bus/redis.providers';
import { type RedisClient, publishTo } from '../bus/redis-connection';
import { Metrics } from '../observability/metrics';
import { EVENT_MIRROR, type EventMirror } from '../service/event-mirror.port';
import { drive } from '../service/sliced-driver';
import { type AnalysisJobData, bullJobId, bullJobOptions, newAnalysisId } from './analysis-job';
import { bullAddition } from './bull-addition';
import { MAX_INPUT_DEPTH, nestedDeeperThan } from './input-depth';
import { QueueAdmission } from './queue-admission';
import { ANALYSIS_QUEUE_SHARDS, type QueueShards } from './queue-shards';
import { requestFingerprint } from './request-fingerprint';

export interface Creation {
  created: boolean;
  snapshot: OwnerSnapshot;
}

/** The API's use cases: what each endpoint does, free of HTTP. */
@Injectable()
export class AnalysisService {
  private readonly logger = new Logger(AnalysisService.name);

  constructor(
    private readonly deadline: RedisDeadline,
    private readonly pipelines: PipelineRegistry,
    private readonly store: EventStore,
    private readonly inputs: InputStore,
    private readonly access: AnalysisAccess,
    private readonly admission: QueueAdmission,
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(ANALYSIS_QUEUE_SHARDS) private readonly queues: QueueShards,
    private readonly metrics: Metrics,
    @Optional() @Inject(EVENT_MIRROR) private readonly mirror?: EventMirror,
  ) {}

  /**
   * Starts an analysis for the caller's tenant, under a new id or a client-chosen one. With a
   * client-chosen id, repeating the same request returns the existing job; a different request
   * under that id, or an id another tenant holds, is a conflict.
   */
  async create(
    pipeline: string,
    input: unknown,
    caller: Caller,
    requestedId?: string,
  ): Promise<Creation> {
    const validated = await this.validate(pipeline, input);
    await this.deadline.run(() =>
      this.admission.admit(async () =>
        requestedId === undefined ? false : (await this.store.snapshot(requestedId)) !== undefined,
      ),
    );
    if (requestedId === undefined) return this.createFresh(pipeline, input, caller, validated);
    const id = requestedId;
    // A client-chosen id can be requested twice: the fingerprint tells a repeat from a conflict.
    const fingerprint = requestFingerprint(pipeline, input);
    const { created, snapshot } = await this.deadline.run(() =>
      this.access.create(id, pipeline, fingerprint, caller),
    );
    if (!snapshot) {
      throw new ConflictException(
        `Analysis "${id}" already exists with a different pipeline or input; choose another id`,
      );
    }
    // Enqueue again while queued: a no-op if the job is in BullMQ, a repair if an earlier try stopped short.
    if (created || snapshot.status === 'queued') {
      const tenant = caller.tenant ?? ANONYMOUS_TENANT;
      await this.enqueue({ id, pipeline, input, tenant }, created, validated);
    }
    if (created) this.metrics.jobCreated(pipeline);
    this.mirror?.catchUp(id);
    return { created, snapshot };
  }

  /**
   * A job under a new id, which nothing can be stored under yet: its input is stored first,
   * then the job is written and queued, in one round trip where the store can
   * (EventStore.createFresh). On failure whatever went through is removed again: 503.
   */
  private async createFresh(
    pipeline: string,
    input: unknown,
    caller: Caller,
    validated: unknown,
  ): Promise<Creation> {
    const id = newAnalysisId();
    const data = { id, pipeline, input, tenant: caller.tenant ?? ANONYMOUS_TENANT };
    let sent = false;
    try {
      const snapshot = await this.deadline.run(async () => {
        sent = true;
        const payload = await this.payloadOf(data, true, validated);
        const after = await bullAddition(this.queues.forId(id), payload);
        return this.access.createFresh(id, pipeline, caller, after);
      });
      this.metrics.jobCreated(pipeline);
      this.mirror?.catchUp(id);
      return { created: true, snapshot };
    } catch (error) {
      // Refused before anything was sent (Redis unreachable): there is nothing to undo.
      if (sent) await this.undoFailedEnqueue(id, error, true);
      throw error instanceof ServiceUnavailableException ? error : notQueued();
    }
  }

  get(id: string, caller: Caller): Promise<OwnerSnapshot> {
    return this.deadline.run(async () =>
      this.access.view(await this.access.authorize(id, caller, 'read'), caller),
    );
  }

  events(id: string, after: number, caller: Caller): Promise<AnalysisEvent[]> {
    return this.deadline.run(async () => {
      await this.access.authorize(id, caller, 'read');
      return this.store.events(id, after);
    });
  }

  list(caller: Caller, limit: number, status?: AnalysisStatus): Promise<AnalysisSnapshot[]> {
    return this.deadline.run(() => this.access.list(caller, limit, status));
  }

  /** Cancels at once in the store, then stops the job wherever it is: queued in BullMQ or running in a worker. */
  cancel(id: string, caller: Caller): Promise<AnalysisSnapshot> {
    return this.deadline.run(() => this.cancelNow(id, caller));
  }

  private async cancelNow(id: string, caller: Caller): Promise<AnalysisSnapshot> {
    // Its own deadline: once it has passed, nothing after it may still cancel the job.
    const { snapshot } = await this.deadline.run(() => this.access.authorize(id, caller, 'cancel'));
    if (isTerminal(snapshot.status)) throw alreadyFinished(snapshot);
    const event = {
      id,
      type: 'cancelled' as const,
      status: 'cancelled' as const,
      progress: snapshot.progress,
      step: snapshot.step,
      attempt: snapshot.attempt,
      at: new Date().toISOString(),
    };
    const appended = await this.store.append(event, false);
    if (appended.kind !== 'appended') {
      throw alreadyFinished((await this.store.snapshot(id)) ?? snapshot);
    }
    this.metrics.eventsPublished.inc();
    this.metrics.jobFinished(snapshot.pipeline, 'cancelled', snapshot.startedAt);
    this.mirror?.catchUp(id);
    await Promise.all([
      this.queues
        .forId(id)
        .remove(bullJobId(id))
        .catch(() => 0),
      this.inputs.discard(id).catch(() => undefined),
      publishTo(this.redis, this.keys.cancellations(), id),
    ]);
    return applyEvent(snapshot, { ...event, seq: appended.seq });
  }

  /** Validation of a large dataset runs in slices, so that the API keeps serving others meanwhile. */
  private async validate(pipeline: string, input: unknown): Promise<unknown> {
    const definition = this.pipelines.get(pipeline);
    if (!definition) {
      throw new BadRequestException(
        `Unknown pipeline "${pipeline}". Valid pipelines: ${this.pipelines.names().join(', ')}`,
      );
    }
    if (nestedDeeperThan(input, MAX_INPUT_DEPTH)) {
      throw new BadRequestException(`input is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    }
    try {
      return await drive(definition.validate(input));
    } catch (error) {
      if (error instanceof InputError) throw new BadRequestException(error.issues);
      throw error;
    }
  }

  /**
   * Adds the job to BullMQ. When that fails for a job this request created, the
   * job is removed again and the request fails with 503: nothing is left queued
   * that no worker will ever run (should the removal fail too, the
   * reconciliation marks the job failed).
   */
  private async enqueue(
    data: AnalysisJobData,
    created: boolean,
    validated: unknown,
  ): Promise<void> {
    try {
      const payload = await this.deadline.run(() => this.payloadOf(data, created, validated));
      await this.deadline.run(() =>
        this.queues.forId(data.id).add(data.pipeline, payload, bullJobOptions(data.id)),
      );
    } catch (error) {
      await this.undoFailedEnqueue(data.id, error, created);
      throw error instanceof ServiceUnavailableException ? error : notQueued();
    }
  }

  /** The job's BullMQ payload: large inputs are stored beside the job, not carried in it. */
  private async payloadOf(
    data: AnalysisJobData,
    created: boolean,
    validated: unknown,
  ): Promise<AnalysisJobData> {
    const stored = await this.inputs.save(data.id, data.input, {
      keepExisting: !created,
      validated,
    });
    return stored ? { ...data, input: null, storedInput: true } : data;
  }

  /** BullMQ's script may have stopped half-way, leaving a job that a later add would take for a duplicate. */
  private async undoFailedEnqueue(id: string, error: unknown, created: boolean): Promise<void> {
    this.logger.warn({ msg: 'enqueue failed', jobId: id, error: describe(error) });
    if (created) await this.undoCreation(id);
  }

  private async undoCreation(id: string): Promise<void> {
    try {
      await this.deadline.run(() =>
        Promise.all([
          this.store.discard(id),
          this.queues.forId(id).remove(bullJobId(id)),
          this.inputs.discard(id),
        ]),
      );
    } catch (error) {
      this.logger.warn({
        msg: 'could not remove a job that was not queued; the reconciliation will fail it',
        jobId: id,
        error: describe(error),
      });
    }
  }
}

/** An error's kind and Redis's first word at most: messages may quote job input. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  return error.name === 'ReplyError'
    ? `ReplyError ${/^[A-Z]+/.exec(error.message)?.[0] ?? ''}`
    : error.name;
}

function notQueued(): ServiceUnavailableException {
  return new ServiceUnavailableException('The analysis could not be queued; try again shortly');
}

function alreadyFinished(snapshot: AnalysisSnapshot): ConflictException {
  return new ConflictException(
    `Analysis "${snapshot.id}" already ended (${snapshot.status}); only queued or running analyses can be cancelled`,
  );
}
