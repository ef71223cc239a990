import { isDeepStrictEqual } from 'node:util';
import {
  type AnalysisEvent,
  type AnalysisSnapshot,
  isTerminal,
} from '../../../src/core/analysis.types';
import { applyEvent, newSnapshot } from '../../../src/core/snapshot.reducer';

/** What the service holds for one job at the end of a run: its events and its snapshot. */
export interface StoredJob {
  id: string;
  events: AnalysisEvent[];
  snapshot: AnalysisSnapshot | undefined;
}

/** What one client received for one job, in arrival order, duplicates included. */
export interface Received {
  client: string;
  id: string;
  events: AnalysisEvent[];
}

export interface InvariantReport {
  jobs: number;
  /** Events received by clients, summed over clients. */
  delivered: number;
  /** Stored events a following client never received. */
  lost: number;
  /** Events a client received more than once, or stored twice. */
  duplicated: number;
  /** Jobs without a terminal event at the end. */
  stuck: number;
  /** Every broken invariant, one line each (empty when all hold). */
  violations: string[];
  outcomes: Record<string, number>;
}

/** Deep equality of JSON values, whatever the objects' prototypes (parsers differ). */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

/** Two events are the same event when all but their `seq` match (`at` included). */
function sameEvent(a: AnalysisEvent, b: AnalysisEvent): boolean {
  return sameJson({ ...a, seq: 0 }, { ...b, seq: 0 });
}

/**
 * Checks the contract's invariants for every job and every client:
 * `seq` from 1 without gaps, each event exactly once, exactly one terminal
 * event and it is last, `progress` never decreasing within an attempt, the
 * snapshot equal to the fold of the events, and every client receiving every
 * event of the jobs it follows exactly once, in order.
 */
export function checkInvariants(stored: StoredJob[], received: Received[]): InvariantReport {
  const report: InvariantReport = {
    jobs: stored.length,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    stuck: 0,
    violations: [],
    outcomes: {},
  };
  const violation = (id: string, what: string): void => {
    report.violations.push(`${id}: ${what}`);
  };
  const byId = new Map(stored.map((job) => [job.id, job]));
  for (const { id, events, snapshot } of stored) {
    events.forEach((event, index) => {
      if (event.seq !== index + 1) violation(id, `event ${index + 1} has seq ${event.seq}`);
      if (event.id !== id) violation(id, `event ${event.seq} names job ${event.id}`);
    });
    if (events[0]?.type !== 'queued') violation(id, 'the first event is not queued');
    const terminals = events.filter((event) => isTerminal(event.status));
    const last = events[events.length - 1];
    if (terminals.length === 0) report.stuck += 1;
    else if (terminals.length > 1) violation(id, `${terminals.length} terminal events`);
    else if (terminals[0] !== last) violation(id, 'the terminal event is not the last');
    if (last && isTerminal(last.status)) {
      report.outcomes[last.type] = (report.outcomes[last.type] ?? 0) + 1;
    }
    for (let i = 1; i < events.length; i += 1) {
      const [previous, event] = [events[i - 1], events[i]];
      if (event.attempt === previous.attempt && event.progress < previous.progress) {
        violation(id, `progress went down at seq ${event.seq} within attempt ${event.attempt}`);
      }
      for (let j = 0; j < i; j += 1) {
        if (sameEvent(events[j], event)) {
          report.duplicated += 1;
          violation(id, `seq ${event.seq} repeats seq ${events[j].seq}`);
        }
      }
    }
    if (!snapshot) {
      violation(id, 'no snapshot');
    } else if (events.length > 0) {
      const folded = events.reduce(applyEvent, newSnapshot(id, snapshot.pipeline, events[0].at));
      const served: Partial<AnalysisSnapshot & { token: string }> = { ...snapshot };
      delete served.token; // issue-7's owner credential, not part of the fold
      if (!sameJson(folded, served)) {
        violation(id, `snapshot differs from the fold of its events`);
      }
    }
  }
  for (const { client, id, events } of received) {
    report.delivered += events.length;
    const job = byId.get(id);
    if (!job) {
      violation(id, `${client} received events of a job the service does not have`);
      continue;
    }
    const seen = new Set<number>();
    let previous = 0;
    for (const event of events) {
      if (seen.has(event.seq)) {
        report.duplicated += 1;
        violation(id, `${client} received seq ${event.seq} twice`);
        continue;
      }
      seen.add(event.seq);
      if (event.seq < previous)
        violation(id, `${client} received seq ${event.seq} after ${previous}`);
      previous = event.seq;
      const stored = job.events[event.seq - 1];
      if (!stored || !sameJson(stored, event)) {
        violation(id, `${client} received a seq ${event.seq} unlike the stored one`);
      }
    }
    const missing = job.events.filter((event) => !seen.has(event.seq)).length;
    if (missing > 0) {
      report.lost += missing;
      violation(id, `${client} missed ${missing} of ${job.events.length} events`);
    }
  }
  return report;
}
