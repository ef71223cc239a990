import { Job, type Queue } from 'bullmq';
import type { AfterCreate } from '../bus/event-store';
import type { RedisClient } from '../bus/redis-connection';
import { type AnalysisJobData, bullJobOptions } from './analysis-job';

/**
 * BullMQ's add of a job, as `Queue.add` sends it, on the queue's own connection: sent right
 * behind the commands that write the job, it shares their round trip (EventStore.createFresh).
 */
export async function bullAddition(
  queue: Queue<AnalysisJobData>,
  data: AnalysisJobData,
): Promise<AfterCreate> {
  const connection = await queue.client;
  return {
    connection: connection as unknown as RedisClient,
    send: () => {
      const options = bullJobOptions(data.id);
      return new Job(queue, data.pipeline, data, options, options.jobId).addJob(connection);
    },
  };
}
