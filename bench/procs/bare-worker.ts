/**
 * Bare baseline for the worker: a BullMQ Worker with the service's settings and
 * nothing else. MODE=noop does no work; MODE=publish PUBLISHes, one after the
 * other, the same four event payloads the service's worker writes for a demo
 * job, on the same kind of channel.
 */
import { type Job, Worker } from 'bullmq';
import Redis from 'ioredis';
import { announceReady, serve } from '../lib/rpc';
import { channelOf, demoRunEvents, eventJson, QUEUE_NAME } from '../lib/shapes';

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port) };
const prefix = process.env.KEY_PREFIX ?? 'bare';
const mode = process.env.MODE === 'publish' ? 'publish' : 'noop';
const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 4);
const lockMs = Number(process.env.JOB_LOCK_MS ?? 30_000);

const publisher = mode === 'publish' ? new Redis(connection) : undefined;

interface JobData {
  id: string;
  input: { input?: unknown };
}

async function processJob(job: Job<JobData>): Promise<void> {
  if (!publisher) return;
  const { id, input } = job.data;
  let seq = 1;
  for (const event of demoRunEvents(id, job.attemptsStarted, input?.input)) {
    seq += 1;
    await publisher.publish(channelOf(prefix, id), eventJson(seq, event));
  }
}

const worker = new Worker<JobData>(QUEUE_NAME, processJob, {
  connection,
  prefix,
  concurrency,
  lockDuration: lockMs,
  stalledInterval: lockMs,
  maxStalledCount: 2,
  autorun: false,
});
worker.on('error', (error) => process.stderr.write(`worker error: ${error.message}\n`));

serve({});
process.once('SIGTERM', () => {
  void worker
    .close()
    .then(() => publisher?.quit())
    .finally(() => process.exit(0));
});

void worker.waitUntilReady().then(() => {
  void worker.run();
  announceReady({ mode, concurrency });
});
