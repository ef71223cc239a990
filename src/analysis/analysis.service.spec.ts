import {
  BadRequestException,
  ConflictException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AnalysisAccess } from '../auth/analysis-access';
import type { Caller } from '../auth/caller';
import { type AfterCreate, ANONYMOUS_TENANT, EventStore, type JobAccess } from '../bus/event-store';
import { InputStore } from '../bus/input-store';
import { APP_CONFIG, loadConfig } from '../config/app-config';
import { RedisDeadline } from '../bus/redis-deadline';
import { RedisKeys } from '../bus/redis-keys';
import { REDIS } from '../bus/redis.providers';
import type { AnalysisSnapshot } from '../core/analysis.types';
import { demoPipeline } from '../core/pipelines/demo.pipeline';
import { PipelineRegistry } from '../core/pipelines/pipeline.registry';
import { newSnapshot } from '../core/snapshot.reducer';
import { Metrics } from '../observability/metrics';
import type { Queue } from 'bullmq';
import { type AnalysisJobData, bullJobId } from './analysis-job';
import { AnalysisService } from './analysis.service';
import { QueueAdmission } from './queue-admission';
import { ANALYSIS_QUEUE_SHARDS, QueueShards } from './queue-shards';

/** Auth is off: every caller is the anonymous tenant. */
const CALLER: Caller = { tenant: ANONYMOUS_TENANT };
const OWNER: JobAccess = { tenant: ANONYMOUS_TENANT, token: '' };

const queuedSnapshot = (id: string): AnalysisSnapshot => ({
  ...newSnapshot(id, 'demo', new Date().toISOString()),
  lastSeq: 1,
});

/** The service with its Redis-facing collaborators replaced by recording fakes. */
async function build() {
  const store = {
    create: jest.fn(async (id: string, _pipeline: string, fingerprint: string) => ({
      created: true,
      snapshot: queuedSnapshot(id),
      fingerprint,
      access: OWNER,
    })),
    createFresh: jest.fn(
      async (id: string, _pipeline: string, _access: JobAccess, _after: AfterCreate) =>
        queuedSnapshot(id),
    ),
    snapshot: jest.fn(async (): Promise<AnalysisSnapshot | undefined> => undefined),
    access: jest.fn(
      async (): Promise<{ snapshot: AnalysisSnapshot; access: JobAccess } | undefined> => undefined,
    ),
    append: jest.fn(async () => ({ kind: 'appended' as const, seq: 2 })),
    discard: jest.fn(async () => true),
  };
  const queueConnection = { name: "the queue's connection" };
  const queue = {
    add: jest.fn(async () => ({})),
    remove: jest.fn(async () => 1),
    client: Promise.resolve(queueConnection),
  };
  const redis = { publish: jest.fn(async () => 1), del: jest.fn(async () => 1) };
  const moduleRef = await Test.createTestingModule({
    providers: [
      AnalysisService,
      AnalysisAccess,
      InputStore,
      { provide: APP_CONFIG, useValue: loadConfig({}) },
      { provide: QueueAdmission, useValue: { admit: async () => undefined } },
      { provide: RedisDeadline, useValue: { run: <T>(work: () => Promise<T>) => work() } },
      { provide: PipelineRegistry, useValue: new PipelineRegistry([demoPipeline]) },
      { provide: EventStore, useValue: store },
      { provide: RedisKeys, useValue: new RedisKeys('test') },
      { provide: REDIS, useValue: redis },
      {
        provide: ANALYSIS_QUEUE_SHARDS,
        useValue: new QueueShards([queue as unknown as Queue<AnalysisJobData>]),
      },
      { provide: Metrics, useValue: new Metrics({ processMetrics: false }) },
    ],
  }).compile();
  return { service: moduleRef.get(AnalysisService), store, queue, queueConnection, redis };
}

