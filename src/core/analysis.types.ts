/** Domain types shared by the server, the clients and the dataview. */

export const ANALYSIS_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

export const TERMINAL_STATUSES: readonly AnalysisStatus[] = ['completed', 'failed', 'cancelled'];

export type AnalysisEventType =
  'queued' | 'started' | 'progress' | 'retrying' | 'completed' | 'failed' | 'cancelled';

export interface AnalysisError {
  message: string;
  code?: string;
}

/** One change of a job, as stored in its event log and delivered to clients. */
export interface AnalysisEvent {
  id: string;
  /** Present (≥ 1) once a Redis failover dropped events of the job: `seq` may repeat an older epoch's. */
  epoch?: number;
  seq: number;
  type: AnalysisEventType;
  status: AnalysisStatus;
  progress: number;
  step: string | null;
  attempt: number;
  data?: unknown;
  error?: AnalysisError;
  at: string;
}

/** An event before the event store gives it its `seq`. */
export type AnalysisEventDraft = Omit<AnalysisEvent, 'seq' | 'epoch'>;

/** The current state of a job: what `GET /analyses/{id}` returns. */
export interface AnalysisSnapshot {
  id: string;
  pipeline: string;
  status: AnalysisStatus;
  progress: number;
  step: string | null;
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lastSeq: number;
  /** Like the events': present once a failover dropped events of the job. */
  epoch?: number;
  result: unknown;
  error: AnalysisError | null;
}

export function isTerminal(status: AnalysisStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
