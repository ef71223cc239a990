import type { AnalysisEventDraft } from '../core/analysis.types';

/**
 * Where the runner reports every change of a job. Implemented by the Redis
 * event store in production and by an in-memory log in tests and the CLI.
 */
export interface Publisher {
  /**
   * Records the event and delivers it. Resolves false when the job no longer
   * accepts events: it already ended, or a newer attempt took it over.
   */
  publish(event: AnalysisEventDraft): Promise<boolean>;
}

export const PUBLISHER = Symbol('PUBLISHER');
