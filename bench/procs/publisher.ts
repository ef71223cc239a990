/**
 * Plays the worker for the event-latency scenario: writes events for a set of
 * jobs at a fixed rate, round-robin. `service`: through the service's event
 * store (the Lua append the worker's Publisher runs); `bare`: an ioredis
 * PUBLISH of the same event JSON. Each event carries its send time in `data.t`.
 */
import Redis from 'ioredis';
import type { AnalysisEventDraft } from '../../src/core/analysis.types';
import { announceReady, serve } from '../lib/rpc';
import { openServiceStore } from '../lib/service-store';
import { channelOf, eventJson } from '../lib/shapes';
import { sleep, wallNow } from '../lib/stats';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const variant = process.env.VARIANT === 'bare' ? 'bare' : 'service';
const prefix = process.env.KEY_PREFIX ?? 'ras';
const MAX_IN_FLIGHT = 2_000;

const service = variant === 'service' ? openServiceStore(redisUrl, prefix) : undefined;
const bare =
  variant === 'bare' ? new Redis(redisUrl, { connectionName: 'bench:publisher' }) : undefined;

interface PublishArgs {
  ids: string[];
  /** Events per second across all jobs. */
  rate: number;
  /** Progress events in all; each job then gets one `completed`. */
  count: number;
  /** The seq the first published event of each job gets (bare only; the store numbers its own). */
  firstSeq: number;
  /** End every job with a `completed` event (default true). */
  terminal?: boolean;
}

function draft(id: string, terminal: boolean): AnalysisEventDraft {
  return {
    id,
    type: terminal ? 'completed' : 'progress',
    status: terminal ? 'completed' : 'running',
    progress: terminal ? 100 : 50,
    step: 'step_one',
    attempt: 1,
    // Only progress events are timed: the `completed` events go out in a burst at the end.
    ...(terminal ? {} : { data: { t: wallNow() } }),
    at: new Date().toISOString(),
  };
}

async function publish({ ids, rate, count, firstSeq, terminal = true }: PublishArgs) {
  const seqs = new Map(ids.map((id) => [id, firstSeq]));
  let inFlight = 0;
  let failed = 0;
  const send = (id: string, terminal: boolean): void => {
    inFlight += 1;
    const event = draft(id, terminal);
    let written: Promise<unknown>;
    if (service) {
      written = service.publisher.publish(event).then((accepted) => {
        if (!accepted) failed += 1;
      });
    } else {
      const seq = seqs.get(id) ?? firstSeq;
      seqs.set(id, seq + 1);
      written = bare!.publish(channelOf(prefix, id), eventJson(seq, event));
    }
    written.then(
      () => (inFlight -= 1),
      () => {
        inFlight -= 1;
        failed += 1;
      },
    );
  };
  const started = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    while (sent < due && inFlight < MAX_IN_FLIGHT) {
      send(ids[sent % ids.length], false);
      sent += 1;
    }
    await sleep(sent < due ? 0 : 1);
  }
  const seconds = (performance.now() - started) / 1000;
  if (terminal) for (const id of ids) send(id, true);
  while (inFlight > 0) await sleep(1);
  return { sent, terminal: terminal ? ids.length : 0, seconds, rate: sent / seconds, failed };
}

serve({ publish });
announceReady({ variant });
