import { randomUUID } from 'node:crypto';
import type { JobsOptions } from 'bullmq';

/** The BullMQ queue that carries analyses to workers, unless the module is given another name. */
export const ANALYSIS_QUEUE = 'analyses';
/** Injection token of the module's queue, whatever its name. */
export const ANALYSIS_QUEUE_REF = Symbol('ANALYSIS_QUEUE_REF');

/** What a BullMQ job carries: the request as the client sent it. */
export interface AnalysisJobData {
  id: string;
  pipeline: string;
  /** `null` when the input is stored beside the job (`storedInput`). */
  input: unknown;
  /** Whether the input is in the InputStore: large inputs are, so BullMQ never parses them whole. */
  storedInput?: boolean;
  /** The job's tenant, so that the worker's writes can file the job without asking Redis first. */
  tenant?: string;
  /** Times a worker that did not know the pipeline put the job back (they are not attempts). */
  deferrals?: number;
}

/** Attempts before a job that keeps throwing is `failed`; retries back off exponentially from 1 s. */
export const JOB_ATTEMPTS = 3;
export const JOB_BACKOFF_MS = 1_000;

/** The BullMQ options of every analysis job: the store keeps what a job leaves, so BullMQ keeps nothing. */
export function bullJobOptions(id: string): JobsOptions {
  return {
    jobId: bullJobId(id),
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

export const INVALID_ID_MESSAGE = 'an id is 1 to 128 characters of letters, digits, _ and -';

export function newAnalysisId(): string {
  return randomUUID();
}

/** BullMQ refuses all-digit custom ids, which ours allow: its job ids carry a prefix. */
export function bullJobId(id: string): string {
  return `a-${id}`;
}

export function analysisIdOf(jobId: string): string | undefined {
  return jobId.startsWith('a-') ? jobId.slice(2) : undefined;
}

export function isAnalysisJobData(data: unknown): data is AnalysisJobData {
  if (typeof data !== 'object' || data === null) return false;
  const { id, pipeline } = data as Partial<AnalysisJobData>;
  return isValidId(id) && typeof pipeline === 'string' && 'input' in data;
}