describe('AnalysisService', () => {
  it("creates a job under a new id and has the store queue it on the queue's connection", async () => {
    const { service, store, queue, queueConnection } = await build();
    const { created, snapshot } = await service.create('demo', { stepMs: 0 }, CALLER);
    expect(created).toBe(true);
    expect(store.createFresh).toHaveBeenCalledWith(
      snapshot.id,
      'demo',
      OWNER,
      expect.objectContaining({ connection: queueConnection }),
    );
    expect(store.create).not.toHaveBeenCalled();
    expect(queue.add).not.toHaveBeenCalled();
  });

  it('creates a job under a client id, then queues it in BullMQ under its prefixed job id, with its tenant', async () => {
    const { service, store, queue } = await build();
    const { created, snapshot } = await service.create('demo', { stepMs: 0 }, CALLER, 'mine');
    expect(created).toBe(true);
    expect(store.create).toHaveBeenCalledTimes(1);
    expect(queue.add).toHaveBeenCalledWith(
      'demo',
      { id: 'mine', pipeline: 'demo', input: { stepMs: 0 }, tenant: ANONYMOUS_TENANT },
      expect.objectContaining({ jobId: bullJobId(snapshot.id), attempts: 3 }),
    );
  });

  it('refuses an unknown pipeline with a 400 naming the valid ones, storing nothing', async () => {
    const { service, store, queue } = await build();
    const refusal = service.create('nope', {}, CALLER);
    await expect(refusal).rejects.toBeInstanceOf(BadRequestException);
    await expect(refusal).rejects.toThrow('Valid pipelines: demo');
    expect(store.create).not.toHaveBeenCalled();
    expect(queue.add).not.toHaveBeenCalled();
  });

  it("refuses input the pipeline rejects with a 400 carrying the pipeline's issues", async () => {
    const { service, store } = await build();
    const refusal = service.create('demo', { stepMs: -1 }, CALLER);
    await expect(refusal).rejects.toBeInstanceOf(BadRequestException);
    await expect(refusal).rejects.toMatchObject({
      response: { message: [expect.stringContaining('stepMs')] },
    });
    expect(store.create).not.toHaveBeenCalled();
  });

  it('answers a repeated request under a client id with the existing job, a different one with 409', async () => {
    const { service, store } = await build();
    const first = await service.create('demo', { stepMs: 1 }, CALLER, 'mine');
    const fingerprint = store.create.mock.calls[0][2];
    store.create.mockResolvedValue({
      created: false,
      snapshot: first.snapshot,
      fingerprint,
      access: OWNER,
    });
    await expect(service.create('demo', { stepMs: 1 }, CALLER, 'mine')).resolves.toMatchObject({
      created: false,
    });
    await expect(service.create('demo', { stepMs: 2 }, CALLER, 'mine')).rejects.toBeInstanceOf(
      ConflictException,
    );
  });

  it('answers 503 and removes a new job again when its round trip fails', async () => {
    const { service, store } = await build();
    store.createFresh.mockRejectedValue(new Error('connection lost'));
    await expect(service.create('demo', {}, CALLER)).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    const id = store.createFresh.mock.calls[0][0];
    expect(store.discard).toHaveBeenCalledWith(id);
  });

  it('answers 503 and removes the job again when BullMQ refuses it', async () => {
    const { service, store, queue } = await build();
    queue.add.mockRejectedValue(new Error('connection lost'));
    await expect(service.create('demo', {}, CALLER, 'lost')).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    expect(store.discard).toHaveBeenCalledWith('lost');
  });

  it('cancels a running job: a cancelled event, out of BullMQ, and a word to its worker', async () => {
    const { service, store, queue, redis } = await build();
    store.access.mockResolvedValue({
      snapshot: { ...queuedSnapshot('run'), status: 'running', attempt: 1 },
      access: OWNER,
    });
    const cancelled = await service.cancel('run', CALLER);
    expect(cancelled).toMatchObject({ id: 'run', status: 'cancelled', lastSeq: 2 });
    expect(store.append).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'run', type: 'cancelled', attempt: 1 }),
      false,
    );
    expect(queue.remove).toHaveBeenCalledWith(bullJobId('run'));
    expect(redis.publish).toHaveBeenCalledWith(new RedisKeys('test').cancellations(), 'run');
  });

  it('refuses to cancel an ended job (409) and an unknown one (404)', async () => {
    const { service, store } = await build();
    await expect(service.cancel('nobody', CALLER)).rejects.toBeInstanceOf(NotFoundException);
    store.access.mockResolvedValue({
      snapshot: { ...queuedSnapshot('done'), status: 'completed' },
      access: OWNER,
    });
    await expect(service.cancel('done', CALLER)).rejects.toBeInstanceOf(ConflictException);
    expect(store.append).not.toHaveBeenCalled();
  });
});
