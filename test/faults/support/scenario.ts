import { FaultCluster, type ClusterOptions, FaultRedis, type FaultReport } from './fault-cluster';

/** A scenario's cluster, stopped after the file's test whatever happens. */
export function useFaultCluster(options: ClusterOptions): () => FaultCluster {
  let redis: FaultRedis | undefined;
  let cluster: FaultCluster | undefined;
  beforeAll(async () => {
    redis = await FaultRedis.start();
    cluster = new FaultCluster(redis, options);
    await cluster.start();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
  }, 60_000);
  return () => {
    if (!cluster) throw new Error('the cluster is used before beforeAll ran');
    return cluster;
  };
}

/** The contract's guarantee under a fault: nothing lost, nothing repeated, nothing stuck. */
export function expectGuaranteeHeld(report: FaultReport): void {
  expect(report.violations).toEqual([]);
  expect({ lost: report.lost, duplicated: report.duplicated, stuck: report.stuck }).toEqual({
    lost: 0,
    duplicated: 0,
    stuck: 0,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
