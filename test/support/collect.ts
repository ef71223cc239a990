import type { AnalysisEvent } from '../../src/core/analysis.types';

/** Every event a watch yields, until it ends with the job's terminal event. */
export async function collect(events: AsyncIterable<AnalysisEvent>): Promise<AnalysisEvent[]> {
  const seen: AnalysisEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}
