import type { AnalysisEvent } from '../core/analysis.types';

/**
 * The events one message on a job's channel announces: one event as a JSON
 * object, or the events of one write, in order, as a JSON array (one publish
 * per write instead of one per event).
 */
export function eventsOfMessage(message: string): AnalysisEvent[] {
  const parsed = JSON.parse(message) as AnalysisEvent | AnalysisEvent[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
