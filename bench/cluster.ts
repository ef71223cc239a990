/**
 * `npm run bench:cluster`: only the cluster contender of `npm run bench`
 * (scenarios 1, 3 and 5 on one Redis beside a 3-master Redis Cluster), for a
 * quick look; results go to bench/results/cluster-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { buildAll } from './lib/build';
import { RESULTS_DIR } from './lib/paths';
import { markdownTable } from './lib/report';
import { CLUSTER_RUNS, clusterComparison } from './scenarios/cluster-contender';

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[bench:cluster] ${line}\n`);
  await buildAll(log);
  const { rows, samples } = await clusterComparison(log);
  const date = new Date().toISOString();
  const result = {
    date,
    command: 'npm run bench:cluster',
    env: {
      BENCH_CLUSTER_JOBS: Number(process.env.BENCH_CLUSTER_JOBS ?? 3000),
      BENCH_CLUSTER_RUNS: CLUSTER_RUNS,
    },
    machine: { cores: cpus().length, node: process.version },
    rows,
    cluster: { samples },
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `cluster-${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${markdownTable(rows)}\n\nresults: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cluster failed: ${String(error)}\n`);
  process.exit(1);
});
