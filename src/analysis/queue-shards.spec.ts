import type { Queue } from 'bullmq';
import type { AnalysisJobData } from './analysis-job';
import { QueueShards, shardIndexOf, shardNames } from './queue-shards';

describe('queue shards', () => {
  it('keeps the queue name for one shard and numbers several', () => {
    expect(shardNames('analyses', 1)).toEqual(['analyses']);
    expect(shardNames('analyses', 3)).toEqual(['analyses-0', 'analyses-1', 'analyses-2']);
  });

  it('puts every id in shard 0 when there is one shard', () => {
    expect(shardIndexOf('anything', 1)).toBe(0);
  });

  it('gives an id the same shard every time (FNV-1a), whatever process asks', () => {
    // FNV-1a 32 of "a" is 0xe40c292c; of "" the offset basis 0x811c9dc5.
    expect(shardIndexOf('a', 1_000_000_007)).toBe(0xe40c292c % 1_000_000_007);
    expect(shardIndexOf('', 7)).toBe(0x811c9dc5 % 7);
    expect(shardIndexOf('job-42', 4)).toBe(shardIndexOf('job-42', 4));
  });

  it('spreads ids over every shard, each within a fair share', () => {
    const perShard = new Array<number>(4).fill(0);
    for (let i = 0; i < 4_000; i += 1) perShard[shardIndexOf(`job-${i}`, 4)] += 1;
    for (const count of perShard) expect(count).toBeGreaterThan(800);
  });

  it('looks a job up in the queue of its shard and counts over all of them', async () => {
    const queues = [5, 7, 11].map(
      (depth, index) =>
        ({ name: `q-${index}`, count: async () => depth }) as unknown as Queue<AnalysisJobData>,
    );
    const shards = new QueueShards(queues);
    expect(shards.forId('job-42').name).toBe(`q-${shardIndexOf('job-42', 3)}`);
    await expect(shards.count()).resolves.toBe(23);
  });
});
