import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type JobOutcome = 'completed' | 'failed' | 'cancelled';

interface FinishedSeries {
  finished: { inc(): void };
  duration: { observe(value: number): void };
}

/** Gauges whose value the owner of the state reports at scrape time. */
export type LiveGauge = 'socketConnections' | 'liveSubscriptions' | 'sseStreams';

/**
 * How often the event-loop delay histogram samples. prom-client's default, 10 ms,
 * wakes an idle process 100 times a second (a third of a percent of a core);
 * a stall long enough to matter still shows in full.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

const LIVE_GAUGES: Record<LiveGauge, { name: string; help: string }> = {
  socketConnections: {
    name: 'ras_socket_connections',
    help: 'Socket.IO connections open on this process',
  },
  liveSubscriptions: {
    name: 'ras_live_subscriptions',
    help: 'Job subscriptions of the sockets connected to this process',
  },
  sseStreams: { name: 'ras_sse_streams', help: 'Server-Sent Events streams open on this process' },
};

/** A demo job takes milliseconds to seconds, a large stats run minutes: 10 ms to 30 min. */
const JOB_DURATION_BUCKETS = [
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
];
/** Most answers take a millisecond or two; validating a large upload, up to seconds. */
const HTTP_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
/** A scrape reads the queue's counts at most this often, however many scrapers there are. */
const QUEUE_COUNTS_TTL_MS = 1_000;
/** A scrape never waits longer than this for Redis: it reports the last counts instead. */
const QUEUE_COUNTS_TIMEOUT_MS = 1_000;

/**
 * The process's Prometheus series. Labels are bounded sets (validated
 * pipeline names, outcomes, queue states, route patterns, methods, statuses),
 * never a job id, key or token. One registry per application, so that several
 * apps in one process (tests) keep separate counts.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly jobsCreated = new Counter({
    name: 'ras_jobs_created_total',
    help: 'Jobs accepted by this process',
    labelNames: ['pipeline'],
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'ras_jobs_finished_total',
    help: 'Jobs that reached a terminal event on this process, by outcome',
    labelNames: ['pipeline', 'outcome'],
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'ras_job_duration_seconds',
    help: "From the start of a job's last attempt to its terminal event",
    labelNames: ['pipeline'],
    buckets: JOB_DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'ras_events_published_total',
    help: 'Job events this process wrote to the event store',
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'ras_http_requests_total',
    help: 'HTTP requests answered, by route pattern',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'ras_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern',
    labelNames: ['method', 'route'],
    buckets: HTTP_DURATION_BUCKETS,
    registers: [this.registry],
  });

  constructor({ processMetrics = true }: { processMetrics?: boolean } = {}) {
    if (processMetrics) {
      collectDefaultMetrics({
        register: this.registry,
        eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
      });
    }
  }

  /** A job was accepted here: its `queued` event is written too. */
  jobCreated(pipeline: string): void {
    this.jobsCreated.inc({ pipeline });
    this.eventsPublished.inc();
  }

  /**
   * The series of a pipeline and outcome, bound once: a worker counts every job, and binding
   * (prom-client hashing the labels) cost more than the count.
   */
  private readonly finishedSeries = new Map<string, FinishedSeries>();

  /** A job reached its terminal event here; `startedAt` is its last attempt's start, if it started. */
  jobFinished(pipeline: string, outcome: JobOutcome, startedAt: string | number | null): void {
    const series = this.seriesOf(pipeline, outcome);
    series.finished.inc();
    if (startedAt === null) return;
    const started = typeof startedAt === 'number' ? startedAt : Date.parse(startedAt);
    series.duration.observe(Math.max(0, Date.now() - started) / 1000);
  }

  private seriesOf(pipeline: string, outcome: JobOutcome): FinishedSeries {
    const key = `${outcome} ${pipeline}`;
    let series = this.finishedSeries.get(key);
    if (!series) {
      series = {
        finished: this.jobsFinished.labels({ pipeline, outcome }),
        duration: this.jobDuration.labels({ pipeline }),
      };
      this.finishedSeries.set(key, series);
    }
    return series;
  }

  /** Registers a gauge read from `read` at each scrape: the hot path keeps no extra count. */
  observe(gauge: LiveGauge, read: () => number): void {
    const { name, help } = LIVE_GAUGES[gauge];
    this.registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /**
   * `ras_queue_jobs{state}`, summed over the queue's shards: one `getJobCounts`
   * per shard per second at most, whatever the scrape rate.
   */
  observeQueue(...queues: Queue[]): void {
    const shardCounts = queues.map(cachedQueueCounts);
    this.registry.removeSingleMetric('ras_queue_jobs');
    new Gauge({
      name: 'ras_queue_jobs',
      help: 'Jobs in the BullMQ queue, by state (waiting includes paused and prioritized)',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const read = await Promise.all(shardCounts.map((counts) => counts()));
        if (read.some((counts) => counts === undefined)) return;
        for (const state of ['waiting', 'active', 'delayed'] as const) {
          this.set(
            { state },
            read.reduce((sum, counts) => sum + (counts?.[state] ?? 0), 0),
          );
        }
      },
    });
  }
}

type QueueCounts = { waiting: number; active: number; delayed: number };

function cachedQueueCounts(queue: Queue): () => Promise<QueueCounts | undefined> {
  let last: QueueCounts | undefined;
  let readAt = 0;
  let reading: Promise<QueueCounts | undefined> | undefined;
  const read = async (): Promise<QueueCounts | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const c = await Promise.race([
        queue.getJobCounts('wait', 'paused', 'prioritized', 'active', 'delayed'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), QUEUE_COUNTS_TIMEOUT_MS);
        }),
      ]);
      last = { waiting: c.wait + c.paused + c.prioritized, active: c.active, delayed: c.delayed };
      readAt = Date.now();
    } catch {
      // Redis is unreachable: keep the last counts rather than fail the whole scrape.
    } finally {
      clearTimeout(timer);
      reading = undefined;
    }
    return last;
  };
  return () => {
    if (Date.now() - readAt < QUEUE_COUNTS_TTL_MS) return Promise.resolve(last);
    return (reading ??= read());
  };
}
